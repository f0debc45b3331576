"""The metadata model: :class:`DeltaLiveEntity` (one version of one entity, one row of the control
table), its parts :class:`Expectations` and :class:`ApplyChanges`, the seed's enumerations, and
:class:`DeltaLiveEntityList`, what the store's ``find_*`` methods return.

Field names, meanings and defaults are the seed's. The generated columns (``id``, ``created_ts``,
``expired_ts``, ``created_by``, ``modified_by``, ``is_latest``, ``hash``) are set by the store;
values given for them are ignored by ``upsert``.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
from dataclasses import dataclass, field
from enum import Enum
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    Iterable,
    Iterator,
    List,
    Optional,
    Sequence,
    Union,
    overload,
)

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow

    from ._core import EntityBatch

__all__ = [
    "DestinationType",
    "SourceFormat",
    "ExpectationAction",
    "ScdType",
    "Expectations",
    "ApplyChanges",
    "DeltaLiveEntity",
    "DeltaLiveEntityList",
    "GENERATED_COLUMNS",
]


class DestinationType(str, Enum):
    """What an entity's destination is: a persisted table or a view computed for its readers."""

    TABLE = "table"
    VIEW = "view"


class SourceFormat(str, Enum):
    """How an entity's source is read (the seed's nine formats, plus ``text``)."""

    CLOUD_FILES = "cloudFiles"
    KAFKA = "kafka"
    DELTA = "delta"
    DLT = "dlt"
    CSV = "csv"
    JSON = "json"
    PARQUET = "parquet"
    AVRO = "avro"
    ORC = "orc"
    TEXT = "text"


class ExpectationAction(str, Enum):
    """What a failing expectation does: keep and count (warn), drop the row, fail the update."""

    WARN = "expect_all"
    DROP = "expect_all_or_drop"
    FAIL = "expect_all_or_fail"


class ScdType(int, Enum):
    """``apply_changes.stored_as_scd_type``: 1 keeps the latest row per key, 2 keeps history."""

    SCD1 = 1
    SCD2 = 2


#: Columns the store sets; never written by users or loaders.
GENERATED_COLUMNS = ("id", "created_ts", "expired_ts", "created_by", "modified_by", "is_latest", "hash")

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)


def _to_datetime(value: Any) -> Optional[_dt.datetime]:
    """int microseconds (UTC), ISO-8601 text or datetime → an aware UTC datetime."""
    if value is None or isinstance(value, _dt.datetime):
        if isinstance(value, _dt.datetime) and value.tzinfo is None:
            return value.replace(tzinfo=_dt.timezone.utc)
        return value
    if isinstance(value, int):
        return _EPOCH + _dt.timedelta(microseconds=value)
    if isinstance(value, str):
        return _to_datetime(_dt.datetime.fromisoformat(value.replace("Z", "+00:00")))
    raise TypeError(f"not a timestamp: {value!r}")


def _iso(value: Optional[_dt.datetime]) -> Optional[str]:
    if value is None:
        return None
    value = _to_datetime(value)
    assert value is not None
    return value.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _enum_value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


@dataclass
class Expectations:
    """Data-quality rules, each a map rule name → Spark SQL boolean expression.

    ``expect_all`` keeps failing rows and counts them (or quarantines them), ``expect_all_or_drop``
    drops them, ``expect_all_or_fail`` fails the dataset's update. A rule evaluating to NULL fails.
    """

    expect_all: Dict[str, str] = field(default_factory=dict)
    expect_all_or_drop: Dict[str, str] = field(default_factory=dict)
    expect_all_or_fail: Dict[str, str] = field(default_factory=dict)

    def is_empty(self) -> bool:
        """True when there is no rule at all."""
        return not (self.expect_all or self.expect_all_or_drop or self.expect_all_or_fail)

    def to_dict(self) -> Dict[str, Dict[str, str]]:
        """The rules as plain dicts."""
        return {
            "expect_all": dict(self.expect_all),
            "expect_all_or_drop": dict(self.expect_all_or_drop),
            "expect_all_or_fail": dict(self.expect_all_or_fail),
        }

    @classmethod
    def from_dict(cls, data: Optional[Dict[str, Any]]) -> "Expectations":
        """Rules from a dict with any of the three keys (None: no rules)."""
        data = data or {}
        unknown = set(data) - {"expect_all", "expect_all_or_drop", "expect_all_or_fail"}
        if unknown:
            from .errors import InvalidMetadataError

            raise InvalidMetadataError(f"expectations: unknown key(s) {sorted(unknown)}")
        return cls(**{k: dict(v or {}) for k, v in data.items()})


@dataclass
class ApplyChanges:
    """Change data capture into the destination (DLT APPLY CHANGES / AUTO CDC), keyed by the
    entity's ``primary_keys``. ``sequence_by`` is required; empty lists mean "not given"."""

    sequence_by: str = ""
    where: Optional[str] = None
    ignore_null_updates: bool = False
    apply_as_deletes: Optional[str] = None
    apply_as_truncates: Optional[str] = None
    column_list: List[str] = field(default_factory=list)
    except_column_list: List[str] = field(default_factory=list)
    stored_as_scd_type: int = 1
    track_history_column_list: List[str] = field(default_factory=list)
    track_history_except_column_list: List[str] = field(default_factory=list)
    flow_name: Optional[str] = None
    ignore_null_updates_column_list: List[str] = field(default_factory=list)
    ignore_null_updates_except_column_list: List[str] = field(default_factory=list)

    def to_dict(self) -> Dict[str, Any]:
        """All fields as plain values."""
        d = dataclasses.asdict(self)
        d["stored_as_scd_type"] = int(_enum_value(self.stored_as_scd_type))
        return d

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "ApplyChanges":
        """From a dict of the fields (unknown keys: InvalidMetadataError)."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - names
        if unknown:
            from .errors import InvalidMetadataError

            raise InvalidMetadataError(f"apply_changes: unknown key(s) {sorted(unknown)}")
        return cls(**data)


_LIST_FIELDS = ("select_expr", "primary_keys", "partition_cols", "where_clause")
_MAP_FIELDS = ("read_options", "table_properties", "tags", "spark_conf", "sink_options")


@dataclass
class DeltaLiveEntity:
    """One version of one entity: where a dataset comes from, where it goes, how it is shaped.

    >>> e = DeltaLiveEntity(entity_id="1", source="/data/orders", destination="orders_bronze",
    ...                     read_options={"cloudFiles.format": "csv"})
    >>> e.source_format, e.is_streaming, e.is_enabled
    ('cloudFiles', True, True)
    """

    entity_id: str = ""
    source: str = ""
    destination: str = ""
    destination_type: str = "table"
    source_format: str = "cloudFiles"
    is_streaming: bool = True
    is_enabled: bool = True
    source_schema: Optional[str] = None
    primary_keys: List[str] = field(default_factory=list)
    select_expr: List[str] = field(default_factory=list)
    read_options: Dict[str, str] = field(default_factory=dict)
    table_properties: Dict[str, str] = field(default_factory=dict)
    tags: Dict[str, str] = field(default_factory=dict)
    spark_conf: Dict[str, str] = field(default_factory=dict)
    partition_cols: List[str] = field(default_factory=list)
    group: Optional[str] = None
    comment: Optional[str] = None
    expectations: Expectations = field(default_factory=Expectations)
    apply_changes: Optional[ApplyChanges] = None
    is_quarantined: bool = False
    # A dataset defined by Spark SQL (docs/sources.md): predicates applied after select_expr, and
    # the query of an entity without a source (source_format "sql").
    where_clause: List[str] = field(default_factory=list)
    query: Optional[str] = None
    # Several entities writing one streaming table are its append flows (docs/sources.md); a
    # `once` flow is a backfill that runs once (again only on a full refresh).
    flow_name: Optional[str] = None
    once: bool = False
    # A sink (destination_type "sink", Databricks' create_sink; docs/sources.md): the flow's rows
    # leave the pipeline for a Kafka topic (sink_format "kafka", at least once; sink_options
    # "kafka.bootstrap.servers", "topic") or a Delta table (sink_format "delta", exactly once;
    # sink_options "path" or "tableName"). Unset / empty for tables and views.
    sink_format: Optional[str] = None
    sink_options: Dict[str, str] = field(default_factory=dict)
    # --- generated by the store ---
    id: Optional[str] = None
    is_latest: bool = True
    created_ts: Optional[_dt.datetime] = None
    expired_ts: Optional[_dt.datetime] = None
    created_by: Optional[str] = None
    modified_by: Optional[str] = None
    hash: Optional[str] = None

    def __post_init__(self) -> None:
        # Accept the shapes a YAML file or a dict gives (the seed's models did the same).
        if isinstance(self.expectations, dict) or self.expectations is None:
            self.expectations = Expectations.from_dict(self.expectations)
        if isinstance(self.apply_changes, dict):
            self.apply_changes = ApplyChanges.from_dict(self.apply_changes)
        if self.query is not None and self.source_format == "cloudFiles" and not self.source:
            # A dataset defined by a query has no source: its format is "sql", and without a
            # STREAM(...) read it is a materialized view (is_streaming's default of True would be
            # an error the core reports).
            self.source_format = "sql"
            if "STREAM" not in self.query.upper():
                self.is_streaming = False
        self.created_ts = _to_datetime(self.created_ts)
        self.expired_ts = _to_datetime(self.expired_ts)

    def to_dict(self, generated: bool = True) -> Dict[str, Any]:
        """The fields as plain values (JSON-compatible: timestamps as ISO-8601 UTC text). Without
        ``generated``, the store's generated columns are left out."""
        d: Dict[str, Any] = {}
        for f in dataclasses.fields(self):
            if not generated and f.name in GENERATED_COLUMNS:
                continue
            value = getattr(self, f.name)
            if f.name == "expectations":
                value = value.to_dict() if isinstance(value, Expectations) else value
            elif f.name == "apply_changes":
                value = value.to_dict() if isinstance(value, ApplyChanges) else value
            elif f.name in ("created_ts", "expired_ts"):
                value = _iso(value)
            elif f.name in _LIST_FIELDS and isinstance(value, (list, tuple)):
                value = list(value)
            elif f.name in _MAP_FIELDS and isinstance(value, dict):
                value = {k: _enum_value(v) for k, v in value.items()}
            else:
                value = _enum_value(value)
            d[f.name] = value
        return d

    def to_json(self, generated: bool = True) -> str:
        """``to_dict`` as JSON text (the JSON of ``dls list --format json``)."""
        return json.dumps(self.to_dict(generated), sort_keys=True)

    def to_yaml(self) -> str:
        """The entity as a mapping of the YAML file format (generated columns left out)."""
        from . import _core

        return _core.entity_to_yaml(json.dumps([self.to_dict(generated=False)]))

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "DeltaLiveEntity":
        """An entity from a dict of its fields (e.g. ``to_dict()``'s or one YAML mapping)."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - names
        if unknown:
            from .errors import InvalidMetadataError

            raise InvalidMetadataError(f"entity: unknown field(s) {sorted(unknown)}")
        return cls(**data)

    def copy(self, **changes: Any) -> "DeltaLiveEntity":
        """A deep copy with ``changes`` applied."""
        return dataclasses.replace(DeltaLiveEntity.from_dict(json.loads(self.to_json())), **changes)


# The C++ core builds the entities of find_* results as instances of these classes, directly
# (EntityBatch.entities(): one call for a whole list, no dict per entity).
def _register_with_core() -> None:
    from . import _core

    _core.set_entity_types(DeltaLiveEntity, Expectations, ApplyChanges)


_register_with_core()


class DeltaLiveEntityList(Sequence[DeltaLiveEntity]):
    """An ordered list of entities (what ``find_entities``/``find_history`` return).

    Entities found in the store stay on the C++ side until they are looked at, so a large
    result costs nothing to return. Supports ``len``, indexing, slicing, iteration, ``==`` with
    another list or a Python list, and renderings: :meth:`to_arrow`, :meth:`to_pandas`,
    :meth:`to_df` (Spark), :meth:`to_json`, :meth:`to_yaml`.
    """

    def __init__(
        self, entities: Optional[Iterable[DeltaLiveEntity]] = None, *, _batch: Optional["EntityBatch"] = None
    ) -> None:
        self._batch = _batch
        # Entities of a C++ batch are built when first looked at: one at a time by indexing, all
        # at once (one C++ call) by iteration; _missing counts those not built yet.
        self._missing = 0
        if _batch is not None:
            self._items: List[Optional[DeltaLiveEntity]] = [None] * len(_batch)
            self._missing = len(self._items)
        else:
            self._items = list(entities or [])
            for e in self._items:
                if not isinstance(e, DeltaLiveEntity):
                    raise TypeError(f"DeltaLiveEntityList holds DeltaLiveEntity objects, not {type(e).__name__}")

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> DeltaLiveEntity: ...

    @overload
    def __getitem__(self, index: slice) -> "DeltaLiveEntityList": ...

    def __getitem__(self, index: Union[int, slice]) -> Any:
        if isinstance(index, slice):
            return DeltaLiveEntityList([self[i] for i in range(*index.indices(len(self)))])
        if index < 0:
            index += len(self._items)
        if not 0 <= index < len(self._items):
            raise IndexError("entity index out of range")
        item = self._items[index]
        if item is None:
            assert self._batch is not None  # only a batch's entities are built lazily
            item = self._batch.entity(index)
            self._items[index] = item
            self._missing -= 1
        return item

    def _build_all(self) -> List[DeltaLiveEntity]:
        """Every entity as a Python object (those of a C++ batch built in one call)."""
        if self._missing:
            assert self._batch is not None
            built: List[Optional[DeltaLiveEntity]] = list(self._batch.entities())
            if self._missing == len(self._items):
                self._items = built
            else:  # keep the objects already handed out (they may have been changed)
                self._items = [old if old is not None else new for old, new in zip(self._items, built)]
            self._missing = 0
        return self._items  # type: ignore[return-value]  # no None left

    def __iter__(self) -> Iterator[DeltaLiveEntity]:
        return iter(self._build_all())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DeltaLiveEntityList):
            other = other.entities
        if isinstance(other, list):
            return self.entities == other
        return NotImplemented

    def __repr__(self) -> str:
        return f"DeltaLiveEntityList({len(self)} entities)"

    def __str__(self) -> str:
        return self.to_table()

    @property
    def entities(self) -> List[DeltaLiveEntity]:
        """The entities as a Python list."""
        return list(self._build_all())

    def to_list(self) -> List[DeltaLiveEntity]:
        """The entities as a Python list."""
        return list(self._build_all())

    def to_dicts(self, generated: bool = True) -> List[Dict[str, Any]]:
        """Each entity's ``to_dict()``."""
        return [e.to_dict(generated) for e in self]

    def first(self) -> Optional[DeltaLiveEntity]:
        """The first entity, or None when the list is empty."""
        return self[0] if self._items else None

    def filter(self, predicate: Callable[[DeltaLiveEntity], bool]) -> "DeltaLiveEntityList":
        """The entities for which ``predicate`` (a filter or any callable) is true, in order."""
        return DeltaLiveEntityList([e for e in self if predicate(e)])

    def entity_ids(self) -> List[str]:
        """The entity_id of each entity, in order."""
        return [e.entity_id for e in self]

    def to_json(self) -> str:
        """A JSON array of the entities (every field), as ``dls list --format json`` prints."""
        if self._batch is not None:
            return self._batch.to_json()
        return json.dumps(self.to_dicts(), sort_keys=True)

    def to_yaml(self) -> str:
        """The entities in the YAML file format (generated columns left out)."""
        return self._core_batch().to_yaml()

    def to_table(self) -> str:
        """An aligned text table for people, one row per entity."""
        return self._core_batch().to_table()

    def _core_batch(self) -> "EntityBatch":
        """The C++ list of these entities (validated when built from Python objects)."""
        if self._batch is None:
            from . import _core

            self._batch = _core.entity_batch_from_json(json.dumps(self.to_dicts()), "entities")
        return self._batch

    def to_arrow(self) -> "pyarrow.Table":
        """The entities as a pyarrow Table with the control table's columns and nested types."""
        from ._arrow import entities_to_arrow

        return entities_to_arrow(self)

    def to_pandas(self) -> Any:
        """The entities as a pandas DataFrame (through :meth:`to_arrow`)."""
        return self.to_arrow().to_pandas()

    def to_df(self, spark: Any = None) -> Any:
        """The entities as a Spark DataFrame with the seed's columns and nested types (needs the
        ``dls[spark]`` extra). ``spark``: the session to use; default the active one, else
        :func:`dls.utils.create_session`."""
        from ._spark import entities_to_spark

        return entities_to_spark(self, spark)
