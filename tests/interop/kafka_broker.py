"""A real Apache Kafka broker for the Kafka interop tests: one KRaft node (broker + controller) on
127.0.0.1, run from the jars of scripts/kafka_jars.lock (set `broker`) in the jar cache, with
confluent-kafka (librdkafka) as the test-side client.

    broker = KafkaBroker(); broker.start()
    broker.create_topic("t", partitions=2)
    broker.produce("t", [(b"k", b"v", 0, None, None)])
    broker.consume_all("t")
    broker.stop()

tests/interop/conftest.py wraps it in the module-scoped `kafka` fixture.

Secured listeners, next to the PLAINTEXT one the test client always uses (test_kafka_security.py):

    pem = make_pem_files(folder)                       # a throw-away CA + a broker certificate
    broker = KafkaBroker(sasl_plain_users={"alice": "alice-secret"}, ssl=pem).start()
    broker.sasl_bootstrap  # SASL_PLAINTEXT, mechanism PLAIN, those users
    broker.ssl_bootstrap   # SSL, the certificate for 127.0.0.1 / localhost signed by pem.ca
"""

from __future__ import annotations

import base64
import collections
import dataclasses
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Self

REPO = pathlib.Path(__file__).resolve().parents[2]
JARS_LOCK = REPO / "scripts" / "kafka_jars.lock"

Bytes = bytes | str | None
Headers = Sequence[tuple[str, Bytes]] | None
# One record to produce: (key, value, partition, headers or None, timestamp in ms or None).
Row = tuple[Bytes, Bytes, int, Headers, int | None]


class KafkaJarsMissing(RuntimeError):
    """The broker's jars are not in the jar cache (`make setup` fetches them)."""


class KafkaBrokerError(RuntimeError):
    """The broker did not start, or an admin/produce call failed."""


@dataclasses.dataclass(frozen=True)
class Message:
    """A record as read back from the broker (consume_all)."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    timestamp_ms: int
    timestamp_type: int  # 0 CreateTime, 1 LogAppendTime (Spark's timestampType)
    headers: tuple[tuple[str, bytes | None], ...]


@dataclasses.dataclass(frozen=True)
class PemFiles:
    """PEM files of a throw-away CA and a broker certificate it signed (make_pem_files)."""

    ca: pathlib.Path  # the CA certificate: what a client trusts (librdkafka's ssl.ca.location)
    certificate: pathlib.Path  # the broker's certificate (CN localhost, SAN 127.0.0.1 + localhost)
    key: pathlib.Path  # the broker's private key, unencrypted PKCS#8


def _openssl(*args: str | pathlib.Path) -> None:
    openssl = shutil.which("openssl")
    if openssl is None:
        raise KafkaBrokerError("the openssl command is not on PATH")
    done = subprocess.run(
        [openssl, *map(str, args)], check=False, capture_output=True, text=True, timeout=60
    )
    if done.returncode != 0:
        raise KafkaBrokerError(f"openssl {' '.join(map(str, args))} failed:\n{done.stderr}")


def make_ca(folder: pathlib.Path, name: str = "ca") -> tuple[pathlib.Path, pathlib.Path]:
    """A self-signed CA (RSA 2048, valid 2 days) made with the openssl command:
    (folder/<name>.pem, folder/<name>.key)."""
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = folder / f"{name}.pem", folder / f"{name}.key"
    req = "req -x509 -newkey rsa:2048 -nodes -days 2".split()
    _openssl(*req, "-subj", f"/CN=dls-test-{name}", "-keyout", key, "-out", cert)
    return cert, key


def make_pem_files(folder: pathlib.Path) -> PemFiles:
    """A throw-away CA and a broker certificate it signs for 127.0.0.1 and localhost (the names a
    client checks: librdkafka verifies the host name by default), as PEM files in folder."""
    ca, ca_key = make_ca(folder)
    key, csr, cert = folder / "broker.key", folder / "broker.csr", folder / "broker.pem"
    ext = folder / "broker.ext"
    ext.write_text(
        "basicConstraints=CA:FALSE\n"
        "keyUsage=digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\n"
        "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
    )
    req = "req -newkey rsa:2048 -nodes -subj /CN=localhost".split()
    _openssl(*req, "-keyout", key, "-out", csr)
    sign = "x509 -req -CAcreateserial -days 2".split()
    _openssl(*sign, "-in", csr, "-CA", ca, "-CAkey", ca_key, "-extfile", ext, "-out", cert)
    return PemFiles(ca=ca, certificate=cert, key=key)


def jars_dir() -> pathlib.Path:
    """$DLS_JARS_DIR/kafka (default ~/.cache/dls/jars/kafka), where scripts/fetch_kafka_jars.sh
    puts the sets of scripts/kafka_jars.lock."""
    cache = pathlib.Path(os.environ.get("DLS_JARS_DIR", pathlib.Path.home() / ".cache/dls/jars"))
    return cache / "kafka"


def locked_jars(jar_set: str) -> list[pathlib.Path]:
    """The jar files of one set of scripts/kafka_jars.lock (`broker` or `spark`) in the jar cache;
    raises KafkaJarsMissing naming the missing ones."""
    folder = jars_dir() / jar_set
    jars: list[pathlib.Path] = []
    missing: list[str] = []
    for line in JARS_LOCK.read_text().splitlines():
        fields = line.split()
        if not fields or fields[0].startswith("#") or fields[0] != jar_set:
            continue
        _group, artifact, version = fields[1].split(":")
        jar = folder / f"{artifact}-{version}.jar"
        if jar.is_file():
            jars.append(jar)
        else:
            missing.append(str(jar))
    if missing or not jars:
        raise KafkaJarsMissing(
            f"Kafka {jar_set} jars missing: {', '.join(missing) or folder} -- run `make setup` "
            "(scripts/fetch_kafka_jars.sh)"
        )
    return jars


def _free_ports(count: int) -> list[int]:
    """count distinct free TCP ports on 127.0.0.1 (held open together while picking)."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _bytes(value: Bytes) -> bytes | None:
    return value.encode() if isinstance(value, str) else value


_LOG4J2 = """\
status = error
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = {log}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.file.ref = FILE
logger.kafka_request.name = kafka.request.logger
logger.kafka_request.level = warn
"""


class KafkaBroker:
    """One single-node KRaft Kafka (broker + controller in one JVM) on 127.0.0.1.

    start() formats a fresh log directory in a temporary folder and launches
    `java -cp <broker jars> kafka.Kafka server.properties`; `bootstrap` is "127.0.0.1:PORT" once it
    answers. stop() ends it and removes the folder. Topics are never auto-created.

    Optional secured listeners (the admin, producer and consumers of this class always use the
    PLAINTEXT `bootstrap`): `sasl_plain_users` (user -> password) adds a SASL_PLAINTEXT listener,
    mechanism PLAIN, at `sasl_bootstrap`; `ssl` (make_pem_files) adds an SSL listener at
    `ssl_bootstrap` serving that certificate (no client certificates asked for).
    """

    SASL_LISTENER = "SASL_PLAINTEXT"
    SSL_LISTENER = "SSL"

    def __init__(
        self,
        startup_timeout: float = 60.0,
        heap: str = "512m",
        *,
        sasl_plain_users: Mapping[str, str] | None = None,
        ssl: PemFiles | None = None,
    ) -> None:
        self.startup_timeout = startup_timeout
        self.heap = heap
        self.sasl_plain_users = dict(sasl_plain_users or {})
        self.ssl = ssl
        self.port = 0
        self.controller_port = 0
        self.sasl_port = 0
        self.ssl_port = 0
        self.dir: pathlib.Path | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self._admin: Any = None
        self._producer: Any = None

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def sasl_bootstrap(self) -> str:
        """The SASL_PLAINTEXT (PLAIN) listener, "127.0.0.1:PORT"."""
        assert self.sasl_plain_users, "the broker has no SASL listener (sasl_plain_users)"
        return f"127.0.0.1:{self.sasl_port}"

    @property
    def ssl_bootstrap(self) -> str:
        """The SSL listener, "127.0.0.1:PORT"."""
        assert self.ssl is not None, "the broker has no SSL listener (ssl)"
        return f"127.0.0.1:{self.ssl_port}"

    @property
    def log_file(self) -> pathlib.Path:
        assert self.dir is not None, "the broker is not started"
        return self.dir / "broker.log"

    def start(self) -> Self:
        classpath = os.pathsep.join(str(j) for j in locked_jars("broker"))
        java = shutil.which("java")
        if java is None:
            raise KafkaBrokerError("java is not on PATH (Java 17; scripts/setup.sh installs it)")
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="dls-kafka-"))
        self.port, self.controller_port, self.sasl_port, self.ssl_port = _free_ports(4)
        if not self.sasl_plain_users:
            self.sasl_port = 0
        if self.ssl is None:
            self.ssl_port = 0
        props = self.dir / "server.properties"
        props.write_text(self._server_properties())
        (self.dir / "log4j2.properties").write_text(_LOG4J2.format(log=self.log_file))
        jvm = [
            java,
            f"-Xmx{self.heap}",
            "-Xms64m",
            # A short-lived test broker: the C1 compiler alone starts faster; one GC thread.
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self.dir / 'log4j2.properties'}",
            f"-Dkafka.logs.dir={self.dir}",
            "-cp",
            classpath,
        ]
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        fmt = subprocess.run(
            [
                *jvm,
                "kafka.tools.StorageTool",
                "format",
                "--cluster-id",
                cluster_id,
                "--config",
                str(props),
            ],
            check=False,
            capture_output=True,
            text=True,
            timeout=self.startup_timeout,
        )
        if fmt.returncode != 0:
            self._cleanup()
            raise KafkaBrokerError(
                f"formatting the KRaft storage failed (exit {fmt.returncode}):\n"
                f"{fmt.stdout}\n{fmt.stderr}"
            )
        # The JVM's own stdout/stderr (a crash before log4j starts) go to broker.out.
        with open(self.dir / "broker.out", "wb") as out:
            self.process = subprocess.Popen(
                [*jvm, "kafka.Kafka", str(props)],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # a Ctrl-C of pytest does not reach it half-way
            )
        ready = False
        try:
            self._wait_ready()
            ready = True
        except (KafkaBrokerError, TimeoutError, OSError) as e:
            raise KafkaBrokerError(
                f"the Kafka broker did not come up on {self.bootstrap} within "
                f"{self.startup_timeout:.0f} s ({e}); the end of its log:\n{self.log_tail()}"
            ) from None
        finally:
            if not ready:  # also on Ctrl-C: no broker left running
                self.stop()
        return self

    def stop(self) -> None:
        self._admin = None
        self._drop_producer()
        proc, self.process = self.process, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # a controlled shutdown
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)
        self._cleanup()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def log_tail(self, lines: int = 60) -> str:
        """The last lines of the broker's log4j log and of its JVM output."""
        if self.dir is None:
            return "(no broker directory)"
        parts = []
        for name in ("broker.log", "broker.out"):
            path = self.dir / name
            if path.is_file():
                text = path.read_text(errors="replace").splitlines()[-lines:]
                parts.append(f"--- {name} ---\n" + "\n".join(text))
        return "\n".join(parts) or "(no output)"

    def _cleanup(self) -> None:
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def _server_properties(self) -> str:
        assert self.dir is not None
        p, c = self.port, self.controller_port
        settings = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@127.0.0.1:{c}",
            "listeners": f"PLAINTEXT://127.0.0.1:{p},CONTROLLER://127.0.0.1:{c}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{p}",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "log.dirs": str(self.dir / "data"),
            "num.partitions": "1",
            "default.replication.factor": "1",
            "min.insync.replicas": "1",
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
            "auto.create.topics.enable": "false",
            "delete.topic.enable": "true",
            # No time-based retention by default: the tests produce records with timestamps of
            # years ago (explicit CreateTime), which the default 7 days would delete within a
            # retention check. A topic can set retention.ms itself (create_topic's config);
            # the check runs every second then.
            "log.retention.ms": "-1",
            "log.retention.check.interval.ms": "1000",
            "num.network.threads": "2",
            "num.io.threads": "2",
            "log.flush.interval.messages": "1000000",
        }
        settings.update(self._secured_listeners(settings))
        return "".join(f"{k}={v}\n" for k, v in settings.items())

    def _secured_listeners(self, settings: dict[str, str]) -> dict[str, str]:
        """The settings adding the SASL_PLAINTEXT and SSL listeners (none without them)."""
        assert self.dir is not None
        names: list[tuple[str, int]] = []
        extra: dict[str, str] = {}
        if self.sasl_plain_users:
            name = self.SASL_LISTENER
            names.append((name, self.sasl_port))
            users = " ".join(f'user_{u}="{pw}"' for u, pw in self.sasl_plain_users.items())
            prefix = f"listener.name.{name.lower()}"
            extra["sasl.enabled.mechanisms"] = "PLAIN"
            extra[f"{prefix}.sasl.enabled.mechanisms"] = "PLAIN"
            extra[f"{prefix}.plain.sasl.jaas.config"] = (
                f"org.apache.kafka.common.security.plain.PlainLoginModule required {users};"
            )
        if self.ssl is not None:
            name = self.SSL_LISTENER
            names.append((name, self.ssl_port))
            # A PEM key store is one file: the private key, then the certificate chain.
            keystore = self.dir / "broker-keystore.pem"
            keystore.write_text(self.ssl.key.read_text() + self.ssl.certificate.read_text())
            prefix = f"listener.name.{name.lower()}"
            extra[f"{prefix}.ssl.keystore.type"] = "PEM"
            extra[f"{prefix}.ssl.keystore.location"] = str(keystore)
            extra[f"{prefix}.ssl.truststore.type"] = "PEM"
            extra[f"{prefix}.ssl.truststore.location"] = str(self.ssl.ca)
            extra[f"{prefix}.ssl.client.auth"] = "none"
        if not names:
            return {}
        listeners = "".join(f",{n}://127.0.0.1:{port}" for n, port in names)
        extra["listeners"] = settings["listeners"] + listeners
        extra["advertised.listeners"] = settings["advertised.listeners"] + listeners
        extra["listener.security.protocol.map"] = settings["listener.security.protocol.map"] + (
            "".join(f",{n}:{n}" for n, _port in names)
        )
        return extra

    def _wait_ready(self) -> None:
        from confluent_kafka import KafkaException
        from confluent_kafka.admin import AdminClient

        deadline = time.monotonic() + self.startup_timeout
        # The port first (no librdkafka connection-refused noise), then a metadata request.
        while True:
            self._check_alive()
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise TimeoutError("broker port closed") from None
                time.sleep(0.1)
        admin = AdminClient({"bootstrap.servers": self.bootstrap, "log_level": 0})
        while True:
            self._check_alive()
            try:
                brokers = admin.list_topics(timeout=2).brokers
            except KafkaException:  # until the broker serves metadata
                brokers = None
            if brokers:
                self._admin = admin
                return
            if time.monotonic() > deadline:
                raise TimeoutError("no metadata from the broker")
            time.sleep(0.1)

    def _check_alive(self) -> None:
        if self.process is None or self.process.poll() is not None:
            code = None if self.process is None else self.process.returncode
            raise KafkaBrokerError(f"the broker process exited ({code})")

    # -- clients -----------------------------------------------------------------------------

    def client_config(self, **extra: Any) -> dict[str, Any]:
        return {"bootstrap.servers": self.bootstrap, "log_level": 3, **extra}

    @property
    def admin(self) -> Any:
        if self._admin is None:
            from confluent_kafka.admin import AdminClient

            self._admin = AdminClient(self.client_config())
        return self._admin

    @staticmethod
    def _wait_all(futures: dict[Any, Any], what: str, timeout: float = 30) -> None:
        for key, future in futures.items():
            try:
                future.result(timeout=timeout)
            except Exception as e:
                raise KafkaBrokerError(f"{what} {key}: {e}") from e

    def create_topic(
        self, name: str, partitions: int = 1, config: dict[str, str] | None = None
    ) -> None:
        """Creates the topic and waits until every partition has a leader."""
        from confluent_kafka.admin import NewTopic

        topic = NewTopic(name, num_partitions=partitions, replication_factor=1, config=config or {})
        self._wait_all(self.admin.create_topics([topic], operation_timeout=30), "create_topic")
        self._wait_partitions(name, partitions)

    def add_partitions(self, topic: str, total: int) -> None:
        """Grows the topic to `total` partitions (Kafka's CreatePartitions)."""
        from confluent_kafka.admin import NewPartitions

        futures = self.admin.create_partitions([NewPartitions(topic, total)], operation_timeout=30)
        self._wait_all(futures, "add_partitions")
        self._wait_partitions(topic, total)
        self._drop_producer()  # a new one learns the new partitions at once

    def _drop_producer(self) -> None:
        if self._producer is not None:
            self._producer.flush(30)
            self._producer = None

    def delete_records(self, topic: str, partition: int, before_offset: int) -> int:
        """Deletes the records of one partition before `before_offset` (its log start offset
        moves there); returns the new low watermark."""
        from confluent_kafka import TopicPartition

        futures = self.admin.delete_records([TopicPartition(topic, partition, before_offset)])
        self._wait_all(futures, "delete_records")
        low, _high = self.watermarks(topic, partition)
        if low < before_offset:
            raise KafkaBrokerError(f"delete_records: {topic}/{partition} starts at {low}")
        return low

    def _wait_partitions(self, topic: str, count: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while True:
            md = self.admin.list_topics(topic=topic, timeout=5).topics.get(topic)
            if (
                md is not None
                and md.error is None
                and len(md.partitions) == count
                and all(p.leader >= 0 for p in md.partitions.values())
            ):
                return
            if time.monotonic() > deadline:
                raise KafkaBrokerError(f"{topic}: {count} partitions with leaders not ready")
            time.sleep(0.1)

    def partitions(self, topic: str) -> list[int]:
        md = self.admin.list_topics(topic=topic, timeout=10).topics[topic]
        return sorted(md.partitions)

    def watermarks(self, topic: str, partition: int) -> tuple[int, int]:
        """(low, high): the partition's log start offset and its next offset."""
        from confluent_kafka import Consumer, TopicPartition

        consumer = Consumer(self.client_config(**{"group.id": f"dls-test-{uuid.uuid4()}"}))
        try:
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)
            return int(low), int(high)
        finally:
            consumer.close()

    def produce(self, topic: str, rows: Iterable[Row]) -> list[tuple[int, int]]:
        """Produces the rows (key, value, partition, headers or None, timestamp_ms or None) in order
        with an idempotent producer, waits for every acknowledgement and returns their
        (partition, offset), in the rows' order."""
        from confluent_kafka import Producer

        if self._producer is None:
            self._producer = Producer(
                self.client_config(**{"enable.idempotence": True, "acks": "all", "linger.ms": 0})
            )
        producer = self._producer
        results: list[Any] = []
        errors: list[str] = []

        def on_delivery(err: Any, msg: Any, index: int) -> None:
            if err is not None:
                errors.append(f"row {index}: {err}")
            else:
                results[index] = (msg.partition(), msg.offset())

        for index, (key, value, partition, headers, timestamp_ms) in enumerate(rows):
            results.append(None)
            kwargs: dict[str, Any] = {
                "key": _bytes(key),
                "value": _bytes(value),
                "partition": partition,
            }
            if headers is not None:
                kwargs["headers"] = [(k, _bytes(v)) for k, v in headers]
            if timestamp_ms is not None:
                kwargs["timestamp"] = timestamp_ms
            producer.produce(
                topic, on_delivery=lambda err, msg, i=index: on_delivery(err, msg, i), **kwargs
            )
            producer.poll(0)
        remaining = producer.flush(30)
        if remaining or errors or any(r is None for r in results):
            raise KafkaBrokerError(f"produce to {topic}: {remaining} unsent; {errors[:5]}")
        return results

    def consume_all(self, topic: str, timeout: float = 30) -> list[Message]:
        """Every record of every partition of the topic, from its low watermark to the high
        watermark of the moment of the call, ordered by (partition, offset). Commits nothing."""
        from confluent_kafka import Consumer, KafkaError, TopicPartition

        consumer = Consumer(
            self.client_config(
                **{
                    "group.id": f"dls-test-{uuid.uuid4()}",
                    "enable.auto.commit": False,
                    "auto.offset.reset": "earliest",
                    "enable.partition.eof": True,
                    "isolation.level": "read_committed",
                }
            )
        )
        try:
            ends: dict[int, int] = {}
            assignment = []
            for p in self.partitions(topic):
                low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
                if high > low:
                    ends[p] = high
                    assignment.append(TopicPartition(topic, p, low))
            if not assignment:
                return []
            consumer.assign(assignment)
            got: dict[int, list[Message]] = collections.defaultdict(list)
            deadline = time.monotonic() + timeout
            pending = set(ends)
            while pending:
                if time.monotonic() > deadline:
                    raise KafkaBrokerError(f"consume_all({topic}): partitions {pending} unfinished")
                msg = consumer.poll(0.5)
                if msg is None:
                    continue
                err = msg.error()
                if err is not None:
                    if err.code() == KafkaError._PARTITION_EOF:
                        if msg.offset() >= ends.get(msg.partition(), 0):
                            pending.discard(msg.partition())
                        continue
                    raise KafkaBrokerError(f"consume_all({topic}): {err}")
                p = msg.partition()
                if p in pending and msg.offset() < ends[p]:
                    ts_type, ts = msg.timestamp()
                    got[p].append(
                        Message(
                            topic=msg.topic(),
                            partition=p,
                            offset=msg.offset(),
                            key=msg.key(),
                            value=msg.value(),
                            timestamp_ms=ts,
                            # librdkafka: 1 CreateTime, 2 LogAppendTime; Kafka/Spark: 0, 1
                            timestamp_type=ts_type - 1,
                            headers=tuple((k, v) for k, v in (msg.headers() or [])),
                        )
                    )
                    if msg.offset() + 1 >= ends[p]:
                        pending.discard(p)
            return [m for p in sorted(got) for m in got[p]]
        finally:
            consumer.close()
