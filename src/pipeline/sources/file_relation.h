// The raw relation of a batch of files: the rows of the files as DuckDB reads them, before the
// source schema is applied, always with a `__dls_file` column (the file's absolute path).
//   csv            : read_csv(..., all_varchar) — one VARCHAR column per header column (union by
//                    name over the files; header=false names them column0, column1, ...)
//   parquet        : read_parquet(..., union_by_name)
//   avro           : a TEMP table loaded by avro_reader.h
//   json, text     : one row per record/line: `__dls_line` VARCHAR (JSON records are parsed later,
//                    so a malformed line is a row that can be rescued, dropped or reported)
#pragma once

#include <string>
#include <vector>

#include "dls/sql/connection.h"
#include "pipeline/sources/file_format.h"
#include "pipeline/sources/file_listing.h"

namespace dls::pipeline::sources {

inline constexpr const char* kFileColumn = "__dls_file";
inline constexpr const char* kLineColumn = "__dls_line";

/// A SELECT over the raw rows of `files` (non-empty). For avro it loads the files into a TEMP
/// table on `con` first. csv: with `every_value`, a value past the header in any row of a file
/// (not only in the sample DuckDB's sniffer reads) is a column `column<i>` (i from 0 over the
/// whole row); this reads each file once more to size the rows.
std::string raw_relation_sql(sql::Connection& con, const FileFormat& format,
                             const std::vector<InputFile>& files, bool every_value = false);

/// The column names of a CSV file: its header's names (an empty one is `_c<i>`, a repeated one gets
/// its index appended, as Spark) or, without a header, column0, column1, ... (the first row's
/// width).
std::vector<std::string> csv_header_names(sql::Connection& con, const FileFormat& format,
                                          const InputFile& file);

/// csv_header_names, then column<i> for every position past them that some row of the file fills.
std::vector<std::string> csv_column_names(sql::Connection& con, const FileFormat& format,
                                          const InputFile& file);

/// The DuckDB list literal ['a', 'b'] of the files' paths.
std::string file_list_literal(const std::vector<InputFile>& files);

/// Column names and DuckDB types of a SELECT (DESCRIBE).
std::vector<std::pair<std::string, std::string>> describe_sql(sql::Connection& con,
                                                              const std::string& select_sql);

}  // namespace dls::pipeline::sources
