// Results of DuckDB queries: column metadata, chunked iteration and materialized rows.
#pragma once

#include <duckdb.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dls/sql/value.h"

namespace dls::sql {

/// One chunk (up to DuckDB's vector size, 2048 rows) of a result. Owns its duckdb_data_chunk.
/// Typed reads support BOOLEAN, all integer types, FLOAT/DOUBLE, VARCHAR/BLOB, DATE and TIMESTAMP
/// family; other types (LIST, STRUCT, MAP, DECIMAL, ...) should be cast to VARCHAR in SQL.
class DataChunk {
 public:
  DataChunk(duckdb_data_chunk chunk, const std::vector<duckdb_type>* types);
  DataChunk(DataChunk&& other) noexcept;
  DataChunk& operator=(DataChunk&& other) noexcept;
  DataChunk(const DataChunk&) = delete;
  DataChunk& operator=(const DataChunk&) = delete;
  ~DataChunk();

  size_t size() const;
  size_t column_count() const { return types_->size(); }
  bool is_null(size_t column, size_t row) const;
  /// The value at (column, row) converted as described in value.h.
  Value value(size_t column, size_t row) const;
  int64_t get_int(size_t column, size_t row) const;
  std::string get_string(size_t column, size_t row) const;
  /// A MAP(VARCHAR, MAP(VARCHAR, VARCHAR)) value (the shape of the column_statistics that
  /// `COPY ... (FORMAT parquet, RETURN_STATS)` returns); NULL keys and values are skipped, a NULL
  /// map is empty. Throws SqlError for a column of another type.
  std::map<std::string, std::map<std::string, std::string>> map_of_string_maps(size_t column,
                                                                               size_t row) const;

 private:
  duckdb_data_chunk chunk_ = nullptr;
  const std::vector<duckdb_type>* types_;
};

/// The result of one statement. Move-only; destroys the duckdb_result on destruction.
/// Chunks are consumed in order by next_chunk(); rows() consumes everything that is left.
class Result {
 public:
  explicit Result(duckdb_result result);
  Result(Result&& other) noexcept;
  Result& operator=(Result&& other) noexcept;
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  ~Result();

  size_t column_count() const { return names_.size(); }
  const std::vector<std::string>& column_names() const { return names_; }
  duckdb_type column_type(size_t i) const { return types_.at(i); }
  /// Rows changed by an INSERT/UPDATE/DELETE/COPY.
  int64_t rows_changed();

  /// The next chunk, or nullopt when the result is exhausted.
  std::optional<DataChunk> next_chunk();
  /// All remaining rows, materialized as Values.
  std::vector<std::vector<Value>> rows();
  /// The single value of a one-row, one-column result (NULL when there is no row).
  Value scalar();

 private:
  duckdb_result result_;
  bool valid_ = true;
  std::vector<std::string> names_;
  std::vector<duckdb_type> types_;
};

}  // namespace dls::sql
