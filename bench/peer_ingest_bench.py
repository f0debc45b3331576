"""CSV -> bronze Delta ingest, side by side (issue 10 §5): dls, Apache Spark local[2] (file source
-> Delta) and delta-rs (pyarrow CSV -> write_deltalake), over the same CSV files, in one run, on the
same machine. Each engine writes the same typed table (order_id BIGINT, customer_id BIGINT,
order_ts TIMESTAMP, amount DECIMAL(10,2), status STRING, note STRING); each result is checked by
row count. Times are the ingest alone (Spark's JVM start and the Python imports are reported apart).

Usage: .venv/bin/python bench/peer_ingest_bench.py build/dls [ROWS] [FILES] [--append-results]
(default 10,000,000 rows ~ 1 GB of CSV in 8 files; work folder $DLS_BENCH_DIR or
/tmp/dls-peer-bench). --append-results appends the measured table to bench/RESULTS.md.
Not part of `make test`.
"""

from __future__ import annotations

import datetime as dt
import os
import pathlib
import platform
import shutil
import subprocess
import sys
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
SCHEMA_DDL = (
    "order_id BIGINT, customer_id BIGINT, order_ts TIMESTAMP, amount DECIMAL(10,2), "
    "status STRING, note STRING"
)


def sh(*cmd, **kw):
    return subprocess.run(list(map(str, cmd)), check=True, capture_output=True, text=True, **kw)


def generate(dls, work, rows, files):
    landing = work / "landing"
    landing.mkdir(parents=True)
    per_file = rows // files
    for i in range(files):
        sh(dls, "--quiet", "query", f"""COPY (SELECT (range + {i * per_file})::BIGINT AS order_id,
              (range % 100000)::BIGINT AS customer_id,
              TIMESTAMP '2026-01-01' + to_seconds(range % 31536000) AS order_ts,
              round((range % 100000) / 100.0 + 0.5, 2)::DECIMAL(10,2) AS amount,
              ['placed','shipped','returned'][1 + range % 3] AS status,
              'note ' || (range % 977)::VARCHAR AS note
            FROM range({per_file})) TO '{landing}/part-{i}.csv' (HEADER)""")
    return landing, sum(p.stat().st_size for p in landing.glob("*.csv"))


def run_dls(dls, work, landing, rows):
    env = dict(os.environ, DLS_WAREHOUSE=str(work / "warehouse"))
    sh(dls, "--quiet", "store", "init", env=env, cwd=work)
    entity = (
        '{"entity_id": "bronze", "group": "main.bench", "source": "%s", "source_format": '
        '"cloudFiles", "destination": "orders_bronze", "source_schema": "%s", "read_options": '
        '{"cloudFiles.format": "csv", "header": "true"}}' % (landing, SCHEMA_DDL)
    )
    sh(dls, "--quiet", "upsert", "--json", entity, env=env, cwd=work)
    t0 = time.perf_counter()
    sh(dls, "--quiet", "run", "--group", "main.bench", env=env, cwd=work)
    elapsed = time.perf_counter() - t0
    n = sh(dls, "query", "--format", "csv", "SELECT count(*) FROM main.bench.orders_bronze",
           env=env, cwd=work).stdout.split()[-1]
    assert int(n) == rows, f"dls wrote {n} rows, expected {rows}"
    return elapsed


def run_spark(work, landing, rows):
    sys.path.insert(0, str(REPO / "tests" / "interop"))
    from conftest import _delta_jars  # the same offline jar set as the tests

    t0 = time.perf_counter()
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.jars", ",".join(_delta_jars()))
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog",
                "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    startup = time.perf_counter() - t0
    out = work / "spark_bronze"
    t1 = time.perf_counter()
    (spark.read.schema(SCHEMA_DDL).option("header", "true").csv(str(landing))
     .write.format("delta").mode("append").save(str(out)))
    elapsed = time.perf_counter() - t1
    n = spark.read.format("delta").load(str(out)).count()
    spark.stop()
    assert n == rows, f"Spark wrote {n} rows, expected {rows}"
    return elapsed, startup


def run_delta_rs(work, landing, rows):
    t0 = time.perf_counter()
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.dataset as ds
    from deltalake import DeltaTable, write_deltalake

    startup = time.perf_counter() - t0
    schema = pa.schema([
        ("order_id", pa.int64()), ("customer_id", pa.int64()),
        ("order_ts", pa.timestamp("us", tz="UTC")), ("amount", pa.decimal128(10, 2)),
        ("status", pa.string()), ("note", pa.string()),
    ])
    out = work / "delta_rs_bronze"
    t1 = time.perf_counter()
    # The CSV holds UTC wall-clock text without an offset: read it as a naive timestamp, then
    # mark it UTC batch by batch (a metadata-only cast), as Spark's TIMESTAMP column holds it.
    naive = schema.set(2, pa.field("order_ts", pa.timestamp("us")))
    fmt = ds.CsvFileFormat(
        convert_options=pacsv.ConvertOptions(column_types=naive,
                                             timestamp_parsers=["%Y-%m-%d %H:%M:%S"]))
    dataset = ds.dataset(str(landing), format=fmt, schema=naive)
    batches = (b.cast(schema) for b in dataset.scanner().to_batches())
    write_deltalake(str(out), pa.RecordBatchReader.from_batches(schema, batches), mode="append")
    elapsed = time.perf_counter() - t1
    n = DeltaTable(str(out)).to_pyarrow_dataset().count_rows()
    assert n == rows, f"delta-rs wrote {n} rows, expected {rows}"
    return elapsed, startup


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    append = "--append-results" in sys.argv
    dls = pathlib.Path(args[0]).resolve()
    rows = int(args[1]) if len(args) > 1 else 10_000_000
    files = int(args[2]) if len(args) > 2 else 8
    work = pathlib.Path(os.environ.get("DLS_BENCH_DIR", "/tmp/dls-peer-bench"))
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    started = dt.datetime.now(dt.timezone.utc)
    load_before = os.getloadavg()
    print(f"generating {rows} rows in {files} CSV files...", file=sys.stderr)
    landing, size = generate(dls, work, rows, files)
    mb = size / 1e6
    t_dls = run_dls(dls, work, landing, rows)
    print(f"dls: {t_dls:.2f} s", file=sys.stderr)
    t_spark, spark_start = run_spark(work, landing, rows)
    print(f"spark: {t_spark:.2f} s (+{spark_start:.1f} s start)", file=sys.stderr)
    t_rs, rs_start = run_delta_rs(work, landing, rows)
    print(f"delta-rs: {t_rs:.2f} s", file=sys.stderr)
    load_after = os.getloadavg()
    import deltalake
    import pyspark

    report = f"""
## Peer ingest (issue 10 §5): `bench/peer_ingest_bench.py`

Run: `.venv/bin/python bench/peer_ingest_bench.py {args[0]} {rows} {files}`, started
{started:%Y-%m-%d %H:%M} UTC. Machine: {os.cpu_count()} cores, {platform.system()} {platform.release()},
load average {load_before[0]:.1f} before / {load_after[0]:.1f} after (a machine shared with other
engineers' builds and tests, so wall-clock figures are pessimistic for every engine alike).
Input: {rows:,} rows, {mb:.0f} MB of CSV in {files} files; every engine writes the same typed bronze
table ({SCHEMA_DDL}) and the row count is checked. Spark {pyspark.__version__} local[2] with Delta
(jars of scripts/delta_jars.lock), driver memory 2g; delta-rs {deltalake.__version__} (pyarrow
CSV dataset -> `write_deltalake`). Times exclude Spark's session start ({spark_start:.1f} s) and imports.

| engine | ingest time | MB/s | time / dls |
|---|---|---|---|
| dls `run` (cloudFiles -> bronze Delta) | {t_dls:.2f} s | {mb / t_dls:.0f} | 1.00x |
| Spark local[2] (csv -> Delta) | {t_spark:.2f} s | {mb / t_spark:.0f} | **{t_spark / t_dls:.2f}x** |
| delta-rs (pyarrow csv -> write_deltalake) | {t_rs:.2f} s | {mb / t_rs:.0f} | **{t_rs / t_dls:.2f}x** |

Goal: Spark/dls >= 3x and delta-rs/dls > 1x; measured {t_spark / t_dls:.2f}x and {t_rs / t_dls:.2f}x.
"""
    print(report)
    if append:
        with open(REPO / "bench" / "RESULTS.md", "a") as f:
            f.write(report)


if __name__ == "__main__":
    main()
