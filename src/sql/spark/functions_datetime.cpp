// Date and time functions of the Spark function library. The local engine's session time zone is
// UTC: TIMESTAMP values are DuckDB TIMESTAMPs holding UTC wall-clock time.
#include <algorithm>

#include "function_library.h"

namespace dls::sql::spark::lib {

namespace {

const SparkType kDate = T(K::kDate);
const SparkType kTs = T(K::kTimestamp);
const SparkType kInt = T(K::kInt);

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), ::toupper);
  return s;
}

std::string literal_upper(const CallContext& c, size_t i, const char* what) {
  auto lit = c.literal_string(i);
  if (!lit) c.unsupported(std::string(what) + " must be a string literal");
  return upper(*lit);
}

// The value of date_part(field, source) in Spark's terms.
TypedSql date_part(const CallContext& c, std::string field, const TypedSql& src) {
  bool interval = src.type.is(K::kYearMonthInterval) || src.type.is(K::kDayTimeInterval);
  bool time = src.type.is(K::kTime);
  std::string x = interval || time ? src.sql : as_ts(src);
  auto part = [&](const std::string& p) {
    return "CAST(date_part('" + p + "', " + x + ") AS INTEGER)";
  };
  if (field == "YEAR" || field == "Y" || field == "YEARS" || field == "YR" || field == "YRS")
    return {part("year"), kInt};
  if (field == "MONTH" || field == "MON" || field == "MONS" || field == "MONTHS")
    return {part("month"), kInt};
  if (field == "DAY" || field == "D" || field == "DAYS") return {part("day"), kInt};
  if (field == "HOUR" || field == "H" || field == "HOURS" || field == "HR" || field == "HRS")
    return {part("hour"), kInt};
  if (field == "MINUTE" || field == "M" || field == "MIN" || field == "MINS" ||
      field == "MINUTES") {
    return {part("minute"), kInt};
  }
  if (field == "SECOND" || field == "S" || field == "SEC" || field == "SECONDS" ||
      field == "SECS") {
    return {"CAST(date_part('microseconds', " + x + ") / 1000000 AS DECIMAL(8,6))",
            SparkType::decimal(8, 6)};
  }
  if (!interval && !time) {
    if (field == "QUARTER" || field == "QTR") return {part("quarter"), kInt};
    if (field == "WEEK" || field == "W" || field == "WEEKS") return {part("week"), kInt};
    if (field == "DAYOFWEEK" || field == "DOW")
      return {"CAST(dayofweek(" + x + ") + 1 AS INTEGER)", kInt};
    if (field == "DAYOFWEEK_ISO" || field == "DOW_ISO") return {part("isodow"), kInt};
    if (field == "DOY") return {part("doy"), kInt};
    if (field == "YEAROFWEEK") return {part("isoyear"), kInt};
  }
  c.unsupported("field '" + field + "'");
}

// Spark's trunc / date_trunc unit names -> DuckDB's.
std::string trunc_unit(const std::string& u, bool timestamp) {
  if (u == "YEAR" || u == "YYYY" || u == "YY") return "year";
  if (u == "QUARTER") return "quarter";
  if (u == "MONTH" || u == "MM" || u == "MON") return "month";
  if (u == "WEEK") return "week";
  if (!timestamp) return "";
  if (u == "DAY" || u == "DD") return "day";
  if (u == "HOUR") return "hour";
  if (u == "MINUTE") return "minute";
  if (u == "SECOND") return "second";
  if (u == "MILLISECOND") return "millisecond";
  if (u == "MICROSECOND") return "microsecond";
  return "";
}

TypedSql to_timestamp(CallContext& c, bool try_) {
  if (c.size() == 1) {
    if (c.type(0).is_numeric()) {
      return {"CAST(to_timestamp(" + c.sql(0) + ") AT TIME ZONE 'UTC' AS TIMESTAMP)", kTs};
    }
    if (c.type(0).is(K::kDate)) return {"CAST(" + c.sql(0) + " AS TIMESTAMP)", kTs};
    if (c.type(0).is(K::kTimestamp) || c.type(0).is(K::kTimestampNtz)) return {c.sql(0), kTs};
    return {std::string(try_ ? "TRY_CAST(" : "CAST(") + str(c, 0) + " AS TIMESTAMP)", kTs};
  }
  auto fmt = c.literal_string(1);
  if (!fmt) c.unsupported("the format must be a string literal");
  std::string f = quote_literal(java_to_strftime(*fmt, c, true));
  return {std::string(try_ ? "try_strptime(" : "strptime(") + str(c, 0) + ", " + f + ")", kTs};
}

TypedSql to_date(CallContext& c, bool try_) {
  if (c.size() == 1) {
    if (c.type(0).is(K::kDate)) return {c.sql(0), kDate};
    if (c.type(0).is(K::kTimestamp) || c.type(0).is(K::kTimestampNtz))
      return {"CAST(" + c.sql(0) + " AS DATE)", kDate};
    return {std::string("CAST(") + (try_ ? "TRY_CAST(" : "CAST(") + str(c, 0) +
                " AS TIMESTAMP) AS DATE)",
            kDate};
  }
  auto ts = to_timestamp(c, try_);
  return {"CAST(" + ts.sql + " AS DATE)", kDate};
}

// Spark's weekday names for next_day: 0 = Sunday as DuckDB's dayofweek.
int weekday_number(std::string d) {
  d = upper(d);
  static const char* const kDays[] = {"SU", "MO", "TU", "WE", "TH", "FR", "SA"};
  static const char* const kLong[] = {"SUNDAY",   "MONDAY", "TUESDAY", "WEDNESDAY",
                                      "THURSDAY", "FRIDAY", "SATURDAY"};
  for (int i = 0; i < 7; ++i) {
    std::string s(kDays[i]), l(kLong[i]);
    if (d == s || d == l.substr(0, 3) || d == l) return i;
  }
  return -1;
}

}  // namespace

void register_datetime_functions(FunctionRegistry& r) {
  for (const char* n : {"current_date", "curdate"}) {
    def(r, n, 0, 0, "datetime", tmpl("CAST(current_timestamp AT TIME ZONE 'UTC' AS DATE)", kDate));
  }
  for (const char* n : {"current_timestamp", "now", "localtimestamp"}) {
    def(r, n, 0, 0, "datetime",
        tmpl("CAST(current_timestamp AT TIME ZONE 'UTC' AS TIMESTAMP)", kTs));
  }
  def(r, "current_timezone", 0, 0, "datetime", tmpl("'UTC'", T(K::kString)));
  def(r, "to_date", 1, 2, "datetime", [](CallContext& c) { return to_date(c, false); });
  def(r, "try_to_date", 1, 2, "datetime", [](CallContext& c) { return to_date(c, true); });
  def(r, "date", 1, 1, "datetime", [](CallContext& c) { return to_date(c, false); });
  for (const char* n : {"to_timestamp", "to_timestamp_ntz", "to_timestamp_ltz", "timestamp"}) {
    def(r, n, 1, std::string(n) == "timestamp" ? 1 : 2, "datetime",
        [](CallContext& c) { return to_timestamp(c, false); });
  }
  def(r, "try_to_timestamp", 1, 2, "datetime",
      [](CallContext& c) { return to_timestamp(c, true); });
  def(r, "date_format", 2, 2, "datetime", [](CallContext& c) {
    auto fmt = c.literal_string(1);
    if (!fmt) c.unsupported("the format must be a string literal");
    return TypedSql{
        "strftime(" + as_ts(c, 0) + ", " + quote_literal(java_to_strftime(*fmt, c, false)) + ")",
        T(K::kString)};
  });
  def(r, "to_varchar", 2, 2, "datetime",
      [](CallContext& c) { return FunctionRegistry::instance().find("to_char")->rewrite(c); });
  for (const char* n : {"date_add", "dateadd"}) {
    def(r, n, 2, 2, "datetime", [](CallContext& c) {
      return TypedSql{"CAST(" + as_date(c, 0) + " + CAST(" + c.sql(1) + " AS INTEGER) AS DATE)",
                      kDate};
    });
  }
  def(r, "date_sub", 2, 2, "datetime", [](CallContext& c) {
    return TypedSql{"CAST(" + as_date(c, 0) + " - CAST(" + c.sql(1) + " AS INTEGER) AS DATE)",
                    kDate};
  });
  for (const char* n : {"datediff", "date_diff"}) {
    def(r, n, 2, 2, "datetime", [](CallContext& c) {
      return TypedSql{
          "CAST(date_diff('day', " + as_date(c, 1) + ", " + as_date(c, 0) + ") AS INTEGER)", kInt};
    });
  }
  def(r, "add_months", 2, 2, "datetime", [](CallContext& c) {
    return TypedSql{
        "CAST(" + as_date(c, 0) + " + to_months(CAST(" + c.sql(1) + " AS INTEGER)) AS DATE)",
        kDate};
  });
  def(r, "months_between", 2, 3, "datetime", [](CallContext& c) {
    std::string a = as_ts(c, 0), b = as_ts(c, 1);
    std::string months =
        "((year(" + a + ") * 12 + month(" + a + ")) - (year(" + b + ") * 12 + month(" + b + ")))";
    std::string same = "(day(" + a + ") = day(" + b + ") OR (" + a + "::DATE = last_day(" + a +
                       ") AND " + b + "::DATE = last_day(" + b + ")))";
    std::string secs_a = "(day(" + a + ") * 86400 + epoch(CAST(" + a + " AS TIME)))";
    std::string secs_b = "(day(" + b + ") * 86400 + epoch(CAST(" + b + " AS TIME)))";
    std::string diff = "(" + months + " + (" + secs_a + " - " + secs_b + ") / 2678400.0)";
    bool round = true;
    if (c.size() > 2) {
      const Expr& e = c.raw(2);
      if (e.kind != Expr::Kind::kBool) c.unsupported("roundOff must be a boolean literal");
      round = e.text == "true";
    }
    std::string v = round ? "round(CAST(" + diff + " AS DECIMAL(38,10)), 8)::DOUBLE"
                          : "CAST(" + diff + " AS DOUBLE)";
    return TypedSql{"CASE WHEN " + same + " THEN CAST(" + months + " AS DOUBLE) ELSE " + v + " END",
                    T(K::kDouble)};
  });
  def(r, "last_day", 1, 1, "datetime", [](CallContext& c) {
    return TypedSql{"last_day(" + as_date(c, 0) + ")", kDate};
  });
  def(r, "next_day", 2, 2, "datetime", [](CallContext& c) {
    auto lit = c.literal_string(1);
    if (!lit) c.unsupported("the day of week must be a string literal");
    int dow = weekday_number(*lit);
    if (dow < 0) c.unsupported("unknown day of week '" + *lit + "'");
    std::string d = as_date(c, 0);
    // dayofweek is a BIGINT and DATE + BIGINT does not bind: the day count is an INTEGER.
    return TypedSql{"CAST(" + d + " + CAST((" + std::to_string(dow) + " - dayofweek(" + d +
                        ") + 6) % 7 + 1 AS INTEGER) AS DATE)",
                    kDate};
  });
  def(r, "trunc", 2, 2, "datetime", [](CallContext& c) {
    std::string u = trunc_unit(literal_upper(c, 1, "the unit"), false);
    if (u.empty()) return TypedSql{"CAST(NULL AS DATE)", kDate};
    return TypedSql{"CAST(date_trunc('" + u + "', " + as_date(c, 0) + ") AS DATE)", kDate};
  });
  def(r, "date_trunc", 2, 2, "datetime", [](CallContext& c) {
    std::string u = trunc_unit(literal_upper(c, 0, "the unit"), true);
    if (u.empty()) return TypedSql{"CAST(NULL AS TIMESTAMP)", kTs};
    return TypedSql{"CAST(date_trunc('" + u + "', " + as_ts(c, 1) + ") AS TIMESTAMP)", kTs};
  });
  struct Part {
    const char* name;
    const char* field;
  };
  for (Part p :
       {Part{"year", "YEAR"}, Part{"month", "MONTH"}, Part{"day", "DAY"}, Part{"dayofmonth", "DAY"},
        Part{"hour", "HOUR"}, Part{"minute", "MINUTE"}, Part{"quarter", "QUARTER"},
        Part{"dayofweek", "DOW"}, Part{"dayofyear", "DOY"}, Part{"weekofyear", "WEEK"}}) {
    std::string field = p.field;
    def(r, p.name, 1, 1, "datetime",
        [field](CallContext& c) { return date_part(c, field, c.arg(0)); });
  }
  def(r, "second", 1, 1, "datetime", [](CallContext& c) {
    std::string x = c.type(0).is(K::kTime) ? c.sql(0) : as_ts(c, 0);
    return TypedSql{"CAST(second(" + x + ") AS INTEGER)", kInt};
  });
  def(r, "weekday", 1, 1, "datetime", [](CallContext& c) {
    return TypedSql{"CAST(isodow(" + as_ts(c, 0) + ") - 1 AS INTEGER)", kInt};
  });
  def(r, "dayname", 1, 1, "datetime", [](CallContext& c) {
    return TypedSql{"strftime(" + as_ts(c, 0) + ", '%a')", T(K::kString)};
  });
  def(r, "monthname", 1, 1, "datetime", [](CallContext& c) {
    return TypedSql{"strftime(" + as_ts(c, 0) + ", '%b')", T(K::kString)};
  });
  for (const char* n : {"date_part", "datepart"}) {
    def(r, n, 2, 2, "datetime",
        [](CallContext& c) { return date_part(c, literal_upper(c, 0, "the field"), c.arg(1)); });
  }
  def(r, "make_date", 3, 3, "datetime",
      tmpl("make_date(CAST({0} AS INTEGER), CAST({1} AS INTEGER), CAST({2} AS INTEGER))", kDate));
  auto make_ts = [](CallContext& c) {
    if (c.size() == 1) return TypedSql{"CAST(" + as_date(c, 0) + " AS TIMESTAMP)", kTs};
    if (c.size() == 2) {
      return TypedSql{"(" + as_date(c, 0) + " + CAST(" + c.sql(1) + " AS TIME))", kTs};
    }
    if (c.size() == 7)
      c.unsupported("a time zone argument (the local engine's session time zone is UTC)");
    if (c.size() != 6) c.unsupported("this number of arguments");
    std::string sec = "CAST(" + c.sql(5) + " AS DECIMAL(16,6))";
    return TypedSql{"CASE WHEN " + sec + " < 0 OR " + sec +
                        " > 60 THEN error('[INVALID_FRACTION_OF_SECOND] invalid seconds ' || " +
                        sec + ") ELSE make_timestamp(" + c.sql(0) + ", " + c.sql(1) + ", " +
                        c.sql(2) + ", " + c.sql(3) + ", " + c.sql(4) +
                        ", 0) + to_microseconds(CAST(" + sec + " * 1000000 AS BIGINT)) END",
                    kTs};
  };
  def(r, "make_timestamp", 1, 7, "datetime", make_ts);
  def(r, "make_timestamp_ntz", 1, 6, "datetime", make_ts);
  def(r, "make_timestamp_ltz", 6, 6, "datetime", make_ts);
  def(r, "from_utc_timestamp", 2, 2, "datetime", [](CallContext& c) {
    return TypedSql{
        "CAST(timezone(" + str(c, 1) + ", timezone('UTC', " + as_ts(c, 0) + ")) AS TIMESTAMP)",
        kTs};
  });
  def(r, "to_utc_timestamp", 2, 2, "datetime", [](CallContext& c) {
    return TypedSql{
        "CAST(timezone('UTC', timezone(" + str(c, 1) + ", " + as_ts(c, 0) + ")) AS TIMESTAMP)",
        kTs};
  });
  def(r, "convert_timezone", 2, 3, "datetime", [](CallContext& c) {
    std::string src = c.size() == 3 ? str(c, 0) : "'UTC'";
    std::string tgt = str(c, c.size() - 2);
    return TypedSql{"CAST(timezone(" + tgt + ", timezone(" + src + ", " + as_ts(c, c.size() - 1) +
                        ")) AS TIMESTAMP)",
                    T(K::kTimestampNtz)};
  });
  def(r, "unix_seconds", 1, 1, "datetime", [](CallContext& c) {
    return TypedSql{"CAST(floor(epoch(" + as_ts(c, 0) + ")) AS BIGINT)", T(K::kBigInt)};
  });
  def(r, "unix_millis", 1, 1, "datetime", [](CallContext& c) {
    return TypedSql{"epoch_ms(" + as_ts(c, 0) + ")", T(K::kBigInt)};
  });
  def(r, "unix_micros", 1, 1, "datetime", [](CallContext& c) {
    return TypedSql{"epoch_us(" + as_ts(c, 0) + ")", T(K::kBigInt)};
  });
  def(r, "unix_date", 1, 1, "datetime", [](CallContext& c) {
    return TypedSql{"CAST(date_diff('day', DATE '1970-01-01', " + as_date(c, 0) + ") AS INTEGER)",
                    kInt};
  });
  def(r, "date_from_unix_date", 1, 1, "datetime",
      tmpl("CAST(DATE '1970-01-01' + CAST({0} AS INTEGER) AS DATE)", kDate));
  def(r, "timestamp_seconds", 1, 1, "datetime",
      tmpl("CAST(to_timestamp({0}) AT TIME ZONE 'UTC' AS TIMESTAMP)", kTs));
  def(r, "timestamp_millis", 1, 1, "datetime",
      tmpl("make_timestamp(CAST({0} AS BIGINT) * 1000)", kTs));
  def(r, "timestamp_micros", 1, 1, "datetime", tmpl("make_timestamp(CAST({0} AS BIGINT))", kTs));
  def(r, "unix_timestamp", 0, 2, "datetime", [](CallContext& c) {
    if (c.size() == 0)
      return TypedSql{"CAST(floor(epoch(current_timestamp)) AS BIGINT)", T(K::kBigInt)};
    std::string ts;
    if (c.size() == 1 && !c.type(0).is(K::kString) && c.type(0).known()) {
      ts = as_ts(c, 0);
    } else {
      std::string fmt = "%Y-%m-%d %H:%M:%S";
      if (c.size() > 1) {
        auto lit = c.literal_string(1);
        if (!lit) c.unsupported("the format must be a string literal");
        fmt = java_to_strftime(*lit, c, true);
      }
      ts = "strptime(" + str(c, 0) + ", " + quote_literal(fmt) + ")";
    }
    return TypedSql{"CAST(floor(epoch(" + ts + ")) AS BIGINT)", T(K::kBigInt)};
  });
  def(r, "from_unixtime", 1, 2, "datetime", [](CallContext& c) {
    std::string fmt = "%Y-%m-%d %H:%M:%S";
    if (c.size() > 1) {
      auto lit = c.literal_string(1);
      if (!lit) c.unsupported("the format must be a string literal");
      fmt = java_to_strftime(*lit, c, false);
    }
    return TypedSql{"strftime(CAST(to_timestamp(" + c.sql(0) +
                        ") AT TIME ZONE 'UTC' AS TIMESTAMP), " + quote_literal(fmt) + ")",
                    T(K::kString)};
  });
}

}  // namespace dls::sql::spark::lib
