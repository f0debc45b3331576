// Reading Avro object container files with avro-c into DuckDB (DuckDB has no Avro reader).
//
// Type mapping (Avro → DuckDB): boolean BOOLEAN, int INTEGER, long BIGINT, float FLOAT, double
// DOUBLE, string VARCHAR, bytes/fixed BLOB, enum VARCHAR (the symbol), null VARCHAR (always NULL),
// record STRUCT(...), array T[], map MAP(VARCHAR, T), a union of null and one type → that type
// (nullable), any other union → VARCHAR holding the value as JSON. Logical types are read as their
// underlying type (e.g. date → INTEGER days, timestamp-millis → BIGINT).
#pragma once

#include <string>
#include <vector>

#include "dls/sql/connection.h"
#include "pipeline/sources/file_listing.h"
#include "pipeline/sources/schema_store.h"

namespace dls::pipeline::sources {

/// The columns of an Avro file's writer schema (the top-level schema must be a record). Throws
/// dls::Error naming the file when it cannot be opened or is not an Avro container file.
SourceSchema avro_file_schema(const std::string& path);

/// Loads the rows of `files` into a new TEMP table on `con` and returns a relation (a
/// parenthesised SELECT with an alias) with the files' columns (union by name; a column missing
/// from a file is NULL) with the types above, plus `__dls_file`. Deterministic: files in the given
/// order, rows in file order.
std::string load_avro_files(sql::Connection& con, const std::vector<InputFile>& files);

}  // namespace dls::pipeline::sources
