// The SELECT that reads a batch of files with a fixed source schema (DESIGN §7, Auto Loader
// semantics): data columns in schema order, cast to the schema's types, then the rescued-data
// column (when enabled) and the `_metadata` struct (when requested).
//
// Rescued data (`_rescued_data` by default): a JSON object string holding, for each row, the
// values that did not fit the schema — columns the schema lacks, values that do not cast to the
// column's type, and (PERMISSIVE mode) a malformed record as "_corrupt_record" — plus
// "_file_path"; NULL when everything fitted.
//
// Malformed records (json: a line that is not a JSON object; csv/json/parquet/avro: a value that
// does not cast to its column's type) follow the mode: PERMISSIVE keeps the row (NULL values,
// details in the rescued column if enabled), DROPMALFORMED drops it, FAILFAST fails the query
// with an error naming the file and the record.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dls/sql/connection.h"
#include "pipeline/sources/file_format.h"
#include "pipeline/sources/file_listing.h"
#include "pipeline/sources/schema_store.h"

namespace dls::pipeline::sources {

inline constexpr const char* kMetadataColumn = "_metadata";
/// DuckDB type of the `_metadata` column.
inline constexpr const char* kMetadataType =
    "STRUCT(file_path VARCHAR, file_name VARCHAR, file_size BIGINT, file_block_start BIGINT, "
    "file_block_length BIGINT, file_modification_time TIMESTAMP WITH TIME ZONE)";

struct ReadSpec {
  FileFormat format;
  std::vector<InputFile> files;  // may be empty: zero rows with the schema's columns
  SourceSchema schema;
  std::optional<std::string> rescue_column;
  bool metadata_column = false;
};

/// The SELECT (no trailing semicolon). May create TEMP tables on `con` (avro). Runs DESCRIBE on
/// the files, so an unreadable file fails here with DuckDB's message naming it.
std::string build_read_sql(sql::Connection& con, const ReadSpec& spec);

}  // namespace dls::pipeline::sources
