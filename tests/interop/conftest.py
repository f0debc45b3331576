"""Shared fixtures of the interop tests: dls against the reference engines (issue 10).

Fixtures (all tests under tests/interop may use them):

  dls        -- pathlib.Path of the dls binary: $DLS_BUILD_DIR/dls (the Makefile sets it), else
                build/dls at the repository root. Missing binary = error, never a skip.
  warehouse  -- pathlib.Path of a fresh, empty warehouse directory for one test.
  run_dls    -- run_dls(*args, check=True, input=None, cwd=None) runs `dls --warehouse <warehouse>
                *args` and returns the subprocess.CompletedProcess (text). With check=True a non-zero
                exit fails the test showing the command, its exit code and its stderr.
  spark      -- a SparkSession (local[2], UI off, 2 shuffle partitions, session time zone UTC) with
                Delta Lake configured offline from the jars of scripts/delta_jars.lock in
                $DLS_JARS_DIR (default ~/.cache/dls/jars), and Spark's Kafka source
                (spark.read.format("kafka")) from the `spark` set of scripts/kafka_jars.lock in
                $DLS_JARS_DIR/kafka/spark. One session per test module. (The Kafka jars are in every
                session: spark.jars reach the driver's class path only when the first session of
                the pytest process starts the JVM, so a later module could not add them.)
  kafka      -- a running single-node Apache Kafka broker (KRaft, broker + controller) on 127.0.0.1,
                a kafka_broker.KafkaBroker: .bootstrap ("127.0.0.1:PORT"), create_topic(name,
                partitions), produce(topic, rows of (key, value, partition, headers|None,
                timestamp_ms|None)), add_partitions(topic, total), delete_records(topic, partition,
                before_offset), watermarks(topic, partition), consume_all(topic) -> [Message].
                Started from the `broker` set of scripts/kafka_jars.lock (Java 17) in a temporary
                folder, stopped and removed after the module. One broker per test module: use a
                unique topic name per test. Missing jars = error saying to run `make setup`.
  write_file -- write_file(path, text) creates parent folders and writes text.

Helpers (import from conftest): make_run_dls(dls, warehouse) -> a run_dls for module-scoped
fixtures; rows(table) -> sorted list of row tuples, for row-set equality of a
pyarrow Table or a list of Spark Rows; read_delta_rs(path, version=None) -> pyarrow Table read by
delta-rs through its DataFusion engine (which handles deletion vectors and column mapping);
read_spark(spark, path, version=None) -> Spark DataFrame of the Delta table at path;
read_dls(run_dls, path, version=None) -> the rows dls reads (list of dicts, `dls query` JSON);
as_text_rows(rows) -> sorted tuples of strings, to compare Spark Rows with dls rows.

Nothing here is skipped when missing: `make setup` installs the packages and jars; without them the
fixtures fail and say what to run.
"""

from __future__ import annotations

import datetime as _dt
import decimal as _decimal
import os
import pathlib
import re
import subprocess
import sys
import time

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]

# PySpark returns TIMESTAMP values as naive datetimes in the Python process's local time zone;
# UTC makes them comparable with delta-rs's UTC instants and with dls (session time zone UTC).
os.environ["TZ"] = "UTC"
time.tzset()
JARS_LOCK = REPO / "scripts" / "delta_jars.lock"


def _build_dir() -> pathlib.Path:
    configured = os.environ.get("DLS_BUILD_DIR")
    if configured:
        path = pathlib.Path(configured)
        return path if path.is_absolute() else REPO / path
    return REPO / "build"


def _delta_jars() -> list[str]:
    """The jar files of scripts/delta_jars.lock in the jar cache; fails naming the missing ones."""
    cache = pathlib.Path(os.environ.get("DLS_JARS_DIR", pathlib.Path.home() / ".cache/dls/jars"))
    jars, missing = [], []
    for line in JARS_LOCK.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        _group, artifact, version = line.split()[0].split(":")
        jar = cache / f"{artifact}-{version}.jar"
        (jars if jar.is_file() else missing).append(str(jar))
    if missing:
        pytest.fail(
            "Delta jars missing: " + ", ".join(missing) + " -- run `make setup` "
            "(scripts/fetch_delta_jars.sh)",
            pytrace=False,
        )
    return jars


@pytest.fixture(scope="session")
def dls() -> pathlib.Path:
    binary = _build_dir() / "dls"
    if not binary.is_file():
        pytest.fail(f"dls binary not found at {binary} -- run `make build`", pytrace=False)
    return binary


@pytest.fixture
def warehouse(tmp_path: pathlib.Path) -> pathlib.Path:
    path = tmp_path / "warehouse"
    path.mkdir()
    return path


def make_run_dls(dls: pathlib.Path, warehouse: pathlib.Path):
    """A run_dls for this binary and warehouse (module-scoped fixtures build their own with it)."""

    def run(*args, check: bool = True, input: str | None = None, cwd=None):
        cmd = [str(dls), "--warehouse", str(warehouse), *map(str, args)]
        proc = subprocess.run(
            cmd, capture_output=True, text=True, input=input, cwd=cwd or warehouse.parent
        )
        if check and proc.returncode != 0:
            pytest.fail(
                f"{' '.join(cmd)} exited {proc.returncode}\nstdout:\n{proc.stdout}\n"
                f"stderr:\n{proc.stderr}",
                pytrace=False,
            )
        return proc

    return run


@pytest.fixture
def run_dls(dls: pathlib.Path, warehouse: pathlib.Path):
    return make_run_dls(dls, warehouse)


@pytest.fixture
def write_file():
    def write(path, text: str) -> pathlib.Path:
        path = pathlib.Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    return write


def _kafka_jars(jar_set: str) -> list[str]:
    """One set of scripts/kafka_jars.lock in the jar cache; fails saying to run `make setup`."""
    from kafka_broker import KafkaJarsMissing, locked_jars

    try:
        return [str(j) for j in locked_jars(jar_set)]
    except KafkaJarsMissing as e:
        pytest.fail(str(e), pytrace=False)


@pytest.fixture(scope="module")
def kafka():
    """One Kafka broker per test module (kafka_broker.KafkaBroker), stopped after it."""
    from kafka_broker import KafkaBroker, KafkaJarsMissing

    try:
        import confluent_kafka  # noqa: F401
    except ImportError as e:  # pragma: no cover - the message is the point
        pytest.fail(f"confluent_kafka is not importable ({e}) -- run `make setup`", pytrace=False)
    broker = KafkaBroker()
    try:
        broker.start()
    except KafkaJarsMissing as e:
        pytest.fail(str(e), pytrace=False)
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    """One SparkSession per test module, Delta and Kafka from the cached jars, nothing fetched at
    start."""
    jars = _delta_jars() + _kafka_jars("spark")
    try:
        from pyspark.sql import SparkSession
    except ImportError as e:  # pragma: no cover - the message is the point
        pytest.fail(f"pyspark is not importable ({e}) -- run `make setup`", pytrace=False)
    scratch = tmp_path_factory.mktemp("spark")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("dls-interop")
        .config("spark.jars", ",".join(jars))
        .config("spark.jars.ivy", str(scratch / "ivy"))  # never the user's Ivy cache or the network
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .config("spark.sql.catalogImplementation", "in-memory")
        .config("spark.sql.warehouse.dir", str(scratch / "spark-warehouse"))
        .config("spark.local.dir", str(scratch / "local"))
        .config("spark.driver.host", "127.0.0.1")  # no host-name lookup, loopback only
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.databricks.delta.snapshotPartitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "1g")
        # Short-lived test sessions: the C1 compiler alone warms up much faster (the suite's
        # statements are small; peak throughput does not matter).
        .config(
            "spark.driver.extraJavaOptions",
            "-Duser.timezone=UTC -XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
        )
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _normalize(value, arrow: bool):
    """One comparable form for values from Spark Rows (arrow=False) and pyarrow's to_pylist
    (arrow=True): structs become tuples of their values (Spark: Row; pyarrow: dict), maps become
    sorted tuples of (key, value) (Spark: dict; pyarrow: list of pairs), arrays tuples, aware
    datetimes naive UTC, bytearray bytes."""
    if isinstance(value, dict):
        if arrow:  # a struct
            return tuple(_normalize(v, arrow) for v in value.values())
        return tuple(sorted((_normalize(k, arrow), _normalize(v, arrow)) for k, v in value.items()))
    if hasattr(value, "asDict"):  # pyspark Row (a struct)
        return tuple(_normalize(v, arrow) for v in value)
    if isinstance(value, list) and arrow and value and all(
        isinstance(v, tuple) and len(v) == 2 for v in value
    ):  # a map
        return tuple(sorted((_normalize(k, arrow), _normalize(v, arrow)) for k, v in value))
    if isinstance(value, (list, tuple)):
        return tuple(_normalize(v, arrow) for v in value)
    if isinstance(value, _dt.datetime) and value.tzinfo is not None:
        return value.astimezone(_dt.timezone.utc).replace(tzinfo=None)
    if isinstance(value, bytearray):
        return bytes(value)
    return value


def _sort_key(row):
    return tuple((v is None, repr(v)) for v in row)


def sorted_rows(records) -> list[tuple]:
    """Row tuples in the order rows() and as_text_rows() give (NULLs last, then by repr): compare
    an expected list of tuples with them after this, not after plain sorted()."""
    return sorted((tuple(r) for r in records), key=_sort_key)


def rows(table) -> list[tuple]:
    """Sorted row tuples of a pyarrow Table / RecordBatchReader or a list of Spark Rows."""
    arrow = hasattr(table, "to_pylist")
    records = [tuple(r.values()) for r in table.to_pylist()] if arrow else [tuple(r) for r in table]
    return sorted((tuple(_normalize(v, arrow) for v in r) for r in records), key=_sort_key)


def read_delta_rs(path, version: int | None = None):
    """The Delta table at path as read by delta-rs (DataFusion engine), as a pyarrow Table."""
    import pyarrow as pa
    from deltalake import DeltaTable, QueryBuilder

    table = DeltaTable(str(path), version=version)
    reader = QueryBuilder().register("t", table).execute("SELECT * FROM t")
    return pa.table(reader.read_all())


def read_spark(spark, path, version: int | None = None):
    """The Delta table at path as a Spark DataFrame (at version when given)."""
    reader = spark.read.format("delta")
    if version is not None:
        reader = reader.option("versionAsOf", version)
    return reader.load(str(path))


def read_dls(run, path, version: int | None = None, columns: str = "*") -> list[dict]:
    """The Delta table at path as dls reads it (`dls query --format json` over delta_scan)."""
    import json

    at = "" if version is None else f", version => {version}"
    out = run("query", "--format", "json", f"SELECT {columns} FROM delta_scan('{path}'{at})").stdout
    return json.loads(out)


# A timestamp as text: dls's JSON prints a Delta `timestamp` as '2024-03-01 12:34:56.5+00' (UTC),
# Spark gives a datetime; both become '2024-03-01 12:34:56.500000' (naive UTC) before comparing.
_TIMESTAMP_TEXT = re.compile(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d{1,9})?([+-]\d\d(:?\d\d)?)?$")


def _iso_offset(text: str) -> str:
    """'…+00' (DuckDB's offset form) as '…+00:00', which datetime.fromisoformat reads."""
    m = re.search(r"([+-]\d\d)$", text)
    return text + ":00" if m else text


def _timestamp_text(value: _dt.datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(_dt.timezone.utc).replace(tzinfo=None)
    return value.isoformat(sep=" ", timespec="microseconds")


def as_text_rows(records) -> list[tuple]:
    """Rows as sorted tuples of strings (None stays None): Spark Rows or dls's JSON objects, for
    comparing engines whose Python value types differ."""

    def text(v):
        if v is None:
            return None
        if isinstance(v, bool):
            return str(v).lower()
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        if isinstance(v, _dt.datetime):
            return _timestamp_text(v)
        if isinstance(v, str) and _TIMESTAMP_TEXT.match(v):
            return _timestamp_text(_dt.datetime.fromisoformat(_iso_offset(v)))
        return str(v)

    out = []
    for r in records:
        values = r.values() if isinstance(r, dict) else tuple(r)
        out.append(tuple(text(v) for v in values))
    return sorted(out, key=_sort_key)
