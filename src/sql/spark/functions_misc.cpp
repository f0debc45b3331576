// Conditional, math, JSON, hash, URL, cast and aggregate functions of the Spark function library.
#include <algorithm>
#include <functional>
#include <optional>

#include "dls/sql/spark/parser.h"
#include "dls/sql/spark/spark_error.h"
#include "function_library.h"

namespace dls::sql::spark::lib {

namespace {

const SparkType kBool = T(K::kBoolean);
const SparkType kDouble = T(K::kDouble);
const SparkType kStr = T(K::kString);

SparkType first_known(const CallContext& c, size_t from = 0) {
  SparkType t = T(K::kNull);
  for (size_t i = from; i < c.size(); ++i) {
    SparkType w = wider_numeric(t, c.type(i));
    if (w.known())
      t = w;
    else if (t.is(K::kNull))
      t = c.type(i);
  }
  return t;
}

Rewrite dbl(const std::string& fn) {
  return [fn](CallContext& c) {
    return TypedSql{fn + "(CAST(" + c.sql(0) + " AS DOUBLE))", kDouble};
  };
}

// Spark returns NULL for the logarithm of a non-positive number.
Rewrite log_fn(const std::string& fn) {
  return [fn](CallContext& c) {
    std::string x = "CAST(" + c.sql(0) + " AS DOUBLE)";
    return TypedSql{"CASE WHEN " + x + " <= 0 THEN NULL ELSE " + fn + "(" + x + ") END", kDouble};
  };
}

// DuckDB json_transform structure for a Spark type.
// With `text_datetimes`, dates and timestamps are read as VARCHAR (parsed afterwards with a
// dateFormat/timestampFormat option).
std::string json_structure(const SparkType& t, const CallContext& c, bool text_datetimes = false) {
  if (text_datetimes && t.is_datetime()) return "\"VARCHAR\"";
  switch (t.kind) {
    case K::kStruct: {
      std::string s = "{";
      for (size_t i = 0; i < t.fields.size(); ++i) {
        std::string n = t.fields[i].name;
        std::string esc;
        for (char ch : n) esc += ch == '"' ? std::string("\\\"") : std::string(1, ch);
        s += (i ? "," : "") + std::string("\"") + esc +
             "\":" + json_structure(t.fields[i].type, c, text_datetimes);
      }
      return s + "}";
    }
    case K::kArray:
      return "[" + json_structure(t.element(), c, text_datetimes) + "]";
    case K::kMap:
      return "\"MAP(VARCHAR, " + t.children[1].duckdb_name() + ")\"";
    case K::kBinary:
    case K::kYearMonthInterval:
    case K::kDayTimeInterval:
    case K::kUnknown:
    case K::kNull:
      c.unsupported("type " + t.spark_name() + " in a from_json schema");
    default:
      return "\"" + t.duckdb_name() + "\"";
  }
}

// The options argument of to_json/from_json: a literal map('key', 'value', ...). Only the datetime
// formats are honoured; any other option is refused (it could change the result).
struct JsonOptions {
  std::optional<std::string> timestamp_format;
  std::optional<std::string> date_format;
};

JsonOptions json_options(const CallContext& c, size_t i) {
  JsonOptions o;
  if (i >= c.size()) return o;
  const Expr& m = c.raw(i);
  if (m.kind != Expr::Kind::kFunction || m.name != "map" || m.args.size() % 2 != 0)
    c.unsupported("options must be a literal map('option', 'value', ...)");
  for (size_t k = 0; k < m.args.size(); k += 2) {
    if (m.args[k]->kind != Expr::Kind::kString || m.args[k + 1]->kind != Expr::Kind::kString)
      c.unsupported("options must be string literals");
    std::string key = m.args[k]->text;
    std::transform(key.begin(), key.end(), key.begin(), ::tolower);
    if (key == "timestampformat") {
      o.timestamp_format = m.args[k + 1]->text;
    } else if (key == "dateformat") {
      o.date_format = m.args[k + 1]->text;
    } else {
      c.unsupported("option '" + m.args[k]->text +
                    "' (only timestampFormat and dateFormat are supported)");
    }
  }
  return o;
}

// Rewrites the leaves of a nested value of type `t`: `leaf` returns the SQL replacing a value (or
// nullopt to keep it and descend into it); `key` is true for map keys. nullopt when nothing
// changes.
using Leaf =
    std::function<std::optional<std::string>(const std::string&, const SparkType&, bool key)>;

std::optional<std::string> map_leaves(const std::string& sql, const SparkType& t, CallContext& c,
                                      const Leaf& leaf, bool key = false) {
  if (auto s = leaf(sql, t, key)) return s;
  switch (t.kind) {
    case K::kStruct: {
      bool any = false;
      std::string s = "struct_pack(";
      for (size_t i = 0; i < t.fields.size(); ++i) {
        std::string get = "struct_extract(" + sql + ", " + quote_literal(t.fields[i].name) + ")";
        auto f = map_leaves(get, t.fields[i].type, c, leaf);
        any = any || f.has_value();
        s += (i ? ", " : "") + quote_identifier(t.fields[i].name) + " := " + (f ? *f : get);
      }
      if (!any) return std::nullopt;
      return "CASE WHEN " + sql + " IS NULL THEN NULL ELSE " + s + ") END";
    }
    case K::kArray: {
      std::string v = c.printer().fresh_name();
      auto f = map_leaves(v, t.element(), c, leaf);
      if (!f) return std::nullopt;
      return "list_transform(" + sql + ", lambda " + v + ": " + *f + ")";
    }
    case K::kMap: {
      std::string v = c.printer().fresh_name();
      std::string k = "struct_extract(" + v + ", 'key')",
                  val = "struct_extract(" + v + ", 'value')";
      auto fk = map_leaves(k, t.children[0], c, leaf, true);
      auto fv = map_leaves(val, t.children[1], c, leaf);
      if (!fk && !fv) return std::nullopt;
      return "map_from_entries(list_transform(map_entries(" + sql + "), lambda " + v +
             ": struct_pack(\"key\" := " + (fk ? *fk : k) + ", \"value\" := " + (fv ? *fv : val) +
             ")))";
    }
    default:
      return std::nullopt;
  }
}

TypedSql try_arith(CallContext& c, const std::string& op) {
  auto t = c.printer().apply_operator(op, c.arg(0), c.arg(1), nullptr, c.call().position);
  return {"TRY(" + t.sql + ")", t.type};
}

// Spark's parse_url via RFC 3986's regular expression. DuckDB numbers at most 9 groups: 1 scheme,
// 2 //authority, 3 userinfo@, 4 userinfo, 5 host, 6 port, 7 path, 8 ?query, 9 #ref.
const char* kUrlRe =
    "^(?:([^:/?#]+):)?(//(([^@/?#]*)@)?([^/?#:]*)(?::([0-9]+))?)?([^?#]*)(\\?[^#]*)?(#.*)?";

}  // namespace

void register_misc_functions(FunctionRegistry& r) {
  // Conditional.
  def(r, "coalesce", 1, -1, "conditional", [](CallContext& c) {
    return TypedSql{"coalesce(" + c.joined() + ")", first_known(c)};
  });
  for (const char* n : {"ifnull", "nvl"}) {
    def(r, n, 2, 2, "conditional", [](CallContext& c) {
      return TypedSql{"coalesce(" + c.joined() + ")", first_known(c)};
    });
  }
  def(r, "nvl2", 3, 3, "conditional", [](CallContext& c) {
    return TypedSql{
        "CASE WHEN " + c.sql(0) + " IS NOT NULL THEN " + c.sql(1) + " ELSE " + c.sql(2) + " END",
        first_known(c, 1)};
  });
  for (const char* n : {"if", "iff"}) {
    def(r, n, 3, 3, "conditional", [](CallContext& c) {
      return TypedSql{"CASE WHEN " + c.sql(0) + " THEN " + c.sql(1) + " ELSE " + c.sql(2) + " END",
                      first_known(c, 1)};
    });
  }
  def(r, "nullif", 2, 2, "conditional", [](CallContext& c) {
    return TypedSql{"nullif(" + c.joined() + ")", c.type(0)};
  });
  def(r, "nullifzero", 1, 1, "conditional", [](CallContext& c) {
    return TypedSql{"nullif(" + c.sql(0) + ", 0)", c.type(0)};
  });
  def(r, "zeroifnull", 1, 1, "conditional", [](CallContext& c) {
    SparkType t = c.type(0).is(K::kNull) ? T(K::kInt) : c.type(0);
    return TypedSql{"coalesce(" + c.sql(0) + ", 0)", t};
  });
  def(r, "greatest", 2, -1, "conditional", [](CallContext& c) {
    return TypedSql{"greatest(" + c.joined() + ")", first_known(c)};
  });
  def(r, "least", 2, -1, "conditional", [](CallContext& c) {
    return TypedSql{"least(" + c.joined() + ")", first_known(c)};
  });
  def(r, "equal_null", 2, 2, "predicate", tmpl("({0} IS NOT DISTINCT FROM {1})", kBool));
  def(r, "isnull", 1, 1, "predicate", tmpl("({0} IS NULL)", kBool));
  def(r, "isnotnull", 1, 1, "predicate", tmpl("({0} IS NOT NULL)", kBool));
  def(r, "isnan", 1, 1, "predicate", tmpl("coalesce(isnan(CAST({0} AS DOUBLE)), false)", kBool));
  def(r, "nanvl", 2, 2, "conditional",
      tmpl("CASE WHEN isnan(CAST({0} AS DOUBLE)) THEN {1} ELSE {0} END", kDouble));
  def(r, "assert_true", 1, 2, "misc", [](CallContext& c) {
    std::string msg = c.size() > 1 ? str(c, 1) : "'assertion failed'";
    return TypedSql{"CASE WHEN " + c.sql(0) + " THEN NULL ELSE error(" + msg + ") END",
                    T(K::kNull)};
  });
  def(r, "raise_error", 1, 1, "misc", [](CallContext& c) {
    return TypedSql{"error(" + str(c, 0) + ")", T(K::kNull)};
  });
  // Math.
  def(r, "abs", 1, 1, "math", [](CallContext& c) {
    if (c.type(0).is(K::kYearMonthInterval) || c.type(0).is(K::kDayTimeInterval)) {
      return TypedSql{"CASE WHEN " + c.sql(0) + " < INTERVAL '0 months' THEN " + c.sql(0) +
                          " * -1 ELSE " + c.sql(0) + " END",
                      c.type(0)};
    }
    return TypedSql{"abs(" + c.sql(0) + ")", c.type(0)};
  });
  for (const char* n : {"acos", "asin", "atan", "cos", "sin", "tan", "cot", "cosh", "sinh", "tanh",
                        "degrees", "radians", "cbrt", "exp", "acosh", "asinh", "atanh"}) {
    def(r, n, 1, 1, "math", dbl(n));
  }
  def(r, "atan2", 2, 2, "math", tmpl("atan2(CAST({0} AS DOUBLE), CAST({1} AS DOUBLE))", kDouble));
  def(r, "expm1", 1, 1, "math", tmpl("(exp(CAST({0} AS DOUBLE)) - 1)", kDouble));
  def(r, "sqrt", 1, 1, "math",
      tmpl("CASE WHEN CAST({0} AS DOUBLE) < 0 THEN CAST('NaN' AS DOUBLE) ELSE sqrt(CAST({0} AS "
           "DOUBLE)) END",
           kDouble));
  def(r, "ln", 1, 1, "math", log_fn("ln"));
  def(r, "log10", 1, 1, "math", log_fn("log10"));
  def(r, "log2", 1, 1, "math", log_fn("log2"));
  def(r, "log1p", 1, 1, "math",
      tmpl("CASE WHEN CAST({0} AS DOUBLE) <= -1 THEN NULL ELSE ln(1 + CAST({0} AS DOUBLE)) END",
           kDouble));
  def(r, "log", 1, 2, "math", [](CallContext& c) {
    if (c.size() == 1) return log_fn("ln")(c);
    std::string b = "CAST(" + c.sql(0) + " AS DOUBLE)", x = "CAST(" + c.sql(1) + " AS DOUBLE)";
    return TypedSql{"CASE WHEN " + b + " <= 0 OR " + x + " <= 0 THEN NULL ELSE ln(" + x +
                        ") / ln(" + b + ") END",
                    kDouble};
  });
  for (const char* n : {"pow", "power"})
    def(r, n, 2, 2, "math", tmpl("pow(CAST({0} AS DOUBLE), CAST({1} AS DOUBLE))", kDouble));
  def(r, "pi", 0, 0, "math", tmpl("pi()", kDouble));
  def(r, "e", 0, 0, "math", tmpl("exp(1.0::DOUBLE)", kDouble));
  def(r, "hypot", 2, 2, "math",
      tmpl("sqrt(pow(CAST({0} AS DOUBLE), 2) + pow(CAST({1} AS DOUBLE), 2))", kDouble));
  for (const char* n : {"sign", "signum"}) {
    def(r, n, 1, 1, "math", [](CallContext& c) {
      if (c.type(0).is(K::kYearMonthInterval) || c.type(0).is(K::kDayTimeInterval)) {
        std::string z = "INTERVAL '0 months'";
        return TypedSql{"CASE WHEN " + c.sql(0) + " < " + z + " THEN -1.0::DOUBLE WHEN " +
                            c.sql(0) + " > " + z + " THEN 1.0::DOUBLE WHEN " + c.sql(0) + " = " +
                            z + " THEN 0.0::DOUBLE END",
                        kDouble};
      }
      // sign(NaN) is NaN in Spark (Math.signum); DuckDB gives 0.
      const std::string x = "CAST(" + c.sql(0) + " AS DOUBLE)";
      return TypedSql{
          "CASE WHEN isnan(" + x + ") THEN " + x + " ELSE CAST(sign(" + x + ") AS DOUBLE) END",
          kDouble};
    });
  }
  def(r, "positive", 1, 1, "math", [](CallContext& c) { return c.arg(0); });
  def(r, "negative", 1, 1, "math", [](CallContext& c) {
    return TypedSql{"(-" + c.sql(0) + ")", c.type(0)};
  });
  auto ceil_floor = [](const std::string& fn) {
    return [fn](CallContext& c) {
      if (c.size() == 1) {
        if (c.type(0).is_integral())
          return TypedSql{"CAST(" + c.sql(0) + " AS BIGINT)", T(K::kBigInt)};
        return TypedSql{"CAST(" + fn + "(" + c.sql(0) + ") AS BIGINT)", T(K::kBigInt)};
      }
      auto s = c.literal_int(1);
      if (!s) c.unsupported("the scale must be an integer literal");
      std::string x = c.type(0).is(K::kDouble) || c.type(0).is(K::kFloat)
                          ? "CAST(" + c.sql(0) + " AS DOUBLE)"
                          : "CAST(" + c.sql(0) + " AS DECIMAL(38,10))";
      if (*s >= 0) {
        std::string f = "1" + std::string(static_cast<size_t>(*s), '0');
        return TypedSql{"CAST(" + fn + "(" + x + " * " + f + ") / " + f + " AS DECIMAL(38," +
                            std::to_string(*s) + "))",
                        SparkType::decimal(38, static_cast<int>(*s))};
      }
      std::string f = "1" + std::string(static_cast<size_t>(-*s), '0');
      return TypedSql{"CAST(" + fn + "(" + x + " / " + f + ") * " + f + " AS DECIMAL(38,0))",
                      SparkType::decimal(38, 0)};
    };
  };
  for (const char* n : {"ceil", "ceiling"}) def(r, n, 1, 2, "math", ceil_floor("ceil"));
  def(r, "floor", 1, 2, "math", ceil_floor("floor"));
  def(
      r, "round", 1, 2, "math",
      [](CallContext& c) {
        std::string d = c.size() > 1 ? c.sql(1) : "0";
        if (c.type(0).is_integral()) {
          return TypedSql{
              "CAST(round(" + c.sql(0) + ", " + d + ") AS " + c.type(0).duckdb_name() + ")",
              c.type(0)};
        }
        return TypedSql{"round(" + c.sql(0) + ", " + d + ")",
                        c.type(0).is(K::kDecimal) ? SparkType{} : c.type(0)};
      },
      "HALF_UP, as Spark");
  def(
      r, "bround", 1, 2, "math",
      [](CallContext& c) {
        std::string d = c.size() > 1 ? c.sql(1) : "0";
        if (c.type(0).is_integral()) {
          return TypedSql{
              "CAST(round_even(" + c.sql(0) + ", " + d + ") AS " + c.type(0).duckdb_name() + ")",
              c.type(0)};
        }
        if (c.type(0).is(K::kDecimal)) {
          return TypedSql{
              "CAST(round_even(" + c.sql(0) + ", " + d + ") AS " + c.type(0).duckdb_name() + ")",
              c.type(0)};
        }
        return TypedSql{"round_even(" + c.sql(0) + ", " + d + ")", c.type(0)};
      },
      "HALF_EVEN, as Spark");
  def(r, "mod", 2, 2, "math", [](CallContext& c) {
    return c.printer().apply_operator("%", c.arg(0), c.arg(1), &c.raw(1), c.call().position);
  });
  def(r, "pmod", 2, 2, "math", [](CallContext& c) {
    auto m = c.printer().apply_operator("%", c.arg(0), c.arg(1), &c.raw(1), c.call().position);
    return TypedSql{"CASE WHEN " + m.sql + " < 0 THEN (" + m.sql + " + " + c.sql(1) + ") % " +
                        c.sql(1) + " ELSE " + m.sql + " END",
                    m.type};
  });
  def(r, "factorial", 1, 1, "math",
      tmpl(
          "CASE WHEN {0} BETWEEN 0 AND 20 THEN CAST(factorial(CAST({0} AS INTEGER)) AS BIGINT) END",
          T(K::kBigInt)));
  def(r, "shiftleft", 2, 2, "math", [](CallContext& c) {
    return TypedSql{"(" + c.sql(0) + " << " + c.sql(1) + ")", c.type(0)};
  });
  def(r, "shiftright", 2, 2, "math", [](CallContext& c) {
    return TypedSql{"(" + c.sql(0) + " >> " + c.sql(1) + ")", c.type(0)};
  });
  def(r, "try_add", 2, 2, "math", [](CallContext& c) { return try_arith(c, "+"); });
  def(r, "try_subtract", 2, 2, "math", [](CallContext& c) { return try_arith(c, "-"); });
  def(r, "try_multiply", 2, 2, "math", [](CallContext& c) { return try_arith(c, "*"); });
  def(r, "try_divide", 2, 2, "math", [](CallContext& c) {
    if (c.type(0).is(K::kYearMonthInterval) && c.type(1).is_integral()) {
      // Spark: the months divided by the integer, rounded HALF_UP; NULL for a zero divisor.
      std::string months =
          "(date_part('year', " + c.sql(0) + ") * 12 + date_part('month', " + c.sql(0) + "))";
      return TypedSql{"TRY(to_months(CAST(round(CAST(" + months + " AS DOUBLE) / CASE WHEN " +
                          c.sql(1) + " = 0 THEN NULL ELSE " + c.sql(1) + " END) AS INTEGER)))",
                      c.type(0)};
    }
    if (c.type(0).is(K::kYearMonthInterval) || c.type(0).is(K::kDayTimeInterval))
      c.unsupported("dividing an interval other than YEAR TO MONTH by an integer");
    if (c.type(0).is(K::kDecimal) && c.type(1).is(K::kDecimal))
      c.unsupported("two DECIMAL operands (Spark keeps a DECIMAL result; cast one to DOUBLE)");
    return TypedSql{"TRY(CAST(" + c.sql(0) + " AS DOUBLE) / CASE WHEN " + c.sql(1) +
                        " = 0 THEN NULL ELSE " + c.sql(1) + " END)",
                    kDouble};
  });
  def(r, "try_mod", 2, 2, "math", [](CallContext& c) {
    return TypedSql{"TRY(" + c.sql(0) + " % CASE WHEN " + c.sql(1) + " = 0 THEN NULL ELSE " +
                        c.sql(1) + " END)",
                    wider_numeric(c.type(0), c.type(1))};
  });
  // Casts by type name: int(x), string(x), ...
  for (const char* n : {"int", "bigint", "smallint", "tinyint", "double", "float", "boolean",
                        "string", "binary", "decimal"}) {
    std::string type_name = n;
    def(r, n, 1, 1, "cast", [type_name](CallContext& c) {
      Expr cast(Expr::Kind::kCast, c.call().position);
      cast.op = "CAST";
      cast.type = parse_type(type_name);
      cast.args.push_back(ExprPtr(const_cast<Expr*>(&c.raw(0))));
      TypedSql out;
      try {
        out = c.printer().expr(cast);
      } catch (...) {
        (void)cast.args[0].release();
        throw;
      }
      (void)cast.args[0].release();
      return out;
    });
  }
  // JSON.
  def(r, "get_json_object", 2, 2, "json", [](CallContext& c) {
    std::string j = str(c, 0), p = str(c, 1);
    auto lit = c.literal_string(1);
    bool wildcard =
        lit && (lit->find("[*]") != std::string::npos || lit->find(".*") != std::string::npos);
    std::string v = wildcard ? "CAST(to_json(json_extract(" + j + ", " + p + ")) AS VARCHAR)"
                             : "json_extract_string(" + j + ", " + p + ")";
    return TypedSql{"CASE WHEN json_valid(" + j + ") THEN " + v + " END", kStr};
  });
  def(r, "json_array_length", 1, 1, "json", [](CallContext& c) {
    std::string j = str(c, 0);
    return TypedSql{"CASE WHEN json_valid(" + j + ") AND json_type(" + j +
                        ") = 'ARRAY' THEN CAST(json_array_length(" + j + ") AS INTEGER) END",
                    T(K::kInt)};
  });
  def(r, "json_object_keys", 1, 1, "json", [](CallContext& c) {
    std::string j = str(c, 0);
    return TypedSql{"CASE WHEN json_valid(" + j + ") AND json_type(" + j +
                        ") = 'OBJECT' THEN json_keys(" + j + ") END",
                    SparkType::array(kStr)};
  });
  def(
      r, "to_json", 1, 2, "json",
      [](CallContext& c) {
        JsonOptions o = json_options(c, 1);
        Leaf leaf = [&](const std::string& v, const SparkType& t,
                        bool key) -> std::optional<std::string> {
          if (t.is(K::kDate) && o.date_format) {
            return "strftime(" + v + ", " +
                   quote_literal(java_to_strftime(*o.date_format, c, false)) + ")";
          }
          if ((t.is(K::kTimestamp) || t.is(K::kTimestampNtz)) && o.timestamp_format) {
            return "strftime(" + v + ", " +
                   quote_literal(java_to_strftime(*o.timestamp_format, c, false)) + ")";
          }
          if (t.is_datetime() || t.is(K::kBinary) || t.is(K::kDouble) || t.is(K::kFloat)) {
            c.unsupported("values of type " + t.spark_name() +
                          " (Spark's JSON formatting differs; give a dateFormat/timestampFormat "
                          "option for dates and timestamps)");
          }
          if (key && t.is(K::kStruct)) {
            // Spark writes a struct key as its row text: [v1,v2] (null for a NULL field).
            std::string s = "'[' || concat_ws(','";
            for (const auto& f : t.fields) {
              if (!(f.type.is_integral() || f.type.is(K::kString) || f.type.is(K::kBoolean)))
                c.unsupported("map keys of type " + t.spark_name());
              s += ", coalesce(CAST(struct_extract(" + v + ", " + quote_literal(f.name) +
                   ") AS VARCHAR), 'null')";
            }
            return s + ") || ']'";
          }
          if (key && !(t.is(K::kString) || t.is_integral()))
            c.unsupported("map keys of type " + t.spark_name());
          return std::nullopt;
        };
        auto prepared = map_leaves(c.sql(0), c.type(0), c, leaf);
        return TypedSql{"CAST(to_json(" + (prepared ? *prepared : c.sql(0)) + ") AS VARCHAR)",
                        kStr};
      },
      "values of unknown type are formatted by DuckDB; dates, timestamps and doubles are refused "
      "when their type is known");
  def(r, "from_json", 2, 3, "json", [](CallContext& c) {
    JsonOptions o = json_options(c, 2);
    auto schema = c.literal_string(1);
    if (!schema) c.unsupported("the schema must be a string literal");
    SparkType t;
    try {
      t = parse_type(*schema);
    } catch (const Error&) {
      t = SparkType::of(K::kStruct);
      std::string wrapped = "STRUCT<" + *schema + ">";
      t = parse_type(wrapped);
    }
    std::string j = str(c, 0);
    bool formats = o.timestamp_format || o.date_format;
    std::string parsed =
        "json_transform(" + j + ", " + quote_literal(json_structure(t, c, formats)) + ")";
    if (formats) {
      // Dates and timestamps were read as text: parse them with the given (or ISO) pattern; a
      // value that does not match becomes NULL, as Spark's PERMISSIVE mode.
      Leaf leaf = [&](const std::string& v, const SparkType& lt,
                      bool) -> std::optional<std::string> {
        if (lt.is(K::kDate)) {
          std::string f = java_to_strftime(o.date_format.value_or("yyyy-MM-dd"), c, true);
          return "CAST(try_strptime(" + v + ", " + quote_literal(f) + ") AS DATE)";
        }
        if (lt.is(K::kTimestamp) || lt.is(K::kTimestampNtz)) {
          if (!o.timestamp_format) return "TRY_CAST(" + v + " AS TIMESTAMP)";
          std::string f = java_to_strftime(*o.timestamp_format, c, true);
          return "try_strptime(" + v + ", " + quote_literal(f) + ")";
        }
        return std::nullopt;
      };
      if (auto p = map_leaves(parsed, t, c, leaf)) parsed = *p;
    }
    return TypedSql{"CASE WHEN json_valid(" + j + ") THEN " + parsed + " END", t};
  });
  r.add_unsupported("schema_of_json", "needs Spark's JSON type inference");
  r.add_unsupported("json_tuple", "a generator: use get_json_object for each field");
  // Hashes.
  def(r, "md5", 1, 1, "hash", [](CallContext& c) {
    return TypedSql{"md5(" + bin(c, 0) + ")", kStr};
  });
  def(r, "sha1", 1, 1, "hash", [](CallContext& c) {
    return TypedSql{"sha1(" + bin(c, 0) + ")", kStr};
  });
  def(r, "sha", 1, 1, "hash", [](CallContext& c) {
    return TypedSql{"sha1(" + bin(c, 0) + ")", kStr};
  });
  def(r, "sha2", 2, 2, "hash", [](CallContext& c) {
    auto bits = c.literal_int(1);
    if (!bits || (*bits != 0 && *bits != 256)) c.unsupported("only sha2(x, 256) is supported");
    return TypedSql{"sha256(" + bin(c, 0) + ")", kStr};
  });
  r.add_unsupported("hash", "Spark's Murmur3 hash values are not reproduced");
  r.add_unsupported("xxhash64", "Spark's xxHash64 values are not reproduced");
  r.add_unsupported("crc32", "no DuckDB equivalent");
  // URLs.
  def(r, "parse_url", 2, 3, "url", [](CallContext& c) {
    auto part = c.literal_string(1);
    if (!part) c.unsupported("the part must be a string literal");
    std::string u = str(c, 0);
    auto g = [&](int n) {
      return "regexp_extract(" + u + ", " + quote_literal(kUrlRe) + ", " + std::to_string(n) + ")";
    };
    auto present = [&](int n) { return g(n) + " <> ''"; };
    std::string p = *part, v;
    if (p == "HOST")
      v = "CASE WHEN " + present(2) + " THEN " + g(5) + " END";
    else if (p == "PATH")
      v = g(7);
    else if (p == "QUERY")
      v = "CASE WHEN " + present(8) + " THEN substring(" + g(8) + ", 2) END";
    else if (p == "REF")
      v = "CASE WHEN " + present(9) + " THEN substring(" + g(9) + ", 2) END";
    else if (p == "PROTOCOL")
      v = "CASE WHEN " + present(1) + " THEN " + g(1) + " END";
    else if (p == "FILE")
      v = g(7) + " || " + g(8);
    else if (p == "AUTHORITY")
      v = "CASE WHEN " + present(2) + " THEN substring(" + g(2) + ", 3) END";
    else if (p == "USERINFO")
      v = "CASE WHEN " + present(3) + " THEN " + g(4) + " END";
    else
      return TypedSql{"CAST(NULL AS VARCHAR)", kStr};
    if (c.size() == 3) {
      if (p != "QUERY") return TypedSql{"CAST(NULL AS VARCHAR)", kStr};
      std::string key = str(c, 2);
      std::string re = "'(^|&)' || " + key + " || '=([^&]*)'";
      return TypedSql{"CASE WHEN regexp_matches(" + v + ", " + re + ") THEN regexp_extract(" + v +
                          ", " + re + ", 2) END",
                      kStr};
    }
    return TypedSql{v, kStr};
  });
  def(r, "url_encode", 1, 1, "url", [](CallContext& c) {
    // Java's URLEncoder: space as '+', and '*' '-' '.' '_' kept.
    return TypedSql{"replace(url_encode(" + str(c, 0) + "), '%20', '+')", kStr};
  });
  def(r, "url_decode", 1, 1, "url", [](CallContext& c) {
    return TypedSql{"url_decode(replace(" + str(c, 0) + ", '+', ' '))", kStr};
  });
  // Misc.
  def(
      r, "input_file_name", 0, 0, "misc",
      [](CallContext& c) {
        return TypedSql{c.printer().options().input_file_name_sql, kStr};
      },
      "the _metadata.file_path column the pipeline engine provides for file sources");
  def(r, "uuid", 0, 0, "misc", tmpl("CAST(uuid() AS VARCHAR)", kStr));
  // Aggregates (queries only).
  auto agg = [](const std::string& fn, SparkType t) {
    return [fn, t](CallContext& c) {
      if (c.call().star) return TypedSql{fn + "(*)", t};
      std::string d = c.call().distinct ? "DISTINCT " : "";
      return TypedSql{fn + "(" + d + c.joined() + ")", t.known() ? t : (c.size() ? c.type(0) : t)};
    };
  };
  def(r, "count", 0, -1, "aggregate", [agg](CallContext& c) {
    if (c.size() > 1) {
      // count([DISTINCT] a, b): rows where every argument is non-NULL.
      std::string all = "(" + c.sql(0) + ") IS NOT NULL";
      std::string row = "row(" + c.joined() + ")";
      for (size_t i = 1; i < c.size(); ++i) all += " AND (" + c.sql(i) + ") IS NOT NULL";
      std::string d = c.call().distinct ? "DISTINCT " : "";
      return TypedSql{"count(" + d + "CASE WHEN " + all + " THEN " + row + " END)", T(K::kBigInt)};
    }
    return agg("count", T(K::kBigInt))(c);
  });
  def(r, "sum", 1, 1, "aggregate", agg("sum", SparkType{}));
  for (const char* n : {"avg", "mean"}) {
    def(r, n, 1, 1, "aggregate", [agg](CallContext& c) {
      // Spark: the average of DECIMAL(p, s) is DECIMAL(p + 4, s + 4) (capped at 38).
      if (c.type(0).is(K::kDecimal) && !c.call().window && !c.call().filter) {
        int p = std::min(38, c.type(0).precision + 4), sc = std::min(38, c.type(0).scale + 4);
        std::string d = c.call().distinct ? "DISTINCT " : "";
        return TypedSql{"CAST(avg(" + d + c.sql(0) + ") AS DECIMAL(" + std::to_string(p) + ", " +
                            std::to_string(sc) + "))",
                        SparkType::decimal(p, sc)};
      }
      return agg("avg", kDouble)(c);
    });
  }
  def(r, "min", 1, 1, "aggregate", agg("min", SparkType{}));
  def(r, "max", 1, 1, "aggregate", agg("max", SparkType{}));
  for (const char* n : {"stddev", "stddev_samp", "std"})
    def(r, n, 1, 1, "aggregate", agg("stddev_samp", kDouble));
  def(r, "stddev_pop", 1, 1, "aggregate", agg("stddev_pop", kDouble));
  for (const char* n : {"variance", "var_samp"})
    def(r, n, 1, 1, "aggregate", agg("var_samp", kDouble));
  def(r, "var_pop", 1, 1, "aggregate", agg("var_pop", kDouble));
  // Spark casts a string argument to BOOLEAN ('true'/'false').
  auto bool_agg = [](const std::string& fn) {
    return [fn](CallContext& c) {
      std::string a = c.type(0).is(K::kString) ? "CAST(" + c.sql(0) + " AS BOOLEAN)" : c.sql(0);
      return TypedSql{fn + "(" + std::string(c.call().distinct ? "DISTINCT " : "") + a + ")",
                      kBool};
    };
  };
  for (const char* n : {"bool_and", "every"}) def(r, n, 1, 1, "aggregate", bool_agg("bool_and"));
  for (const char* n : {"bool_or", "some", "any"})
    def(r, n, 1, 1, "aggregate", bool_agg("bool_or"));
  // Spark's skewness is the population skewness; DuckDB's skewness has the sample correction
  // sqrt(n(n-1))/(n-2), undone here.
  def(r, "skewness", 1, 1, "aggregate", [](CallContext& c) {
    const std::string& x = c.sql(0);
    return TypedSql{"(skewness(" + x + ") * (count(" + x + ") - 2) / sqrt(count(" + x +
                        ") * (count(" + x + ") - 1)))",
                    kDouble};
  });
  def(r, "count_if", 1, 1, "aggregate", agg("count_if", T(K::kBigInt)));
  for (const char* n : {"corr", "covar_pop", "covar_samp", "regr_slope", "regr_intercept",
                        "regr_r2", "regr_avgx", "regr_avgy", "regr_sxx", "regr_syy", "regr_sxy"})
    def(r, n, 2, 2, "aggregate", agg(n, kDouble));
  def(r, "regr_count", 2, 2, "aggregate", agg("regr_count", T(K::kBigInt)));
  // Spark's kurtosis is the population excess kurtosis (DuckDB's kurtosis_pop).
  def(r, "kurtosis", 1, 1, "aggregate", agg("kurtosis_pop", kDouble));
  def(r, "max_by", 2, 2, "aggregate", agg("arg_max", SparkType{}));
  def(r, "min_by", 2, 2, "aggregate", agg("arg_min", SparkType{}));
  // first/last(x[, ignoreNulls]): over a window they are first_value/last_value; as aggregates
  // DuckDB's first/last keep NULLs as Spark does, and any_value skips them (ignoreNulls true).
  for (const char* n : {"first", "last", "first_value", "last_value"}) {
    std::string name = n;
    def(r, name, 1, 2, "aggregate", [name](CallContext& c) {
      bool last = name.rfind("last", 0) == 0;
      bool ignore_nulls = false;
      if (c.size() == 2) {
        const Expr& flag = c.raw(1);
        if (flag.kind != Expr::Kind::kBool)
          c.unsupported("the second argument (ignoreNulls) must be the literal true or false");
        ignore_nulls = flag.text == "true";
      }
      ignore_nulls = ignore_nulls || c.call().ignore_nulls;
      if (c.call().window) {
        std::string fn = last ? "last_value(" : "first_value(";
        return TypedSql{fn + c.sql(0) + (ignore_nulls ? " IGNORE NULLS)" : ")"), c.type(0)};
      }
      if (ignore_nulls) {
        if (last) c.unsupported("last(x, true) outside a window");
        return TypedSql{"any_value(" + c.sql(0) + ")", c.type(0)};
      }
      return TypedSql{std::string(last ? "last(" : "first(") + c.sql(0) + ")", c.type(0)};
    });
  }
  def(r, "any_value", 1, 2, "aggregate", [](CallContext& c) {
    return TypedSql{"any_value(" + c.sql(0) + ")", c.type(0)};
  });
  // Window functions (only with OVER; the printer adds the window).
  const SparkType kInt = T(K::kInt);
  for (const char* n : {"row_number", "rank", "dense_rank"}) {
    std::string name = n;
    SparkType t = name == "row_number" ? T(K::kInt) : kInt;
    def(r, name, 0, 0, "window", [name, t](CallContext&) { return TypedSql{name + "()", t}; });
  }
  for (const char* n : {"percent_rank", "cume_dist"}) {
    std::string name = n;
    def(r, name, 0, 0, "window", [name](CallContext&) { return TypedSql{name + "()", kDouble}; });
  }
  def(r, "ntile", 1, 1, "window", [kInt](CallContext& c) {
    return TypedSql{"ntile(" + c.sql(0) + ")", kInt};
  });
  for (const char* n : {"lag", "lead"}) {
    std::string name = n;
    def(r, name, 1, 3, "window", [name](CallContext& c) {
      return TypedSql{name + "(" + c.joined() + ")", c.type(0)};
    });
  }
  def(r, "nth_value", 2, 3, "window", [](CallContext& c) {
    bool ignore_nulls =
        c.size() == 3 && c.raw(2).kind == Expr::Kind::kBool && c.raw(2).text == "true";
    return TypedSql{
        "nth_value(" + c.sql(0) + ", " + c.sql(1) + (ignore_nulls ? " IGNORE NULLS)" : ")"),
        c.type(0)};
  });
  def(
      r, "histogram_numeric", 2, 2, "aggregate",
      [](CallContext& c) {
        // Spark's streaming histogram is exact while the distinct values fit in the bins: one bin
        // per value, in value order. Merging bins (more distinct values than bins) depends on
        // Spark's input order, so the local engine refuses it at run time.
        auto nb = c.literal_int(1);
        if (!nb || *nb < 2) c.unsupported("the number of bins must be an integer literal >= 2");
        const std::string& x = c.sql(0);
        SparkType bin = SparkType::of(K::kStruct);
        bin.fields.push_back({"x", c.type(0)});
        bin.fields.push_back({"y", kDouble});
        return TypedSql{
            "CASE WHEN count(" + x + ") = 0 THEN NULL WHEN count(DISTINCT " + x +
                ") <= " + std::to_string(*nb) + " THEN list_transform(map_entries(histogram(" + x +
                ")), lambda e: {'x': e.key, 'y': CAST(e.value AS DOUBLE)}) ELSE "
                "error('histogram_numeric: more distinct values than bins (Spark merges bins in "
                "input order; the local engine does not)') END",
            SparkType::array(bin)};
      },
      "exact while the distinct values fit in the bins; more distinct values than bins fail");
  def(
      r, "approx_count_distinct", 1, 2, "aggregate",
      [](CallContext& c) {
        return TypedSql{"count(DISTINCT " + c.sql(0) + ")", T(K::kBigInt)};
      },
      "the exact count of distinct values (within any error bound Spark's estimate allows)");
  for (const char* n : {"collect_list", "array_agg"})
    def(r, n, 1, 1, "aggregate", [](CallContext& c) {
      return TypedSql{
          "coalesce(list(" + c.sql(0) + ") FILTER (WHERE " + c.sql(0) + " IS NOT NULL), [])",
          SparkType::array(c.type(0))};
    });
  def(r, "collect_set", 1, 1, "aggregate", [](CallContext& c) {
    return TypedSql{
        "coalesce(list(DISTINCT " + c.sql(0) + ") FILTER (WHERE " + c.sql(0) + " IS NOT NULL), [])",
        SparkType::array(c.type(0))};
  });
}

}  // namespace dls::sql::spark::lib
