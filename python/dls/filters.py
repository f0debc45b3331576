"""Filters over entities: the seed's ``by_*`` factories, combined with ``&`` (and), ``|`` (or) and
``~`` (not).

A predicate is callable on an entity (``by_group("g")(entity)``), and the store pushes it down
into its scan when it can: every filter here except :func:`by_predicate` (arbitrary Python code)
has a text form, the same the ``dls`` command's ``--where`` accepts (:meth:`Predicate.to_text`).
A tree mixing both is split: the store scans with the conjunction of the pushable parts and
evaluates the rest in Python, so the result is the same as evaluating everything in Python.

Semantics (comparisons exact and case-sensitive):

- ``by_all()`` every entity; ``by_id(id)`` the version with that id; ``by_entity_id(id)`` the
  versions of an entity; ``by_group(g)`` (``by_group(None)``/``by_group("")``: no group);
  ``by_destination_type``, ``by_source``, ``by_destination``, ``by_created_by``,
  ``by_modified_by``: field equality; ``by_has_tag(k)``, ``by_has_tag_value(k, v)``: tags;
- ``by_is_enabled(b=True)``, ``by_is_latest(b=True)``, ``by_is_streaming(b=True)``: flags;
- ``by_created_ts_between(a, b)``: ``a <= created_ts <= b`` (false when created_ts is null);
- ``by_reference_ts(ts)``: the version valid at ``ts`` (created_ts <= ts < expired_ts, or not
  expired);
- ``by_predicate(fn, name)``: ``fn(entity)``, evaluated in Python.

Timestamps may be datetimes (naive ones are UTC), ISO-8601 text, or integer microseconds.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Callable, List, Optional, Tuple, Union

from .models import DeltaLiveEntity, _to_datetime

__all__ = [
    "Predicate",
    "AndPredicate",
    "OrPredicate",
    "NotPredicate",
    "FieldPredicate",
    "by_all",
    "by_id",
    "by_destination_type",
    "by_entity_id",
    "by_entitiy_id",
    "by_group",
    "by_has_tag",
    "by_has_tag_value",
    "by_source",
    "by_destination",
    "by_is_enabled",
    "by_is_latest",
    "by_created_ts_between",
    "by_created_by",
    "by_modified_by",
    "by_reference_ts",
    "by_is_streaming",
    "by_predicate",
    "split_pushdown",
]

TimestampLike = Union[_dt.datetime, str, int]


class Predicate:
    """A filter over entities: callable on an entity, combinable with ``&``, ``|`` and ``~``.

    ``Predicate(fn, name)`` wraps any callable (as :func:`by_predicate` does); subclasses are the
    seed's filters and combinators.
    """

    def __init__(self, fn: Optional[Callable[[DeltaLiveEntity], Any]] = None, name: str = "custom") -> None:
        self._fn = fn
        self.name = name

    def __call__(self, entity: DeltaLiveEntity) -> bool:
        """True when ``entity`` matches."""
        if self._fn is None:
            return True
        return bool(self._fn(entity))

    def matches(self, entity: DeltaLiveEntity) -> bool:
        """Same as calling the predicate."""
        return self(entity)

    def to_text(self) -> Optional[str]:
        """The filter in the text form of ``dls --where`` (what the store pushes down), or None
        when it contains Python code (:func:`by_predicate`)."""
        return None

    def __and__(self, other: "Predicate") -> "Predicate":
        return AndPredicate(self, _check(other))

    def __or__(self, other: "Predicate") -> "Predicate":
        return OrPredicate(self, _check(other))

    def __invert__(self) -> "Predicate":
        return NotPredicate(self)

    def __repr__(self) -> str:
        text = self.to_text()
        return text if text is not None else f"by_predicate({self.name!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Predicate):
            return NotImplemented
        mine, theirs = self.to_text(), other.to_text()
        if mine is None or theirs is None:
            return self is other
        return mine == theirs

    def __hash__(self) -> int:
        text = self.to_text()
        return hash(text) if text is not None else id(self)


def _check(p: Any) -> Predicate:
    if not isinstance(p, Predicate):
        raise TypeError(f"filters combine with other filters, not {type(p).__name__}")
    return p


def _quote(s: str) -> str:
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n").replace("\t", "\\t") + "'"


class AndPredicate(Predicate):
    """``left & right``: both match."""

    def __init__(self, left: Predicate, right: Predicate) -> None:
        super().__init__(None, "and")
        self.left, self.right = left, right

    def __call__(self, entity: DeltaLiveEntity) -> bool:
        return self.left(entity) and self.right(entity)

    def to_text(self) -> Optional[str]:
        a, b = self.left.to_text(), self.right.to_text()
        if a is None or b is None:
            return None
        # & binds tighter than |: an | operand needs parentheses.
        a = f"({a})" if isinstance(self.left, OrPredicate) else a
        b = f"({b})" if isinstance(self.right, (OrPredicate, AndPredicate)) else b
        return f"{a} & {b}"


class OrPredicate(Predicate):
    """``left | right``: either matches."""

    def __init__(self, left: Predicate, right: Predicate) -> None:
        super().__init__(None, "or")
        self.left, self.right = left, right

    def __call__(self, entity: DeltaLiveEntity) -> bool:
        return self.left(entity) or self.right(entity)

    def to_text(self) -> Optional[str]:
        a, b = self.left.to_text(), self.right.to_text()
        if a is None or b is None:
            return None
        b = f"({b})" if isinstance(self.right, OrPredicate) else b
        return f"{a} | {b}"


class NotPredicate(Predicate):
    """``~operand``: it does not match."""

    def __init__(self, operand: Predicate) -> None:
        super().__init__(None, "not")
        self.operand = operand

    def __call__(self, entity: DeltaLiveEntity) -> bool:
        return not self.operand(entity)

    def to_text(self) -> Optional[str]:
        a = self.operand.to_text()
        if a is None:
            return None
        return f"~{a}" if isinstance(self.operand, (FieldPredicate, NotPredicate)) else f"~({a})"


class FieldPredicate(Predicate):
    """One of the seed's ``by_*`` filters: a name, its arguments and how it tests an entity."""

    def __init__(self, name: str, args: Tuple[Any, ...], test: Callable[[DeltaLiveEntity], bool]) -> None:
        super().__init__(test, name)
        self.args = args

    def __call__(self, entity: DeltaLiveEntity) -> bool:
        return bool(self._fn(entity))  # type: ignore[misc]

    def to_text(self) -> Optional[str]:
        parts = []
        for a in self.args:
            if isinstance(a, bool):
                parts.append("true" if a else "false")
            elif isinstance(a, _dt.datetime):
                parts.append(_quote(_iso(a)))
            else:
                parts.append(_quote(str(a)))
        return f"{self.name}({', '.join(parts)})"


def _iso(ts: _dt.datetime) -> str:
    return ts.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _ts(value: TimestampLike, what: str) -> _dt.datetime:
    try:
        result = _to_datetime(value)
    except (TypeError, ValueError) as e:
        from .errors import InvalidMetadataError

        raise InvalidMetadataError(f"{what}: not a timestamp: {value!r}") from e
    assert result is not None
    return result


def _str(value: Any, what: str) -> str:
    if not isinstance(value, str):
        from .errors import InvalidMetadataError

        raise InvalidMetadataError(f"{what}: expected a string, got {value!r}")
    return value


def by_all() -> Predicate:
    """Every entity."""
    return FieldPredicate("by_all", (), lambda e: True)


def by_id(id: str) -> Predicate:
    """The version whose generated ``id`` is ``id``."""
    id = _str(id, "by_id")
    return FieldPredicate("by_id", (id,), lambda e: e.id == id)


def by_destination_type(destination_type: str) -> Predicate:
    """Entities whose destination_type is ``destination_type`` ("table" or "view")."""
    t = _str(getattr(destination_type, "value", destination_type), "by_destination_type")
    return FieldPredicate("by_destination_type", (t,), lambda e: e.destination_type == t)


def by_entity_id(entity_id: str) -> Predicate:
    """The versions of entity ``entity_id``."""
    entity_id = _str(entity_id, "by_entity_id")
    return FieldPredicate("by_entity_id", (entity_id,), lambda e: e.entity_id == entity_id)


#: The seed README's spelling of :func:`by_entity_id`, kept so its examples run unchanged.
by_entitiy_id = by_entity_id


def by_group(group: Optional[str]) -> Predicate:
    """Entities of ``group``; ``None`` or ``""``: entities without a group."""
    g = "" if group is None else _str(group, "by_group")
    return FieldPredicate("by_group", (g,), lambda e: (e.group or "") == g)


def by_has_tag(key: str) -> Predicate:
    """Entities having tag ``key`` (any value)."""
    key = _str(key, "by_has_tag")
    return FieldPredicate("by_has_tag", (key,), lambda e: key in e.tags)


def by_has_tag_value(key: str, value: str) -> Predicate:
    """Entities whose tag ``key`` is ``value``."""
    key, value = _str(key, "by_has_tag_value"), _str(value, "by_has_tag_value")
    return FieldPredicate("by_has_tag_value", (key, value), lambda e: e.tags.get(key) == value)


def by_source(source: str) -> Predicate:
    """Entities reading ``source``."""
    source = _str(source, "by_source")
    return FieldPredicate("by_source", (source,), lambda e: e.source == source)


def by_destination(destination: str) -> Predicate:
    """Entities writing ``destination``."""
    destination = _str(destination, "by_destination")
    return FieldPredicate("by_destination", (destination,), lambda e: e.destination == destination)


def by_is_enabled(enabled: bool = True) -> Predicate:
    """Entities with is_enabled == ``enabled``."""
    enabled = bool(enabled)
    return FieldPredicate("by_is_enabled", (enabled,), lambda e: e.is_enabled == enabled)


def by_is_latest(latest: bool = True) -> Predicate:
    """Versions with is_latest == ``latest``."""
    latest = bool(latest)
    return FieldPredicate("by_is_latest", (latest,), lambda e: e.is_latest == latest)


def by_is_streaming(streaming: bool = True) -> Predicate:
    """Entities with is_streaming == ``streaming``."""
    streaming = bool(streaming)
    return FieldPredicate("by_is_streaming", (streaming,), lambda e: e.is_streaming == streaming)


def by_created_ts_between(start: TimestampLike, end: TimestampLike) -> Predicate:
    """Versions created between ``start`` and ``end``, both inclusive."""
    a, b = _ts(start, "by_created_ts_between"), _ts(end, "by_created_ts_between")

    def test(e: DeltaLiveEntity) -> bool:
        return e.created_ts is not None and a <= e.created_ts <= b

    return FieldPredicate("by_created_ts_between", (a, b), test)


def by_created_by(user: str) -> Predicate:
    """Versions written by ``user``."""
    user = _str(user, "by_created_by")
    return FieldPredicate("by_created_by", (user,), lambda e: e.created_by == user)


def by_modified_by(user: str) -> Predicate:
    """Versions superseded by ``user``."""
    user = _str(user, "by_modified_by")
    return FieldPredicate("by_modified_by", (user,), lambda e: e.modified_by == user)


def by_reference_ts(ts: TimestampLike) -> Predicate:
    """The version of each entity that was current at ``ts``."""
    t = _ts(ts, "by_reference_ts")

    def test(e: DeltaLiveEntity) -> bool:
        return e.created_ts is not None and e.created_ts <= t and (e.expired_ts is None or t < e.expired_ts)

    return FieldPredicate("by_reference_ts", (t,), test)


def by_predicate(fn: Callable[[DeltaLiveEntity], Any], name: str = "custom") -> Predicate:
    """Any Python callable as a filter (evaluated in Python, never pushed down)."""
    if not callable(fn):
        raise TypeError("by_predicate needs a callable taking an entity")
    return Predicate(fn, name)


def split_pushdown(predicate: Predicate) -> Tuple[str, List[Predicate]]:
    """Splits ``predicate`` into the text of what the store can evaluate in its scan (the
    conjunction of the pushable top-level ``&`` operands; ``by_all()`` when none) and the operands
    left to evaluate in Python. Their conjunction is ``predicate``."""
    operands: List[Predicate] = []

    def flatten(p: Predicate) -> None:
        if isinstance(p, AndPredicate):
            flatten(p.left)
            flatten(p.right)
        else:
            operands.append(p)

    flatten(_check(predicate))
    pushed: List[str] = []
    rest: List[Predicate] = []
    for p in operands:
        text = p.to_text()
        if text is None:
            rest.append(p)
        else:
            pushed.append(f"({text})" if isinstance(p, OrPredicate) else text)
    return (" & ".join(pushed) if pushed else "by_all()"), rest
