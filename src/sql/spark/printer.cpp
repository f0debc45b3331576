#include "dls/sql/spark/printer.h"

#include <algorithm>
#include <cctype>

#include "dls/sql/quote.h"
#include "dls/sql/spark/function_registry.h"
#include "dls/sql/spark/spark_error.h"

namespace dls::sql::spark {

namespace {
using EK = Expr::Kind;
using K = SparkType::Kind;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

SparkType T(K k) {
  return SparkType::of(k);
}

// A literal that is certainly not zero (so a division needs no zero check).
bool nonzero_literal(const Expr& e) {
  if (e.kind != EK::kNumber) return false;
  for (char c : e.text) {
    if (c >= '1' && c <= '9') return true;
    if (c == 'e' || c == 'E') break;
  }
  return false;
}
}  // namespace

Printer::Printer(std::string_view input, TranslateOptions options)
    : input_(input), options_(std::move(options)) {}

std::string Printer::fresh_name() {
  return "_s" + std::to_string(++counter_);
}

void Printer::fail_unsupported_function(const std::string& name, size_t position,
                                        const std::string& reason) const {
  std::string msg = "Spark function '" + name + "' is not supported by the local engine";
  if (!reason.empty()) msg += " (" + reason + ")";
  msg += "; see docs/spark-sql.md for the supported list";
  throw UnsupportedSparkFunctionError(name, describe_position(msg, input_, position), position);
}

void Printer::fail_syntax(const std::string& what, size_t position) const {
  throw SparkSyntaxError(describe_position("Spark SQL error: " + what, input_, position), position);
}

void Printer::fail_unsupported(const std::string& what, size_t position) const {
  throw UnsupportedSparkSyntaxError(
      describe_position(what + " is not supported by the local engine (see docs/spark-sql.md)",
                        input_, position),
      position);
}

TypedSql Printer::literal_number(const Expr& e) {
  std::string t = e.text;
  std::string up = t;
  std::transform(up.begin(), up.end(), up.begin(), [](unsigned char c) { return std::toupper(c); });
  auto ends = [&](std::string_view s) { return up.size() > s.size() && up.ends_with(s); };
  if (ends("BD")) {
    std::string n = t.substr(0, t.size() - 2);
    size_t dot = n.find('.');
    int scale = dot == std::string::npos ? 0 : static_cast<int>(n.size() - dot - 1);
    int digits = 0;
    for (char c : n) digits += std::isdigit(static_cast<unsigned char>(c)) ? 1 : 0;
    int p = std::max(digits, scale);
    return {"CAST(" + n + " AS DECIMAL(" + std::to_string(p) + "," + std::to_string(scale) + "))",
            SparkType::decimal(p, scale)};
  }
  char suffix = up.back();
  std::string n = t.substr(0, t.size() - 1);
  switch (suffix) {
    case 'L':
      return {"CAST(" + n + " AS BIGINT)", T(K::kBigInt)};
    case 'S':
      return {"CAST(" + n + " AS SMALLINT)", T(K::kSmallInt)};
    case 'Y':
      return {"CAST(" + n + " AS TINYINT)", T(K::kTinyInt)};
    case 'D':
      return {"CAST(" + n + " AS DOUBLE)", T(K::kDouble)};
    case 'F':
      return {"CAST(" + n + " AS FLOAT)", T(K::kFloat)};
    default:
      break;
  }
  if (up.find('E') != std::string::npos) return {"CAST(" + t + " AS DOUBLE)", T(K::kDouble)};
  size_t dot = t.find('.');
  if (dot != std::string::npos) {
    int scale = static_cast<int>(t.size() - dot - 1);
    int digits = 0;
    bool leading = true;
    for (char c : t) {
      if (!std::isdigit(static_cast<unsigned char>(c))) continue;
      if (c == '0' && leading) continue;
      leading = false;
      ++digits;
    }
    // Spark: precision covers the digits (leading zeros excluded), at least the scale.
    int whole = static_cast<int>(dot) - (t[0] == '-' ? 1 : 0);
    int p = std::max(scale, digits);
    (void)whole;
    if (p > 38) return {"CAST(" + t + " AS DOUBLE)", T(K::kDouble)};
    return {"CAST(" + t + " AS DECIMAL(" + std::to_string(std::max(p, 1)) + "," +
                std::to_string(scale) + "))",
            SparkType::decimal(std::max(p, 1), scale)};
  }
  // Integer literal: INT if it fits, else BIGINT, else DECIMAL.
  try {
    long long v = std::stoll(t);
    // DuckDB reads -2147483648 as -(2147483648), a BIGINT: spell INT_MIN as a cast.
    if (v == -2147483648LL) return {"CAST(" + t + " AS INTEGER)", T(K::kInt)};
    if (v >= -2147483648LL && v <= 2147483647LL) return {t, T(K::kInt)};
    return {"CAST(" + t + " AS BIGINT)", T(K::kBigInt)};
  } catch (const std::out_of_range&) {
    int digits = static_cast<int>(t.size()) - (t[0] == '-' ? 1 : 0);
    if (digits > 38) fail_syntax("number literal out of range", e.position);
    return {"CAST(" + t + " AS DECIMAL(" + std::to_string(digits) + ",0))",
            SparkType::decimal(digits, 0)};
  }
}

TypedSql Printer::lambda(const Expr& e, const std::vector<SparkType>& param_types, int index_param,
                         size_t max_params) {
  if (e.kind != EK::kLambda) fail_syntax("expected a lambda function (x -> ...)", e.position);
  if (e.names.size() > max_params || e.names.size() < 1) {
    fail_syntax("this lambda takes at most " + std::to_string(max_params) + " parameters",
                e.position);
  }
  std::map<std::string, Binding> scope;
  std::string params;
  for (size_t i = 0; i < e.names.size(); ++i) {
    std::string n = fresh_name();
    if (i) params += ", ";
    params += n;
    SparkType t = i < param_types.size() ? param_types[i] : SparkType{};
    std::string ref = static_cast<int>(i) == index_param ? "(" + n + " - 1)" : n;
    scope[lower(e.names[i])] = Binding{ref, t};
  }
  scopes_.push_back(std::move(scope));
  TypedSql body;
  try {
    body = expr(*e.args.at(0));
  } catch (...) {
    scopes_.pop_back();
    throw;
  }
  scopes_.pop_back();
  return {"lambda " + params + ": " + body.sql, body.type};
}

TypedSql Printer::expr(const Expr& e) {
  switch (e.kind) {
    case EK::kNull:
      return {"NULL", T(K::kNull)};
    case EK::kBool:
      return {e.text, T(K::kBoolean)};
    case EK::kNumber:
      return literal_number(e);
    case EK::kString:
      return {quote_literal(e.text), T(K::kString)};
    case EK::kBinary:
      return {"from_hex(" + quote_literal(e.text) + ")", T(K::kBinary)};
    case EK::kTypedLiteral: {
      if (e.type.is(K::kDate)) return {"CAST(" + quote_literal(e.text) + " AS DATE)", e.type};
      if (e.type.is(K::kTime)) return {"CAST(" + quote_literal(e.text) + " AS TIME)", e.type};
      return {"CAST(" + quote_literal(e.text) + " AS TIMESTAMP)", e.type};
    }
    case EK::kInterval: {
      std::string s = "INTERVAL '" + std::to_string(e.months) + " months " +
                      std::to_string(e.days) + " days " + std::to_string(e.micros) +
                      " microseconds'";
      return {s, e.type};
    }
    case EK::kColumn: {
      if (e.names.size() >= 1) {
        std::string head = lower(e.names[0]);
        for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
          auto f = it->find(head);
          if (f == it->end()) continue;
          TypedSql out{f->second.sql, f->second.type};
          for (size_t i = 1; i < e.names.size(); ++i) {
            out.sql = "struct_extract(" + out.sql + ", " + quote_literal(e.names[i]) + ")";
            out.type = SparkType{};
          }
          return out;
        }
      }
      std::string s;
      for (size_t i = 0; i < e.names.size(); ++i) {
        if (i) s += ".";
        s += quote_identifier(e.names[i]);
      }
      SparkType t;
      if (options_.column_type) {
        if (auto ct = options_.column_type(e.names)) t = *ct;
      }
      return {s, t};
    }
    case EK::kStar: {
      std::string s;
      for (const auto& n : e.names) s += quote_identifier(n) + ".";
      return {s + "*", SparkType{}};
    }
    case EK::kUnary: {
      auto a = expr(*e.args[0]);
      if (e.op == "NOT") return {"(NOT " + a.sql + ")", T(K::kBoolean)};
      if (e.op == "+") return a;
      if (e.op == "~") return {"(~" + a.sql + ")", a.type};
      return {"(-" + a.sql + ")", a.type};
    }
    case EK::kBinaryOp:
      return binary(e);
    case EK::kFunction:
      return function(e);
    case EK::kCast: {
      auto a = expr(*e.args[0]);
      const SparkType& to = e.type;
      std::string fn = e.op == "TRY_CAST" ? "TRY_CAST" : "CAST";
      if (to.is(K::kBinary) && (a.type.is(K::kString) || !a.type.known())) {
        return {"encode(CAST(" + a.sql + " AS VARCHAR))", to};
      }
      if (to.is(K::kString) && a.type.is(K::kBinary)) return {"decode(" + a.sql + ")", to};
      if (to.is(K::kString) && (a.type.is(K::kDouble) || a.type.is(K::kFloat))) {
        fail_unsupported("CAST of a DOUBLE/FLOAT to STRING (Java number formatting)", e.position);
      }
      if ((to.is(K::kTimestamp) || to.is(K::kTimestampNtz)) &&
          (a.type.is(K::kString) || !a.type.known())) {
        return {fn + "(" + a.sql + " AS TIMESTAMP)", to};
      }
      if (to.is(K::kBoolean) && a.type.is(K::kString)) {
        // Spark accepts t/true/y/yes/1 and f/false/n/no/0 (case-insensitive, trimmed).
        std::string v = "lower(trim(" + a.sql + "))";
        std::string bad = fn == "TRY_CAST"
                              ? "NULL"
                              : "error('[CAST_INVALID_INPUT] The value ' || " + a.sql +
                                    " || ' of the type STRING cannot be cast to BOOLEAN')";
        return {"CASE WHEN " + a.sql + " IS NULL THEN NULL WHEN " + v +
                    " IN ('t','true','y','yes','1') THEN true WHEN " + v +
                    " IN ('f','false','n','no','0') THEN false ELSE " + bad + " END",
                to};
      }
      if (to.is_integral()) return integral_cast(fn, a, to);
      return {fn + "(" + a.sql + " AS " + to.duckdb_name() + ")", to};
    }
    case EK::kCase: {
      std::string s = "CASE";
      size_t i = 0;
      if (e.has_operand) s += " " + expr(*e.args[i++]).sql;
      size_t end = e.args.size() - (e.has_else ? 1 : 0);
      SparkType t = T(K::kNull);
      bool first = true;
      for (; i + 1 < end + 1 && i < end; i += 2) {
        auto w = expr(*e.args[i]);
        auto th = expr(*e.args[i + 1]);
        s += " WHEN " + w.sql + " THEN " + th.sql;
        t = first ? th.type
                  : (wider_numeric(t, th.type).known() ? wider_numeric(t, th.type)
                                                       : (t.is(K::kNull) ? th.type : t));
        first = false;
      }
      if (e.has_else) {
        auto el = expr(*e.args.back());
        s += " ELSE " + el.sql;
        if (wider_numeric(t, el.type).known()) t = wider_numeric(t, el.type);
      }
      return {s + " END", t};
    }
    case EK::kIn: {
      auto a = expr(*e.args[0]);
      std::string s = "(" + a.sql + (e.negated ? " NOT IN (" : " IN (");
      for (size_t i = 1; i < e.args.size(); ++i) {
        if (i > 1) s += ", ";
        s += expr(*e.args[i]).sql;
      }
      return {s + "))", T(K::kBoolean)};
    }
    case EK::kBetween: {
      auto a = expr(*e.args[0]);
      auto lo = expr(*e.args[1]);
      auto hi = expr(*e.args[2]);
      return {"(" + a.sql + (e.negated ? " NOT BETWEEN " : " BETWEEN ") + lo.sql + " AND " +
                  hi.sql + ")",
              T(K::kBoolean)};
    }
    case EK::kLike: {
      auto a = expr(*e.args[0]);
      auto p = expr(*e.args[1]);
      std::string s;
      if (e.op == "RLIKE") {
        s = "regexp_matches(" + a.sql + ", " + p.sql + ")";
        if (e.negated) s = "(NOT " + s + ")";
      } else {
        std::string esc = e.args.size() > 2 ? expr(*e.args[2]).sql : "'\\'";
        s = "(" + a.sql + (e.negated ? " NOT " : " ") + e.op + " " + p.sql + " ESCAPE " + esc + ")";
      }
      return {s, T(K::kBoolean)};
    }
    case EK::kIsNull: {
      auto a = expr(*e.args[0]);
      return {"(" + a.sql + (e.negated ? " IS NOT NULL)" : " IS NULL)"), T(K::kBoolean)};
    }
    case EK::kIsBool: {
      auto a = expr(*e.args[0]);
      return {"(" + a.sql + " IS " + (e.negated ? "NOT " : "") +
                  (e.text == "true" ? "TRUE" : "FALSE") + ")",
              T(K::kBoolean)};
    }
    case EK::kSubscript:
      return subscript(e);
    case EK::kField: {
      auto a = expr(*e.args[0]);
      SparkType t;
      if (a.type.is(K::kStruct)) {
        for (const auto& f : a.type.fields) {
          if (lower(f.name) == lower(e.name)) t = f.type;
        }
      }
      return {"struct_extract(" + a.sql + ", " + quote_literal(e.name) + ")", t};
    }
    case EK::kLambda:
      fail_syntax("a lambda function is only allowed as an argument of a higher-order function",
                  e.position);
    case EK::kExtract: {
      // EXTRACT(field FROM x) is date_part('field', x).
      Expr call(EK::kFunction, e.position);
      call.name = "date_part";
      auto field = std::make_unique<Expr>(EK::kString, e.position);
      field->text = e.text;
      call.args.push_back(std::move(field));
      // The source is borrowed for the duration of the call.
      call.args.push_back(ExprPtr(const_cast<Expr*>(e.args[0].get())));
      TypedSql out;
      try {
        out = function(call);
      } catch (...) {
        (void)call.args[1].release();
        throw;
      }
      (void)call.args[1].release();
      return out;
    }
    case EK::kScalarSubquery:
      return {"(" + query(*e.query) + ")", SparkType{}};
  }
  fail_syntax("unexpected expression", e.position);
}

TypedSql Printer::integral_cast(const std::string& fn, const TypedSql& a, const SparkType& to) {
  const std::string type = to.duckdb_name();
  const bool try_cast = fn == "TRY_CAST";
  // Spark truncates a DOUBLE/FLOAT/DECIMAL toward zero; DuckDB rounds (CAST(3.7 AS INT) = 4).
  auto from_double = [&](const std::string& v) {
    return fn + "(trunc(" + v + ") AS " + type + ")";
  };
  // A DECIMAL of unknown static type: its integral part is its text up to the point (exact at any
  // precision; DuckDB writes -0.5 as '-.5', which has none: 0).
  auto from_decimal_text = [&](const std::string& v) {
    return fn + "(CASE WHEN " + v + " IS NULL THEN NULL ELSE coalesce(nullif(nullif(" +
           "regexp_extract(CAST(" + v + " AS VARCHAR), '^-?[0-9]*'), ''), '-'), '0') END AS " +
           type + ")";
  };
  // ANSI Spark accepts only [+-]digits (surrounding white space and control characters trimmed):
  // '3.7' and '1e3' are CAST_INVALID_INPUT errors (TRY_CAST: NULL); DuckDB would round or scale.
  auto from_string = [&](const std::string& v) {
    const std::string text = "CAST(" + v + " AS VARCHAR)";
    const std::string bad =
        try_cast ? "NULL"
                 : "error('[CAST_INVALID_INPUT] The value ''' || " + text +
                       " || ''' of the type \"STRING\" cannot be cast to \"" + to.spark_name() +
                       "\" because it is malformed; use try_cast to tolerate malformed input')";
    return "CASE WHEN " + v + " IS NULL THEN NULL WHEN regexp_full_match(" + text +
           ", '[\\x00-\\x20]*[+-]?[0-9]+[\\x00-\\x20]*') THEN " + fn + "(regexp_extract(" + text +
           ", '[+-]?[0-9]+') AS " + type + ") ELSE " + bad + " END";
  };
  // trunc is exact for a DECIMAL of known type.
  if (a.type.is(K::kDouble) || a.type.is(K::kFloat) || a.type.is(K::kDecimal)) {
    return {from_double(a.sql), to};
  }
  if (a.type.is(K::kString)) return {from_string(a.sql), to};
  if (a.type.known()) return {fn + "(" + a.sql + " AS " + type + ")", to};
  // Unknown type (e.g. a table column in `dls query`): choose by DuckDB's type of the value. Every
  // branch binds for any input type that has a cast to DOUBLE.
  const std::string t = "typeof(" + a.sql + ")";
  return {"CASE WHEN " + t + " IN ('DOUBLE', 'FLOAT') THEN " +
              from_double("TRY_CAST(" + a.sql + " AS DOUBLE)") + " WHEN " + t +
              " LIKE 'DECIMAL%' THEN " + from_decimal_text(a.sql) + " WHEN " + t +
              " = 'VARCHAR' THEN " + from_string(a.sql) + " ELSE " + fn + "(" + a.sql + " AS " +
              type + ") END",
          to};
}

TypedSql Printer::binary(const Expr& e) {
  auto l = expr(*e.args[0]);
  auto r = expr(*e.args[1]);
  return apply_operator(e.op, l, r, e.args[1].get(), e.position);
}

TypedSql Printer::inline_lambda(const Expr& e, const std::vector<TypedSql>& args) {
  if (e.kind != EK::kLambda) fail_syntax("expected a lambda function (x -> ...)", e.position);
  if (e.names.size() != args.size()) {
    fail_syntax("this lambda must take " + std::to_string(args.size()) + " parameter(s)",
                e.position);
  }
  std::map<std::string, Binding> scope;
  for (size_t i = 0; i < args.size(); ++i)
    scope[lower(e.names[i])] = Binding{"(" + args[i].sql + ")", args[i].type};
  scopes_.push_back(std::move(scope));
  TypedSql body;
  try {
    body = expr(*e.args.at(0));
  } catch (...) {
    scopes_.pop_back();
    throw;
  }
  scopes_.pop_back();
  return body;
}

TypedSql Printer::apply_operator(const std::string& op, const TypedSql& l, const TypedSql& r,
                                 const Expr* right, size_t position) {
  struct {
    size_t position;
  } e{position};
  if (op == "AND" || op == "OR")
    return {"(" + l.sql + " " + op + " " + r.sql + ")", T(K::kBoolean)};
  if (op == "=" || op == "!=" || op == "<" || op == "<=" || op == ">" || op == ">=") {
    return {"(" + l.sql + " " + (op == "!=" ? "<>" : op) + " " + r.sql + ")", T(K::kBoolean)};
  }
  if (op == "<=>") return {"(" + l.sql + " IS NOT DISTINCT FROM " + r.sql + ")", T(K::kBoolean)};
  if (op == "||") {
    if (l.type.is(K::kArray) || r.type.is(K::kArray))
      return {"list_concat(" + l.sql + ", " + r.sql + ")", l.type};
    auto str = [](const TypedSql& t) {
      return t.type.is(K::kString) ? t.sql : "CAST(" + t.sql + " AS VARCHAR)";
    };
    return {"(" + str(l) + " || " + str(r) + ")", T(K::kString)};
  }
  if (op == "&" || op == "|")
    return {"(" + l.sql + " " + op + " " + r.sql + ")", wider_numeric(l.type, r.type)};
  if (op == "^") return {"xor(" + l.sql + ", " + r.sql + ")", wider_numeric(l.type, r.type)};
  // Arithmetic. Spark (ANSI) raises DIVIDE_BY_ZERO where DuckDB returns NULL or inf.
  auto checked_divisor = [&](const std::string& name) {
    if (right && nonzero_literal(*right)) return r.sql;
    return "CASE WHEN " + r.sql + " = 0 THEN error('[DIVIDE_BY_ZERO] Division by zero in " + name +
           "; use try_divide to tolerate a zero divisor') ELSE " + r.sql + " END";
  };
  if (op == "/") {
    if (l.type.is(K::kYearMonthInterval) || l.type.is(K::kDayTimeInterval)) {
      fail_unsupported("dividing an interval", e.position);
    }
    SparkType t = l.type.is(K::kDecimal) && r.type.is(K::kDecimal) ? SparkType{} : T(K::kDouble);
    if (l.type.is(K::kDecimal) && r.type.is(K::kDecimal)) {
      fail_unsupported(
          "'/' of two DECIMAL values (Spark keeps a DECIMAL result; cast an operand to DOUBLE)",
          e.position);
    }
    return {"(CAST(" + l.sql + " AS DOUBLE) / " + checked_divisor("'/'") + ")", t};
  }
  if (op == "DIV") {
    // YEAR TO MONTH interval DIV interval: how many whole times r fits in l.
    if (l.type.is(K::kYearMonthInterval) && r.type.is(K::kYearMonthInterval)) {
      auto months = [](const std::string& v) {
        return "(date_part('year', " + v + ") * 12 + date_part('month', " + v + "))";
      };
      return {"CAST(trunc(" + months(l.sql) + " / CASE WHEN " + months(r.sql) +
                  " = 0 THEN error('[INTERVAL_DIVIDED_BY_ZERO] Division by zero in div') ELSE " +
                  months(r.sql) + " END) AS BIGINT)",
              T(K::kBigInt)};
    }
    if (l.type.is(K::kDayTimeInterval) || r.type.is(K::kDayTimeInterval))
      fail_unsupported("'div' of DAY TO SECOND intervals", e.position);
    if (!(l.type.is_integral() || !l.type.known()) || !(r.type.is_integral() || !r.type.known())) {
      if (l.type.known() && !l.type.is_numeric())
        fail_unsupported("'div' of non-integral values", e.position);
    }
    return {"CAST(trunc(" + l.sql + " / " + checked_divisor("'div'") + ") AS BIGINT)",
            T(K::kBigInt)};
  }
  if (op == "%")
    return {"(" + l.sql + " % " + checked_divisor("'%'") + ")", wider_numeric(l.type, r.type)};
  // + - *
  bool l_dt = l.type.is_datetime(), r_dt = r.type.is_datetime();
  bool l_iv = l.type.is(K::kYearMonthInterval) || l.type.is(K::kDayTimeInterval);
  bool r_iv = r.type.is(K::kYearMonthInterval) || r.type.is(K::kDayTimeInterval);
  if (op == "+" || op == "-") {
    if (l.type.is(K::kDate) && r.type.is_integral()) {
      return {"CAST(" + l.sql + " " + op + " CAST(" + r.sql + " AS INTEGER) AS DATE)", l.type};
    }
    if (l.type.is(K::kDate) && r.type.is(K::kDate) && op == "-") {
      fail_unsupported("subtracting two DATEs (use datediff)", e.position);
    }
    if (l_dt && r_iv) {
      if (l.type.is(K::kDate) && r.type.is(K::kYearMonthInterval)) {
        return {"CAST(" + l.sql + " " + op + " " + r.sql + " AS DATE)", l.type};
      }
      if (l.type.is(K::kDate))
        return {"CAST(" + l.sql + " " + op + " " + r.sql + " AS TIMESTAMP)", T(K::kTimestamp)};
      return {"(" + l.sql + " " + op + " " + r.sql + ")", l.type};
    }
    if (l_iv && r_iv) return {"(" + l.sql + " " + op + " " + r.sql + ")", l.type};
    if (l_dt || r_dt) {
      if (l.type.is_datetime() && r.type.is_datetime() && op == "-") {
        return {"(CAST(" + l.sql + " AS TIMESTAMP) - CAST(" + r.sql + " AS TIMESTAMP))",
                T(K::kDayTimeInterval)};
      }
    }
  }
  if (op == "*" && (l_iv || r_iv)) {
    const TypedSql& iv = l_iv ? l : r;
    const TypedSql& n = l_iv ? r : l;
    return {"(" + iv.sql + " * " + n.sql + ")", iv.type};
  }
  SparkType t = wider_numeric(l.type, r.type);
  if (t.is(K::kDecimal) && (op == "*" || op == "+" || op == "-")) {
    // Spark's result precision differs from DuckDB's for decimals; the value is the same.
    t = SparkType{};
  }
  return {"(" + l.sql + " " + op + " " + r.sql + ")", t};
}

TypedSql Printer::subscript(const Expr& e) {
  auto base = expr(*e.args[0]);
  auto idx = expr(*e.args[1]);
  bool is_map = base.type.is(K::kMap) || (!base.type.known() && (idx.type.is(K::kString)));
  if (is_map) {
    SparkType vt = base.type.is(K::kMap) ? base.type.children.at(1) : SparkType{};
    return {base.sql + "[" + idx.sql + "]", vt};
  }
  if (base.type.known() && !base.type.is(K::kArray))
    fail_syntax("[ ] applies to an ARRAY or a MAP", e.position);
  SparkType et = base.type.is(K::kArray) ? base.type.element() : SparkType{};
  // Spark arrays are 0-based in [ ]; an index outside the array is an error in ANSI mode.
  std::string n = fresh_name();
  std::string i = idx.sql;
  return {"list_extract(" + base.sql + ", CASE WHEN " + i + " < 0 OR " + i + " >= len(" + base.sql +
              ") THEN error('[INVALID_ARRAY_INDEX] array index ' || (" + i +
              ") || ' is out of bounds; use get(arr, i) or try_element_at to get NULL') ELSE " + i +
              " + 1 END)",
          et};
}

TypedSql Printer::function(const Expr& e) {
  const auto& reg = FunctionRegistry::instance();
  const SparkFunction* f = reg.find(e.name);
  if (!f) {
    std::string reason = reg.unsupported_reason(e.name);
    if (reason.empty()) reason = "not a Spark built-in function the local engine knows";
    fail_unsupported_function(e.name, e.position, reason);
  }
  int n = static_cast<int>(e.args.size());
  if (n < f->min_args || (f->max_args >= 0 && n > f->max_args)) {
    std::string expected = f->min_args == f->max_args ? std::to_string(f->min_args)
                           : f->max_args < 0
                               ? "at least " + std::to_string(f->min_args)
                               : std::to_string(f->min_args) + " to " + std::to_string(f->max_args);
    fail_syntax("function '" + e.name + "' takes " + expected + " argument(s) but was given " +
                    std::to_string(n),
                e.position);
  }
  if (e.distinct && f->category != "aggregate")
    fail_syntax("DISTINCT is only allowed in aggregate functions", e.position);
  std::vector<TypedSql> args;
  for (const auto& a : e.args) {
    if (a->kind == EK::kLambda) {
      args.push_back(TypedSql{});
    } else {
      args.push_back(expr(*a));
    }
  }
  CallContext ctx(*this, e, std::move(args));
  return f->rewrite(ctx);
}

std::string Printer::table_ref(const TableRef& r) {
  switch (r.kind) {
    case TableRef::Kind::kTable: {
      std::string s;
      if (options_.resolve_table) {
        s = options_.resolve_table(r.names);
      } else {
        for (size_t i = 0; i < r.names.size(); ++i) {
          if (i) s += ".";
          s += quote_identifier(r.names[i]);
        }
      }
      if (!r.alias.empty()) s += " AS " + quote_identifier(r.alias);
      return s;
    }
    case TableRef::Kind::kSubquery: {
      std::string s = "(" + query(*r.subquery) + ")";
      if (!r.alias.empty()) s += " AS " + quote_identifier(r.alias);
      return s;
    }
    case TableRef::Kind::kFunction: {
      const Expr& f = *r.function;
      if (f.name != "range") fail_unsupported("table function '" + f.name + "'", r.position);
      std::string s = "range(";
      for (size_t i = 0; i < f.args.size(); ++i) s += (i ? ", " : "") + expr(*f.args[i]).sql;
      s += ") AS " + quote_identifier(r.alias.empty() ? "range" : r.alias) + "(" +
           quote_identifier("id") + ")";
      return s;
    }
    case TableRef::Kind::kJoin: {
      std::string type = r.join_type;
      std::string s = table_ref(*r.left) + " " +
                      (type == "LEFT SEMI"   ? "SEMI"
                       : type == "LEFT ANTI" ? "ANTI"
                                             : type) +
                      " JOIN " + table_ref(*r.right);
      if (r.on) s += " ON " + expr(*r.on).sql;
      if (!r.using_columns.empty()) {
        s += " USING (";
        for (size_t i = 0; i < r.using_columns.size(); ++i)
          s += (i ? ", " : "") + quote_identifier(r.using_columns[i]);
        s += ")";
      }
      return s;
    }
  }
  return "";
}

std::string Printer::query(const Query& q) {
  std::string s;
  if (!q.with.empty()) {
    s += "WITH ";
    for (size_t i = 0; i < q.with.size(); ++i) {
      if (i) s += ", ";
      s += quote_identifier(q.with[i].first) + " AS (" + query(*q.with[i].second) + ")";
    }
    s += " ";
  }
  for (const Query* part = &q; part; part = part->next.get()) {
    s += "SELECT ";
    if (part->distinct) s += "DISTINCT ";
    for (size_t i = 0; i < part->items.size(); ++i) {
      if (i) s += ", ";
      const auto& item = part->items[i];
      s += expr(*item.expr).sql;
      if (!item.alias.empty()) {
        s += " AS " + quote_identifier(item.alias);
      } else if (item.expr->kind != EK::kStar && item.expr->kind != EK::kColumn) {
        // Spark names an unaliased column after its SQL text.
        size_t start = item.expr->position;
        size_t end =
            i + 1 < part->items.size() ? part->items[i + 1].expr->position : std::string::npos;
        (void)end;
        (void)start;
      }
    }
    if (!part->from.empty()) {
      s += " FROM ";
      for (size_t i = 0; i < part->from.size(); ++i)
        s += (i ? ", " : "") + table_ref(part->from[i]);
    }
    if (part->where) s += " WHERE " + expr(*part->where).sql;
    if (!part->group_by.empty()) {
      s += " GROUP BY ";
      for (size_t i = 0; i < part->group_by.size(); ++i)
        s += (i ? ", " : "") + expr(*part->group_by[i]).sql;
    }
    if (part->having) s += " HAVING " + expr(*part->having).sql;
    if (part->next) s += " " + part->set_op + " ";
  }
  if (!q.order_by.empty()) {
    s += " ORDER BY ";
    for (size_t i = 0; i < q.order_by.size(); ++i) {
      const auto& o = q.order_by[i];
      if (i) s += ", ";
      s += expr(*o.expr).sql + (o.descending ? " DESC" : " ASC");
      // Spark: NULLS FIRST for ASC, NULLS LAST for DESC by default.
      bool nulls_first = o.nulls_first.value_or(!o.descending);
      s += nulls_first ? " NULLS FIRST" : " NULLS LAST";
    }
  }
  if (q.limit) s += " LIMIT " + expr(*q.limit).sql;
  if (q.offset) s += " OFFSET " + expr(*q.offset).sql;
  return s;
}

}  // namespace dls::sql::spark
