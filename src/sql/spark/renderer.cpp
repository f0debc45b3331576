#include "dls/sql/spark/renderer.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "dls/core/error.h"
#include "dls/sql/sql_error.h"

namespace dls::sql::spark {

namespace {

// Java's Double/Float.toString from the shortest round-trip digits.
template <typename F>
std::string java_format(F v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  if (v == 0) return std::signbit(v) ? "-0.0" : "0.0";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string s(buf, res.ptr);
  bool neg = s[0] == '-';
  if (neg) s.erase(0, 1);
  size_t e = s.find('e');
  int exp = std::stoi(s.substr(e + 1));
  std::string digits;
  for (size_t i = 0; i < e; ++i) {
    if (s[i] != '.') digits += s[i];
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  std::string out;
  double a = std::fabs(static_cast<double>(v));
  if (a >= 1e-3 && a < 1e7) {
    if (exp >= 0) {
      std::string ip = digits.substr(0, std::min(digits.size(), static_cast<size_t>(exp + 1)));
      while (ip.size() < static_cast<size_t>(exp + 1)) ip += '0';
      std::string fp = digits.size() > static_cast<size_t>(exp + 1) ? digits.substr(exp + 1) : "0";
      out = ip + "." + fp;
    } else {
      out = "0." + std::string(static_cast<size_t>(-exp - 1), '0') + digits;
    }
  } else {
    out = digits.substr(0, 1) + "." + (digits.size() > 1 ? digits.substr(1) : "0") + "E" +
          std::to_string(exp);
  }
  return neg ? "-" + out : out;
}

std::string two(int v) {
  char b[8];
  std::snprintf(b, sizeof b, "%02d", v);
  return b;
}

std::string date_string(duckdb_date d) {
  if (d.days == 2147483647) return "+infinity";
  if (d.days == -2147483647) return "-infinity";
  duckdb_date_struct s = duckdb_from_date(d);
  char b[32];
  std::snprintf(b, sizeof b, "%04d-%02d-%02d", s.year, s.month, s.day);
  return b;
}

std::string fraction(int32_t micros) {
  if (micros == 0) return "";
  char b[16];
  std::snprintf(b, sizeof b, "%06d", micros);
  std::string f(b);
  while (!f.empty() && f.back() == '0') f.pop_back();
  return "." + f;
}

std::string time_string(duckdb_time t) {
  duckdb_time_struct s = duckdb_from_time(t);
  return two(s.hour) + ":" + two(s.min) + ":" + two(s.sec) + fraction(s.micros);
}

std::string timestamp_string(int64_t micros) {
  duckdb_timestamp ts{micros};
  duckdb_timestamp_struct s = duckdb_from_timestamp(ts);
  char b[48];
  std::snprintf(b, sizeof b, "%04d-%02d-%02d %02d:%02d:%02d", s.date.year, s.date.month, s.date.day,
                s.time.hour, s.time.min, s.time.sec);
  return std::string(b) + fraction(s.time.micros);
}

std::string int128_string(__int128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  unsigned __int128 u =
      neg ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
  std::string s;
  while (u) {
    s += static_cast<char>('0' + static_cast<int>(u % 10));
    u /= 10;
  }
  if (neg) s += '-';
  return {s.rbegin(), s.rend()};
}

std::string decimal_string(__int128 v, uint8_t scale) {
  std::string s = int128_string(v < 0 ? -v : v);
  if (scale > 0) {
    while (s.size() <= scale) s = "0" + s;
    s.insert(s.size() - scale, ".");
  }
  return v < 0 ? "-" + s : s;
}

std::string interval_string(duckdb_interval iv) {
  if (iv.days == 0 && iv.micros == 0) {
    int32_t m = iv.months;
    std::string sign = m < 0 ? "-" : "";
    int32_t a = m < 0 ? -m : m;
    return sign + std::to_string(a / 12) + "-" + std::to_string(a % 12);
  }
  if (iv.months != 0) {
    throw Error("cannot render an interval mixing months and days/time in Spark notation");
  }
  int64_t total = static_cast<int64_t>(iv.days) * 86400000000LL + iv.micros;
  std::string sign = total < 0 ? "-" : "";
  uint64_t a = total < 0 ? static_cast<uint64_t>(-total) : static_cast<uint64_t>(total);
  uint64_t days = a / 86400000000ULL, rest = a % 86400000000ULL;
  char b[64];
  std::snprintf(b, sizeof b, "%s%llu %02llu:%02llu:%02llu.%06llu", sign.c_str(),
                static_cast<unsigned long long>(days),
                static_cast<unsigned long long>(rest / 3600000000ULL),
                static_cast<unsigned long long>(rest / 60000000ULL % 60),
                static_cast<unsigned long long>(rest / 1000000ULL % 60),
                static_cast<unsigned long long>(rest % 1000000ULL));
  return "INTERVAL '" + std::string(b) + "' DAY TO SECOND";
}

class LogicalType {
 public:
  explicit LogicalType(duckdb_logical_type t) : t_(t) {}
  LogicalType(const LogicalType&) = delete;
  LogicalType& operator=(const LogicalType&) = delete;
  ~LogicalType() {
    if (t_) duckdb_destroy_logical_type(&t_);
  }
  duckdb_logical_type get() const { return t_; }

 private:
  duckdb_logical_type t_;
};

std::string render(duckdb_vector vec, duckdb_logical_type type, idx_t row, bool nested);

std::string render_string(duckdb_vector vec, idx_t row) {
  auto* data = static_cast<duckdb_string_t*>(duckdb_vector_get_data(vec));
  duckdb_string_t* s = &data[row];
  return std::string(duckdb_string_t_data(s), duckdb_string_t_length(*s));
}

std::string render(duckdb_vector vec, duckdb_logical_type type, idx_t row, bool nested) {
  uint64_t* validity = duckdb_vector_get_validity(vec);
  if (validity && !duckdb_validity_row_is_valid(validity, row)) return nested ? "null" : "NULL";
  void* data = duckdb_vector_get_data(vec);
  duckdb_type id = duckdb_get_type_id(type);
  switch (id) {
    case DUCKDB_TYPE_BOOLEAN:
      return static_cast<bool*>(data)[row] ? "true" : "false";
    case DUCKDB_TYPE_TINYINT:
      return std::to_string(static_cast<int8_t*>(data)[row]);
    case DUCKDB_TYPE_SMALLINT:
      return std::to_string(static_cast<int16_t*>(data)[row]);
    case DUCKDB_TYPE_INTEGER:
      return std::to_string(static_cast<int32_t*>(data)[row]);
    case DUCKDB_TYPE_BIGINT:
      return std::to_string(static_cast<int64_t*>(data)[row]);
    case DUCKDB_TYPE_UTINYINT:
      return std::to_string(static_cast<uint8_t*>(data)[row]);
    case DUCKDB_TYPE_USMALLINT:
      return std::to_string(static_cast<uint16_t*>(data)[row]);
    case DUCKDB_TYPE_UINTEGER:
      return std::to_string(static_cast<uint32_t*>(data)[row]);
    case DUCKDB_TYPE_UBIGINT:
      return std::to_string(static_cast<uint64_t*>(data)[row]);
    case DUCKDB_TYPE_HUGEINT: {
      duckdb_hugeint h = static_cast<duckdb_hugeint*>(data)[row];
      __int128 v = (static_cast<__int128>(h.upper) << 64) | static_cast<__int128>(h.lower);
      return int128_string(v);
    }
    case DUCKDB_TYPE_FLOAT:
      return java_float_to_string(static_cast<float*>(data)[row]);
    case DUCKDB_TYPE_DOUBLE:
      return java_double_to_string(static_cast<double*>(data)[row]);
    case DUCKDB_TYPE_DECIMAL: {
      uint8_t scale = duckdb_decimal_scale(type);
      __int128 v = 0;
      switch (duckdb_decimal_internal_type(type)) {
        case DUCKDB_TYPE_SMALLINT:
          v = static_cast<int16_t*>(data)[row];
          break;
        case DUCKDB_TYPE_INTEGER:
          v = static_cast<int32_t*>(data)[row];
          break;
        case DUCKDB_TYPE_BIGINT:
          v = static_cast<int64_t*>(data)[row];
          break;
        default: {
          duckdb_hugeint h = static_cast<duckdb_hugeint*>(data)[row];
          v = (static_cast<__int128>(h.upper) << 64) | static_cast<__int128>(h.lower);
        }
      }
      return decimal_string(v, scale);
    }
    case DUCKDB_TYPE_VARCHAR: {
      std::string s = render_string(vec, row);
      return nested ? "\"" + s + "\"" : s;
    }
    case DUCKDB_TYPE_BLOB:
      return render_string(vec, row);
    case DUCKDB_TYPE_DATE:
      return date_string(static_cast<duckdb_date*>(data)[row]);
    case DUCKDB_TYPE_TIME:
      return time_string(static_cast<duckdb_time*>(data)[row]);
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return timestamp_string(static_cast<int64_t*>(data)[row]);
    case DUCKDB_TYPE_TIMESTAMP_S:
      return timestamp_string(static_cast<int64_t*>(data)[row] * 1000000);
    case DUCKDB_TYPE_TIMESTAMP_MS:
      return timestamp_string(static_cast<int64_t*>(data)[row] * 1000);
    case DUCKDB_TYPE_TIMESTAMP_NS:
      return timestamp_string(static_cast<int64_t*>(data)[row] / 1000);
    case DUCKDB_TYPE_INTERVAL:
      return interval_string(static_cast<duckdb_interval*>(data)[row]);
    case DUCKDB_TYPE_LIST: {
      auto entry = static_cast<duckdb_list_entry*>(data)[row];
      duckdb_vector child = duckdb_list_vector_get_child(vec);
      LogicalType ct(duckdb_list_type_child_type(type));
      std::string out = "[";
      for (idx_t i = 0; i < entry.length; ++i) {
        if (i) out += ",";
        out += render(child, ct.get(), entry.offset + i, true);
      }
      return out + "]";
    }
    case DUCKDB_TYPE_ARRAY: {
      idx_t n = duckdb_array_type_array_size(type);
      duckdb_vector child = duckdb_array_vector_get_child(vec);
      LogicalType ct(duckdb_array_type_child_type(type));
      std::string out = "[";
      for (idx_t i = 0; i < n; ++i) {
        if (i) out += ",";
        out += render(child, ct.get(), row * n + i, true);
      }
      return out + "]";
    }
    case DUCKDB_TYPE_MAP: {
      auto entry = static_cast<duckdb_list_entry*>(data)[row];
      duckdb_vector entries = duckdb_list_vector_get_child(vec);
      duckdb_vector keys = duckdb_struct_vector_get_child(entries, 0);
      duckdb_vector values = duckdb_struct_vector_get_child(entries, 1);
      LogicalType kt(duckdb_map_type_key_type(type));
      LogicalType vt(duckdb_map_type_value_type(type));
      std::string out = "{";
      for (idx_t i = 0; i < entry.length; ++i) {
        if (i) out += ",";
        out += render(keys, kt.get(), entry.offset + i, true) + ":" +
               render(values, vt.get(), entry.offset + i, true);
      }
      return out + "}";
    }
    case DUCKDB_TYPE_STRUCT: {
      idx_t n = duckdb_struct_type_child_count(type);
      std::string out = "{";
      for (idx_t i = 0; i < n; ++i) {
        if (i) out += ",";
        char* name = duckdb_struct_type_child_name(type, i);
        out += "\"" + std::string(name) + "\":";
        duckdb_free(name);
        LogicalType ct(duckdb_struct_type_child_type(type, i));
        out += render(duckdb_struct_vector_get_child(vec, i), ct.get(), row, true);
      }
      return out + "}";
    }
    case DUCKDB_TYPE_SQLNULL:
      return nested ? "null" : "NULL";
    default:
      throw Error("cannot render a DuckDB value of type id " +
                  std::to_string(static_cast<int>(id)) + " in Spark notation");
  }
}

}  // namespace

std::string java_double_to_string(double v) {
  return java_format(v);
}
std::string java_float_to_string(float v) {
  return java_format(v);
}

RenderedResult render_spark_result(Connection& con, std::string_view duckdb_sql) {
  duckdb_result result;
  std::string sql(duckdb_sql);
  if (duckdb_query(con.handle(), sql.c_str(), &result) == DuckDBError) {
    std::string msg = duckdb_result_error(&result) ? duckdb_result_error(&result) : "query failed";
    duckdb_destroy_result(&result);
    throw SqlError(msg, sql);
  }
  struct Guard {
    duckdb_result* r;
    ~Guard() { duckdb_destroy_result(r); }
  } guard{&result};
  RenderedResult out;
  idx_t cols = duckdb_column_count(&result);
  for (idx_t c = 0; c < cols; ++c) out.column_names.emplace_back(duckdb_column_name(&result, c));
  while (true) {
    duckdb_data_chunk chunk = duckdb_fetch_chunk(result);
    if (!chunk) break;
    struct ChunkGuard {
      duckdb_data_chunk c;
      ~ChunkGuard() { duckdb_destroy_data_chunk(&c); }
    } cg{chunk};
    idx_t n = duckdb_data_chunk_get_size(chunk);
    if (n == 0) break;
    for (idx_t row = 0; row < n; ++row) {
      std::vector<std::string> values;
      for (idx_t c = 0; c < cols; ++c) {
        duckdb_vector vec = duckdb_data_chunk_get_vector(chunk, c);
        LogicalType t(duckdb_vector_get_column_type(vec));
        values.push_back(render(vec, t.get(), row, false));
      }
      out.rows.push_back(std::move(values));
    }
  }
  return out;
}

}  // namespace dls::sql::spark
