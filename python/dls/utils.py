"""Helpers of the seed that make sense without a cluster."""

from __future__ import annotations

import json
import os
import re
from typing import Any, Dict, List, NamedTuple, Optional

from .errors import InvalidMetadataError

__all__ = ["remove_null_values", "load_config_schema", "parse_db_schema_table", "TableName", "create_session"]

_PART = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def remove_null_values(value: Any) -> Any:
    """``value`` with every None removed from its dicts, recursively (lists keep their length,
    their dict elements are cleaned too).

    >>> remove_null_values({"a": 1, "b": None, "c": {"d": None, "e": [{"f": None}]}})
    {'a': 1, 'c': {'e': [{}]}}
    """
    if isinstance(value, dict):
        return {k: remove_null_values(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [remove_null_values(v) for v in value]
    return value


def load_config_schema() -> Dict[str, Any]:
    """The JSON Schema of the YAML file format (``schemas/config_schema.json``) as a dict."""
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = [
        os.path.join(here, "config_schema.json"),  # installed package
        os.path.join(here, "..", "..", "schemas", "config_schema.json"),  # source tree
    ]
    for path in candidates:
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                schema: Dict[str, Any] = json.load(f)
                return schema
    raise FileNotFoundError("config_schema.json is not installed with the dls package")


class TableName(NamedTuple):
    """The parts of a table name; ``catalog``/``schema`` are None when the name had none."""

    catalog: Optional[str]
    schema: Optional[str]
    table: str


def parse_db_schema_table(name: str) -> TableName:
    """Splits ``catalog.schema.table`` (``schema.table`` is in catalog ``main``; a bare
    ``table`` has neither). Each part must match ``[A-Za-z_][A-Za-z0-9_]*``, so a name can never
    point outside the warehouse; anything else is an InvalidMetadataError.

    >>> parse_db_schema_table("main.etl.orders")
    TableName(catalog='main', schema='etl', table='orders')
    >>> parse_db_schema_table("etl.orders")
    TableName(catalog='main', schema='etl', table='orders')
    """
    parts = name.split(".") if isinstance(name, str) else []
    if not 1 <= len(parts) <= 3 or not all(_PART.match(p) for p in parts):
        raise InvalidMetadataError(
            f"'{name}' is not a table name: expected table, schema.table or catalog.schema.table, "
            "each part [A-Za-z_][A-Za-z0-9_]*"
        )
    if len(parts) == 3:
        return TableName(parts[0], parts[1], parts[2])
    if len(parts) == 2:
        return TableName("main", parts[0], parts[1])
    return TableName(None, None, parts[0])


def _cached_delta_jars() -> List[str]:
    """Delta Lake jars in the project's jar cache ($DLS_JARS_DIR, else ~/.cache/dls/jars), where
    the project's setup puts the pinned ones (scripts/fetch_delta_jars.sh)."""
    cache = os.environ.get("DLS_JARS_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "dls", "jars")
    if not os.path.isdir(cache):
        return []
    return sorted(os.path.join(cache, f) for f in os.listdir(cache) if f.startswith("delta-") and f.endswith(".jar"))


def create_session(
    app_name: str = "dls",
    warehouse: Optional[str] = None,
    jars: Optional[List[str]] = None,
    **conf: str,
) -> Any:
    """A local SparkSession with Delta Lake configured (needs the ``dls[spark]`` extra:
    pyspark and delta-spark). ``warehouse``: ``spark.sql.warehouse.dir``. ``jars``: the Delta
    jars to load; default the ones in the project's jar cache (``$DLS_JARS_DIR``, else
    ``~/.cache/dls/jars``), else delta-spark's own Maven resolution. ``conf``: more settings,
    dots written as ``__`` (``spark__sql__shuffle__partitions="4"``)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as e:
        raise ImportError("create_session needs pyspark and delta-spark: pip install 'dls[spark]'") from e
    builder = (
        SparkSession.builder.appName(app_name)
        .master("local[*]")
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .config("spark.sql.session.timeZone", "UTC")
    )
    if warehouse is not None:
        builder = builder.config("spark.sql.warehouse.dir", os.path.abspath(warehouse))
    for key, value in conf.items():
        builder = builder.config(key.replace("__", "."), value)
    jars = _cached_delta_jars() if jars is None else list(jars)
    if jars:
        return builder.config("spark.jars", ",".join(jars)).getOrCreate()
    try:
        from delta import configure_spark_with_delta_pip
    except ImportError as e:
        raise ImportError("create_session needs delta-spark: pip install 'dls[spark]'") from e
    return configure_spark_with_delta_pip(builder).getOrCreate()
