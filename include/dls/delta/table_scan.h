// Reading a snapshot's rows through DuckDB: builds the SQL that returns the table's logical rows
// (partition values filled in from the log, column mapping resolved to logical names, rows
// removed by deletion vectors filtered out, columns missing from old files as NULL).
#pragma once

#include <string>

#include "dls/delta/snapshot.h"
#include "dls/sql/connection.h"

namespace dls::delta {

class TableScan {
 public:
  explicit TableScan(Snapshot snapshot);

  /// Returns a SELECT statement (no trailing semicolon) producing the snapshot's rows with its
  /// logical schema, usable as a subquery. May create TEMP tables in `con` (deletion vectors,
  /// partition values) whose names are unique per call; they live as long as the connection.
  /// Throws UnsupportedFeatureError for data it cannot read correctly (e.g. a variant column).
  std::string sql(sql::Connection& con) const;

  /// Absolute paths of the data files of the snapshot (decoded).
  std::vector<std::string> data_file_paths() const;

 private:
  Snapshot snapshot_;
};

}  // namespace dls::delta
