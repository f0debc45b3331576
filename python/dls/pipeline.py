"""Pipelines: :class:`DeltaLiveStorePipeline` runs the store's entities locally (an update of a
Delta Live Tables-like pipeline on the embedded engine) or generates the Databricks or Spark
project for them.

    >>> pipeline = DeltaLiveStorePipeline(store).with_filter(by_is_enabled() & by_group("main.etl"))
    >>> update = pipeline.run()          # doctest: +SKIP
    >>> [(d.name, d.status) for d in update.datasets]          # doctest: +SKIP
    [('main.etl.orders_bronze', 'COMPLETED')]

The pipeline is named after its group (characters outside ``[A-Za-z0-9_]`` as ``_``) unless
``pipeline=`` is given, and writes bare destinations into ``target=`` ("catalog.schema"), else the
group when it is a ``catalog.schema``, else ``main.default`` — as ``dls run``. Its state and event
log live in ``<warehouse>/_pipelines/<pipeline>/``.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Union

from . import _core
from .errors import DataQualityError, DlsError, NotFoundError, UsageError
from .filters import Predicate, by_is_enabled
from .models import DeltaLiveEntity, DeltaLiveEntityList
from .store import DeltaLiveStore

__all__ = [
    "QUARANTINE_COL",
    "can_quarantine",
    "quarantine_rules",
    "has_scd",
    "DeltaLiveStorePipeline",
    "PipelineUpdate",
    "DatasetUpdate",
    "ExpectationMetrics",
    "GeneratedProject",
]

#: The column of ``<destination>_invalid`` listing the expect_all rules a quarantined row failed.
QUARANTINE_COL = "_errors"


def can_quarantine(entity: DeltaLiveEntity) -> bool:
    """True when the entity's failing rows go to ``<destination>_invalid``: it is quarantined
    and has at least one ``expect_all`` rule."""
    return bool(entity.is_quarantined and entity.expectations.expect_all)


def quarantine_rules(entity: DeltaLiveEntity) -> Optional[str]:
    """The Spark SQL condition true for a row that fails any ``expect_all`` rule
    (``NOT((r1) AND (r2))``), or None when there is none."""
    rules = list(entity.expectations.expect_all.values())
    if not rules:
        return None
    return "NOT(" + " AND ".join(f"({r})" for r in rules) + ")"


def has_scd(entity: DeltaLiveEntity) -> bool:
    """True when the entity applies changes (SCD type 1 or 2) into its destination."""
    return entity.apply_changes is not None


@dataclass
class ExpectationMetrics:
    """Per-rule counts of one dataset's update."""

    name: str
    dataset: str
    action: str
    passed_records: int
    failed_records: int


@dataclass
class DatasetUpdate:
    """What one dataset did in an update: ``status`` is COMPLETED, UP_TO_DATE, FAILED or SKIPPED;
    row counts; files read (file sources); the backlog a streaming file source left for later
    batches (``backlog_files``/``backlog_bytes``, None when the source cannot tell); expectation
    metrics; the error of a failed (or reason of a skipped) dataset."""

    name: str
    entity_id: str
    kind: str
    status: str
    num_batches: int = 0
    num_input_rows: int = 0
    num_output_rows: int = 0
    dropped_records: int = 0
    quarantined_rows: int = 0
    apply_changes: bool = False
    num_upserted_rows: int = 0
    num_deleted_rows: int = 0
    num_tombstones_removed: int = 0
    num_input_files: int = 0
    num_input_bytes: int = 0
    backlog_files: Optional[int] = None
    backlog_bytes: Optional[int] = None
    error: Optional[str] = None
    error_code: int = 0
    duration_ms: int = 0
    expectations: List[ExpectationMetrics] = field(default_factory=list)


@dataclass
class PipelineUpdate:
    """The outcome of one update: per dataset (in graph order) its :class:`DatasetUpdate`."""

    pipeline: str
    update_id: str
    target: str
    duration_ms: int
    exit_code: int
    failure_summary: str
    datasets: List[DatasetUpdate] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every dataset completed or was up to date."""
        return self.exit_code == 0

    def find(self, name: str) -> Optional[DatasetUpdate]:
        """The dataset named ``name`` (qualified ``catalog.schema.table``, or its last part)."""
        for d in self.datasets:
            if d.name == name or d.name.rsplit(".", 1)[-1] == name:
                return d
        return None

    def raise_for_status(self) -> "PipelineUpdate":
        """Raises DataQualityError (an expect_all_or_fail rule failed) or DlsError (another
        failure) unless the update is ok; returns the update."""
        if self.ok:
            return self
        message = f"the update of pipeline '{self.pipeline}' failed:\n{self.failure_summary}"
        if self.exit_code == 4:
            raise DataQualityError(message)
        raise DlsError(message)

    @classmethod
    def _from_core(cls, d: Dict[str, Any]) -> "PipelineUpdate":
        datasets = []
        for ds in d.pop("datasets"):
            ds["expectations"] = [ExpectationMetrics(**m) for m in ds["expectations"]]
            datasets.append(DatasetUpdate(**ds))
        return cls(datasets=datasets, **d)


@dataclass
class GeneratedProject:
    """The files a generator wrote (paths relative to ``out``) and its warnings (entity features
    the target cannot express)."""

    out: str
    files: List[str]
    warnings: List[str]


def _sanitize(name: str) -> str:
    out = re.sub(r"[^A-Za-z0-9_]", "_", name)
    return "_" + out if out[:1].isdigit() else out


_NAME_PART = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class DeltaLiveStorePipeline:
    """A pipeline over the entities of ``store`` selected by a filter (:meth:`with_filter`;
    disabled entities never run). ``spark``: accepted and ignored. ``pipeline``/``target``: see
    the module documentation."""

    def __init__(
        self,
        store: DeltaLiveStore,
        spark: Any = None,
        *,
        filter: Optional[Predicate] = None,
        pipeline: Optional[str] = None,
        target: Optional[str] = None,
    ) -> None:
        self.store = store
        self.filter = filter
        self.pipeline = pipeline
        self.target = target

    def with_filter(self, predicate: Predicate) -> "DeltaLiveStorePipeline":
        """Selects the entities matching ``predicate`` (and enabled); returns the pipeline."""
        if not isinstance(predicate, Predicate):
            raise TypeError("with_filter takes a filter from dls.filters")
        self.filter = predicate
        return self

    def entities(self) -> DeltaLiveEntityList:
        """The latest enabled entities the pipeline runs."""
        predicate = by_is_enabled() if self.filter is None else self.filter & by_is_enabled()
        return self.store.find_entities(predicate)

    def _plan(self, pipeline: Optional[str], target: Optional[str]) -> Any:
        entities = self.entities()
        groups = sorted({e.group or "" for e in entities})
        if self.filter is None and len(groups) > 1:
            listing = ", ".join(g or "(none)" for g in groups)
            raise UsageError(
                f"the control table holds enabled entities of several groups ({listing}); a "
                "pipeline runs one: choose it with with_filter(by_group(...))"
            )
        group = groups[0] if len(groups) == 1 else ""
        name = pipeline or self.pipeline or (_sanitize(group) if group else "default")
        target = target or self.target
        if target is None:
            parts = group.split(".")
            target = group if len(parts) == 2 and all(_NAME_PART.match(p) for p in parts) else "main.default"
        parts = target.split(".")
        if len(parts) != 2 or not all(_NAME_PART.match(p) for p in parts):
            from .errors import InvalidMetadataError

            raise InvalidMetadataError(f"target: '{target}' is not a catalog.schema name")
        return entities, name, parts[0], parts[1]

    def run(
        self,
        full_refresh: Union[bool, Sequence[str]] = False,
        parallelism: int = 0,
        *,
        pipeline: Optional[str] = None,
        target: Optional[str] = None,
        check: bool = False,
    ) -> PipelineUpdate:
        """Runs one update locally and returns it with per-dataset status and metrics.

        ``full_refresh``: True reprocesses every dataset from scratch, a list of names only
        those. ``parallelism``: datasets run at once (0: up to 4). ``check``: raise (see
        :meth:`PipelineUpdate.raise_for_status`) when a dataset failed, instead of returning the
        update. Ctrl-C (KeyboardInterrupt) cancels the update promptly and cleanly: datasets not
        started are skipped; running ones stop, their running query interrupted, else before their
        next batch (a streaming table reads its input in batches, e.g. of
        ``cloudFiles.maxFilesPerTrigger`` files), keeping the batches they committed. Every
        commit is atomic, so every table stays readable, and the next run resumes where this
        one stopped.
        """
        entities, name, catalog, schema = self._plan(pipeline, target)
        if len(entities) == 0:
            raise NotFoundError("no enabled entities match the pipeline's filter")
        refresh_all = full_refresh is True
        refresh = [] if isinstance(full_refresh, bool) else [str(n) for n in full_refresh]
        update = PipelineUpdate._from_core(
            _core.run_pipeline(
                self.store.warehouse, entities._core_batch(), name, catalog, schema,
                refresh_all, refresh, int(parallelism),
            )
        )
        return update.raise_for_status() if check else update

    def graph(self, format: str = "text", *, target: Optional[str] = None) -> str:
        """The dataset graph: "text" (an indented tree), "dot" (Graphviz) or "mermaid"."""
        entities, _, catalog, schema = self._plan(None, target)
        return _core.render_graph(entities._core_batch(), catalog, schema, format)

    def generate(
        self,
        kind: str = "databricks",
        out: Union[str, "os.PathLike[str]"] = "bundle",
        *,
        target: Optional[str] = None,
        bundle_name: str = "dls",
        source_volume: Optional[str] = None,
        storage: Optional[str] = None,
    ) -> GeneratedProject:
        """Writes the Databricks Asset Bundle (``kind="databricks"``: Lakeflow SQL, pipeline and
        job resources) or the Spark Declarative Pipelines project (``kind="spark"``) for the
        selected entities into ``out``; metadata that cannot be generated raises
        InvalidMetadataError and writes nothing."""
        entities = self.entities()
        if len(entities) == 0:
            from .errors import InvalidMetadataError

            raise InvalidMetadataError("generate: no enabled entity matches the pipeline's filter")
        out_dir = os.path.abspath(os.fspath(out))
        if kind == "databricks":
            result = _core.generate_databricks(
                entities._core_batch(), out_dir, bundle_name, target, self.store.table, source_volume
            )
        elif kind == "spark":
            storage_root = storage or "file://" + os.path.join(out_dir, "storage")
            result = _core.generate_spark(entities._core_batch(), out_dir, target, storage_root)
        else:
            raise UsageError(f"generate: unknown kind '{kind}' (use 'databricks' or 'spark')")
        return GeneratedProject(out=out_dir, files=list(result["files"]), warnings=list(result["warnings"]))
