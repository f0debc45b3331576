"""`kafka.<setting>` client settings of a `source_format: kafka` read reach librdkafka: dls reads a
real broker (KRaft, kafka_broker.KafkaBroker) through its SASL_PLAINTEXT (mechanism PLAIN) and SSL
listeners, with the settings as Databricks names them.

One secured broker for the module: users alice/alice-secret on the SASL listener, an SSL listener
whose certificate (127.0.0.1 / localhost) a throw-away CA made here with openssl signed. The test
client creates and produces through the PLAINTEXT listener; dls reads only through the secured ones.
Every test has its own warehouse (group main.k, dataset events_bronze) and reads the module's topic.
"""

from __future__ import annotations

import dataclasses
import pathlib
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from conftest import make_run_dls, read_delta_rs, rows, sorted_rows
from kafka_broker import KafkaBroker, KafkaJarsMissing, PemFiles, make_ca, make_pem_files
from kafka_pipeline import (
    KAFKA_COLUMNS,
    RunDls,
    expected_rows,
    kafka_entity,
    load,
    run,
    table_path,
    unique,
)

USER, PASSWORD = "alice", "alice-secret"
PLAIN_JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required"
POLL_TIMEOUT_MS = 5000
T0 = 1_700_000_000_000


@pytest.fixture(scope="module")
def pem(tmp_path_factory: pytest.TempPathFactory) -> PemFiles:
    return make_pem_files(tmp_path_factory.mktemp("pem"))


@pytest.fixture(scope="module")
def secured(pem: PemFiles) -> Iterator[KafkaBroker]:
    """A broker with PLAINTEXT (the test client), SASL_PLAINTEXT (PLAIN) and SSL listeners."""
    broker = KafkaBroker(sasl_plain_users={USER: PASSWORD, "bob": "bob-secret"}, ssl=pem)
    try:
        broker.start()
    except KafkaJarsMissing as e:
        pytest.fail(str(e), pytrace=False)
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture(scope="module")
def topic(secured: KafkaBroker) -> str:
    """A topic of 2 partitions holding 12 records (keys NULL every 4th, explicit timestamps)."""
    name = unique("secured")
    secured.create_topic(name, partitions=2)
    secured.produce(
        name,
        [
            (None if i % 4 == 0 else f"k{i}", f"v{i}", i % 2, None, T0 + i * 1000)
            for i in range(12)
        ],
    )
    return name


def _sasl(**settings: str) -> dict[str, str]:
    return {
        "kafka.security.protocol": "SASL_PLAINTEXT",
        "kafka.sasl.mechanism": "PLAIN",
        "kafkaConsumer.pollTimeoutMs": str(POLL_TIMEOUT_MS),
        "startingOffsets": "earliest",
        **settings,
    }


def _ssl(ca: pathlib.Path) -> dict[str, str]:
    return {
        "kafka.security.protocol": "SSL",
        "kafka.ssl.ca.location": str(ca),
        "kafkaConsumer.pollTimeoutMs": str(POLL_TIMEOUT_MS),
        "startingOffsets": "earliest",
    }


def _load(
    run_dls: RunDls, warehouse: pathlib.Path, topic: str, bootstrap: str, options: dict[str, str]
) -> None:
    entity = kafka_entity(topic, bootstrap)
    entity["read_options"].update(options)
    load(run_dls, warehouse, [entity])


def _read_back(warehouse: pathlib.Path) -> list[tuple[Any, ...]]:
    return rows(read_delta_rs(table_path(warehouse, "events_bronze")).select(KAFKA_COLUMNS))


def _expected(secured: KafkaBroker, topic: str) -> list[tuple[Any, ...]]:
    produced = secured.consume_all(topic)
    assert len(produced) == 12
    return sorted_rows(expected_rows(produced))


@dataclasses.dataclass(frozen=True)
class FailedRun:
    """`dls run` of a pipeline whose Kafka read cannot get in, with how long it took."""

    proc: subprocess.CompletedProcess[str]
    elapsed: float
    warehouse: pathlib.Path

    @property
    def output(self) -> str:
        return self.proc.stdout + self.proc.stderr


def _failing_run(
    dls: pathlib.Path,
    folder: pathlib.Path,
    topic: str,
    bootstrap: str,
    options: dict[str, str],
) -> FailedRun:
    warehouse = folder / "warehouse"
    warehouse.mkdir()
    run_dls = make_run_dls(dls, warehouse)
    _load(run_dls, warehouse, topic, bootstrap, options)
    start = time.monotonic()
    proc = run(run_dls, check=False)
    return FailedRun(proc, time.monotonic() - start, warehouse)


def _assert_failed_in_time(failed: FailedRun) -> None:
    """Non-zero exit naming the dataset, within kafkaConsumer.pollTimeoutMs (listing the topics
    waits that long, at most 30 s) and a margin, and no table commit."""
    assert failed.proc.returncode == 1, failed.output
    assert "entity 'events_bronze'" in failed.output, failed.output
    assert "main.k.events_bronze: FAILED" in failed.output, failed.output
    assert failed.elapsed < POLL_TIMEOUT_MS / 1000 + 10, (failed.elapsed, failed.output)
    log = table_path(failed.warehouse, "events_bronze") / "_delta_log"
    assert not log.exists() or not list(log.glob("*.json")), list(log.iterdir())


# librdkafka reports why it cannot connect (the broker's "Authentication failed", "certificate
# verify failed") in its error log lines; dls keeps them and names the last one when a call to the
# brokers times out.


@pytest.fixture(scope="module")
def wrong_password_run(
    dls: pathlib.Path,
    tmp_path_factory: pytest.TempPathFactory,
    secured: KafkaBroker,
    topic: str,
) -> FailedRun:
    jaas = f'{PLAIN_JAAS} username="{USER}" password="not-{PASSWORD}";'
    options = _sasl(**{"kafka.sasl.jaas.config": jaas})
    return _failing_run(
        dls, tmp_path_factory.mktemp("wrong_password"), topic, secured.sasl_bootstrap, options
    )


@pytest.fixture(scope="module")
def foreign_ca_run(
    dls: pathlib.Path,
    tmp_path_factory: pytest.TempPathFactory,
    secured: KafkaBroker,
    topic: str,
) -> FailedRun:
    folder = tmp_path_factory.mktemp("foreign_ca")
    other_ca, _key = make_ca(folder / "pem", "other-ca")
    return _failing_run(dls, folder, topic, secured.ssl_bootstrap, _ssl(other_ca))


def test_sasl_plain_with_username_and_password(
    secured: KafkaBroker, topic: str, run_dls: RunDls, warehouse: pathlib.Path
) -> None:
    options = _sasl(**{"kafka.sasl.username": USER, "kafka.sasl.password": PASSWORD})
    _load(run_dls, warehouse, topic, secured.sasl_bootstrap, options)
    run(run_dls)
    assert _read_back(warehouse) == _expected(secured, topic)


def test_sasl_plain_with_jaas_config(
    secured: KafkaBroker, topic: str, run_dls: RunDls, warehouse: pathlib.Path
) -> None:
    jaas = f'{PLAIN_JAAS} username="bob" password="bob-secret";'
    options = _sasl(**{"kafka.sasl.jaas.config": jaas})
    _load(run_dls, warehouse, topic, secured.sasl_bootstrap, options)
    run(run_dls)
    assert _read_back(warehouse) == _expected(secured, topic)


def test_sasl_wrong_password_fails_the_run(wrong_password_run: FailedRun) -> None:
    _assert_failed_in_time(wrong_password_run)


def test_sasl_wrong_password_names_the_reason(wrong_password_run: FailedRun) -> None:
    assert "authentication" in wrong_password_run.output.lower(), wrong_password_run.output


def test_java_trust_store_is_refused(
    secured: KafkaBroker, topic: str, run_dls: RunDls, warehouse: pathlib.Path
) -> None:
    """A Java trust store is invalid metadata: `dls load yaml` refuses the entity (exit 3) naming
    the read option and saying to give PEM files, and nothing is loaded."""
    entity = kafka_entity(topic, secured.ssl_bootstrap)
    entity["read_options"].update(
        {
            "kafka.security.protocol": "SSL",
            "kafka.ssl.truststore.location": "/etc/kafka/truststore.jks",
            "kafka.ssl.truststore.password": "changeit",
        }
    )
    run_dls("store", "init")
    path = warehouse.parent / "pipeline.yml"
    path.write_text(yaml.safe_dump({"delta_live_store": [entity]}, sort_keys=False))
    refused = run_dls("load", "yaml", path, check=False)
    message = refused.stdout + refused.stderr
    assert refused.returncode == 3, message
    assert "entity 'events_bronze'" in message, message
    assert "read_options.kafka.ssl.truststore.location: is not supported" in message, message
    assert "kafka.ssl.ca.location" in message, message
    listed = run_dls("list", "--format", "json", check=False)
    assert "events_bronze" not in listed.stdout, listed.stdout


def test_ssl_with_ca_location(
    secured: KafkaBroker, topic: str, pem: PemFiles, run_dls: RunDls, warehouse: pathlib.Path
) -> None:
    _load(run_dls, warehouse, topic, secured.ssl_bootstrap, _ssl(pem.ca))
    run(run_dls)
    assert _read_back(warehouse) == _expected(secured, topic)


def test_ssl_with_a_foreign_ca_fails_the_run(foreign_ca_run: FailedRun) -> None:
    _assert_failed_in_time(foreign_ca_run)


def test_ssl_with_a_foreign_ca_names_the_reason(foreign_ca_run: FailedRun) -> None:
    assert "certificate" in foreign_ca_run.output.lower(), foreign_ca_run.output
