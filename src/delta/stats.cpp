#include "delta/stats.h"

#include <algorithm>
#include <cctype>
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

/// A civil date (proleptic Gregorian) to days since 1970-01-01.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

/// Reads exactly `n` digits at `pos` (advancing it); false if there are not.
bool read_digits(const std::string& s, size_t& pos, size_t n, int64_t& out) {
  out = 0;
  for (size_t i = 0; i < n; ++i, ++pos) {
    if (pos >= s.size() || !std::isdigit(static_cast<unsigned char>(s[pos]))) return false;
    out = out * 10 + (s[pos] - '0');
  }
  return true;
}

/// Whether `s[pos]` is `c` (advancing past it).
bool read_char(const std::string& s, size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

bool is_iso_date(const std::string& s) {
  size_t pos = 0;
  int64_t y, m, d;
  return read_digits(s, pos, 4, y) && read_char(s, pos, '-') && read_digits(s, pos, 2, m) &&
         read_char(s, pos, '-') && read_digits(s, pos, 2, d) && pos == s.size();
}

/// A column path as RETURN_STATS names it: each name double-quoted ("" inside), joined by '.'.
std::string quoted_path(const std::vector<std::string>& path) {
  std::string out;
  for (const auto& name : path) {
    if (!out.empty()) out += '.';
    out += '"';
    for (char c : name) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  return out;
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

std::optional<int64_t> parse_stats_timestamp(const std::string& text) {
  size_t pos = 0;
  int64_t y, mo, d, h, mi, sec;
  if (!(read_digits(text, pos, 4, y) && read_char(text, pos, '-') &&
        read_digits(text, pos, 2, mo) && read_char(text, pos, '-') &&
        read_digits(text, pos, 2, d) && read_char(text, pos, ' ') && read_digits(text, pos, 2, h) &&
        read_char(text, pos, ':') && read_digits(text, pos, 2, mi) && read_char(text, pos, ':') &&
        read_digits(text, pos, 2, sec))) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  int64_t micros = 0;
  if (read_char(text, pos, '.')) {
    int64_t scale = 100000;
    size_t start = pos;
    for (; pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])); ++pos) {
      micros += (text[pos] - '0') * scale;  // digits past microseconds are dropped (truncation)
      scale /= 10;
    }
    if (pos == start) return std::nullopt;
  }
  int64_t offset_seconds = 0;
  if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int64_t sign = text[pos++] == '-' ? -1 : 1;
    int64_t oh = 0, om = 0, os = 0;
    if (!read_digits(text, pos, 2, oh)) return std::nullopt;
    if (read_char(text, pos, ':') && !read_digits(text, pos, 2, om)) return std::nullopt;
    if (read_char(text, pos, ':') && !read_digits(text, pos, 2, os)) return std::nullopt;
    offset_seconds = sign * (oh * 3600 + om * 60 + os);
  }
  if (pos != text.size()) return std::nullopt;
  int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  int64_t seconds = days * 86400 + h * 3600 + mi * 60 + sec - offset_seconds;
  return seconds * 1000000 + micros;
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
        if (field.type.kind == "array" || field.type.kind == "map") parquet_stats_suffice_ = false;
        if (min_max_kind(field.type) == MinMax::kFloat) has_float_leaves_ = true;
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

std::string StatsCollector::unbounded_columns_query(const std::string& parquet_path) const {
  if (!has_float_leaves_) return "";
  return "SELECT DISTINCT column_id FROM parquet_metadata(" + sql::quote_literal(parquet_path) +
         ") WHERE num_values > coalesce(stats_null_count, 0) AND (stats_min_value IS NULL OR "
         "stats_max_value IS NULL) ORDER BY column_id";
}

std::optional<std::string> StatsCollector::from_parquet_stats(
    int64_t num_records, const ParquetColumnStats& stats,
    const std::vector<int64_t>& unbounded_columns) const {
  if (!parquet_stats_suffice_) return std::nullopt;
  // Without arrays and maps, the file's leaf columns are exactly the schema's leaves in order
  // (partition columns are not in the file), so leaves_[i] is Parquet column id i.
  int64_t column_id = -1;
  // Rebuild the row of aggregate values that to_json() reads, so that both paths share every
  // rule of the JSON form (truncation, NaN, nesting).
  std::vector<sql::Value> values(expressions_.size());
  values[0] = sql::Value(num_records);
  for (const auto& leaf : leaves_) {
    ++column_id;
    auto column = stats.find(quoted_path(leaf.path));
    if (column == stats.end()) return std::nullopt;
    auto field = [&](const char* name) -> const std::string* {
      auto it = column->second.find(name);
      return it == column->second.end() ? nullptr : &it->second;
    };
    const std::string* null_count = field("null_count");
    if (!null_count) return std::nullopt;
    try {
      values[leaf.first_value] = sql::Value(static_cast<int64_t>(std::stoll(*null_count)));
    } catch (const std::exception&) {
      return std::nullopt;
    }
    if (!leaf.min_max) continue;
    const std::string* lo = field("min");
    const std::string* hi = field("max");
    bool is_float = min_max_kind(leaf.type) == MinMax::kFloat;
    if (is_float) {
      // NaN (and infinities, refused by to_json) leave the column without bounds.
      const std::string* nan = field("has_nan");
      bool unbounded = std::find(unbounded_columns.begin(), unbounded_columns.end(), column_id) !=
                       unbounded_columns.end();
      if (unbounded || (nan && *nan != "false")) continue;
    }
    if (!lo || !hi) {
      bool all_null = values[leaf.first_value].as_int() == num_records;
      if (all_null || is_float) continue;
      return std::nullopt;  // the writer kept no bounds for values it holds
    }
    sql::Value lo_value, hi_value;
    switch (min_max_kind(leaf.type)) {
      case MinMax::kInteger: {
        char* lo_end = nullptr;
        char* hi_end = nullptr;
        long long l = std::strtoll(lo->c_str(), &lo_end, 10);
        long long h = std::strtoll(hi->c_str(), &hi_end, 10);
        if (*lo_end == '\0' && *hi_end == '\0' && !lo->empty() && !hi->empty()) {
          lo_value = sql::Value(static_cast<int64_t>(l));
          hi_value = sql::Value(static_cast<int64_t>(h));
        }
        break;
      }
      case MinMax::kFloat:
      case MinMax::kDecimal:
      case MinMax::kString:
        lo_value = sql::Value(*lo);
        hi_value = sql::Value(*hi);
        break;
      case MinMax::kDate:
        if (is_iso_date(*lo) && is_iso_date(*hi)) {
          lo_value = sql::Value(*lo);
          hi_value = sql::Value(*hi);
        }
        break;
      case MinMax::kTimestamp:
      case MinMax::kTimestampNtz: {
        auto l = parse_stats_timestamp(*lo);
        auto h = parse_stats_timestamp(*hi);
        if (l && h) {
          lo_value = sql::Value(*l);
          hi_value = sql::Value(*h);
        }
        break;
      }
      case MinMax::kNone:
        break;
    }
    values[leaf.first_value + 1] = lo_value;
    values[leaf.first_value + 2] = hi_value;
  }
  return to_json(values);
}

}  // namespace dls::delta
