"""The `dls[spark]` extra: entity lists as Spark DataFrames with the seed's columns and nested
types, and a local Delta-enabled SparkSession from dls.utils.create_session()."""

from __future__ import annotations

import pytest

from dls.filters import by_all
from dls.models import ApplyChanges, DeltaLiveEntity, Expectations


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    from dls.utils import create_session

    session = create_session("dls-test", warehouse=str(tmp_path_factory.mktemp("spark_wh")),
                             spark__sql__shuffle__partitions="1", spark__ui__enabled="false")
    yield session
    session.stop()


def test_to_df_has_the_seed_columns_and_nested_types(store, spark, tmp_path):
    store.upsert([
        DeltaLiveEntity(entity_id="1", source="/d", destination="t", group="g", tags={"a": "b"},
                        read_options={"cloudFiles.format": "csv"}, primary_keys=["id"],
                        expectations=Expectations(expect_all={"r": "x > 0"}),
                        apply_changes=ApplyChanges(sequence_by="seq", stored_as_scd_type=2)),
        DeltaLiveEntity(entity_id="2", source="t", destination="u", source_format="dlt"),
    ])
    entities = store.find_history(by_all())
    df = entities.to_df(spark)
    types = dict(df.dtypes)
    assert types["read_options"] == "map<string,string>" and types["primary_keys"] == "array<string>"
    assert types["expectations"].startswith("struct<expect_all:map<string,string>")
    assert types["apply_changes"].startswith("struct<sequence_by:string")
    assert types["created_ts"] == "timestamp"
    rows = {r["entity_id"]: r for r in df.collect()}
    assert rows["1"]["tags"] == {"a": "b"} and rows["1"]["expectations"]["expect_all"] == {"r": "x > 0"}
    assert rows["1"]["apply_changes"]["stored_as_scd_type"] == 2 and rows["2"]["apply_changes"] is None
    assert df.columns == entities.to_arrow().column_names
    # The session is Delta-enabled: the DataFrame round-trips through a Delta table.
    path = str(tmp_path / "delta_out")
    df.write.format("delta").save(path)
    assert spark.read.format("delta").load(path).count() == 2
