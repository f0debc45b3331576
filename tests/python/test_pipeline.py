"""dls.pipeline: running the store's entities locally, the seed's helpers, graph and generation."""

from __future__ import annotations

import pathlib

import pytest

import dls
from dls.filters import by_group, by_is_enabled, by_is_latest
from dls.models import ApplyChanges, DeltaLiveEntity, Expectations
from dls.pipeline import (
    QUARANTINE_COL,
    DeltaLiveStorePipeline,
    GeneratedProject,
    PipelineUpdate,
    can_quarantine,
    has_scd,
    quarantine_rules,
)


def medallion(landing: pathlib.Path, group: str = "main.etl", fail_rule: bool = False):
    bronze = DeltaLiveEntity(
        entity_id="orders_bronze", group=group, source=str(landing / "orders"), destination="orders_bronze",
        source_schema="id BIGINT, customer STRING, amount BIGINT",
        read_options={"cloudFiles.format": "csv", "header": "true"},
    )
    rules = {"expect_all_or_fail": {"no_negative": "amount >= 0"}} if fail_rule else {"expect_all": {"positive": "amount > 0"}}
    silver = DeltaLiveEntity(
        entity_id="orders_silver", group=group, source="orders_bronze", source_format="dlt",
        destination="orders_silver", expectations=Expectations(**rules), is_quarantined=not fail_rule,
    )
    gold = DeltaLiveEntity(
        entity_id="orders_gold", group=group, source="orders_silver", source_format="dlt", is_streaming=False,
        destination="orders_gold", select_expr=["customer", "amount"], comment="large orders",
    )
    return [bronze, silver, gold]


def test_helpers_of_the_seed():
    e = DeltaLiveEntity(entity_id="1", source="s", destination="d", is_quarantined=True,
                        expectations=Expectations(expect_all={"a": "x > 0", "b": "y IS NOT NULL"}))
    assert can_quarantine(e) and quarantine_rules(e) == "NOT((x > 0) AND (y IS NOT NULL))"
    assert not can_quarantine(DeltaLiveEntity(entity_id="1", source="s", destination="d", is_quarantined=True))
    assert quarantine_rules(DeltaLiveEntity()) is None
    assert not has_scd(e) and has_scd(DeltaLiveEntity(apply_changes=ApplyChanges(sequence_by="s")))
    assert QUARANTINE_COL == "_errors"


def test_run_end_to_end_with_quarantine_and_incremental_rerun(store, landing, warehouse):
    store.upsert(medallion(landing))
    pipeline = DeltaLiveStorePipeline(store).with_filter(by_is_enabled() & by_is_latest() & by_group("main.etl"))
    update = pipeline.run()
    assert isinstance(update, PipelineUpdate) and update.ok, update.failure_summary
    assert update.pipeline == "main_etl" and update.target == "main.etl"
    status = {d.name: d.status for d in update.datasets}
    assert status == {"main.etl.orders_bronze": "COMPLETED", "main.etl.orders_silver": "COMPLETED",
                      "main.etl.orders_gold": "COMPLETED"}
    silver = update.find("orders_silver")
    assert silver.num_output_rows == 2 and silver.quarantined_rows == 1
    [metric] = silver.expectations
    assert (metric.name, metric.passed_records, metric.failed_records) == ("positive", 2, 1)
    valid = dls.read_table("main.etl.orders_silver", warehouse=warehouse)
    assert sorted(valid.column("id").to_pylist()) == [1, 3]
    invalid = dls.read_table("main.etl.orders_silver_invalid", warehouse=warehouse)
    assert invalid.column("id").to_pylist() == [2]
    assert invalid.column(QUARANTINE_COL).to_pylist() == [["positive"]]
    # Nothing new: every dataset is up to date; new files: only they are read.
    again = pipeline.run()
    assert [d.status for d in again.datasets] == ["UP_TO_DATE"] * 3
    (landing / "orders" / "part-1.csv").write_text("id,customer,amount\n4,b,40\n")
    third = pipeline.run()
    assert third.find("orders_bronze").num_output_rows == 1
    # Files read and the Auto Loader backlog (nothing left for later batches).
    bronze = third.find("orders_bronze")
    assert bronze.num_input_files == 1 and bronze.num_input_bytes == len("id,customer,amount\n4,b,40\n")
    assert bronze.backlog_files == 0 and bronze.backlog_bytes == 0
    assert third.find("orders_gold").backlog_files is None
    assert dls.read_table("main.etl.orders_bronze", warehouse=warehouse).num_rows == 4
    full = pipeline.run(full_refresh=True)
    assert full.find("orders_bronze").num_output_rows == 4


def test_expect_or_fail_failure_is_reported_and_raises_data_quality_error(store, landing, warehouse):
    store.upsert(medallion(landing, fail_rule=True))
    pipeline = DeltaLiveStorePipeline(store, spark=None).with_filter(by_group("main.etl"))
    update = pipeline.run()
    assert not update.ok and update.exit_code == 4
    assert update.find("orders_silver").status == "FAILED"
    assert "no_negative" in update.find("orders_silver").error
    assert update.find("orders_gold").status == "SKIPPED"
    with pytest.raises(dls.DataQualityError, match="no_negative"):
        update.raise_for_status()
    with pytest.raises(dls.DataQualityError):
        pipeline.run(check=True)
    # The failed dataset committed nothing; bronze is intact and readable.
    assert dls.read_table("main.etl.orders_bronze", warehouse=warehouse).num_rows == 3
    with pytest.raises(dls.NotFoundError):
        dls.read_table("main.etl.orders_silver", warehouse=warehouse)


def test_invalid_graph_is_invalid_metadata_and_runs_nothing(store, warehouse):
    store.upsert(DeltaLiveEntity(entity_id="s", source="missing_upstream", source_format="dlt", destination="x", group="g"))
    with pytest.raises(dls.InvalidMetadataError, match="missing_upstream"):
        DeltaLiveStorePipeline(store).with_filter(by_group("g")).run()
    with pytest.raises(dls.NotFoundError):
        DeltaLiveStorePipeline(store).with_filter(by_group("nothing")).run()


def test_several_groups_without_filter_is_a_usage_error(store, landing):
    store.upsert(medallion(landing, group="main.a")[:1] + [
        DeltaLiveEntity(entity_id="other", group="main.b", source=str(landing / "customers"), destination="c",
                        read_options={"cloudFiles.format": "csv"})])
    with pytest.raises(dls.UsageError, match="several groups"):
        DeltaLiveStorePipeline(store).run()


def test_graph_and_generate(store, landing, tmp_path):
    store.upsert(medallion(landing))
    pipeline = DeltaLiveStorePipeline(store).with_filter(by_group("main.etl"))
    assert "orders_silver" in pipeline.graph() and pipeline.graph("mermaid").startswith("flowchart LR")
    bundle = pipeline.generate("databricks", tmp_path / "bundle")
    assert isinstance(bundle, GeneratedProject) and "databricks.yml" in bundle.files
    assert (tmp_path / "bundle" / "databricks.yml").exists()
    spark = pipeline.generate("spark", tmp_path / "sdp", target="main.etl")
    assert any(f.endswith("spark-pipeline.yml") for f in spark.files)
    with pytest.raises(dls.UsageError):
        pipeline.generate("airflow", tmp_path / "x")
