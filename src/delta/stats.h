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

 private:
  struct Leaf {
    std::vector<std::string> path;  // field names from the top-level column down
    DataType type;
    bool min_max = false;
    size_t first_value = 0;  // index of nullCount in the result; min/max follow
  };
  std::vector<Leaf> leaves_;
  std::vector<std::string> expressions_;
};

/// Truncation of string statistics (exposed for tests). `max_chars` counts code points.
std::string truncate_min_string(const std::string& s, size_t max_chars);
/// nullopt when no upper bound shorter than the string exists (only U+10FFFF characters).
std::optional<std::string> truncate_max_string(const std::string& s, size_t max_chars);
/// Milliseconds since the epoch as "YYYY-MM-DDTHH:MM:SS.mmm" (+ "Z" when `utc`).
std::string format_stats_timestamp(int64_t micros, bool utc);

}  // namespace dls::delta
