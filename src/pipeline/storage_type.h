// The DuckDB types in which the pipeline holds Spark-typed columns before they are written to
// Delta, chosen so that the Delta column types are the ones Databricks gives (issue 10 §3):
// Spark TIMESTAMP (TIMESTAMP_LTZ, Spark's default) is a UTC-adjusted instant, held as DuckDB
// TIMESTAMP WITH TIME ZONE and written as a Delta `timestamp`; TIMESTAMP_NTZ is a wall-clock value,
// held as DuckDB TIMESTAMP and written as `timestamp_ntz` -- only where a schema or a cast says so.
// The pipeline's connections run with TimeZone=UTC, so converting between the two never shifts a
// value by a local offset.
#pragma once

#include <string>

#include "dls/sql/spark/spark_type.h"

namespace dls::pipeline {

/// The DuckDB type for a column declared with Spark type `type` (source_schema, schemaHints),
/// timestamps mapped as above at any depth (array elements, map keys/values, struct fields).
std::string storage_duckdb_type(const sql::spark::SparkType& type);

/// The type a column inferred by DuckDB from CSV or JSON text is held in: Spark's inference gives
/// TIMESTAMP (LTZ) for timestamp-looking text, so DuckDB's TIMESTAMP becomes TIMESTAMP WITH TIME
/// ZONE; every other type is kept.
std::string inferred_storage_type(const std::string& duckdb_type);

}  // namespace dls::pipeline
