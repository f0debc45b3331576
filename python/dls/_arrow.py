"""Arrow conversions: entity lists to Arrow tables, and the C++ core's Arrow C streams to
pyarrow (imported lazily, so the package works without pyarrow for everything else)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow

    from .models import DeltaLiveEntityList


def _pyarrow() -> Any:
    try:
        import pyarrow
    except ImportError as e:  # pragma: no cover - pyarrow is a dependency of the package
        raise ImportError("this needs pyarrow: pip install pyarrow") from e
    return pyarrow


def entity_schema() -> "pyarrow.Schema":
    """The control table's columns as an Arrow schema (Spark's types: maps, arrays, structs)."""
    pa = _pyarrow()
    s = pa.string()
    smap = pa.map_(pa.string(), pa.string())
    slist = pa.list_(pa.string())
    ts = pa.timestamp("us", tz="UTC")
    return pa.schema(
        [
            ("id", s),
            ("entity_id", s),
            ("group", s),
            ("source", s),
            ("source_format", s),
            ("destination", s),
            ("destination_type", s),
            ("source_schema", s),
            ("select_expr", slist),
            ("is_streaming", pa.bool_()),
            ("primary_keys", slist),
            ("read_options", smap),
            ("table_properties", smap),
            ("tags", smap),
            ("spark_conf", smap),
            ("partition_cols", slist),
            ("comment", s),
            (
                "expectations",
                pa.struct([("expect_all", smap), ("expect_all_or_drop", smap), ("expect_all_or_fail", smap)]),
            ),
            (
                "apply_changes",
                pa.struct(
                    [
                        ("sequence_by", s),
                        ("where", s),
                        ("ignore_null_updates", pa.bool_()),
                        ("apply_as_deletes", s),
                        ("apply_as_truncates", s),
                        ("column_list", slist),
                        ("except_column_list", slist),
                        ("stored_as_scd_type", pa.int32()),
                        ("track_history_column_list", slist),
                        ("track_history_except_column_list", slist),
                        ("flow_name", s),
                        ("ignore_null_updates_column_list", slist),
                        ("ignore_null_updates_except_column_list", slist),
                    ]
                ),
            ),
            ("is_quarantined", pa.bool_()),
            ("is_enabled", pa.bool_()),
            ("is_latest", pa.bool_()),
            ("created_ts", ts),
            ("expired_ts", ts),
            ("created_by", s),
            ("modified_by", s),
            ("hash", s),
        ]
    )


def _row(e: Any) -> Dict[str, Any]:
    d = dict(e.__dict__)
    d["expectations"] = e.expectations.to_dict()
    d["apply_changes"] = e.apply_changes.to_dict() if e.apply_changes is not None else None
    for key in ("read_options", "table_properties", "tags", "spark_conf"):
        d[key] = list(d[key].items())
    return d


def entities_to_arrow(entities: "DeltaLiveEntityList") -> "pyarrow.Table":
    pa = _pyarrow()
    rows: List[Dict[str, Any]] = [_row(e) for e in entities]
    return pa.Table.from_pylist(rows, schema=entity_schema())


class ArrowStream:
    """An Arrow C stream from the C++ core, consumable once through the Arrow PyCapsule
    interface (``__arrow_c_stream__``): pyarrow, polars and others read it without copying."""

    def __init__(self, capsule: Any) -> None:
        self._capsule = capsule

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        if self._capsule is None:
            raise ValueError("this Arrow stream was already consumed")
        capsule, self._capsule = self._capsule, None
        return capsule


def read_stream(capsule: Any) -> "pyarrow.Table":
    """The whole stream as a pyarrow Table (record batches as DuckDB produced them)."""
    pa = _pyarrow()
    return pa.RecordBatchReader.from_stream(ArrowStream(capsule)).read_all()
