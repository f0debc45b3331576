"""dls.read_table / dls.sql: Arrow results through the Arrow C stream interface, equal to what
the `dls query` command prints."""

from __future__ import annotations

import json
import subprocess

import pyarrow as pa
import pytest

import dls
from dls.models import DeltaLiveEntity


@pytest.fixture
def orders(store, landing, warehouse):
    from dls.pipeline import DeltaLiveStorePipeline

    store.upsert(DeltaLiveEntity(
        entity_id="orders", group="main.etl", source=str(landing / "orders"), destination="orders",
        source_schema="id BIGINT, customer STRING, amount BIGINT",
        read_options={"cloudFiles.format": "csv", "header": "true"}, tags={"k": "v"},
    ))
    DeltaLiveStorePipeline(store).run(check=True)
    (landing / "orders" / "part-1.csv").write_text("id,customer,amount\n4,c,7\n")
    DeltaLiveStorePipeline(store).run(check=True)
    return "main.etl.orders"


def cli_json(dls_binary, warehouse, query, dialect="duckdb"):
    out = subprocess.run([dls_binary, "--warehouse", warehouse, "--format", "json", "query", "--dialect", dialect, query],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def test_read_table_latest_and_time_travel(orders, warehouse):
    table = dls.read_table(orders, warehouse=warehouse)
    assert isinstance(table, pa.Table)
    assert table.schema.field("id").type == pa.int64() and table.num_rows == 4
    first = dls.read_table(orders, version=1, warehouse=warehouse)
    assert sorted(first.column("id").to_pylist()) == [1, 2, 3]
    assert dls.read_table("etl.orders", warehouse=warehouse).num_rows == 4
    by_path = dls.read_table(str(dls.store.DeltaLiveStore(orders, warehouse=warehouse).location), warehouse=warehouse)
    assert by_path.num_rows == 4


def test_results_equal_the_cli_query_results(orders, warehouse, dls_binary):
    for dialect, query in (
        ("duckdb", "SELECT id, customer, amount * 2 AS doubled FROM main.etl.orders ORDER BY id"),
        ("spark", "SELECT id, upper(customer) AS c, nvl(amount, 0) AS a FROM main.etl.orders ORDER BY id"),
        ("duckdb", "SELECT customer, max(amount) AS top, count(*) AS n FROM delta_scan('main.etl.orders', version => 1) "
                   "GROUP BY 1 ORDER BY 1"),
    ):
        arrow = dls.sql(query, dialect=dialect, warehouse=warehouse)
        expected = cli_json(dls_binary, warehouse, query, dialect)
        assert arrow.to_pylist() == expected, query


def test_sql_runs_several_duckdb_statements_and_large_results_stream_in_batches(warehouse):
    t = dls.sql("CREATE TEMP TABLE x AS SELECT range AS i FROM range(10000); SELECT i, i % 7 AS m FROM x",
                dialect="duckdb", warehouse=warehouse)
    assert t.num_rows == 10000 and t.column("i").to_pylist()[-1] == 9999
    assert len(t.to_batches()) >= 5  # DuckDB's chunks arrive as record batches


def test_stream_is_consumable_by_other_arrow_consumers(warehouse):
    from dls import _core
    from dls._arrow import ArrowStream

    stream = ArrowStream(_core.query_arrow(warehouse, "SELECT 1 AS a, 'x' AS b", "duckdb"))
    reader = pa.RecordBatchReader.from_stream(stream)
    assert reader.read_all().to_pylist() == [{"a": 1, "b": "x"}]
    with pytest.raises(ValueError):
        stream.__arrow_c_stream__()


def test_spark_sql_default_dialect(warehouse):
    assert dls.sql("SELECT concat_ws('-', 'a', 'b') AS s", warehouse=warehouse).to_pylist() == [{"s": "a-b"}]
