"""Spark DataFrames of entities, for notebooks that have pyspark (the ``dls[spark]`` extra)."""

from __future__ import annotations

from typing import Any


def _require_pyspark() -> Any:
    try:
        import pyspark  # noqa: F401
    except ImportError as e:
        raise ImportError(
            "Spark DataFrames need pyspark: pip install 'dls[spark]' (or use to_arrow()/to_pandas())"
        ) from e


def entity_struct_type() -> Any:
    """The control table's columns as a Spark StructType (the seed's column names and types)."""
    _require_pyspark()
    from pyspark.sql import types as T

    s = T.StringType()
    smap = T.MapType(T.StringType(), T.StringType())
    slist = T.ArrayType(T.StringType())
    ts = T.TimestampType()

    def f(name: str, t: Any) -> Any:
        return T.StructField(name, t, True)

    expectations = T.StructType([f("expect_all", smap), f("expect_all_or_drop", smap), f("expect_all_or_fail", smap)])
    apply_changes = T.StructType(
        [
            f("sequence_by", s),
            f("where", s),
            f("ignore_null_updates", T.BooleanType()),
            f("apply_as_deletes", s),
            f("apply_as_truncates", s),
            f("column_list", slist),
            f("except_column_list", slist),
            f("stored_as_scd_type", T.IntegerType()),
            f("track_history_column_list", slist),
            f("track_history_except_column_list", slist),
            f("flow_name", s),
            f("ignore_null_updates_column_list", slist),
            f("ignore_null_updates_except_column_list", slist),
        ]
    )
    return T.StructType(
        [
            f("id", s),
            f("entity_id", s),
            f("group", s),
            f("source", s),
            f("source_format", s),
            f("destination", s),
            f("destination_type", s),
            f("source_schema", s),
            f("select_expr", slist),
            f("is_streaming", T.BooleanType()),
            f("primary_keys", slist),
            f("read_options", smap),
            f("table_properties", smap),
            f("tags", smap),
            f("spark_conf", smap),
            f("partition_cols", slist),
            f("comment", s),
            f("expectations", expectations),
            f("apply_changes", apply_changes),
            f("is_quarantined", T.BooleanType()),
            f("is_enabled", T.BooleanType()),
            f("is_latest", T.BooleanType()),
            f("created_ts", ts),
            f("expired_ts", ts),
            f("created_by", s),
            f("modified_by", s),
            f("hash", s),
        ]
    )


def entities_to_spark(entities: Any, spark: Any = None) -> Any:
    _require_pyspark()
    from pyspark.sql import SparkSession

    schema = entity_struct_type()
    if spark is None:
        spark = SparkSession.getActiveSession()
    if spark is None:
        from .utils import create_session

        spark = create_session()
    rows = []
    for e in entities:
        d = dict(e.__dict__)
        d["expectations"] = e.expectations.to_dict()
        d["apply_changes"] = e.apply_changes.to_dict() if e.apply_changes is not None else None
        rows.append(tuple(d[field.name] for field in schema.fields))
    return spark.createDataFrame(rows, schema=schema)
