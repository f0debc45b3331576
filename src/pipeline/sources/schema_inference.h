// Schema inference for file sources (Auto Loader "schema inference", Spark's inferSchema).
//
// csv    : the header row names the columns (header=false: _c0, _c1, ...); types are STRING unless
//          inference is on (inferSchema / cloudFiles.inferColumnTypes), then DuckDB's CSV sniffer.
// json   : the keys of the records, in order of first appearance; STRING unless inference is on,
//          then DuckDB's read_json types (objects → STRUCT, arrays → LIST).
// parquet, avro : the files' own schemas. text : `value STRING`.
// Over several files the union of the columns is taken (first file first); when files disagree
// on a column's type the first type wins for parquet/avro and STRING for csv/json.
#pragma once

#include <string>
#include <vector>

#include "dls/sql/connection.h"
#include "pipeline/sources/file_format.h"
#include "pipeline/sources/file_listing.h"
#include "pipeline/sources/schema_store.h"

namespace dls::pipeline::sources {

SourceSchema infer_file_schema(sql::Connection& con, const FileFormat& format,
                               const std::vector<InputFile>& files);

/// A Spark DDL schema ("id INT, name STRING") as source columns. Throws InvalidMetadataError
/// naming `what` (e.g. "source_schema") on a syntax error.
SourceSchema schema_from_ddl(const std::string& ddl, const std::string& what);

/// schemaHints: hinted columns get the hinted type; hinted columns the data lacks are appended.
SourceSchema apply_schema_hints(SourceSchema schema, const SourceSchema& hints);

}  // namespace dls::pipeline::sources
