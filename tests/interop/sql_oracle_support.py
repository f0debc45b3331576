"""Shared pieces of the Spark-oracle tests (issue 10 §3, §4): one place that starts Spark, runs
`dls`, and turns both engines' answers into the same comparable form.

Spark is the oracle: the same Spark SQL runs in a local SparkSession (ANSI mode, Spark 4's default;
session time zone UTC, as the local engine) and through `dls query --dialect spark`, and the
values are compared as the `spark-sql` shell prints them (Spark's `HiveResult` strings, which is
what `dls query --format csv` reproduces).

Environment:
  DLS_BINARY       the dls binary (default: <repo>/$DLS_BUILD_DIR/dls, <repo>/build/dls)
  DLS_JARS_DIR     the Delta Lake jars for Spark (default: ~/.cache/dls/jars, where make setup
                   puts them); only the Delta tests need it.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
csv.field_size_limit(2**31 - 1)  # some generated expressions give very long strings
DLS_BIN = Path(os.environ.get("DLS_BINARY", REPO / os.environ.get("DLS_BUILD_DIR", "build") / "dls"))
DELTA_JARS = Path(
    os.environ.get("DLS_JARS_DIR", Path.home() / ".cache" / "dls" / "jars")
)


def delta_jar_paths() -> list[str]:
    """The Delta jars (delta-spark and its runtime dependencies) fetched from Maven Central."""
    jars = sorted(str(p) for p in DELTA_JARS.glob("*.jar"))
    if not any("delta-spark" in j for j in jars):
        raise RuntimeError(
            f"no Delta jars in {DELTA_JARS}: copy io.delta:delta-spark_4.2_2.13 and its runtime "
            "dependencies there (mvn dependency:copy-dependencies), or set DLS_DELTA_JARS"
        )
    return jars


def spark_session(app: str, delta: bool = False, warehouse: Path | None = None):
    """The one place a SparkSession is created (the lead swaps in the shared fixture here).

    Local, one core, UTC, ANSI mode on (Spark 4's default, set explicitly so that a changed default
    cannot silently change the oracle)."""
    from pyspark.sql import SparkSession

    b = (
        SparkSession.builder.master("local[1]")
        .appName(app)
        .config("spark.sql.ansi.enabled", "true")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "1g")
    )
    if warehouse is not None:
        b = b.config("spark.sql.warehouse.dir", str(warehouse))
    if delta:
        b = (
            b.config("spark.jars", ",".join(delta_jar_paths()))
            .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
            .config(
                "spark.sql.catalog.spark_catalog",
                "org.apache.spark.sql.delta.catalog.DeltaCatalog",
            )
        )
    spark = b.getOrCreate()
    spark.sparkContext.setLogLevel("OFF")
    # pyspark logs every failed query with its JVM stack; the failures are expected here.
    logging.getLogger("SQLQueryContextLogger").setLevel(logging.CRITICAL + 1)
    return spark


class Failure:
    """An error result: both engines failing is agreement (ANSI errors are part of the contract)."""

    def __init__(self, message: str):
        self.message = message.strip().splitlines()[0] if message.strip() else "error"

    def __eq__(self, other):
        return isinstance(other, Failure)

    def __hash__(self):
        return 0

    def __repr__(self):
        return f"ERROR({self.message[:160]})"


class SparkAnalysisError(Exception):
    """Spark refuses the expression itself (wrong argument types): not a comparison case."""


def spark_rows(spark, sql: str):
    """Rows of `sql` as lists of strings, formatted as the spark-sql shell shows them.

    Raises SparkAnalysisError for an analysis error; a runtime error gives [Failure]."""
    from pyspark.errors import AnalysisException, ParseException

    try:
        df = spark.sql(sql)
    except (AnalysisException, ParseException) as e:
        raise SparkAnalysisError(str(e)) from e
    jvm = spark.sparkContext._jvm
    hive = jvm.org.apache.spark.sql.execution.HiveResult
    try:
        lines = hive.hiveResultString(df._jdf.queryExecution().executedPlan())
    except Exception as e:  # runtime failure (ANSI overflow, invalid input, ...)
        return [Failure(str(e))]
    ncols = len(df.columns)
    out = []
    it = lines.iterator()
    while it.hasNext():
        line = it.next()
        cells = line.split("\t")
        if len(cells) != ncols:
            raise AssertionError(f"a value holds a tab; cannot split {line!r}")
        out.append(cells)
    return out


def run_dls(*args: str, cwd: Path | None = None, check: bool = True, env=None):
    result = subprocess.run(
        [str(DLS_BIN), *args], cwd=cwd, capture_output=True, text=True, env=env
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"dls {' '.join(args)} failed ({result.returncode}):\n{result.stderr}"
        )
    return result


def dls_rows(sql: str, warehouse: Path):
    """Rows of `sql` through `dls query --dialect spark --format csv`, or [Failure]."""
    r = run_dls(
        "--warehouse", str(warehouse), "--format", "csv", "query", "--dialect", "spark", sql,
        check=False,
    )
    if r.returncode != 0:
        return [Failure(r.stderr)]
    rows = list(csv.reader(io.StringIO(r.stdout)))
    if not rows:
        return []
    # csv.reader reads the line of a one-column row holding '' as no field at all.
    width = len(rows[0])
    return [list(row) if row or width != 1 else [""] for row in rows[1:]]
