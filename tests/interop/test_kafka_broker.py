"""The `kafka` fixture itself (tests/interop/kafka_broker.py), with confluent-kafka only: the
Kafka tests of dls (test_kafka_source.py, test_kafka_sinks.py) rely on what it produces, deletes and
reads back being what the broker holds."""

from __future__ import annotations

import time

import pytest

from kafka_broker import KafkaBroker, KafkaBrokerError, Message
from kafka_pipeline import unique


def test_produce_and_consume_round_trip(kafka: KafkaBroker) -> None:
    topic = unique("fixture")
    kafka.create_topic(topic, partitions=2)
    assert kafka.partitions(topic) == [0, 1]
    placed = kafka.produce(
        topic,
        [
            (b"k0", b"v0", 0, [("h", b"1"), ("h", None)], 1_700_000_000_000),
            (None, "v1", 1, None, None),
            ("k2", None, 1, [], 1_700_000_000_002),
        ],
    )
    assert placed == [(0, 0), (1, 0), (1, 1)]
    got = kafka.consume_all(topic)
    assert got[0] == Message(
        topic, 0, 0, b"k0", b"v0", 1_700_000_000_000, 0, (("h", b"1"), ("h", None))
    )
    assert [(m.partition, m.offset, m.key, m.value) for m in got[1:]] == [
        (1, 0, None, b"v1"),
        (1, 1, b"k2", None),
    ]
    assert got[1].timestamp_ms > 1_700_000_000_000 and got[2].timestamp_ms == 1_700_000_000_002
    assert kafka.consume_all(topic) == got  # reading commits nothing


def test_log_append_time_topic(kafka: KafkaBroker) -> None:
    topic = unique("fixture_append")
    kafka.create_topic(topic, config={"message.timestamp.type": "LogAppendTime"})
    kafka.produce(topic, [(None, b"x", 0, None, 1000)])
    (m,) = kafka.consume_all(topic)
    assert m.timestamp_type == 1 and m.timestamp_ms > 1000


def test_add_partitions_and_delete_records(kafka: KafkaBroker) -> None:
    topic = unique("fixture_admin")
    kafka.create_topic(topic, partitions=1)
    kafka.produce(topic, [(None, f"v{i}", 0, None, None) for i in range(5)])
    kafka.add_partitions(topic, 3)
    assert kafka.partitions(topic) == [0, 1, 2]
    kafka.produce(topic, [(None, b"new", 2, None, None)])
    assert kafka.delete_records(topic, 0, 3) == 3
    assert kafka.watermarks(topic, 0) == (3, 5)
    got = [(m.partition, m.offset, m.value) for m in kafka.consume_all(topic)]
    assert got == [(0, 3, b"v3"), (0, 4, b"v4"), (2, 0, b"new")]
    empty = unique("fixture_empty")
    kafka.create_topic(empty, partitions=2)
    assert kafka.consume_all(empty) == []
    with pytest.raises(KafkaBrokerError):
        kafka.create_topic(topic)  # exists already


def test_old_timestamps_are_kept(kafka: KafkaBroker) -> None:
    """No time-based retention: records with years-old CreateTime survive retention checks (every
    second), so the tests' explicit timestamps do not make records vanish."""
    topic = unique("fixture_old")
    kafka.create_topic(topic)
    kafka.produce(topic, [(None, f"v{i}", 0, None, 1_000_000_000_000 + i) for i in range(3)])
    time.sleep(2.5)
    assert [m.offset for m in kafka.consume_all(topic)] == [0, 1, 2]
    assert kafka.watermarks(topic, 0) == (0, 3)
