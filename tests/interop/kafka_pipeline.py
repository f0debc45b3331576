"""Helpers of the Kafka interop tests (test_kafka_source.py, test_kafka_sinks.py): a pipeline YAML
for group main.k, loading and running it with dls, and the expected Spark-Kafka-source rows."""

from __future__ import annotations

import datetime as dt
import pathlib
import uuid
from collections.abc import Callable, Iterable
from typing import Any

import yaml

from kafka_broker import Message

GROUP = "main.k"
# Spark's Kafka source columns, in its order (headers only with includeHeaders true).
KAFKA_COLUMNS = ["key", "value", "topic", "partition", "offset", "timestamp", "timestampType"]
# Their Delta types as the table's schema names them (delta-rs DeltaTable.schema()).
KAFKA_DELTA_TYPES = ["binary", "binary", "string", "integer", "long", "timestamp", "integer"]

RunDls = Callable[..., Any]


def unique(prefix: str) -> str:
    """A topic name no other test of the module uses (one broker serves the whole module)."""
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def table_path(warehouse: pathlib.Path, name: str) -> pathlib.Path:
    """The Delta table of a main.k dataset."""
    return warehouse / "main" / "k" / name


def kafka_entity(
    source: str,
    bootstrap: str,
    *,
    entity_id: str = "events_bronze",
    destination: str = "events_bronze",
    select_expr: list[str] | None = None,
    **read_options: str,
) -> dict[str, Any]:
    """A `source_format: kafka` streaming table of group main.k."""
    options = {"kafka.bootstrap.servers": bootstrap, **read_options}
    return {
        "entity_id": entity_id,
        "group": GROUP,
        "source": source,
        "source_format": "kafka",
        "destination": destination,
        "read_options": options,
        "select_expr": select_expr or ["*"],
    }


def load(run_dls: RunDls, warehouse: pathlib.Path, entities: list[dict[str, Any]]) -> pathlib.Path:
    """Writes the entities as a pipeline YAML next to the warehouse and `dls load yaml`s it (the
    control table is created on first use)."""
    if not (warehouse / "main" / "dls" / "control_table").exists():
        run_dls("store", "init")
    path = warehouse.parent / "pipeline.yml"
    path.write_text(yaml.safe_dump({"delta_live_store": entities}, sort_keys=False))
    run_dls("load", "yaml", path)
    return path


def run(run_dls: RunDls, *args: str, check: bool = True) -> Any:
    """`dls run --group main.k [args]` (the CompletedProcess)."""
    return run_dls("run", "--group", GROUP, *args, check=check)


def ts(ms: int) -> dt.datetime:
    """A Kafka timestamp (ms since the epoch) as the naive UTC datetime rows() gives."""
    return dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=ms)


def expected_rows(messages: Iterable[Message], headers: bool = False) -> list[tuple[Any, ...]]:
    """The rows Spark's Kafka source gives for these records, in KAFKA_COLUMNS order (+ headers)."""
    out = []
    for m in messages:
        row: tuple[Any, ...] = (
            m.key,
            m.value,
            m.topic,
            m.partition,
            m.offset,
            ts(m.timestamp_ms),
            m.timestamp_type,
        )
        if headers:  # NULL for a record without headers, as Spark gives
            row += (tuple((k, v) for k, v in m.headers) or None,)
        out.append(row)
    return out


def delta_history(path: pathlib.Path) -> list[dict[str, Any]]:
    from deltalake import DeltaTable

    return list(DeltaTable(str(path)).history())


def delta_version(path: pathlib.Path) -> int:
    from deltalake import DeltaTable

    return int(DeltaTable(str(path)).version())


def delta_types(path: pathlib.Path) -> dict[str, str]:
    """column -> the Delta type of the table's schema (primitive names; others as their JSON)."""
    from deltalake import DeltaTable
    from deltalake.schema import PrimitiveType

    out = {}
    for f in DeltaTable(str(path)).schema().fields:
        t = f.type
        out[f.name] = t.type if isinstance(t, PrimitiveType) else t.to_json()
    return out
