"""Loaders fill a :class:`~dls.store.DeltaLiveStore` from outside metadata: a YAML file
(:class:`YamlLoader`), a directory of datasets (:class:`FileServiceLoader` with a factory), a list
of entities (:class:`ListLoader`) or JSON (:class:`JsonLoader`).

Every loader validates everything before writing anything and writes in one atomic commit: invalid
input raises :class:`~dls.errors.InvalidMetadataError` (every problem, located) and leaves the
store unchanged.
"""

from __future__ import annotations

import json
import os
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Optional, Union

from . import _core
from .errors import InvalidMetadataError
from .models import DeltaLiveEntity

__all__ = [
    "DeltaLiveStoreLoader",
    "LoadSummary",
    "YamlLoader",
    "JsonLoader",
    "ListLoader",
    "FileServiceLoader",
    "DirectoryEntry",
    "EntityFactory",
    "entity_from_directory_entry",
    "medallion_from_directory_entry",
]

PathLike = Union[str, "os.PathLike[str]"]


@dataclass
class LoadSummary:
    """What a load did: entity_ids inserted, updated, unchanged and disabled (missing from their
    group in a YAML file, or downstream of one), the control-table ``version`` after it, and the
    input's validation ``warnings``."""

    source: str = ""
    version: int = -1
    inserted: List[str] = field(default_factory=list)
    updated: List[str] = field(default_factory=list)
    unchanged: List[str] = field(default_factory=list)
    disabled: List[str] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """True when the load wrote a new version."""
        return bool(self.inserted or self.updated or self.disabled)

    @classmethod
    def _from_json(cls, text: str) -> "LoadSummary":
        d = json.loads(text)
        return cls(
            source=d.get("source", ""),
            version=d.get("version", -1),
            inserted=d.get("inserted", []),
            updated=d.get("updated", []),
            unchanged=d.get("unchanged", []),
            disabled=d.get("disabled", []),
            warnings=[str(w) for w in d.get("warnings", [])],
        )


class DeltaLiveStoreLoader(ABC):
    """The seed's loader interface: ``load(store)`` fills the store and says what changed."""

    @abstractmethod
    def load(self, store: Any) -> LoadSummary:
        """Loads into ``store`` (a :class:`~dls.store.DeltaLiveStore`)."""


def _require_initialized(store: Any) -> None:
    if not store.is_initialized():
        from .errors import DlsError

        raise DlsError(
            f"the control table {store.table} does not exist (at {store.location}): "
            "create it with store.initialize()"
        )


class YamlLoader(DeltaLiveStoreLoader):
    """The seed's YAML file format (``delta_live_store:`` list of entities).

    ``load(store)`` validates the whole file (every error as ``file:line:column: error: ...``),
    disables the enabled entities of each group the file mentions that the file no longer
    contains (and their downstream entities), and upserts the file's entities — one commit.
    ``export(store)`` (also ``store(store)``) writes the store's latest entities to the file.
    ``spark``: accepted and ignored.
    """

    def __init__(self, path: PathLike, spark: Any = None) -> None:
        self.path = os.fspath(path)

    def load(self, store: Any) -> LoadSummary:
        """Loads the file into ``store``."""
        return LoadSummary._from_json(_core.yaml_load(store._store, self.path))

    def validate(self) -> int:
        """Parses and validates the file without a store; the number of entities."""
        return _core.yaml_check(self.path)

    def export(self, store: Any, schema: Optional[PathLike] = None) -> str:
        """Writes ``store``'s latest entities (enabled or not) to the file in the YAML format,
        with a ``yaml-language-server`` schema line when ``schema`` (a path) is given; returns
        the text written."""
        ref = _core.schema_reference(os.fspath(schema), self.path) if schema is not None else ""
        text = _core.export_yaml(store._store, ref)
        directory = os.path.dirname(os.path.abspath(self.path))
        os.makedirs(directory, exist_ok=True)
        with open(self.path, "w", encoding="utf-8") as f:
            f.write(text)
        return text

    #: The seed's name for :meth:`export`.
    store = export


class JsonLoader(DeltaLiveStoreLoader):
    """A JSON array of entity objects (or one object), as ``dls list --format json`` prints it:
    a file ``path``, or ``text``. Generated columns in the input are ignored."""

    def __init__(self, path: Optional[PathLike] = None, *, text: Optional[str] = None) -> None:
        if (path is None) == (text is None):
            raise TypeError("JsonLoader takes a path or text=, not both")
        self.path = os.fspath(path) if path is not None else None
        self.text = text

    def load(self, store: Any) -> LoadSummary:
        """Loads the entities into ``store``."""
        if self.path is not None:
            try:
                with open(self.path, encoding="utf-8") as f:
                    text = f.read()
            except OSError as e:
                from .errors import NotFoundError

                raise NotFoundError(f"{self.path}: cannot read: {e.strerror}") from e
            return LoadSummary._from_json(_core.json_load_text(store._store, text, self.path))
        assert self.text is not None
        return LoadSummary._from_json(_core.json_load_text(store._store, self.text, "<text>"))


class ListLoader(DeltaLiveStoreLoader):
    """A list of entities (the seed's ``load_from_list``): validated together, upserted in one
    commit."""

    def __init__(self, entities: Iterable[DeltaLiveEntity], spark: Any = None) -> None:
        self.entities = list(entities)

    def load(self, store: Any) -> LoadSummary:
        """Upserts the entities into ``store``."""
        for e in self.entities:
            if not isinstance(e, DeltaLiveEntity):
                raise TypeError(f"ListLoader holds DeltaLiveEntity objects, not {type(e).__name__}")
        text = json.dumps([e.to_dict(generated=False) for e in self.entities])
        return LoadSummary._from_json(_core.json_load_text(store._store, text, "list"))


@dataclass(frozen=True)
class DirectoryEntry:
    """One immediate sub-directory of a loader's root: its ``name``, absolute ``path``, the
    ``file_format`` detected from its files (csv, json, parquet, avro, orc, xml, text, or None),
    and how many files were seen."""

    name: str
    path: str
    file_format: Optional[str] = None
    file_count: int = 0

    @property
    def is_dir(self) -> bool:
        """Always True (entries are directories); the seed's FileInfo had it."""
        return True


#: A factory: one directory entry → the entities that ingest it.
EntityFactory = Callable[[DirectoryEntry], List[DeltaLiveEntity]]


def _factory(medallion: bool, options: Dict[str, Any]) -> EntityFactory:
    options_json = json.dumps({k: v for k, v in options.items() if v is not None})

    def factory(entry: DirectoryEntry) -> List[DeltaLiveEntity]:
        return _core.directory_factory_entities(
            medallion, options_json, entry.name, entry.path, entry.file_format, entry.file_count
        )

    factory.__name__ = "medallion_from_directory_entry" if medallion else "entity_from_directory_entry"
    return factory


def entity_from_directory_entry(
    group: Optional[str] = None,
    source_format: str = "cloudFiles",
    file_format: Optional[str] = None,
    read_options: Optional[Dict[str, str]] = None,
    source_schema: Optional[str] = None,
    bronze: Optional[Dict[str, Any]] = None,
) -> EntityFactory:
    """A factory making one bronze entity per directory: source = the directory, destination =
    ``prefix + name + "_bronze"`` (``bronze={"prefix": ..., "suffix": ..., "tags": ...,
    "expectations": ..., "is_quarantined": ..., "primary_keys": ..., ...}`` customises it), a
    deterministic entity_id (the same directory gives the same id on every run), and for
    cloudFiles the detected ``cloudFiles.format`` unless ``file_format`` is given."""
    return _factory(
        False,
        dict(group=group, source_format=source_format, file_format=file_format,
             read_options=read_options, source_schema=source_schema, bronze=bronze),
    )


def medallion_from_directory_entry(
    group: Optional[str] = None,
    source_format: str = "cloudFiles",
    file_format: Optional[str] = None,
    read_options: Optional[Dict[str, str]] = None,
    source_schema: Optional[str] = None,
    bronze: Optional[Dict[str, Any]] = None,
    silver: Optional[Dict[str, Any]] = None,
) -> EntityFactory:
    """A factory making a bronze entity (as :func:`entity_from_directory_entry`) and a silver
    entity reading it (source_format dlt, streaming; ``silver={...}`` customises it) per
    directory."""
    return _factory(
        True,
        dict(group=group, source_format=source_format, file_format=file_format,
             read_options=read_options, source_schema=source_schema, bronze=bronze, silver=silver),
    )


class FileServiceLoader(DeltaLiveStoreLoader):
    """One entity — or more, as the ``factory`` decides — per immediate sub-directory of a local
    or mounted directory ``path`` (hidden directories, starting with ``.`` or ``_``, and plain
    files are ignored; entries sorted by name).

    ``factory``: any callable taking a :class:`DirectoryEntry` and returning a list of entities
    (or one); default :func:`entity_from_directory_entry`. ``host``/``token``/``spark``: the
    seed's Databricks workspace arguments, accepted and ignored (the directory is read locally).
    Two entries making the same entity_id or destination is an InvalidMetadataError naming both
    directories; nothing is written.
    """

    def __init__(
        self,
        path: PathLike,
        host: Optional[str] = None,
        token: Optional[str] = None,
        factory: Optional[Callable[[DirectoryEntry], Any]] = None,
        spark: Any = None,
    ) -> None:
        self.path = os.fspath(path)
        self.factory = factory if factory is not None else entity_from_directory_entry()

    def entries(self) -> List[DirectoryEntry]:
        """The directory entries, in the order they are loaded."""
        return [DirectoryEntry(**d) for d in _core.list_directory_entries(self.path)]

    def entities(self) -> List[DeltaLiveEntity]:
        """The entities the factory makes for the current directory tree (checked for duplicate
        ids and destinations); reads no store."""
        out: List[DeltaLiveEntity] = []
        by_id: Dict[str, str] = {}
        by_destination: Dict[str, str] = {}
        for entry in self.entries():
            made = self.factory(entry)
            if isinstance(made, DeltaLiveEntity):
                made = [made]
            for e in made or []:
                if not isinstance(e, DeltaLiveEntity):
                    raise InvalidMetadataError(
                        f"{entry.path}: the factory returned {type(e).__name__}, not DeltaLiveEntity"
                    )
                for seen, key, what in ((by_destination, e.destination, "destination"), (by_id, e.entity_id, "entity_id")):
                    if key in seen and seen[key] != entry.path:
                        raise InvalidMetadataError(
                            f"directories {seen[key]} and {entry.path} both make {what} '{key}': "
                            "rename one of them or use a factory that tells them apart"
                        )
                    seen[key] = entry.path
                out.append(e)
        return out

    def load(self, store: Any) -> LoadSummary:
        """Loads every entry's entities into ``store`` in one commit."""
        _require_initialized(store)
        entities = self.entities()
        if not entities:
            return LoadSummary(source=self.path, version=store.version)
        change = store.upsert(entities)
        return LoadSummary(
            source=self.path,
            version=change.version,
            inserted=change.inserted,
            updated=change.updated,
            unchanged=change.unchanged,
        )
