"""dls.store.DeltaLiveStore: the control table from Python."""

from __future__ import annotations

import dataclasses
import datetime
import os

import pytest

import dls
from dls.filters import by_all, by_entity_id, by_group, by_is_enabled, by_is_latest
from dls.models import ApplyChanges, DeltaLiveEntity, DeltaLiveEntityList, Expectations
from dls.store import DeltaLiveStore, StoreChange


def entity(entity_id: str, source: str, destination: str, **kw) -> DeltaLiveEntity:
    kw.setdefault("group", "main.etl")
    if "source_format" not in kw:
        kw["read_options"] = kw.get("read_options", {"cloudFiles.format": "csv"})
    return DeltaLiveEntity(entity_id=entity_id, source=source, destination=destination, **kw)


def test_upsert_writes_a_version_only_when_content_changes(store):
    e = entity("1", "/data/a", "a_bronze")
    first = store.upsert(e)
    assert first == StoreChange(version=first.version, inserted=["1"], updated=[], unchanged=[])
    again = store.upsert(e)
    assert again.unchanged == ["1"] and not again.changed and again.version == first.version
    e.source_format = "csv"
    e.read_options = {"header": "true", "inferSchema": "true"}
    changed = store.upsert(e)
    assert changed.updated == ["1"] and changed.version == first.version + 1
    history = store.find_history(by_entity_id("1"))
    assert [h.source_format for h in history] == ["csv", "cloudFiles"]  # newest first
    assert [h.is_latest for h in history] == [True, False]
    assert history[1].expired_ts == history[0].created_ts
    assert history[0].created_by == "tester" and history[1].modified_by == "tester"
    assert history[0].is_streaming is False  # csv is a batch format (the seed's derived default)


def test_find_entities_returns_latest_versions_with_every_field(store):
    e = entity(
        "2", "/data/b", "b_bronze",
        tags={"layer": "bronze"}, primary_keys=["id"], partition_cols=["day"],
        expectations=Expectations(expect_all={"pos": "amount > 0"}), is_quarantined=True,
        comment="orders", source_schema="id INT, amount INT", select_expr=["id", "amount"],
        table_properties={"delta.appendOnly": "true"}, spark_conf={"k": "v"},
    )
    store.upsert(e)
    [found] = store.find_entities(by_entity_id("2"))
    assert found.to_dict(generated=False) == e.to_dict(generated=False)
    assert found.id and found.hash and found.created_ts.tzinfo is not None and found.is_latest


def test_query_datasets_keep_their_query_and_where_clause_through_python(store):
    # An entity defined by Spark SQL: found, changed in Python and upserted again, it keeps both.
    store.upsert(entity("src", "/data/o", "orders"))
    gold = DeltaLiveEntity(
        entity_id="gold", group="main.etl", destination="gold",
        query="SELECT id, count(*) AS n FROM orders GROUP BY id", where_clause=["n > 1"],
    )
    store.upsert(gold)
    [found] = store.find_entities(by_entity_id("gold"))
    assert found.query == gold.query and found.where_clause == ["n > 1"]
    assert found.source_format == "sql" and found.is_streaming is False
    found.comment = "per id"
    assert store.upsert(found).updated == ["gold"]
    [again] = store.find_entities(by_entity_id("gold"))
    assert again.query == gold.query and again.where_clause == ["n > 1"] and again.comment == "per id"
    # Entities without them read back as before.
    [plain] = store.find_entities(by_entity_id("src"))
    assert plain.query is None and plain.where_clause == []
    assert plain.flow_name is None and plain.once is False


def test_append_and_once_flows_keep_their_flow_fields_through_python(store):
    csv = entity("csv", "/data/csv", "orders_silver", flow_name="from_csv")
    backfill = entity("old", "/data/old", "orders_silver", source_format="parquet",
                      is_streaming=False, once=True, flow_name="backfill")
    store.upsert([csv, backfill])
    found = {e.entity_id: e for e in store.find_entities(by_group("main.etl"))}
    assert found["csv"].flow_name == "from_csv" and found["csv"].once is False
    assert found["old"].flow_name == "backfill" and found["old"].once is True
    found["old"].comment = "one-time backfill"
    assert store.upsert(found["old"]).updated == ["old"]
    [again] = store.find_entities(by_entity_id("old"))
    assert again.once is True and again.flow_name == "backfill"


def test_sinks_keep_their_sink_fields_through_python(store):
    sink = entity("export", "orders", "orders_export", source_format="dlt",
                  destination_type="sink", sink_format="delta",
                  sink_options={"path": "/exports/orders"})
    plain = entity("orders", "/data/orders", "orders")
    store.upsert([plain, sink])
    found = {e.entity_id: e for e in store.find_entities(by_group("main.etl"))}
    assert found["export"].destination_type == "sink"
    assert found["export"].sink_format == "delta"
    assert found["export"].sink_options == {"path": "/exports/orders"}
    assert found["orders"].sink_format is None and found["orders"].sink_options == {}
    assert "sink_format: delta" in found["export"].to_yaml()
    found["export"].sink_options = {"tableName": "main.exports.orders"}
    assert store.upsert(found["export"]).updated == ["export"]
    [again] = store.find_entities(by_entity_id("export"))
    assert again.sink_options == {"tableName": "main.exports.orders"}
    # A sink without its format is refused, naming the entity and the field.
    with pytest.raises(dls.InvalidMetadataError, match="sink_format"):
        store.upsert(entity("bad", "orders", "out", source_format="dlt", destination_type="sink",
                            sink_options={"path": "/x"}))


def test_upsert_of_a_list_is_one_commit(store):
    before = store.version
    change = store.upsert([entity(str(i), f"/d/{i}", f"t{i}") for i in range(5)])
    assert sorted(change.inserted) == ["0", "1", "2", "3", "4"]
    assert store.version == before + 1
    assert len(store.find_entities()) == 5


def test_disable_cascades_downstream_and_enable_upstream(store):
    store.upsert([
        entity("1", "/d", "bronze"),
        entity("2", "bronze", "silver", source_format="dlt"),
        entity("3", "silver", "gold", source_format="dlt", is_streaming=False),
    ])
    change = store.disable(by_entity_id("2"))
    assert sorted(change.updated) == ["2", "3"]
    assert [e.entity_id for e in store.find_entities(by_is_enabled())] == ["1"]
    change = store.enable(by_entity_id("3"))
    assert sorted(change.updated) == ["2", "3"]
    assert sorted(e.entity_id for e in store.find_entities()) == ["1", "2", "3"]


def test_invalid_entity_raises_invalid_metadata_and_writes_nothing(store):
    store.upsert(entity("1", "/d", "ok"))
    version = store.version
    bad = [entity("2", "/d2", "fine"), entity("3", "/d3", "x", destination_type="tabel")]
    with pytest.raises(dls.InvalidMetadataError) as info:
        store.upsert(bad)
    assert "destination_type" in str(info.value) and "tabel" in str(info.value)
    assert info.value.exit_code == 3 and info.value.errors
    assert isinstance(info.value, dls.DlsError) and isinstance(info.value, ValueError)
    assert store.version == version
    assert [e.entity_id for e in store.find_entities()] == ["1"]


def test_missing_required_field_and_duplicate_ids_are_invalid(store):
    with pytest.raises(dls.InvalidMetadataError, match="source"):
        store.upsert(DeltaLiveEntity(entity_id="1", destination="x"))
    with pytest.raises(dls.InvalidMetadataError, match="'1'"):
        store.upsert([entity("1", "/a", "a"), entity("1", "/b", "b")])
    assert store.find_history(by_all()) == []


def test_unsafe_table_name_is_invalid_metadata(warehouse):
    with pytest.raises(dls.InvalidMetadataError):
        DeltaLiveStore("main.etl.bad-name", warehouse=warehouse)
    with pytest.raises(dls.InvalidMetadataError):
        DeltaLiveStore("a.b.c.d", warehouse=warehouse)


def test_unparsable_filter_text_is_invalid_metadata_not_a_crash(store):
    from dls.filters import by_group

    # Quotes and backslashes in arguments round-trip through the text form.
    weird = "g'\\x\"y"
    store.upsert(entity("1", "/d", "t", group=weird))
    assert [e.entity_id for e in store.find_entities(by_group(weird))] == ["1"]


def test_warehouse_comes_from_argument_then_environment_then_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DLS_WAREHOUSE", raising=False)
    assert DeltaLiveStore("main.etl.t").location == str(tmp_path / "warehouse" / "main" / "etl" / "t")
    monkeypatch.setenv("DLS_WAREHOUSE", str(tmp_path / "env_wh"))
    assert DeltaLiveStore("etl.t").location == str(tmp_path / "env_wh" / "main" / "etl" / "t")
    s = DeltaLiveStore("etl.t", warehouse=tmp_path / "arg_wh")
    assert s.location == str(tmp_path / "arg_wh" / "main" / "etl" / "t")
    assert s.warehouse == str(tmp_path / "arg_wh")


def test_spark_argument_is_accepted_and_ignored(warehouse):
    s = DeltaLiveStore(table="main.etl.ctl", spark=object(), warehouse=warehouse)
    s.initialize()
    assert s.is_initialized() and s.version == 0


def test_status_destroy_and_not_initialized_errors(store, warehouse):
    store.upsert(entity("1", "/d", "t"))
    st = store.status()
    assert st.initialized and st.latest_entities == 1 and st.groups == ["main.etl"]
    store.destroy()
    assert not store.is_initialized() and store.version == -1
    with pytest.raises(dls.DlsError):
        store.upsert(entity("1", "/d", "t"))


def test_apply_changes_round_trips(store):
    e = entity("1", "/d", "t", primary_keys=["id"],
               apply_changes=ApplyChanges(sequence_by="seq", stored_as_scd_type=2, except_column_list=["seq"]))
    store.upsert(e)
    [found] = store.find_entities(by_entity_id("1"))
    assert found.apply_changes == e.apply_changes
    d = entity("2", "/d", "t2", apply_changes={"sequence_by": "s"}).apply_changes
    assert isinstance(d, ApplyChanges) and d.stored_as_scd_type == 1


def test_entity_list_is_a_sequence_with_renderings(store):
    store.upsert([entity(str(i), f"/d/{i}", f"t{i}") for i in range(3)])
    found = store.find_entities()
    assert isinstance(found, DeltaLiveEntityList) and len(found) == 3
    assert found[-1].entity_id == found.entities[2].entity_id
    assert len(found[0:2]) == 2 and found.first().entity_id == "0"
    assert found.filter(lambda e: e.entity_id == "1").entity_ids() == ["1"]
    import json

    assert [d["entity_id"] for d in json.loads(found.to_json())] == ["0", "1", "2"]
    assert "delta_live_store:" in found.to_yaml()
    assert "entity_id" in found.to_table()
    table = found.to_arrow()
    assert table.num_rows == 3 and table.column("entity_id").to_pylist() == ["0", "1", "2"]
    assert str(table.schema.field("read_options").type) == "map<string, string>"
    assert table.schema.field("expectations").type.num_fields == 3


def test_entities_built_in_bulk_equal_those_built_one_at_a_time(store):
    store.upsert([entity(str(i), f"/d/{i}", f"t{i}", tags={"n": str(i)}, primary_keys=["id"],
                         expectations={"expect_all_or_drop": {"pos": "id > 0"}},
                         apply_changes=ApplyChanges(sequence_by="seq", column_list=["a"]) if i % 2 else None)
                  for i in range(6)])
    store.upsert(entity("0", "/d/0", "t0_changed"))  # one history row with an expired_ts
    one_by_one = store.find_history()
    singles = [one_by_one[i] for i in range(len(one_by_one))]
    bulk = store.find_history()
    assert list(bulk) == singles and len(singles) == 7
    for e in bulk:
        # Complete objects of the model's classes, as a round trip through to_dict builds them.
        assert type(e) is DeltaLiveEntity and type(e.expectations) is Expectations
        assert list(vars(e)) == [f.name for f in dataclasses.fields(DeltaLiveEntity)]
        assert e == DeltaLiveEntity.from_dict(e.to_dict())
        assert e.created_ts.tzinfo is datetime.timezone.utc
    expired = [e for e in bulk if not e.is_latest]
    assert len(expired) == 1 and expired[0].expired_ts is not None
    # Entities looked at before iterating are kept, with their changes; the others are built.
    mixed = store.find_entities()
    mixed[2].comment = "changed"
    assert [e.comment for e in mixed] == [None, None, "changed", None, None, None]
    assert mixed[2] is list(mixed)[2]


def test_timestamps_before_and_after_the_epoch_convert_exactly():
    import json

    from dls import _core

    e = entity("1", "/d", "t").to_dict()
    for text in ["1969-12-31T23:59:59.999999Z", "1900-03-01T12:34:56.000001Z", "2024-02-29T23:00:00.5Z"]:
        e["created_ts"], e["expired_ts"] = text, "1970-01-01T00:00:00Z"
        [found] = DeltaLiveEntityList(_batch=_core.entity_batch_from_json(json.dumps([e])))
        assert found.created_ts == datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        assert found.expired_ts == datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
