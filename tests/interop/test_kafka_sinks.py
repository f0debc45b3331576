"""Sinks (`destination_type: sink`) against a real Apache Kafka broker (the `kafka` fixture): a
Kafka topic -> the streaming table events_bronze -> a Kafka sink (at least once; in a normal run
each row exactly once) or a Delta sink (exactly once, read by delta-rs and Spark; a full refresh of
the pipeline does not clear it, as in Databricks)."""

from __future__ import annotations

import collections
from typing import Any

from conftest import read_delta_rs, read_spark, rows, sorted_rows
from kafka_pipeline import (
    GROUP,
    KAFKA_COLUMNS,
    delta_version,
    kafka_entity,
    load,
    run,
    table_path,
    unique,
)

T0 = 1_700_000_000_000


def _sink(
    name: str, sink_format: str, options: dict[str, str], select: list[str]
) -> dict[str, Any]:
    return {
        "entity_id": f"to_{name}",
        "group": GROUP,
        "source": "events_bronze",
        "source_format": "dlt",
        "destination": name,
        "destination_type": "sink",
        "sink_format": sink_format,
        "sink_options": options,
        "select_expr": select,
    }


def _records(start: int, n: int) -> list:
    return [
        (None if i % 4 == 0 else f"k{i}", f"v{i}-\u00e9", i % 2, None, T0 + i)
        for i in range(start, start + n)
    ]


def test_kafka_sink_receives_each_row_once(kafka, run_dls, warehouse):
    source, out_binary, out_string = unique("sink_src"), unique("sink_bin"), unique("sink_str")
    kafka.create_topic(source, partitions=2)
    kafka.create_topic(out_binary, partitions=1)
    kafka.create_topic(out_string, partitions=3)
    kafka.produce(source, _records(0, 12))
    bootstrap = {"kafka.bootstrap.servers": kafka.bootstrap}
    load(
        run_dls,
        warehouse,
        [
            kafka_entity(source, kafka.bootstrap, startingOffsets="earliest"),
            # key and value BINARY, as read.
            _sink("out_binary", "kafka", {**bootstrap, "topic": out_binary}, ["key", "value"]),
            # only a STRING value: NULL keys.
            _sink(
                "out_string",
                "kafka",
                {**bootstrap, "topic": out_string},
                ["CAST(value AS STRING) AS value"],
            ),
        ],
    )
    run(run_dls)

    def pairs(topic: str) -> list[tuple]:
        return sorted_rows((m.key, m.value) for m in kafka.consume_all(topic))

    def source_pairs() -> list[tuple]:
        return sorted_rows((m.key, m.value) for m in kafka.consume_all(source))

    assert len(source_pairs()) == 12
    assert pairs(out_binary) == source_pairs()
    assert pairs(out_string) == sorted_rows((None, v) for _k, v in source_pairs())
    # The table between them holds the same records.
    bronze = rows(read_delta_rs(table_path(warehouse, "events_bronze")).select(["key", "value"]))
    assert bronze == source_pairs()

    # Nothing new: nothing sent again.
    run(run_dls)
    assert pairs(out_binary) == source_pairs()
    assert len(kafka.consume_all(out_string)) == 12

    # Three more: exactly those are sent.
    kafka.produce(source, _records(12, 3))
    run(run_dls)
    assert len(source_pairs()) == 15
    assert pairs(out_binary) == source_pairs()
    assert pairs(out_string) == sorted_rows((None, v) for _k, v in source_pairs())


def test_delta_sink_exactly_once_and_kept_by_full_refresh(kafka, run_dls, warehouse, spark):
    source = unique("delta_sink_src")
    kafka.create_topic(source, partitions=2)
    kafka.produce(source, _records(0, 10))
    sink_path = warehouse.parent / "sink_delta"
    columns = ["key", "value", "topic", "partition", "offset", "timestamp"]
    load(
        run_dls,
        warehouse,
        [
            kafka_entity(source, kafka.bootstrap, startingOffsets="earliest"),
            _sink("delta_out", "delta", {"path": str(sink_path)}, columns),
        ],
    )
    run(run_dls)

    bronze = table_path(warehouse, "events_bronze")
    assert read_delta_rs(bronze).column_names == KAFKA_COLUMNS
    expected = rows(read_delta_rs(bronze).select(columns))
    assert len(expected) == 10
    assert {r[4] for r in expected} == set(range(5))  # offsets 0..4 of both partitions
    sink = read_delta_rs(sink_path)
    assert sink.column_names == columns
    assert rows(sink) == expected
    assert rows(read_spark(spark, sink_path).collect()) == expected

    # A second update with nothing new adds nothing (no commit either).
    version = delta_version(sink_path)
    run(run_dls)
    assert delta_version(sink_path) == version
    assert rows(read_delta_rs(sink_path)) == expected

    # New records reach the sink once.
    kafka.produce(source, _records(10, 4))
    run(run_dls)
    expected = rows(read_delta_rs(bronze).select(columns))
    assert len(expected) == 14
    assert rows(read_delta_rs(sink_path)) == expected
    assert rows(read_spark(spark, sink_path).collect()) == expected

    # A full refresh of the pipeline clears events_bronze and reprocesses the topic, but never
    # clears the sink: every row it held is still there (reprocessed rows may be appended again,
    # as Databricks does), and the table's earlier versions stay readable.
    before = delta_version(sink_path)
    run(run_dls, "--full-refresh", "--yes")
    assert rows(read_delta_rs(bronze).select(columns)) == expected
    after = collections.Counter(rows(read_delta_rs(sink_path)))
    missing = collections.Counter(expected) - after
    assert not missing, f"the full refresh removed sink rows: {sorted(missing)[:5]}"
    assert set(after) == set(expected)
    assert rows(read_delta_rs(sink_path, version=before)) == expected
