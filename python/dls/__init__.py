"""dls — Delta Live Store: metadata-driven ETL on Delta Lake tables, run locally on an embedded
DuckDB engine, or generated as Databricks / Spark pipelines.

The seed's modules, with ``dbrx.dls.X`` → ``dls.X``: :mod:`dls.models`, :mod:`dls.filters`,
:mod:`dls.store`, :mod:`dls.loaders`, :mod:`dls.pipeline`, :mod:`dls.utils`. Plus Arrow access to
the warehouse's tables: :func:`read_table` and :func:`sql`.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Optional, Union

from . import _core
from ._warehouse import resolve_warehouse
from .errors import ConflictError, DataQualityError, DlsError, InvalidMetadataError, NotFoundError, UsageError

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow

__version__: str = _core.__version__

__all__ = [
    "__version__",
    "DlsError",
    "UsageError",
    "InvalidMetadataError",
    "DataQualityError",
    "ConflictError",
    "NotFoundError",
    "read_table",
    "sql",
    "resolve_warehouse",
]


def read_table(
    name: str,
    version: Optional[int] = None,
    *,
    warehouse: Optional[Union[str, "os.PathLike[str]"]] = None,
) -> "pyarrow.Table":
    """The rows of the Delta table ``name`` (``catalog.schema.table``, ``schema.table``, or a path
    containing ``/``) as a pyarrow Table, at ``version`` (time travel) or the latest. The columns
    come through the Arrow C stream interface, never value by value through Python.
    ``warehouse``: default ``$DLS_WAREHOUSE``, else ``./warehouse``."""
    from ._arrow import read_stream

    return read_stream(_core.read_table_arrow(resolve_warehouse(warehouse), name, version))


def sql(
    query: str,
    dialect: str = "spark",
    *,
    warehouse: Optional[Union[str, "os.PathLike[str]"]] = None,
) -> "pyarrow.Table":
    """The result of ``query`` over the warehouse's Delta tables as a pyarrow Table — as
    ``dls query``: table names (``catalog.schema.table``, ``schema.table``) resolve in the
    warehouse, ``delta_scan('PATH' [, version => N])`` reads by path. ``dialect="spark"``: one
    Spark SQL query (translated, see docs/spark-sql.md); ``"duckdb"``: DuckDB SQL, several
    ``;``-separated statements allowed (the last one's result is returned)."""
    from ._arrow import read_stream

    return read_stream(_core.query_arrow(resolve_warehouse(warehouse), query, dialect))


# The seed's modules, importable as attributes of the package (dls.store.DeltaLiveStore).
from . import errors, filters, loaders, models, pipeline, store, utils  # noqa: E402

__all__ += ["errors", "filters", "loaders", "models", "pipeline", "store", "utils"]
