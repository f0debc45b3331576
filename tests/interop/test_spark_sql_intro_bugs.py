"""The two intro bugs of issue 10, through `dls run`, compared with Spark reading the same files.

1. CAST of a fraction to an integral type truncates toward zero, in `dls query --dialect spark`
   and in a pipeline's select_expr (Spark: 3, -3, 2 for 3.7, -3.7, 2.5).
2. A CSV row with more values than the header keeps its extra values in `_rescued_data` wherever
   it is in the file — row 1, 2,049 (past DuckDB's sniffer sample) and 1,000,000 — for cloudFiles
   and for the batch `csv` source with rescuedDataColumn; the other columns hold what Spark reads.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from sql_oracle_support import dls_rows, run_dls, spark_rows, spark_session


@pytest.fixture(scope="module")
def spark():
    s = spark_session("dls-intro-bugs")
    yield s
    s.stop()


class Store:
    """A dls store and warehouse in a temporary directory."""

    def __init__(self, root: Path):
        self.root = root
        self.warehouse = root / "wh"
        self.dls("store", "init")

    def dls(self, *args: str):
        return run_dls("--warehouse", str(self.warehouse), *args, cwd=self.root)

    def upsert(self, entities: list[dict]):
        self.dls("upsert", "--json", json.dumps(entities))

    def run(self, group: str):
        self.dls("run", "--group", group)

    def rows(self, sql: str) -> list[list[str]]:
        r = self.dls("query", "--format", "csv", sql)
        return [list(row) for row in csv.reader(io.StringIO(r.stdout))][1:]


def test_query_cast_truncates_like_spark(spark, tmp_path):
    sql = "SELECT cast(3.7 AS INT), cast(-3.7 AS INT), cast(2.5 AS INT)"
    assert spark_rows(spark, sql) == [["3", "-3", "2"]]
    assert dls_rows(sql, tmp_path) == [["3", "-3", "2"]]


def test_select_expr_cast_truncates_like_spark(spark, tmp_path):
    data = tmp_path / "in"
    data.mkdir()
    (data / "a.csv").write_text("id,d,s\n1,3.7,3\n2,-3.7,-3\n3,2.5,2\n4,-0.5,+7\n")
    select = ["id", "cast(d AS INT) AS d_int", "cast(d AS BIGINT) AS d_big",
              "cast(cast(d AS DECIMAL(4,2)) AS INT) AS m_int", "cast(s AS INT) AS s_int"]
    store = Store(tmp_path)
    store.upsert([{"entity_id": "casts", "group": "main.intro", "source": str(data),
                   "source_format": "csv", "destination": "casts",
                   "read_options": {"header": "true", "inferSchema": "true"},
                   "select_expr": select}])
    store.run("main.intro")
    got = store.rows("SELECT * FROM main.intro.casts ORDER BY id")
    df = (spark.read.option("header", "true").option("inferSchema", "true")
          .csv(str(data)).selectExpr(*select).orderBy("id"))
    want = [[str(v) for v in row] for row in df.collect()]
    assert got == want == [["1", "3", "3", "3", "3"], ["2", "-3", "-3", "-3", "-3"],
                           ["3", "2", "2", "2", "2"], ["4", "0", "0", "0", "7"]]


def write_csv_with_wide_row(path: Path, rows: int, odd: int):
    with open(path, "w") as f:
        f.write("id,v\n")
        for i in range(1, rows + 1):
            f.write(f"{i},x{i}" + (",surplus,more" if i == odd else "") + "\n")


@pytest.mark.parametrize("odd", [1, 2049, 1_000_000])
def test_csv_extra_values_are_rescued_at_any_row(spark, tmp_path, odd):
    rows = max(odd, 3000)
    for name in ("auto", "batch"):
        (tmp_path / name).mkdir()
        write_csv_with_wide_row(tmp_path / name / "a.csv", rows, odd)
    store = Store(tmp_path)
    store.upsert([
        {"entity_id": "auto", "group": "main.wide", "source": str(tmp_path / "auto"),
         "source_format": "cloudFiles", "destination": "auto",
         "read_options": {"cloudFiles.format": "csv", "header": "true"}},
        {"entity_id": "batch", "group": "main.wide", "source": str(tmp_path / "batch"),
         "source_format": "csv", "destination": "batch",
         "read_options": {"header": "true", "rescuedDataColumn": "_rescued_data"}},
    ])
    store.run("main.wide")
    # Spark (PERMISSIVE) keeps the header's columns of the wide row and drops the rest.
    spark_row = (spark.read.option("header", "true").csv(str(tmp_path / "auto"))
                 .where(f"id = '{odd}'").collect())
    assert [list(r) for r in spark_row] == [[str(odd), f"x{odd}"]]
    for table in ("auto", "batch"):
        counts = store.rows(f"SELECT count(*), count(_rescued_data) FROM main.wide.{table}")
        assert counts == [[str(rows), "1"]], table
        got = store.rows(
            "SELECT id, v, _rescued_data::JSON->>'column2', _rescued_data::JSON->>'column3' "
            f"FROM main.wide.{table} WHERE _rescued_data IS NOT NULL")
        assert got == [[str(odd), f"x{odd}", "surplus", "more"]], table
