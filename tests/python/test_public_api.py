"""Every public name of the package exists, is documented, and the modules are the seed's."""

from __future__ import annotations

import importlib
import inspect

import pytest

MODULES = ["dls", "dls.models", "dls.filters", "dls.store", "dls.loaders", "dls.pipeline", "dls.utils", "dls.errors"]

SEED_NAMES = {
    "dls.models": ["DeltaLiveEntity", "DeltaLiveEntityList", "Expectations", "ApplyChanges", "DestinationType", "SourceFormat"],
    "dls.filters": ["Predicate", "AndPredicate", "OrPredicate", "NotPredicate", "by_all", "by_id", "by_destination_type",
                    "by_entity_id", "by_entitiy_id", "by_group", "by_has_tag", "by_has_tag_value", "by_source",
                    "by_destination", "by_is_enabled", "by_is_latest", "by_created_ts_between", "by_created_by",
                    "by_modified_by", "by_reference_ts", "by_is_streaming", "by_predicate"],
    "dls.store": ["DeltaLiveStore"],
    "dls.loaders": ["DeltaLiveStoreLoader", "YamlLoader", "FileServiceLoader", "ListLoader", "entity_from_directory_entry",
                    "medallion_from_directory_entry"],
    "dls.pipeline": ["DeltaLiveStorePipeline", "QUARANTINE_COL", "can_quarantine", "quarantine_rules", "has_scd"],
    "dls.utils": ["remove_null_values", "load_config_schema", "parse_db_schema_table", "create_session"],
    "dls": ["DlsError", "read_table", "sql"],
}


@pytest.mark.parametrize("name", MODULES)
def test_every_public_name_exists_and_is_documented(name):
    module = importlib.import_module(name)
    assert module.__doc__
    for attr in module.__all__:
        obj = getattr(module, attr)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert obj.__doc__ and obj.__doc__.strip(), f"{name}.{attr} has no docstring"
            if inspect.isclass(obj):
                for member_name, member in vars(obj).items():
                    if not member_name.startswith("_") and inspect.isfunction(member):
                        # Overrides may inherit the documentation of the method they override.
                        assert inspect.getdoc(getattr(obj, member_name)), f"{name}.{attr}.{member_name} has no docstring"


@pytest.mark.parametrize("module_name", sorted(SEED_NAMES))
def test_seed_names_are_exported(module_name):
    module = importlib.import_module(module_name)
    for name in SEED_NAMES[module_name]:
        assert name in module.__all__ and hasattr(module, name), f"{module_name}.{name}"


def test_package_is_typed_and_versioned():
    import pathlib

    import dls

    assert (pathlib.Path(dls.__file__).parent / "py.typed").exists()
    assert dls.__version__ == "0.1.0"


def test_utils_helpers():
    from dls import InvalidMetadataError
    from dls.utils import load_config_schema, parse_db_schema_table, remove_null_values

    assert remove_null_values({"a": None, "b": [None, {"c": None}]}) == {"b": [None, {}]}
    assert parse_db_schema_table("a.b.c") == ("a", "b", "c")
    assert parse_db_schema_table("t").table == "t"
    with pytest.raises(InvalidMetadataError):
        parse_db_schema_table("a.b/../c")
    schema = load_config_schema()
    assert "delta_live_store" in schema["properties"]
