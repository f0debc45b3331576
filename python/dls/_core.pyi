"""Type stubs of dls._core, the C++ core of the package (nanobind): the layers' APIs as the dls.*
modules use them. Use those modules instead; this one may change between versions.

Entities go in as JSON text (validated by the C++ codec) and come out as dls.models objects;
predicates go in as their text form; Arrow results come out as Arrow C stream capsules. Calls that
touch tables release the GIL. tests/python/test_stubs.py checks this file against the module.
"""

from typing import Any, Dict, List, Optional

from .models import DeltaLiveEntity

__version__: str

class EntityBatch:
    """Entities held on the C++ side (a find_* result); read by index."""

    def __len__(self) -> int: ...
    def entity(self, i: int) -> DeltaLiveEntity:
        """The i-th entity as a dls.models.DeltaLiveEntity."""
    def entities(self) -> List[DeltaLiveEntity]:
        """Every entity as a dls.models.DeltaLiveEntity, built in one call (a list)."""
    def to_json(self) -> str:
        """The entities as a JSON array (every field), as `dls list --format json` prints."""
    def to_yaml(self) -> str:
        """The entities in the YAML file format (generated columns left out)."""
    def to_table(self) -> str:
        """An aligned text table of the entities, one row each."""

def set_entity_types(entity: type, expectations: type, apply_changes: type) -> None:
    """Registers dls.models' DeltaLiveEntity, Expectations and ApplyChanges classes, whose
    instances EntityBatch.entity()/entities() build (dls.models calls it on import)."""

def entity_batch_from_json(json_text: str, origin: str = "entities") -> EntityBatch:
    """Validated entities from a JSON array (entity_codec.h); raises InvalidMetadataError."""

def entity_to_yaml(json_text: str) -> str:
    """One entity (a JSON array of one entity object) as a mapping of the YAML file format."""

class Store:
    """The control table at a location (C++ DeltaLiveStore)."""

    def __init__(self, table_root: str, user: Optional[str] = None) -> None:
        """The control table in directory `table_root`; `user` recorded in created_by /
        modified_by (default: $DLS_USER, else the login name)."""
    @property
    def location(self) -> str:
        """The control table's directory."""
    @property
    def user(self) -> str:
        """The user recorded in created_by / modified_by."""
    def initialize(self) -> None:
        """Creates the control table (version 0) if it does not exist; idempotent."""
    def destroy(self) -> None:
        """Deletes the control table and its history; idempotent."""
    def is_initialized(self) -> bool:
        """True when the control table exists."""
    def version(self) -> int:
        """The control table's Delta version (-1 when not initialized)."""
    def set_retry_budget(self, attempts: int) -> None:
        """How many times a write retries after a commit conflict."""
    def status(self) -> Dict[str, Any]:
        """Counts and groups of the control table, as a dict (`dls store status`)."""
    def upsert_json(self, json_text: str) -> Dict[str, Any]:
        """Upserts the entities of a JSON array (validated first; one commit); returns the change
        as a dict of version, inserted, updated, unchanged."""
    def find_entities(self, predicate: str) -> EntityBatch:
        """The latest versions matching the predicate (its text form), pushed down into the scan."""
    def find_history(self, predicate: str) -> EntityBatch:
        """Every version matching the predicate (its text form), newest first."""
    def enable(self, predicate: str) -> Dict[str, Any]:
        """Enables the matching latest versions and everything upstream; returns the change."""
    def disable(self, predicate: str) -> Dict[str, Any]:
        """Disables the matching latest versions and everything downstream; returns the change."""

def current_user() -> str:
    """The user the store records when none is given: $DLS_USER, else the login name."""

def yaml_load(store: Store, path: str) -> str:
    """Loads a YAML file; returns the LoadSummary as JSON."""

def yaml_load_text(store: Store, text: str, name: str) -> str:
    """Loads YAML text (`name` says where it came from in messages); returns the LoadSummary as
    JSON."""

def yaml_check(path: str) -> int:
    """Parses and validates a YAML file without a store; the entity count."""

def json_load_text(store: Store, text: str, name: str) -> str:
    """Loads JSON text (an array of entity objects); returns the LoadSummary as JSON."""

def export_yaml(store: Store, schema_ref: str = "") -> str:
    """The store's latest versions in the YAML file format (`dls export yaml`); `schema_ref`: the
    JSON Schema to reference in the file's first line, if any."""

def schema_reference(schema: str, output_file: str) -> str:
    """How a YAML file written to `output_file` refers to `schema`: the relative path from the
    file's directory when both are local paths, else `schema` as given."""

def list_directory_entries(root: str) -> List[Dict[str, Any]]:
    """The directories under `root` as the directory loaders see them: dicts of name, path,
    file_format (by the files' extension, or None) and file_count."""

def directory_factory_entities(
    medallion: bool, options_json: str, name: str, path: str, file_format: Optional[str], file_count: int
) -> List[DeltaLiveEntity]:
    """The entities the C++ directory factory (medallion or not) makes for one directory entry,
    with the factory options given as a JSON object."""

def deterministic_entity_id(group: str, destination: str) -> str:
    """The entity_id the directory loaders give: a name-based UUID of (group, destination), the
    same on every load."""

def table_part(name: str) -> str:
    """The table-name part the directory loaders make of a directory name: lower-cased, every
    character outside [a-z0-9_] as '_' (a leading digit prefixed with '_')."""

def run_pipeline(
    warehouse: str,
    entities: EntityBatch,
    pipeline: str,
    target_catalog: str,
    target_schema: str,
    full_refresh_all: bool = False,
    full_refresh: List[str] = ...,
    parallelism: int = 0,
) -> Dict[str, Any]:
    """Runs one update; returns it as a dict. Ctrl-C cancels it and raises KeyboardInterrupt:
    datasets not started are skipped, running ones stop (their query interrupted, else at their
    next batch) keeping the batches they committed."""

def render_graph(entities: EntityBatch, target_catalog: str, target_schema: str, format: str = "text") -> str:
    """The pipeline graph of the entities (`dls graph`): `format` text (an indented tree), dot
    (Graphviz) or mermaid."""

def generate_databricks(
    entities: EntityBatch,
    out: str,
    bundle_name: str = "dls",
    target: Optional[str] = None,
    control_table: str = "main.dls.control_table",
    source_volume: Optional[str] = None,
) -> Dict[str, List[str]]:
    """Writes the Databricks Asset Bundle of the entities into `out`; returns the files written
    and the warnings, as lists."""

def generate_spark(entities: EntityBatch, out: str, target: Optional[str], storage_root: str) -> Dict[str, List[str]]:
    """Writes the open-source Spark project of the entities into `out`; returns the files
    written and the warnings, as lists."""

def query_arrow(warehouse: str, query: str, dialect: str = "duckdb") -> Any:
    """The result of the last statement as an Arrow C stream capsule."""

def read_table_arrow(warehouse: str, name: str, version: Optional[int] = None) -> Any:
    """The rows of the Delta table `name` (at `version`, else the latest) as an Arrow C stream
    capsule."""

def resolve_table(warehouse: str, name: str) -> str:
    """The directory of table `name` (`catalog.schema.table`, `schema.table`, or a path
    containing `/`) in `warehouse`; raises InvalidMetadataError for an unsafe name."""
