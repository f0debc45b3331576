// Keyed scans: the rows of a snapshot whose key columns match a set of keys, reading only the
// files that may hold them (table_scan.h).
//
// Pruning uses ONE column: the first key column that is a partition column, else the first key
// column of a type whose statistics are exact enough to compare (integers, strings, dates,
// timestamps). A file is skipped only when its value range provably excludes every key:
//  - partition column: the file's partition value (NULL included) is not among the keys;
//  - statistics: no non-NULL key lies in [minValues, maxValues], and the file has no NULL in the
//    column (nullCount 0) or no key is NULL.
// Anything unknown — no stats, a missing bound, an unparsable value — keeps the file. Decimal and
// floating-point bounds are never used: JSON numbers pass through doubles and could round a bound
// inward, which would skip a file holding a key (a row that is never replaced: a duplicate).
#include <algorithm>
#include <atomic>
#include <cctype>

#include <nlohmann/json.hpp>

#include "delta/column_mapping.h"
#include "dls/core/error.h"
#include "dls/core/read_option_names.h"
#include "dls/delta/table_scan.h"
#include "dls/sql/quote.h"

namespace dls::delta {

using sql::quote_identifier;
using sql::quote_literal;

namespace {

bool has_usable_bounds(const DataType& type) {
  static const std::vector<std::string> kKinds = {"byte",   "short", "integer",   "long",
                                                  "string", "date",  "timestamp", "timestamp_ntz"};
  return std::find(kKinds.begin(), kKinds.end(), type.kind) != kKinds.end();
}

/// A stats bound as text DuckDB casts back to the column's type; nullopt when absent or unusable.
std::optional<std::string> bound_text(const nlohmann::json& stats, const char* which,
                                      const std::string& column) {
  if (!stats.is_object() || !stats.contains(which) || !stats[which].is_object())
    return std::nullopt;
  const auto& values = stats[which];
  auto it = values.find(column);
  if (it == values.end() || it->is_null()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return it->dump();
  return std::nullopt;
}

/// Whether the file may hold NULL in the column (unknown: true).
bool may_hold_null(const nlohmann::json& stats, const std::string& column) {
  if (!stats.is_object() || !stats.contains("nullCount") || !stats["nullCount"].is_object())
    return true;
  auto it = stats["nullCount"].find(column);
  if (it == stats["nullCount"].end() || !it->is_number_integer()) return true;
  return it->get<int64_t>() != 0;
}

}  // namespace

std::vector<AddFile> TableScan::files_for_keys(sql::Connection& con,
                                               const std::vector<std::string>& key_columns,
                                               const std::string& keys_table) const {
  static std::atomic<uint64_t> counter{0};
  const std::vector<AddFile>& all = files();
  if (all.empty() || key_columns.empty()) return all;
  const Snapshot& snap = snapshot_;
  const std::string mode = snap.column_mapping_mode();

  // The pruning column: a partition key first, then a key with usable statistics.
  const StructField* column = nullptr;
  bool is_partition = false;
  for (const auto& k : key_columns) {
    for (const auto& p : snap.partition_columns()) {
      if (lower_ascii(p) != lower_ascii(k)) continue;
      column = snap.schema().find(p);
      is_partition = column != nullptr;
    }
    if (column) break;
  }
  if (!column) {
    for (const auto& k : key_columns) {
      const StructField* f = snap.schema().find(k);
      if (f && has_usable_bounds(f->type)) {
        column = f;
        break;
      }
    }
  }
  if (!column) return all;
  const std::string physical = physical_name(*column, mode);
  const std::string type = column->type.to_duckdb();

  // Per file: [lo, hi] as text (NULL: unknown) and whether it may hold NULL.
  const std::string ranges = "__dls_key_ranges_" + std::to_string(counter++);
  con.execute("CREATE TEMP TABLE " + quote_identifier(ranges) +
              " (idx BIGINT, lo VARCHAR, hi VARCHAR, nulls BOOLEAN)");
  {
    auto app = con.appender(ranges);
    for (size_t i = 0; i < all.size(); ++i) {
      std::optional<std::string> lo, hi;
      bool nulls = true;
      if (is_partition) {
        std::optional<std::string> value;
        bool found = false;
        for (const auto& [k, v] : all[i].partition_values) {
          if (k == physical || lower_ascii(k) == lower_ascii(physical) ||
              lower_ascii(k) == lower_ascii(column->name)) {
            value = v;
            found = true;
          }
        }
        if (found) {
          // PROTOCOL.md: an empty partition value is NULL of any type.
          if (value && !value->empty()) {
            std::string v = *value;
            if (column->type.kind == "timestamp") {
              bool zoned = v.size() > 10 && (v.back() == 'Z' || v.back() == 'z' ||
                                             v.find_first_of("+-", 11) != std::string::npos);
              if (!zoned) v += "+00:00";
            }
            lo = hi = v;
            nulls = false;
          } else {
            lo = hi = std::nullopt;
            nulls = true;
          }
        }
        app.append(static_cast<int64_t>(i));
        if (found && !lo) {
          // A NULL partition: no non-NULL key can match; mark with an empty range below.
          app.append(std::string("\x01null"));
          app.append(std::string("\x01null"));
        } else if (lo) {
          app.append(*lo);
          app.append(*hi);
        } else {
          app.append_null();
          app.append_null();
        }
        app.append(nulls);
        app.end_row();
        continue;
      }
      if (all[i].stats) {
        try {
          auto stats = nlohmann::json::parse(*all[i].stats);
          lo = bound_text(stats, "minValues", physical);
          hi = bound_text(stats, "maxValues", physical);
          nulls = may_hold_null(stats, physical);
          // A file of only NULLs has no bounds but a known null count: no non-NULL key.
          if (!lo && !hi && stats.is_object() && stats.contains("numRecords") &&
              stats.contains("nullCount") && stats["nullCount"].is_object()) {
            auto n = stats["nullCount"].find(physical);
            if (n != stats["nullCount"].end() && n->is_number_integer() &&
                stats["numRecords"].is_number_integer() &&
                n->get<int64_t>() == stats["numRecords"].get<int64_t>()) {
              lo = hi = std::string("\x01null");
            }
          }
        } catch (const std::exception&) {
          lo = hi = std::nullopt;
          nulls = true;
        }
      }
      app.append(static_cast<int64_t>(i));
      if (lo && hi) {
        app.append(*lo);
        app.append(*hi);
      } else {
        app.append_null();
        app.append_null();
      }
      app.append(nulls);
      app.end_row();
    }
    app.close();
  }

  // Timestamp statistics are truncated to milliseconds: widen the upper bound by one.
  const std::string hi_expr =
      column->type.kind == "timestamp" || column->type.kind == "timestamp_ntz"
          ? "TRY_CAST(hi AS " + type + ") + INTERVAL 1 MILLISECOND"
          : "TRY_CAST(hi AS " + type + ")";
  const std::string key = quote_identifier(*std::find_if(
      key_columns.begin(), key_columns.end(),
      [&](const std::string& k) { return lower_ascii(k) == lower_ascii(column->name); }));
  const std::string typed = "(SELECT idx, lo = '\x01null' AS only_null, TRY_CAST(lo AS " + type +
                            ") AS lo, " + hi_expr + " AS hi, nulls FROM " +
                            quote_identifier(ranges) + ")";
  // A key that does not cast to the column type equals no value of it (TRY_CAST: NULL).
  const std::string keys = "(SELECT DISTINCT TRY_CAST(" + key + " AS " + type + ") AS k FROM " +
                           keys_table + " WHERE " + key + " IS NOT NULL)";
  const std::string query =
      "WITH r AS " + typed + " SELECT idx FROM r WHERE NOT coalesce(only_null, false) AND " +
      "(lo IS NULL OR hi IS NULL) UNION SELECT r.idx FROM r JOIN " + keys +
      " AS k ON k.k >= r.lo AND k.k <= r.hi UNION SELECT idx FROM r WHERE nulls AND EXISTS (" +
      "SELECT 1 FROM " + keys_table + " WHERE " + key + " IS NULL)";
  std::vector<bool> keep(all.size(), false);
  auto result = con.query(query);
  while (auto chunk = result.next_chunk()) {
    for (size_t r = 0; r < chunk->size(); ++r)
      keep.at(static_cast<size_t>(chunk->get_int(0, r))) = true;
  }
  con.execute("DROP TABLE " + quote_identifier(ranges));
  std::vector<AddFile> out;
  for (size_t i = 0; i < all.size(); ++i)
    if (keep[i]) out.push_back(all[i]);
  return out;
}

std::string TableScan::sql_for_keys(sql::Connection& con,
                                    const std::vector<std::string>& key_columns,
                                    const std::string& keys_table) const {
  if (key_columns.empty()) throw UsageError("a keyed scan needs at least one key column");
  ScanOptions options;
  options.files = files_for_keys(con, key_columns, keys_table);
  options.with_row_address = true;
  TableScan pruned(snapshot_, std::move(options));
  std::string on;
  for (const auto& k : key_columns) {
    if (!on.empty()) on += " AND ";
    on += "__dls_s." + quote_identifier(k) + " IS NOT DISTINCT FROM __dls_k." + quote_identifier(k);
  }
  return "SELECT __dls_s.* FROM (" + pruned.sql(con) + ") AS __dls_s SEMI JOIN " + keys_table +
         " AS __dls_k ON " + on;
}

}  // namespace dls::delta
