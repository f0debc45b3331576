// Reading a snapshot's rows through DuckDB: builds the SQL that returns the table's logical rows
// (partition values filled in from the log, column mapping resolved to logical names, rows
// removed by deletion vectors filtered out, columns missing from old files as NULL).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dls/delta/snapshot.h"
#include "dls/sql/connection.h"

namespace dls::delta {

struct ScanOptions {
  /// Read only these files (active files of the snapshot); nullopt: every active file.
  std::optional<std::vector<AddFile>> files;
  /// Add two columns to every row: __dls_file (the data file's absolute path) and __dls_row (the
  /// row's physical index in it) — the row's address for DeltaTable::replace_rows.
  bool with_row_address = false;
};

class TableScan {
 public:
  explicit TableScan(Snapshot snapshot, ScanOptions options = {});

  /// Returns a SELECT statement (no trailing semicolon) producing the snapshot's rows with its
  /// logical schema, usable as a subquery. May create TEMP tables in `con` (deletion vectors,
  /// partition values) whose names are unique per call; they live as long as the connection.
  /// Throws UnsupportedFeatureError for data it cannot read correctly (e.g. a variant column).
  std::string sql(sql::Connection& con) const;

  /// Absolute paths of the data files the scan reads (decoded).
  std::vector<std::string> data_file_paths() const;

  /// Like sql() with row addresses, restricted to the rows whose `key_columns` equal (null-safely)
  /// those of a row of `keys_table` (the name of a table in `con` holding these columns, used
  /// in the SQL as given). Files whose
  /// partition values or min/max statistics exclude every key are not read at all.
  std::string sql_for_keys(sql::Connection& con, const std::vector<std::string>& key_columns,
                           const std::string& keys_table) const;

  /// The active files that may hold a row whose `key_columns` equal those of a row of
  /// `keys_table`: files are excluded by the first key column that is a partition column or has
  /// min/max statistics in every file's stats; a file without usable statistics is kept.
  std::vector<AddFile> files_for_keys(sql::Connection& con,
                                      const std::vector<std::string>& key_columns,
                                      const std::string& keys_table) const;

 private:
  const std::vector<AddFile>& files() const;
  Snapshot snapshot_;
  ScanOptions options_;
};

}  // namespace dls::delta
