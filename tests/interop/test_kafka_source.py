"""`source_format: kafka` against a real Apache Kafka broker (KRaft, the `kafka` fixture): dls's
streaming table holds exactly the records of the topics, with the columns and types of Spark's
Kafka source, and Spark's own Kafka reader is the reference for the rows.

Each test uses its own warehouse (pipeline group main.k, dataset events_bronze) and its own topics.
The contract: startingOffsets (default latest; earliest; per-partition JSON), maxOffsetsPerTrigger,
subscribe (the entity's source) / subscribePattern / assign, includeHeaders, failOnDataLoss
(default true), new partitions read from their earliest offset, offsets logged before each batch
and the Delta commit carrying the batch's txn (exactly once across kill -9).
"""

from __future__ import annotations

import collections
import json
import os
import random
import signal
import subprocess
import time

import pyarrow as pa

from conftest import make_run_dls, read_delta_rs, read_spark, rows, sorted_rows
from kafka_pipeline import (
    KAFKA_COLUMNS,
    KAFKA_DELTA_TYPES,
    delta_history,
    delta_types,
    delta_version,
    expected_rows,
    kafka_entity,
    load,
    run,
    table_path,
    unique,
)

T0 = 1_700_000_000_000  # 2023-11-14 22:13:20 UTC, in ms: explicit record timestamps


def _kafka_rows(path, headers: bool = False) -> list[tuple]:
    """The table's Kafka columns read by delta-rs, as sorted row tuples."""
    columns = KAFKA_COLUMNS + (["headers"] if headers else [])
    return rows(read_delta_rs(path).select(columns))


def _records(n: int, partitions: int, start: int = 0, ts0: int = T0) -> list:
    """n records spread over the partitions: keys k<i> (every 5th NULL), values v<i>, timestamps
    ts0 + i seconds (every 7th left to the producer's clock)."""
    out = []
    for i in range(start, start + n):
        key = None if i % 5 == 0 else f"k{i}".encode()
        timestamp = None if i % 7 == 3 else ts0 + i * 1000
        out.append((key, f"v{i}".encode(), i % partitions, None, timestamp))
    return out


def test_source_basics_columns_types_and_increments(kafka, run_dls, warehouse):
    topic = unique("basics")
    kafka.create_topic(topic, partitions=2)
    kafka.produce(topic, _records(20, 2))
    load(run_dls, warehouse, [kafka_entity(topic, kafka.bootstrap, startingOffsets="earliest")])
    run(run_dls)

    path = table_path(warehouse, "events_bronze")
    table = read_delta_rs(path)
    assert table.column_names == KAFKA_COLUMNS
    assert [delta_types(path)[c] for c in KAFKA_COLUMNS] == KAFKA_DELTA_TYPES
    types = {f.name: f.type for f in table.schema}
    for c in ("key", "value"):
        t = types[c]
        assert pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_binary_view(t), t
    t = types["topic"]
    assert pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t), t
    assert types["partition"] == pa.int32() and types["timestampType"] == pa.int32()
    assert types["offset"] == pa.int64()
    assert pa.types.is_timestamp(types["timestamp"]) and types["timestamp"].tz in ("UTC", "+00:00")

    produced = kafka.consume_all(topic)
    assert len(produced) == 20
    assert sum(1 for m in produced if m.key is None) == 4
    assert _kafka_rows(path) == sorted_rows(expected_rows(produced))

    # Nothing new: no commit at all.
    version = delta_version(path)
    run(run_dls)
    assert delta_version(path) == version
    assert _kafka_rows(path) == sorted_rows(expected_rows(produced))

    # Five more: exactly those are added.
    kafka.produce(topic, _records(5, 2, start=20))
    run(run_dls)
    everything = kafka.consume_all(topic)
    added = [m for m in everything if m not in produced]
    assert len(added) == 5 and len(everything) == 25
    assert _kafka_rows(path) == sorted_rows(expected_rows(everything))
    assert delta_version(path) > version


def test_spark_kafka_reader_reads_what_the_broker_holds(kafka, spark):
    """The reference itself (Spark 4.2's Kafka source from the pinned jars, kafka-clients 3.9.2)
    against the broker: the rows of the records consume_all reads, headers NULL when none."""
    topic = unique("spark_only")
    kafka.create_topic(topic, partitions=2)
    kafka.produce(
        topic,
        [
            (None, b"a", 0, None, T0),
            (b"k", b"b", 1, [("h", b"1"), ("h", None)], T0 + 1),
            (b"k2", None, 1, None, None),
        ],
    )
    df = (
        spark.read.format("kafka")
        .option("kafka.bootstrap.servers", kafka.bootstrap)
        .option("subscribe", topic)
        .option("startingOffsets", "earliest")
        .option("includeHeaders", "true")
        .load()
    )
    assert df.columns == KAFKA_COLUMNS + ["headers"]
    assert [f.dataType.simpleString() for f in df.schema.fields] == [
        "binary",
        "binary",
        "string",
        "int",
        "bigint",
        "timestamp",
        "int",
        "array<struct<key:string,value:binary>>",
    ]
    assert rows(df.collect()) == sorted_rows(expected_rows(kafka.consume_all(topic), headers=True))


def test_spark_kafka_reader_is_the_reference(kafka, run_dls, warehouse, spark):
    """Spark's batch Kafka read of the topics and the dls table read by Spark give the same rows:
    two topics subscribed as a comma-separated source, one with LogAppendTime timestamps, headers
    (repeated keys, a NULL header value, records without headers) included."""
    create_time, append_time = unique("ref_create"), unique("ref_append")
    kafka.create_topic(create_time, partitions=2)
    kafka.create_topic(
        append_time, partitions=1, config={"message.timestamp.type": "LogAppendTime"}
    )
    headers = [
        None,
        [("h", b"1")],
        [("h", b"1"), ("h", b"2"), ("other", None)],
        [("\u00fcml\u00e4ut", b"\x00\xff")],
    ]
    batch = [
        (None if i % 4 == 0 else f"k{i}", f'{{"n": {i}}}', i % 2, headers[i % 4], T0 + i)
        for i in range(12)
    ]
    kafka.produce(create_time, batch)
    kafka.produce(append_time, [(f"a{i}", f"b{i}", 0, headers[i % 4], T0) for i in range(5)])

    load(
        run_dls,
        warehouse,
        [
            kafka_entity(
                f"{create_time},{append_time}",
                kafka.bootstrap,
                startingOffsets="earliest",
                includeHeaders="true",
            )
        ],
    )
    run(run_dls)

    columns = KAFKA_COLUMNS + ["headers"]
    reference = (
        spark.read.format("kafka")
        .option("kafka.bootstrap.servers", kafka.bootstrap)
        .option("subscribe", f"{create_time},{append_time}")
        .option("startingOffsets", "earliest")
        .option("includeHeaders", "true")
        .load()
    )
    assert reference.columns == columns
    expected = rows(reference.select(columns).collect())
    # The reference itself agrees with the broker (LogAppendTime: timestampType 1, broker time).
    messages = kafka.consume_all(create_time) + kafka.consume_all(append_time)
    assert expected == sorted_rows(expected_rows(messages, headers=True))
    assert {m.timestamp_type for m in messages if m.topic == append_time} == {1}

    path = table_path(warehouse, "events_bronze")
    table = read_spark(spark, path)
    assert table.columns == columns
    assert {f.name: f.dataType.simpleString() for f in table.schema.fields} == {
        f.name: f.dataType.simpleString() for f in reference.schema.fields
    }
    assert rows(table.select(columns).collect()) == expected
    assert _kafka_rows(path, headers=True) == expected


def test_max_offsets_per_trigger_splits_batches(kafka, run_dls, warehouse):
    topic = unique("max_offsets")
    kafka.create_topic(topic, partitions=2)
    kafka.produce(topic, _records(10, 2))
    load(
        run_dls,
        warehouse,
        [
            kafka_entity(
                topic, kafka.bootstrap, startingOffsets="earliest", maxOffsetsPerTrigger="3"
            )
        ],
    )
    run(run_dls)

    path = table_path(warehouse, "events_bronze")
    updates = [h for h in delta_history(path) if h.get("operation") == "STREAMING UPDATE"]
    assert len(updates) >= 4, [h.get("operation") for h in delta_history(path)]
    got = _kafka_rows(path)
    assert got == sorted_rows(expected_rows(kafka.consume_all(topic)))
    offsets = [(r[3], r[4]) for r in got]
    assert len(offsets) == len(set(offsets)) == 10


def test_starting_offsets_latest_is_the_default(kafka, run_dls, warehouse):
    topic = unique("latest")
    kafka.create_topic(topic, partitions=2)
    before = kafka.produce(topic, _records(6, 2))
    load(run_dls, warehouse, [kafka_entity(topic, kafka.bootstrap)])  # no startingOffsets
    run(run_dls)
    path = table_path(warehouse, "events_bronze")
    if path.exists():  # a first update may create the table empty, or not yet
        assert read_delta_rs(path).num_rows == 0

    kafka.produce(topic, _records(4, 2, start=100))
    run(run_dls)
    after = [m for m in kafka.consume_all(topic) if (m.partition, m.offset) not in set(before)]
    assert len(after) == 4
    assert _kafka_rows(path) == sorted_rows(expected_rows(after))


def test_subscribe_pattern_and_assign(kafka, run_dls, warehouse):
    prefix = unique("pat")
    a, b, other = f"{prefix}_a", f"{prefix}_b", unique("nomatch")
    for t in (a, b, other):
        kafka.create_topic(t, partitions=2)
        kafka.produce(t, _records(4, 2))
    assigned = unique("assign")
    kafka.create_topic(assigned, partitions=2)
    kafka.produce(assigned, _records(6, 2))

    load(
        run_dls,
        warehouse,
        [
            kafka_entity(
                f"{prefix}_.*",
                kafka.bootstrap,
                subscribePattern=f"{prefix}_.*",
                startingOffsets="earliest",
            ),
            kafka_entity(
                assigned,
                kafka.bootstrap,
                entity_id="assigned_bronze",
                destination="assigned_bronze",
                assign=json.dumps({assigned: [1]}),
                startingOffsets="earliest",
            ),
        ],
    )
    run(run_dls)

    pattern_rows = _kafka_rows(table_path(warehouse, "events_bronze"))
    assert pattern_rows == sorted_rows(expected_rows(kafka.consume_all(a) + kafka.consume_all(b)))
    assert {r[2] for r in pattern_rows} == {a, b}

    one_partition = [m for m in kafka.consume_all(assigned) if m.partition == 1]
    assert len(one_partition) == 3
    assert _kafka_rows(table_path(warehouse, "assigned_bronze")) == sorted_rows(
        expected_rows(one_partition)
    )


def test_new_partition_is_read_from_its_earliest_offset(kafka, run_dls, warehouse):
    """startingOffsets latest applies to the partitions of the first update only: a partition
    added later is read from offset 0, records produced to it before the next update included."""
    topic = unique("grow")
    kafka.create_topic(topic, partitions=1)
    kafka.produce(topic, _records(3, 1))  # before the first update: not read (latest)
    load(run_dls, warehouse, [kafka_entity(topic, kafka.bootstrap, startingOffsets="latest")])
    run(run_dls)
    kafka.produce(topic, [(b"old0", b"p0-a", 0, None, T0)])
    run(run_dls)

    kafka.add_partitions(topic, 2)
    kafka.produce(
        topic,
        [
            (b"new0", b"p1-a", 1, None, T0 + 1),
            (b"new1", b"p1-b", 1, None, T0 + 2),
            (b"old1", b"p0-b", 0, None, T0 + 3),
        ],
    )
    run(run_dls)

    everything = kafka.consume_all(topic)
    wanted = [m for m in everything if m.partition == 1 or m.offset >= 3]
    assert [(m.partition, m.offset) for m in wanted] == [(0, 3), (0, 4), (1, 0), (1, 1)]
    assert _kafka_rows(table_path(warehouse, "events_bronze")) == sorted_rows(expected_rows(wanted))


def test_fail_on_data_loss(kafka, run_dls, warehouse):
    topic = unique("dataloss")
    kafka.create_topic(topic, partitions=1)
    kafka.produce(topic, _records(5, 1))
    entity = kafka_entity(topic, kafka.bootstrap, startingOffsets="earliest", failOnDataLoss="true")
    load(run_dls, warehouse, [entity])
    run(run_dls)
    path = table_path(warehouse, "events_bronze")
    first = kafka.consume_all(topic)
    assert _kafka_rows(path) == sorted_rows(expected_rows(first))

    kafka.produce(topic, _records(5, 1, start=5))  # offsets 5..9
    assert kafka.delete_records(topic, 0, 8) == 8  # 5, 6, 7 are gone before dls read them
    version = delta_version(path)
    failed = run(run_dls, check=False)
    assert failed.returncode != 0, failed.stdout + failed.stderr
    assert "failOnDataLoss" in failed.stdout + failed.stderr
    assert delta_version(path) == version
    assert _kafka_rows(path) == sorted_rows(expected_rows(first))

    entity["read_options"]["failOnDataLoss"] = "false"
    load(run_dls, warehouse, [entity])
    run(run_dls)
    remaining = kafka.consume_all(topic)
    assert [m.offset for m in remaining] == [8, 9]
    assert _kafka_rows(path) == sorted_rows(expected_rows(first + remaining))


def test_kill_9_loses_and_duplicates_nothing(kafka, dls, tmp_path):
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    run_dls = make_run_dls(dls, warehouse)
    topic = unique("kill9")
    kafka.create_topic(topic, partitions=2)
    kafka.produce(topic, [(f"k{i}", f"v{i}", i % 2, None, T0 + i) for i in range(300)])
    load(
        run_dls,
        warehouse,
        [
            kafka_entity(
                topic, kafka.bootstrap, startingOffsets="earliest", maxOffsetsPerTrigger="7"
            )
        ],
    )
    path = table_path(warehouse, "events_bronze")
    rng = random.Random(20240917)
    cmd = [str(dls), "--warehouse", str(warehouse), "run", "--group", "main.k"]
    killed = 0
    for _ in range(6):
        proc = subprocess.Popen(
            cmd, cwd=warehouse.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            time.sleep(rng.uniform(0.05, 0.8))
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                killed += 1
            proc.wait(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if proc.returncode == 0:
            break
    assert killed > 0, "every update finished before its kill: use more records"
    run(run_dls)

    got = _kafka_rows(path)
    counts = collections.Counter((r[3], r[4]) for r in got)
    duplicated = {k: n for k, n in counts.items() if n > 1}
    assert not duplicated, f"rows written twice: {sorted(duplicated)[:10]}"
    assert sorted(counts) == sorted((i % 2, i // 2) for i in range(300))
    assert got == sorted_rows(expected_rows(kafka.consume_all(topic)))


def test_from_json_in_select_expr(kafka, run_dls, warehouse):
    topic = unique("json")
    kafka.create_topic(topic, partitions=1)
    values = [{"a": 1, "b": "x"}, {"a": 2}, {"b": "z", "extra": True}, {"a": -7, "b": "\u00fc"}]
    kafka.produce(
        topic,
        [(f"k{i}", json.dumps(v, ensure_ascii=False), 0, None, T0) for i, v in enumerate(values)],
    )
    load(
        run_dls,
        warehouse,
        [
            kafka_entity(
                topic,
                kafka.bootstrap,
                startingOffsets="earliest",
                select_expr=[
                    "CAST(key AS STRING) AS k",
                    "CAST(value AS STRING) AS s",
                    "from_json(CAST(value AS STRING), 'a INT, b STRING') AS j",
                    "offset",
                ],
            )
        ],
    )
    run(run_dls)
    path = table_path(warehouse, "events_bronze")
    table = read_delta_rs(path)
    assert table.column_names == ["k", "s", "j", "offset"]
    j = table.schema.field("j").type
    assert pa.types.is_struct(j) and [j.field(i).name for i in range(j.num_fields)] == ["a", "b"]
    assert j.field(0).type == pa.int32()
    assert delta_types(path)["k"] == delta_types(path)["s"] == "string"
    # CAST(BINARY AS STRING) decodes UTF-8, as in Spark (not an escaped blob literal).
    assert rows(table.select(["offset", "s"])) == [
        (i, json.dumps(v, ensure_ascii=False)) for i, v in enumerate(values)
    ]
    assert rows(table.select(["k", "j", "offset"])) == sorted_rows(
        [
            ("k0", (1, "x"), 0),
            ("k1", (2, None), 1),
            ("k2", (None, "z"), 2),
            ("k3", (-7, "\u00fc"), 3),
        ]
    )
