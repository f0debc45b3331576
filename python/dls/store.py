"""The metadata store: :class:`DeltaLiveStore`, every version of every entity kept as SCD type 2
history in a Delta Lake control table.

    >>> store = DeltaLiveStore("main.etl.control_table", warehouse=str(tmp_path / "wh"))
    >>> store.initialize()
    >>> change = store.upsert(DeltaLiveEntity(entity_id="1", source="/data/a", destination="a_bronze",
    ...                                       read_options={"cloudFiles.format": "csv"}))
    >>> change.inserted
    ['1']
    >>> [e.destination for e in store.find_entities(by_is_enabled())]
    ['a_bronze']

Guarantees (the C++ store's): ``upsert``/``enable``/``disable`` are each one atomic Delta commit;
concurrent writers (threads, processes) never lose an update; a call that raises changes nothing.
One store object should be used by one thread at a time; use one per thread (the GIL is released
during every table access, so threads run in parallel).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Union

from . import _core
from ._warehouse import resolve_warehouse
from .filters import Predicate, by_all, by_entity_id, by_is_enabled, split_pushdown
from .models import DeltaLiveEntity, DeltaLiveEntityList

__all__ = ["DeltaLiveStore", "StoreChange", "StoreStatus", "DEFAULT_TABLE"]

#: The control table the ``dls`` command uses by default.
DEFAULT_TABLE = "main.dls.control_table"


@dataclass
class StoreChange:
    """What an ``upsert``/``enable``/``disable`` call did: the control-table ``version`` written
    (or the current one when nothing changed) and the entity_ids inserted (first version), updated
    (new version) and unchanged (latest version already matched)."""

    version: int = -1
    inserted: List[str] = field(default_factory=list)
    updated: List[str] = field(default_factory=list)
    unchanged: List[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """True when a new version was written."""
        return bool(self.inserted or self.updated)


@dataclass
class StoreStatus:
    """A summary of the control table (``dls store status``)."""

    initialized: bool
    location: str
    version: int
    latest_entities: int
    enabled_entities: int
    history_rows: int
    groups: List[str]


class DeltaLiveStore:
    """The control table ``table`` (``catalog.schema.table``, ``schema.table`` in catalog
    ``main``, or a path containing ``/``) in the warehouse.

    ``warehouse``: the warehouse directory; default ``$DLS_WAREHOUSE``, else ``./warehouse`` (as
    the ``dls`` command). ``spark``: accepted and ignored, so seed code that passes its session
    runs unchanged (dls runs locally, without Spark). ``user``: recorded in created_by and
    modified_by; default ``$DLS_USER``, else the login name.
    """

    def __init__(
        self,
        table: str = DEFAULT_TABLE,
        spark: Any = None,
        *,
        warehouse: Optional[Union[str, "os.PathLike[str]"]] = None,
        user: Optional[str] = None,
    ) -> None:
        self._table = table
        self._warehouse = resolve_warehouse(warehouse)
        location = _core.resolve_table(self._warehouse, table)
        self._store = _core.Store(location, user)

    # --- where -----------------------------------------------------------------------------
    @property
    def table(self) -> str:
        """The control table's name as given."""
        return self._table

    @property
    def location(self) -> str:
        """The control table's directory (absolute)."""
        return self._store.location

    @property
    def warehouse(self) -> str:
        """The warehouse directory (absolute)."""
        return self._warehouse

    @property
    def user(self) -> str:
        """The user recorded in created_by / modified_by."""
        return self._store.user

    def __repr__(self) -> str:
        return f"DeltaLiveStore({self._table!r}, warehouse={self._warehouse!r})"

    # --- the table ---------------------------------------------------------------------------
    def initialize(self) -> None:
        """Creates the control table (version 0) if it does not exist; idempotent."""
        self._store.initialize()

    def destroy(self) -> None:
        """Deletes the control table and all its history; idempotent."""
        self._store.destroy()

    def is_initialized(self) -> bool:
        """True when the control table exists."""
        return self._store.is_initialized()

    @property
    def version(self) -> int:
        """The control table's Delta version (-1 when not initialized)."""
        return self._store.version()

    def status(self) -> StoreStatus:
        """Counts and groups of the control table."""
        return StoreStatus(**self._store.status())

    def set_retry_budget(self, attempts: int) -> None:
        """How many times a write retries after a commit conflict before ConflictError."""
        self._store.set_retry_budget(attempts)

    # --- writing -----------------------------------------------------------------------------
    def upsert(self, entities: Union[DeltaLiveEntity, Iterable[DeltaLiveEntity]]) -> StoreChange:
        """Writes a new version of each entity whose content changed (SCD type 2); a new entity
        gets its first version. One atomic commit for the whole list; nothing is written when an
        entity is invalid (InvalidMetadataError lists every problem) or when nothing changed.
        Generated columns of the given entities are ignored."""
        items = [entities] if isinstance(entities, DeltaLiveEntity) else list(entities)
        for e in items:
            if not isinstance(e, DeltaLiveEntity):
                raise TypeError(f"upsert takes DeltaLiveEntity objects, not {type(e).__name__}")
        payload = json.dumps([e.to_dict(generated=False) for e in items])
        return StoreChange(**self._store.upsert_json(payload))

    def enable(self, predicate: Predicate) -> StoreChange:
        """Enables the latest versions matching ``predicate`` and, recursively, everything
        upstream of them (whose destination is an enabled entity's source)."""
        return StoreChange(**self._store.enable(self._selection_text(predicate)))

    def disable(self, predicate: Predicate) -> StoreChange:
        """Disables the latest versions matching ``predicate`` and, recursively, every entity
        downstream of them (whose source is a disabled entity's destination)."""
        return StoreChange(**self._store.disable(self._selection_text(predicate)))

    def _selection_text(self, predicate: Predicate) -> str:
        # A predicate with Python parts selects by the entity_ids it matches.
        pushed, rest = split_pushdown(predicate)
        if not rest:
            return pushed
        ids = [e.entity_id for e in self.find_entities(predicate)]
        if not ids:
            return "~by_all()"
        selection = by_entity_id(ids[0])
        for entity_id in ids[1:]:
            selection = selection | by_entity_id(entity_id)
        text = selection.to_text()
        assert text is not None
        return text

    # --- reading -----------------------------------------------------------------------------
    def find_entities(self, predicate: Optional[Predicate] = None) -> DeltaLiveEntityList:
        """The latest versions matching ``predicate`` (default: ``by_is_enabled()``); applies
        ``by_is_latest()`` implicitly."""
        return self._find(self._store.find_entities, by_is_enabled() if predicate is None else predicate)

    def find_history(self, predicate: Optional[Predicate] = None) -> DeltaLiveEntityList:
        """Every version matching ``predicate`` (default: ``by_all()``), newest first."""
        return self._find(self._store.find_history, by_all() if predicate is None else predicate)

    def find_entity(self, predicate: Predicate) -> Optional[DeltaLiveEntity]:
        """The first latest version matching ``predicate``, or None."""
        return self.find_entities(predicate).first()

    def entity_exists(self, predicate: Predicate) -> bool:
        """True when a latest version matches ``predicate``."""
        return len(self.find_entities(predicate)) > 0

    def _find(self, find: Any, predicate: Predicate) -> DeltaLiveEntityList:
        pushed, rest = split_pushdown(predicate)
        found = DeltaLiveEntityList(_batch=find(pushed))
        if not rest:
            return found
        return DeltaLiveEntityList([e for e in found if all(p(e) for p in rest)])

    # --- YAML --------------------------------------------------------------------------------
    def to_yaml(self) -> str:
        """The latest versions (enabled or not) in the YAML file format (``dls export yaml``)."""
        return _core.export_yaml(self._store, "")

    def to_df(self, spark: Any = None) -> Any:
        """Every version as a Spark DataFrame (needs the ``dls[spark]`` extra)."""
        return self.find_history().to_df(spark)

    def to_arrow(self) -> Any:
        """Every version as a pyarrow Table."""
        return self.find_history().to_arrow()
