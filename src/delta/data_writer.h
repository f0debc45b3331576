// Writing rows into a table's data files: the rows of a DuckDB SELECT become Parquet files under
// the table root (DuckDB `COPY ... TO ... (FORMAT parquet)`), each described by an AddFile with
// per-file statistics, ready to be committed by a Transaction.
//
// - The SELECT's columns are matched to the table schema by name (case-insensitively, as Spark);
//   missing nullable columns are written as NULL; an unknown column, a missing non-nullable column
//   or an incompatible type is an InvalidMetadataError naming the column, before anything is
//   written. Safe widenings (smaller to larger integers, integers/float to double, decimals and
//   integers to wider decimals, DuckDB TIMESTAMP to Delta timestamp taken as UTC) are applied.
// - Partitioned tables get one directory per partition value, Hive style (`col=value/`, special
//   characters %-escaped, NULL as __HIVE_DEFAULT_PARTITION__; an empty string is NULL, as in
//   Spark); partition columns are not stored in the Parquet files, only in the log
//   (partitionValues, serialised as the protocol says; timestamps as ISO-8601 UTC).
// - Files are uniquely named (UUID) and never overwritten. Nothing is committed here: a failed
//   write or commit leaves orphan files at most, which discard() (or vacuum) removes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "delta/stats.h"
#include "dls/delta/action.h"
#include "dls/delta/schema.h"
#include "dls/delta/storage.h"
#include "dls/sql/connection.h"

namespace dls::delta {

struct WrittenFiles {
  std::vector<AddFile> adds;
  int64_t num_rows = 0;
  int64_t num_bytes = 0;
};

class DataWriter {
 public:
  DataWriter(std::shared_ptr<Storage> storage, std::string table_root, const Metadata& metadata);

  /// A SELECT producing exactly the table's columns, in schema order, with the table's DuckDB
  /// types, from the rows of `select_sql`. Throws InvalidMetadataError for a column mismatch.
  std::string conform(sql::Connection& con, const std::string& select_sql) const;

  /// Writes the rows of `select_sql` (conformed first). `target_file_rows` > 0 splits each
  /// partition into files of at most that many rows. No rows: no files.
  WrittenFiles write(sql::Connection& con, const std::string& select_sql,
                     int64_t target_file_rows = 0) const;

  /// Removes the files of a write that will not be committed. Never throws.
  void discard(const WrittenFiles& files) const noexcept;

 private:
  std::string new_file_name(int64_t index) const;
  /// COPYs the rows of `select_sql` into the new data file `relative_path` and fills `add` with
  /// its description and per-file statistics; returns the number of rows (0: `add` untouched).
  int64_t copy_to_file(sql::Connection& con, const std::string& select_sql,
                       const std::string& relative_path, const PartitionValues& values,
                       AddFile& add) const;

  std::shared_ptr<Storage> storage_;
  std::string root_;
  Schema schema_;
  std::vector<std::string> partition_columns_;
  std::map<std::string, std::string> configuration_;
  StatsCollector stats_;
};

/// Hive-style escaping of a partition directory name component (as Spark's
/// ExternalCatalogUtils.escapePathName).
std::string escape_partition_path_component(const std::string& value);

}  // namespace dls::delta
