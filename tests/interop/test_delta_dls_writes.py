"""Every kind of table dls writes, read by Spark 4.2 + Delta 4.4 and by delta-rs (issue 10 §2).

One pipeline (group main.w) is run 11 times over CSV files that arrive one per update, so its
tables have 11+ commits and checkpoints; it writes appends (streaming tables), overwrites
(materialized views), tables partitioned by string / int / date / timestamp with NULL values and
values holding `/ % = space ü`, every type dls emits (decimal, date, timestamp, timestamp_ntz,
binary, arrays, maps, structs), a quarantine table, SCD1 and SCD2 CDC targets, a table whose schema
evolves (a column appears in a later file), plus the control table and the event log. Each table
must give Spark and delta-rs the same rows and the same column types, and the rows dls itself reads.
"""

from __future__ import annotations

import json
import pathlib

import pyarrow as pa
import pytest

from conftest import make_run_dls, read_delta_rs, read_spark, rows

ROUNDS = 11
CITIES = ["Zürich", "a/b", "50%", "x=y", "two words", ""]  # "" is read as NULL by CSV


def _event_rows(r: int) -> str:
    out = []
    for i in range(3):
        n = r * 3 + i
        city = CITIES[n % len(CITIES)]
        amount = f"{(n * 7) % 50 - 5}.25"  # some negative: quarantined by silver
        out.append(f"{n},name{n},{amount},2024-0{1 + n % 3}-1{n % 10},2024-01-0{1 + n % 5} 1{n % 10}:30:00,{city}")
    return "\n".join(out) + "\n"


EXTRA = 100  # ids of the extra users (above every round's id)


def _user_rows(r: int) -> str:
    # A change feed: inserts, then updates and deletes of earlier keys.
    seq = r + 1
    lines = [f"{r},user{r},city{r},INSERT,{seq}"]
    # 40 more users in the first file, one of them changed per round: the CDC targets' merges
    # mark that row in a deletion vector (a file is rewritten once a third of it is deleted).
    if r == 0:
        lines += [f"{k},user{k},home{k},INSERT,{seq}" for k in range(EXTRA, EXTRA + 40)]
    else:
        lines.append(f"{EXTRA + r},user{EXTRA + r},away{r},UPDATE,{seq}")
    if r >= 2:
        lines.append(f"{r - 2},user{r - 2},moved{r},UPDATE,{seq}")
    if r >= 4 and r % 4 == 0:
        lines.append(f"{r - 4},,,DELETE,{seq}")
    return "\n".join(lines) + "\n"


def _entities(data: pathlib.Path) -> list[dict]:
    csv = {"cloudFiles.format": "csv", "header": "true"}
    group = "main.w"
    apply = {
        "sequence_by": "seq",
        "apply_as_deletes": "op = 'DELETE'",
        "except_column_list": ["op", "seq"],
    }
    users = {
        "group": group,
        "source": str(data / "users"),
        "source_format": "cloudFiles",
        "read_options": csv,
        "source_schema": "id INT, name STRING, city STRING, op STRING, seq INT",
        "primary_keys": ["id"],
    }
    return [
        {
            "entity_id": "events",
            "group": group,
            "source": str(data / "events"),
            "source_format": "cloudFiles",
            "read_options": csv,
            "source_schema": "id INT, name STRING, amount DECIMAL(10,2), day DATE, ts TIMESTAMP, city STRING",
            "partition_cols": ["city"],
            "table_properties": {"delta.checkpointInterval": "4"},
            "destination": "events",
        },
        {
            "entity_id": "events_by_day",
            "group": group,
            "source": "events",
            "source_format": "dlt",
            "select_expr": ["id", "day", "ts"],
            "partition_cols": ["day"],
            "destination": "events_by_day",
        },
        {
            "entity_id": "events_by_bucket",
            "group": group,
            "source": "events",
            "source_format": "dlt",
            "select_expr": ["id", "CAST(id % 3 AS INT) AS bucket"],
            "partition_cols": ["bucket"],
            "destination": "events_by_bucket",
        },
        {
            "entity_id": "events_by_ts",
            "group": group,
            "source": "events",
            "source_format": "dlt",
            "select_expr": ["id", "CASE WHEN id % 4 = 0 THEN NULL ELSE ts END AS ts"],
            "partition_cols": ["ts"],
            "destination": "events_by_ts",
        },
        {
            "entity_id": "typed",
            "group": group,
            "source": "events",
            "source_format": "dlt",
            "is_streaming": False,
            "select_expr": [
                "id",
                "CAST(amount AS DECIMAL(12,3)) AS dec",
                "day",
                "ts",
                "CAST(ts AS TIMESTAMP_NTZ) AS ts_ntz",
                "CAST(name AS BINARY) AS bin",
                "array(id, id + 1) AS arr",
                "map(name, id) AS m",
                "named_struct('a', id, 'b', name, 'c', array(day)) AS st",
                "array(named_struct('x', id)) AS arr_st",
            ],
            "destination": "typed",
        },
        {
            "entity_id": "silver",
            "group": group,
            "source": "events",
            "source_format": "dlt",
            "select_expr": ["id", "amount", "city"],
            "expectations": {"expect_all": {"positive_amount": "amount > 0"}},
            "is_quarantined": True,
            "destination": "silver",
        },
        {**users, "entity_id": "users_scd1", "destination": "users_scd1",
         "apply_changes": {**apply, "stored_as_scd_type": 1}},
        {**users, "entity_id": "users_scd2", "destination": "users_scd2",
         "apply_changes": {**apply, "stored_as_scd_type": 2}},
        {**users, "entity_id": "users_cdf", "destination": "users_cdf",
         "table_properties": {"delta.enableChangeDataFeed": "true"},
         "apply_changes": {**apply, "stored_as_scd_type": 1}},
        {
            "entity_id": "evolving",
            "group": group,
            "source": str(data / "evolving"),
            "source_format": "cloudFiles",
            "read_options": csv,
            "destination": "evolving",
        },
    ]


@pytest.fixture(scope="module")
def written(dls, tmp_path_factory):
    """The warehouse after ROUNDS updates of the pipeline; returns (warehouse, run_dls)."""
    root = tmp_path_factory.mktemp("dls_writes")
    warehouse, data = root / "warehouse", root / "data"
    for folder in ("events", "users", "evolving"):
        (data / folder).mkdir(parents=True)
    run = make_run_dls(dls, warehouse)
    run("store", "init")
    run("upsert", "--json", json.dumps(_entities(data)))
    for r in range(ROUNDS):
        (data / "events" / f"e{r:02}.csv").write_text("id,name,amount,day,ts,city\n" + _event_rows(r))
        (data / "users" / f"u{r:02}.csv").write_text("id,name,city,op,seq\n" + _user_rows(r))
        if r < 6:
            (data / "evolving" / f"v{r:02}.csv").write_text(f"k,v\n{r},v{r}\n")
        else:  # a new column from round 6 on: schema evolution
            (data / "evolving" / f"v{r:02}.csv").write_text(f"k,v,extra\n{r},v{r},x{r}\n")
        run("run", "--group", "main.w")
    return warehouse, run


def _path(warehouse: pathlib.Path, name: str) -> pathlib.Path:
    return warehouse / "main" / "w" / name


def _spark_types(df) -> dict[str, str]:
    return {f.name: f.dataType.simpleString() for f in df.schema.fields}


def _dls_count(run, path: pathlib.Path, version: int | None = None) -> int:
    at = "" if version is None else f", version => {version}"
    out = run("query", "--format", "csv", f"SELECT count(*) AS n FROM delta_scan('{path}'{at})").stdout
    return int(out.strip().splitlines()[-1])


def _assert_same(spark, run, path: pathlib.Path, version: int | None = None):
    """Spark and delta-rs read the same rows as each other, as many as dls reads."""
    df = read_spark(spark, path, version)
    from_spark = rows(df.collect())
    arrow = read_delta_rs(path, version)
    # delta-rs returns columns in table order too (partition columns included).
    assert [f.name for f in df.schema.fields] == arrow.column_names
    assert from_spark == rows(arrow)
    assert len(from_spark) == _dls_count(run, path, version)
    return df, arrow


def _log_actions(path, kind):
    """Every action of one kind ("add", "remove", ...) in the table's JSON commits."""
    out = []
    for commit in sorted((path / "_delta_log").glob("*.json")):
        for line in commit.read_text().splitlines():
            if line.strip():
                action = json.loads(line)
                if kind in action:
                    out.append(action[kind])
    return out


def _features(path):
    """The reader and writer features of the table's latest protocol action."""
    features = set()
    for protocol in _log_actions(path, "protocol"):
        features = set(protocol.get("readerFeatures") or []) | set(protocol.get("writerFeatures") or [])
    return features


TABLES = ["events", "events_by_day", "events_by_bucket", "events_by_ts", "typed", "silver",
          "silver_invalid", "users_scd1", "users_scd2", "users_cdf", "evolving"]


@pytest.mark.parametrize("table", TABLES)
def test_spark_and_delta_rs_read_the_same_rows(spark, written, table):
    warehouse, run = written
    df, _ = _assert_same(spark, run, _path(warehouse, table))
    assert df.count() > 0


def test_column_types_are_the_ones_dls_declares(spark, written):
    warehouse, _ = written
    df = read_spark(spark, _path(warehouse, "typed"))
    assert _spark_types(df) == {
        "id": "int",
        "dec": "decimal(12,3)",
        "day": "date",
        "ts": "timestamp",
        "ts_ntz": "timestamp_ntz",
        "bin": "binary",
        "arr": "array<int>",
        "m": "map<string,int>",
        "st": "struct<a:int,b:string,c:array<date>>",
        "arr_st": "array<struct<x:int>>",
    }
    arrow = read_delta_rs(_path(warehouse, "typed"))
    types = {f.name: f.type for f in arrow.schema}
    assert pa.types.is_decimal(types["dec"]) and types["dec"].scale == 3
    assert pa.types.is_timestamp(types["ts"]) and types["ts"].tz is not None
    assert pa.types.is_timestamp(types["ts_ntz"]) and types["ts_ntz"].tz is None
    assert pa.types.is_date32(types["day"])
    assert pa.types.is_binary(types["bin"]) or pa.types.is_large_binary(types["bin"]) or pa.types.is_binary_view(types["bin"])
    assert pa.types.is_map(types["m"])
    # The bronze table keeps source_schema's types: TIMESTAMP is a UTC-adjusted timestamp.
    assert _spark_types(read_spark(spark, _path(warehouse, "events"))) == {
        "id": "int", "name": "string", "amount": "decimal(10,2)", "day": "date",
        "ts": "timestamp", "city": "string",
    }


def test_partition_values_with_special_characters_and_nulls(spark, written):
    warehouse, _ = written
    path = _path(warehouse, "events")
    cities = {r.city for r in read_spark(spark, path).select("city").distinct().collect()}
    assert cities == {"Zürich", "a/b", "50%", "x=y", "two words", None}
    # Partition pruning sees the same values as a full scan.
    assert read_spark(spark, path).where("city = 'a/b'").count() == sum(
        1 for n in range(ROUNDS * 3) if CITIES[n % len(CITIES)] == "a/b")
    assert read_spark(spark, path).where("city IS NULL").count() == sum(
        1 for n in range(ROUNDS * 3) if CITIES[n % len(CITIES)] == "")
    ts = read_spark(spark, _path(warehouse, "events_by_ts"))
    assert ts.where("ts IS NULL").count() == sum(1 for n in range(ROUNDS * 3) if n % 4 == 0)


def test_many_commits_with_checkpoints_and_time_travel(spark, written):
    warehouse, run = written
    path = _path(warehouse, "events")
    log = path / "_delta_log"
    assert list(log.glob("*.checkpoint*.parquet")), "no checkpoint after 11 commits"
    from deltalake import DeltaTable

    latest = DeltaTable(str(path)).version()
    assert latest >= ROUNDS
    for version in (1, latest // 2, latest):
        df, _ = _assert_same(spark, run, path, version)
    # Version 1 holds the first file only (version 0 creates the table).
    assert read_spark(spark, path, 1).count() == 3


def test_history_lists_dls_commits(spark, written):
    warehouse, _ = written
    from deltalake import DeltaTable

    for table in ("events", "typed", "users_scd2"):
        path = _path(warehouse, table)
        on_disk = sorted(int(p.name.split(".")[0]) for p in (path / "_delta_log").glob("*.json"))
        spark_history = spark.sql(f"DESCRIBE HISTORY delta.`{path}`").collect()
        assert sorted(r.version for r in spark_history) == on_disk
        assert all(r.operation for r in spark_history)
        rs_history = DeltaTable(str(path)).history()
        assert sorted(h["version"] for h in rs_history) == on_disk


def test_scd_targets_hold_the_change_feed(spark, written):
    warehouse, _ = written
    everyone = {r.id: r.city for r in read_spark(spark, _path(warehouse, "users_scd1")).collect()}
    extra = {k: v for k, v in everyone.items() if k >= EXTRA}
    assert extra == {k: (f"away{k - EXTRA}" if 0 < k - EXTRA < ROUNDS else f"home{k}")
                     for k in range(EXTRA, EXTRA + 40)}
    scd1 = {k: v for k, v in everyone.items() if k < EXTRA}
    deleted = {r - 4 for r in range(ROUNDS) if r >= 4 and r % 4 == 0}
    assert set(scd1) == set(range(ROUNDS)) - deleted
    for k in scd1:
        assert scd1[k] == (f"moved{k + 2}" if k + 2 < ROUNDS else f"city{k}")
    scd2 = read_spark(spark, _path(warehouse, "users_scd2"))
    assert {"__START_AT", "__END_AT"} <= set(scd2.columns)
    open_rows = scd2.where("__END_AT IS NULL").count()
    assert open_rows == len(everyone)


@pytest.mark.parametrize("table", ["users_scd1", "users_scd2"])
def test_cdc_targets_are_merged_with_deletion_vectors(spark, written, table):
    """CDC batches change rows with deletion vectors (issue 12): the protocol says so, DV files
    exist, commits re-add files with a DV instead of rewriting them, and Spark and delta-rs read
    the merged rows (test_spark_and_delta_rs_read_the_same_rows) and every older version."""
    warehouse, run = written
    path = _path(warehouse, table)
    assert "deletionVectors" in _features(path)
    assert list(path.glob("deletion_vector_*.bin")), "no deletion vector file"
    with_dv = [a for a in _log_actions(path, "add") if a.get("deletionVector")]
    assert with_dv, "no commit re-added a file with a deletion vector"
    from deltalake import DeltaTable

    latest = DeltaTable(str(path)).version()
    for version in range(1, latest + 1, max(1, latest // 4)):
        _assert_same(spark, run, path, version)


def test_change_data_feed_of_a_cdc_target_reads_the_same_in_spark_and_delta_rs(spark, written):
    """A CDC target with delta.enableChangeDataFeed: dls writes _change_data files (issue 12);
    Spark's and delta-rs's change feeds agree row for row, and replaying the feed in commit order
    gives the table's rows."""
    warehouse, _ = written
    path = _path(warehouse, "users_cdf")
    assert (path / "_change_data").is_dir()
    assert _log_actions(path, "cdc"), "no cdc action in the log"
    feed = (spark.read.format("delta").option("readChangeFeed", "true")
            .option("startingVersion", 1).load(str(path)))
    cols = ["id", "name", "city", "_change_type", "_commit_version"]
    from_spark = sorted(tuple(r[c] for c in cols) for r in feed.select(*cols).collect())
    from deltalake import DeltaTable

    arrow = DeltaTable(str(path)).load_cdf(starting_version=1).read_all()
    from_rs = sorted(zip(*(arrow.column(c).to_pylist() for c in cols)))
    assert from_spark == from_rs
    types = {r[3] for r in from_spark}
    assert {"insert", "update_preimage", "update_postimage", "delete"} <= types, types
    # Replay: inserts and post-images set a key's row, deletes remove it.
    order = {"update_preimage": 0, "delete": 1, "insert": 2, "update_postimage": 2}
    state: dict = {}
    for id_, name, city, kind, _ in sorted(from_spark, key=lambda r: (r[4], order[r[3]])):
        if kind in ("insert", "update_postimage"):
            state[id_] = (name, city)
        elif kind == "delete":
            state.pop(id_, None)
    table = {r.id: (r.name, r.city) for r in read_spark(spark, path).collect()}
    assert state == table


def test_schema_evolution_adds_the_column_for_every_reader(spark, written):
    warehouse, run = written
    path = _path(warehouse, "evolving")
    df = read_spark(spark, path)
    assert "extra" in df.columns
    assert df.where("extra IS NOT NULL").count() == ROUNDS - 6
    from deltalake import DeltaTable

    assert "extra" in [f.name for f in DeltaTable(str(path)).schema().fields]
    # Before the column appeared, every reader sees the old schema.
    old = read_spark(spark, path, 1)
    assert "extra" not in old.columns
    _assert_same(spark, run, path, 1)


@pytest.mark.parametrize("which", ["control_table", "event_log"])
def test_control_table_and_event_log(spark, written, which):
    warehouse, run = written
    if which == "control_table":
        path = warehouse / "main" / "dls" / "control_table"
    else:
        logs = list((warehouse / "_pipelines").glob("*/event_log"))
        assert len(logs) == 1
        path = logs[0]
    df, _ = _assert_same(spark, run, path)
    assert df.count() > 0
