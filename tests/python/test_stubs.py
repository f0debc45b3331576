"""Editors complete every public name: each has a docstring and a typed declaration.

The pure-Python modules are their own stubs (inline annotations, ``py.typed``): every name of
their ``__all__`` is declared statically at the top level of the module's source, every public
function and method annotates all its parameters and its return type, and every public constant
is documented with a ``#:`` comment. The extension module ``dls._core`` has ``_core.pyi``, checked
against the module the way ``stubtest`` would: the same names, the same parameter names, kinds
and defaults (from nanobind's signatures), a docstring on both sides.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pathlib
from typing import Dict, Iterator, List, Optional, Tuple, Union

import pytest

PUBLIC_MODULES = ["dls", "dls.models", "dls.filters", "dls.store", "dls.loaders", "dls.pipeline", "dls.utils",
                  "dls.errors"]

FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]


def module_source(name: str) -> Tuple[ast.Module, List[str]]:
    path = pathlib.Path(importlib.import_module(name).__file__)
    text = path.read_text()
    return ast.parse(text), text.splitlines()


def top_level_declarations(tree: ast.Module) -> Dict[str, ast.stmt]:
    """Names bound at the top level (also inside top-level if/try blocks) → their statement."""
    names: Dict[str, ast.stmt] = {}

    def visit(body: List[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names[node.name] = node
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        names[target.id] = node
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names[node.target.id] = node
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    names[(alias.asname or alias.name).split(".")[0]] = node
            elif isinstance(node, ast.If):
                visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)

    visit(tree.body)
    return names


def public_functions(node: ast.AST, prefix: str) -> Iterator[Tuple[str, FunctionNode]]:
    """Public functions of a module or class body, and the methods of its public classes."""
    for child in getattr(node, "body", []):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if not child.name.startswith("_") or child.name == "__init__":
                yield f"{prefix}{child.name}", child
        elif isinstance(child, ast.ClassDef) and not child.name.startswith("_"):
            yield from public_functions(child, f"{prefix}{child.name}.")


def missing_annotations(fn: FunctionNode, is_method: bool) -> List[str]:
    args = fn.args
    params = args.posonlyargs + args.args + args.kwonlyargs
    if is_method and params and params[0].arg in ("self", "cls"):
        params = params[1:]
    missing = [p.arg for p in params if p.annotation is None]
    missing += [f"*{a.arg}" for a in (args.vararg, args.kwarg) if a is not None and a.annotation is None]
    if fn.returns is None:
        missing.append("return")
    return missing


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_every_public_name_is_declared_typed_and_documented(name):
    module = importlib.import_module(name)
    tree, lines = module_source(name)
    declared = top_level_declarations(tree)
    problems = []
    for attr in module.__all__:
        node = declared.get(attr)
        if node is None:
            problems.append(f"{attr}: not declared statically in the module's source")
            continue
        obj = getattr(module, attr)
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and not (inspect.isclass(obj) or callable(obj)):
            # A constant: documented by a `#:` comment right above it (Sphinx's convention).
            if not lines[node.lineno - 2].strip().startswith("#:") and attr != "__version__":
                problems.append(f"{attr}: a constant without a `#:` comment")
        elif inspect.isclass(obj) or inspect.isroutine(obj):
            if not (obj.__doc__ or "").strip():
                problems.append(f"{attr}: no docstring")
    for qualified, fn in public_functions(tree, ""):
        if qualified.split(".")[0] not in module.__all__:
            continue
        is_method = "." in qualified
        missing = missing_annotations(fn, is_method)
        if missing:
            problems.append(f"{qualified}: no annotation for {', '.join(missing)}")
        if not is_method or fn.name == "__init__":
            continue
        # Methods: documented here or by the method they override (inspect.getdoc follows the MRO).
        owner = getattr(module, qualified.split(".")[0])
        member = inspect.getattr_static(owner, fn.name)
        target = member.fget if isinstance(member, property) else getattr(owner, fn.name)
        if not inspect.getdoc(target):
            problems.append(f"{qualified}: no docstring")
    assert not problems, f"{name}:\n  " + "\n  ".join(problems)


# --- dls._core against _core.pyi ---------------------------------------------------------------

def stub_tree() -> ast.Module:
    import dls

    return ast.parse((pathlib.Path(dls.__file__).parent / "_core.pyi").read_text())


def runtime_params(fn: object) -> List[Tuple[str, str, bool]]:
    """(name, kind, has default) of each parameter of a nanobind function, from its signature."""
    signatures = getattr(fn, "__nb_signature__")
    assert len(signatures) == 1, f"{fn}: overloaded"
    text, _doc, defaults = signatures[0]
    # nanobind writes defaults it cannot render as \\0 .. \\9 placeholders; any expression will do.
    for i in range(10):
        text = text.replace(f"\\{i}", "...")
    tree = ast.parse(text + ": ...")
    fn_node = tree.body[0]
    assert isinstance(fn_node, ast.FunctionDef)
    return signature_of(fn_node)


def signature_of(fn: FunctionNode) -> List[Tuple[str, str, bool]]:
    args = fn.args
    positional = args.posonlyargs + args.args
    first_default = len(positional) - len(args.defaults)
    out = [(a.arg, "positional-only" if i < len(args.posonlyargs) else "positional-or-keyword", i >= first_default)
           for i, a in enumerate(positional)]
    out += [(a.arg, "keyword-only", d is not None) for a, d in zip(args.kwonlyargs, args.kw_defaults)]
    return out


def doc_of(nb_object: object) -> Optional[str]:
    """The docstring of a nanobind function without the signature nanobind puts first."""
    if hasattr(nb_object, "__nb_signature__"):
        return nb_object.__nb_signature__[0][1]
    return nb_object.__doc__


def test_core_stub_declares_the_module_exactly():
    from dls import _core

    stub = stub_tree()
    declared = {name: node for name, node in top_level_declarations(stub).items()
                if not isinstance(node, (ast.Import, ast.ImportFrom))}
    runtime = {name for name in dir(_core) if not name.startswith("__")} | {"__version__"}
    assert set(declared) == runtime, (sorted(set(declared) - runtime), sorted(runtime - set(declared)))
    problems = []
    for name, node in declared.items():
        obj = getattr(_core, name)
        if isinstance(node, ast.FunctionDef):
            if runtime_params(obj) != signature_of(node):
                problems.append(f"{name}: stub {signature_of(node)} != runtime {runtime_params(obj)}")
        elif isinstance(node, ast.ClassDef):
            stub_members = {n.name: n for n in node.body if isinstance(n, ast.FunctionDef)}
            runtime_members = {n for n, v in vars(obj).items() if not n.startswith("_") or n in ("__init__", "__len__")}
            runtime_members = {n for n in runtime_members if hasattr(vars(obj)[n], "__nb_signature__")
                               or isinstance(vars(obj)[n], property)}
            if set(stub_members) != runtime_members:
                problems.append(f"{name}: stub members {sorted(stub_members)} != runtime {sorted(runtime_members)}")
                continue
            for member, fn_node in stub_members.items():
                value = vars(obj)[member]
                if isinstance(value, property):
                    continue
                if runtime_params(value) != signature_of(fn_node):
                    problems.append(f"{name}.{member}: stub {signature_of(fn_node)} != "
                                    f"runtime {runtime_params(value)}")
    assert not problems, "\n".join(problems)


def test_every_core_name_is_documented_in_the_module_and_the_stub():
    from dls import _core

    problems = []
    stub = stub_tree()
    if not ast.get_docstring(stub):
        problems.append("_core.pyi: no module docstring")
    for node in stub.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            if not ast.get_docstring(node):
                problems.append(f"_core.pyi {node.name}: no docstring")
            obj = getattr(_core, node.name)
            if not (doc_of(obj) or "").strip():
                problems.append(f"_core.{node.name}: no docstring")
        if isinstance(node, ast.ClassDef):
            for member in node.body:
                if isinstance(member, ast.FunctionDef) and member.name != "__len__":
                    if not ast.get_docstring(member):
                        problems.append(f"_core.pyi {node.name}.{member.name}: no docstring")
                    value = vars(getattr(_core, node.name))[member.name]
                    doc = value.__doc__ if isinstance(value, property) else doc_of(value)
                    if member.name != "__init__" and not (doc or "").strip():
                        problems.append(f"_core.{node.name}.{member.name}: no docstring")
    assert not problems, "\n".join(problems)
