"""dls.errors: one class per kind of error, all DlsError, with dls's messages and exit codes."""

from __future__ import annotations

import pytest

import dls
from dls.errors import ConflictError, DataQualityError, DlsError, InvalidMetadataError, NotFoundError, UsageError
from dls.filters import by_is_enabled
from dls.loaders import YamlLoader
from dls.store import DeltaLiveStore


def test_hierarchy_and_exit_codes():
    for cls, code in ((UsageError, 2), (InvalidMetadataError, 3), (DataQualityError, 4), (ConflictError, 1), (NotFoundError, 1)):
        assert issubclass(cls, DlsError) and cls.exit_code == code
    assert dls.DlsError is DlsError and issubclass(NotFoundError, LookupError)


def test_not_found_for_missing_table_and_file(warehouse, tmp_path):
    with pytest.raises(NotFoundError, match="no_such"):
        dls.read_table("main.etl.no_such", warehouse=warehouse)
    store = DeltaLiveStore("main.etl.ctl", warehouse=warehouse)
    store.initialize()
    with pytest.raises(NotFoundError, match="missing.yml"):
        YamlLoader(tmp_path / "missing.yml").load(store)


def test_yaml_errors_are_located_and_all_reported(store, tmp_path):
    path = tmp_path / "bad.yml"
    path.write_text(
        "delta_live_store:\n"
        "  - entity_id: '1'\n"
        "    source: /d\n"
        "    destination: t\n"
        "    destination_typ: table\n"
        "  - entity_id: '2'\n"
        "    source: /d2\n"
        "    destination: t2\n"
        "    source_format: parket\n"
    )
    version = store.version
    with pytest.raises(InvalidMetadataError) as info:
        YamlLoader(path).load(store)
    assert len(info.value.errors) >= 2
    assert "bad.yml:5:" in str(info.value) and "destination_type" in str(info.value)
    assert "bad.yml:9:" in str(info.value) and "parquet" in str(info.value)
    assert store.version == version and len(store.find_entities(by_is_enabled())) == 0


def test_sql_errors_are_dls_errors(warehouse):
    with pytest.raises(DlsError):
        dls.sql("SELEC 1", dialect="duckdb", warehouse=warehouse)
    with pytest.raises(UsageError):
        dls.sql("SELECT 1", dialect="oracle", warehouse=warehouse)
