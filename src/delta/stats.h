// Per-file statistics (PROTOCOL.md "Per-file Statistics"): numRecords, minValues, maxValues and
// nullCount of a data file, serialised as the JSON document that AddFile::stats carries.
//
// The statistics are computed by DuckDB: StatsCollector produces the aggregate expressions of one
// SELECT over the rows of a file, and turns the resulting row back into the JSON string. Rules:
//  - partition columns are not in data files and get no statistics (as Spark);
//  - the first `delta.dataSkippingNumIndexedCols` leaf columns (default 32, -1 = all) get stats;
//  - nested structs are nested objects; arrays and maps get only a nullCount;
//  - min/max are written for numbers, decimals, strings, dates and timestamps; booleans and
//    binary get none (no useful ordering), nor do float columns holding NaN or infinities;
//  - strings are cut to 32 characters: the min is the prefix, the max the smallest string greater
//    than every string with that prefix (so both stay valid bounds);
//  - timestamps are truncated down to milliseconds, as the protocol says readers expect.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dls/delta/schema.h"
#include "dls/sql/value.h"

namespace dls::delta {

class StatsCollector {
 public:
  StatsCollector(const Schema& schema, const std::vector<std::string>& partition_columns,
                 const std::map<std::string, std::string>& configuration);

  /// Aggregate expressions over the table's (physical) column names, to be selected from the rows
  /// of one file: the first is count(*), then per indexed leaf nullCount and, where kept, min/max.
  const std::vector<std::string>& aggregate_expressions() const { return expressions_; }
  /// The stats JSON string of one result row; `values` holds the results of
  /// aggregate_expressions() in order.
  std::string to_json(const std::vector<sql::Value>& values) const;

  /// Column statistics as `COPY ... (FORMAT parquet, RETURN_STATS)` reports them for one file:
  /// per column path (quoted identifiers joined by '.', e.g. "st"."a") the writer's min, max,
  /// null_count and has_nan as text. Using them saves reading the written file again.
  using ParquetColumnStats = std::map<std::string, std::map<std::string, std::string>>;
  /// Whether from_parquet_stats() can describe files of this schema: not when an indexed leaf is
  /// an array or a map (Parquet reports their element columns, not the column's own null count).
  bool parquet_stats_suffice() const { return parquet_stats_suffice_; }
  /// DuckDB's report merges row groups without their NaN flags, so float and double bounds also
  /// need the file's footer: this query over parquet_metadata(`parquet_path`) (a footer read)
  /// returns the column ids of the leaves having a row group with non-NULL values but no bounds
  /// (DuckDB leaves them out when the row group holds NaN). Empty when no leaf needs it.
  std::string unbounded_columns_query(const std::string& parquet_path) const;
  /// The stats JSON string of a file of `num_records` rows from its writer's statistics and the
  /// result of unbounded_columns_query(), equal to to_json() over the file's rows; nullopt when
  /// the report is not enough (a missing null count, or no bounds for a column holding values,
  /// as for DECIMAL wider than 18 digits): then read the file.
  std::optional<std::string> from_parquet_stats(
      int64_t num_records, const ParquetColumnStats& stats,
      const std::vector<int64_t>& unbounded_columns) const;

 private:
  struct Leaf {
    std::vector<std::string> path;  // field names from the top-level column down
    DataType type;
    bool min_max = false;
    size_t first_value = 0;  // index of nullCount in the result; min/max follow
  };
  std::vector<Leaf> leaves_;
  std::vector<std::string> expressions_;
  bool parquet_stats_suffice_ = true;
  bool has_float_leaves_ = false;
};

/// Truncation of string statistics (exposed for tests). `max_chars` counts code points.
std::string truncate_min_string(const std::string& s, size_t max_chars);
/// nullopt when no upper bound shorter than the string exists (only U+10FFFF characters).
std::optional<std::string> truncate_max_string(const std::string& s, size_t max_chars);
/// Milliseconds since the epoch as "YYYY-MM-DDTHH:MM:SS.mmm" (+ "Z" when `utc`).
std::string format_stats_timestamp(int64_t micros, bool utc);
/// DuckDB's text of a TIMESTAMP or TIMESTAMPTZ ("YYYY-MM-DD HH:MM:SS[.fraction][+HH[:MM[:SS]]]")
/// as microseconds since the epoch, UTC; nullopt for any other text (BC dates, infinity).
std::optional<int64_t> parse_stats_timestamp(const std::string& text);

}  // namespace dls::delta
