#include "delta/stats.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>

#include <nlohmann/json.hpp>

#include "dls/core/error.h"
#include "dls/core/utf8.h"
#include "dls/sql/quote.h"

namespace dls::delta {

namespace {

constexpr size_t kStringPrefixLength = 32;  // Spark's delta.dataSkippingStringPrefixLength
constexpr int64_t kDefaultIndexedColumns = 32;

bool iequals(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

enum class MinMax { kNone, kInteger, kFloat, kDecimal, kString, kDate, kTimestamp, kTimestampNtz };

MinMax min_max_kind(const DataType& t) {
  const std::string& k = t.kind;
  if (k == "long" || k == "integer" || k == "short" || k == "byte") return MinMax::kInteger;
  if (k == "float" || k == "double") return MinMax::kFloat;
  if (k == "decimal") return MinMax::kDecimal;
  if (k == "string") return MinMax::kString;
  if (k == "date") return MinMax::kDate;
  if (k == "timestamp") return MinMax::kTimestamp;
  if (k == "timestamp_ntz") return MinMax::kTimestampNtz;
  return MinMax::kNone;  // boolean, binary, array, map, variant
}

/// A JSON object whose leaves are raw JSON text, kept in schema order (nlohmann would turn
/// decimals into doubles and lose digits).
struct RawObject {
  struct Entry {
    std::string key;
    std::string raw;
    std::unique_ptr<RawObject> child;
  };
  std::vector<Entry> entries;

  void set(const std::vector<std::string>& path, size_t depth, std::string raw) {
    const std::string& key = path[depth];
    Entry* e = nullptr;
    for (auto& existing : entries) {
      if (existing.key == key) e = &existing;
    }
    if (!e) {
      entries.push_back({key, "", nullptr});
      e = &entries.back();
    }
    if (depth + 1 == path.size()) {
      e->raw = std::move(raw);
    } else {
      if (!e->child) e->child = std::make_unique<RawObject>();
      e->child->set(path, depth + 1, std::move(raw));
    }
  }
  bool empty() const {
    for (const auto& e : entries) {
      if (!e.child || !e.child->empty()) return false;
    }
    return true;
  }
  std::string dump() const {
    std::string out = "{";
    bool first = true;
    for (const auto& e : entries) {
      if (e.child && e.child->empty()) continue;
      if (!first) out += ',';
      first = false;
      out += nlohmann::json(e.key).dump();
      out += ':';
      out += e.child ? e.child->dump() : e.raw;
    }
    return out + "}";
  }
};

/// Code points of a UTF-8 string, as byte offsets of their starts.
std::vector<size_t> code_point_starts(const std::string& s) {
  std::vector<size_t> starts;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) starts.push_back(i);
  }
  return starts;
}

uint32_t decode_at(const std::string& s, size_t i, size_t end) {
  auto b = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(s[k])); };
  size_t n = end - i;
  if (n == 1) return b(i);
  if (n == 2) return ((b(i) & 0x1F) << 6) | (b(i + 1) & 0x3F);
  if (n == 3) return ((b(i) & 0x0F) << 12) | ((b(i + 1) & 0x3F) << 6) | (b(i + 2) & 0x3F);
  return ((b(i) & 0x07) << 18) | ((b(i + 1) & 0x3F) << 12) | ((b(i + 2) & 0x3F) << 6) |
         (b(i + 3) & 0x3F);
}

/// Days since 1970-01-01 to a civil date (proleptic Gregorian).
void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
}

int64_t floor_div(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

bool is_json_number(const std::string& text) {
  if (text.empty()) return false;
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(v)) return false;
  // strtod accepts forms JSON does not ("inf", "0x1p3", ".5", "+1").
  for (char c : text) {
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == 'e' ||
          c == 'E' || c == '+'))
      return false;
  }
  size_t i = text[0] == '-' ? 1 : 0;
  return i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]));
}

}  // namespace

std::string truncate_min_string(const std::string& s, size_t max_chars) {
  auto starts = code_point_starts(s);
  if (starts.size() <= max_chars) return s;
  return s.substr(0, starts[max_chars]);
}

std::optional<std::string> truncate_max_string(const std::string& s, size_t max_chars) {
  auto starts = code_point_starts(s);
  if (starts.size() <= max_chars) return s;
  // Increment the last code point of the prefix that can be incremented and drop what follows:
  // UTF-8 preserves code point order, so the result is greater than any string with the prefix.
  for (size_t k = max_chars; k-- > 0;) {
    size_t begin = starts[k];
    size_t end = starts[k + 1];
    uint32_t cp = decode_at(s, begin, end);
    if (cp >= 0x10FFFF) continue;
    uint32_t next = cp + 1;
    if (next >= 0xD800 && next <= 0xDFFF) next = 0xE000;  // skip surrogates
    std::string out = s.substr(0, begin);
    append_utf8(out, next);
    return out;
  }
  return std::nullopt;
}

std::string format_stats_timestamp(int64_t micros, bool utc) {
  int64_t millis = floor_div(micros, 1000);
  int64_t days = floor_div(millis, 86400000);
  int64_t ms_of_day = millis - days * 86400000;
  int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lld%s",
                static_cast<long long>(y), m, d, static_cast<long long>(ms_of_day / 3600000),
                static_cast<long long>(ms_of_day / 60000 % 60),
                static_cast<long long>(ms_of_day / 1000 % 60),
                static_cast<long long>(ms_of_day % 1000), utc ? "Z" : "");
  return buf;
}

StatsCollector::StatsCollector(const Schema& schema,
                               const std::vector<std::string>& partition_columns,
                               const std::map<std::string, std::string>& configuration) {
  int64_t limit = kDefaultIndexedColumns;
  if (auto it = configuration.find("delta.dataSkippingNumIndexedCols"); it != configuration.end()) {
    try {
      limit = std::stoll(it->second);
    } catch (const std::exception&) {
      throw InvalidMetadataError("table property delta.dataSkippingNumIndexedCols='" + it->second +
                                 "' is not an integer");
    }
  }
  expressions_.push_back("count(*)");
  int64_t indexed = 0;
  // Depth-first over the schema, in order; `expr` is the SQL reaching the current field.
  std::function<void(const StructField&, std::vector<std::string>, const std::string&)> visit =
      [&](const StructField& field, std::vector<std::string> path, const std::string& expr) {
        path.push_back(field.name);
        if (field.type.kind == "struct") {
          for (const auto& child : field.type.fields) {
            visit(child, path,
                  "struct_extract(" + expr + ", " + sql::quote_literal(child.name) + ")");
          }
          return;
        }
        if (limit >= 0 && indexed >= limit) return;
        ++indexed;
        Leaf leaf{path, field.type, false, expressions_.size()};
        expressions_.push_back("count(*) - count(" + expr + ")");
        switch (min_max_kind(field.type)) {
          case MinMax::kNone:
            break;
          case MinMax::kInteger:
          case MinMax::kString:
          case MinMax::kDate:
            expressions_.push_back("min(" + expr + ")");
            expressions_.push_back("max(" + expr + ")");
            leaf.min_max = true;
            break;
          case MinMax::kDecimal:
            expressions_.push_back("CAST(min(" + expr + ") AS VARCHAR)");
            expressions_.push_back("CAST(max(" + expr + ") AS VARCHAR)");
            leaf.min_max = true;
            break;
          case MinMax::kFloat: {
            // NaN and infinities have no JSON form; such a file gets no bounds for the column.
            std::string bad = "bool_or(isnan(" + expr + ") OR isinf(" + expr + "))";
            expressions_.push_back("CASE WHEN " + bad + " THEN NULL ELSE CAST(min(" + expr +
                                   ") AS VARCHAR) END");
            expressions_.push_back("CASE WHEN " + bad + " THEN NULL ELSE CAST(max(" + expr +
                                   ") AS VARCHAR) END");
            leaf.min_max = true;
            break;
          }
          case MinMax::kTimestamp:
          case MinMax::kTimestampNtz:
            expressions_.push_back("epoch_us(min(" + expr + "))");
            expressions_.push_back("epoch_us(max(" + expr + "))");
            leaf.min_max = true;
            break;
        }
        leaves_.push_back(std::move(leaf));
      };
  for (const auto& field : schema.fields) {
    bool is_partition = false;
    for (const auto& p : partition_columns) is_partition = is_partition || iequals(p, field.name);
    if (is_partition) continue;
    visit(field, {}, sql::quote_identifier(field.name));
  }
}

std::string StatsCollector::to_json(const std::vector<sql::Value>& values) const {
  RawObject min_values, max_values, null_count;
  for (const auto& leaf : leaves_) {
    null_count.set(leaf.path, 0, std::to_string(values.at(leaf.first_value).as_int()));
    if (!leaf.min_max) continue;
    const sql::Value& lo = values.at(leaf.first_value + 1);
    const sql::Value& hi = values.at(leaf.first_value + 2);
    if (lo.is_null() || hi.is_null()) continue;  // all null (or no usable bound)
    std::optional<std::string> lo_raw, hi_raw;
    switch (min_max_kind(leaf.type)) {
      case MinMax::kInteger:
        lo_raw = std::to_string(lo.as_int());
        hi_raw = std::to_string(hi.as_int());
        break;
      case MinMax::kFloat:
      case MinMax::kDecimal:
        if (is_json_number(lo.as_string()) && is_json_number(hi.as_string())) {
          lo_raw = lo.as_string();
          hi_raw = hi.as_string();
        }
        break;
      case MinMax::kString: {
        lo_raw = nlohmann::json(truncate_min_string(lo.as_string(), kStringPrefixLength)).dump();
        if (auto t = truncate_max_string(hi.as_string(), kStringPrefixLength)) {
          hi_raw = nlohmann::json(*t).dump();
        } else {
          lo_raw.reset();
        }
        break;
      }
      case MinMax::kDate:
        lo_raw = nlohmann::json(lo.as_string()).dump();
        hi_raw = nlohmann::json(hi.as_string()).dump();
        break;
      case MinMax::kTimestamp:
      case MinMax::kTimestampNtz: {
        bool utc = min_max_kind(leaf.type) == MinMax::kTimestamp;
        lo_raw = nlohmann::json(format_stats_timestamp(lo.as_int(), utc)).dump();
        hi_raw = nlohmann::json(format_stats_timestamp(hi.as_int(), utc)).dump();
        break;
      }
      case MinMax::kNone:
        break;
    }
    if (lo_raw && hi_raw) {
      min_values.set(leaf.path, 0, *lo_raw);
      max_values.set(leaf.path, 0, *hi_raw);
    }
  }
  return "{\"numRecords\":" + std::to_string(values.at(0).as_int()) +
         ",\"minValues\":" + min_values.dump() + ",\"maxValues\":" + max_values.dump() +
         ",\"nullCount\":" + null_count.dump() + "}";
}

}  // namespace dls::delta
