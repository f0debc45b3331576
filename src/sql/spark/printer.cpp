#include "dls/sql/spark/printer.h"

#include <algorithm>
#include <cctype>
#include <set>

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
      if (e.names.size() <= 2) {
        // Columns of an inline table (VALUES) in this query take the type of its first row.
        auto it = inline_column_types_.find(lower(e.names.back()));
        if (it != inline_column_types_.end()) t = it->second;
      }
      if (!t.known() && options_.column_type) {
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
      if (e.query)
        return {"(" + a.sql + (e.negated ? " NOT IN (" : " IN (") + query(*e.query) + "))",
                T(K::kBoolean)};
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
      if (e.op.size() > 4 && (e.op.ends_with(" ANY") || e.op.ends_with(" ALL"))) {
        // Spark: x [NOT] LIKE ANY (p, ...) is an OR of [NOT] LIKE, LIKE ALL an AND (NULL as SQL).
        std::string like = e.op.substr(0, e.op.size() - 4);
        std::string join = e.op.ends_with(" ANY") ? " OR " : " AND ";
        std::string s = "(";
        for (size_t i = 1; i < e.args.size(); ++i) {
          s += (i > 1 ? join : "") + "(" + a.sql + (e.negated ? " NOT " : " ") + like + " " +
               expr(*e.args[i]).sql + " ESCAPE '\\')";
        }
        return {s + ")", T(K::kBoolean)};
      }
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
      if (e.op == "EXISTS") return {"(EXISTS (" + query(*e.query) + "))", T(K::kBoolean)};
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
  // `op` is quoted into the message as a literal: a bare '/' inside it ended the SQL string.
  auto checked_divisor = [&](const std::string& op) {
    if (right && nonzero_literal(*right)) return r.sql;
    return "CASE WHEN " + r.sql + " = 0 THEN error(" +
           quote_literal("[DIVIDE_BY_ZERO] Division by zero in '" + op +
                         "'; use try_divide to tolerate a zero divisor") +
           ") ELSE " + r.sql + " END";
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
    return {"(CAST(" + l.sql + " AS DOUBLE) / " + checked_divisor("/") + ")", t};
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
    return {"CAST(trunc(" + l.sql + " / " + checked_divisor("div") + ") AS BIGINT)", T(K::kBigInt)};
  }
  if (op == "%")
    return {"(" + l.sql + " % " + checked_divisor("%") + ")", wider_numeric(l.type, r.type)};
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
  TypedSql out = f->rewrite(ctx);
  if (f->category == "window" && !e.window)
    fail_syntax("window function '" + e.name + "' needs an OVER clause", e.position);
  if (e.filter || e.window || e.ignore_nulls) {
    if (e.filter && f->category != "aggregate")
      fail_syntax("FILTER is only allowed in aggregate functions", e.position);
    if (e.window && f->category != "aggregate" && f->category != "window")
      fail_syntax("'" + e.name + "' is not a window or aggregate function; it cannot have OVER",
                  e.position);
    if (e.window && f->category == "window" && e.window->order_by.empty() &&
        (e.window->name.empty() || !e.window->partition_by.empty()) && e.name != "nth_value" &&
        e.name != "first_value" && e.name != "last_value") {
      // Spark: ranking functions and lag/lead need an ordered window.
      fail_syntax(
          "window function '" + e.name +
              "' needs an ORDER BY in its window (Spark: WINDOW_FUNCTION_FRAME_NOT_ORDERED)",
          e.position);
    }
    out = decorate_call(e, std::move(out), f->category == "window");
  }
  return out;
}

namespace {
// Position of the ')' that closes the '(' at `open`, or npos. Skips quoted text.
size_t matching_paren(const std::string& s, size_t open) {
  int depth = 0;
  char quote = 0;
  for (size_t i = open; i < s.size(); ++i) {
    char c = s[i];
    if (quote) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      if (--depth == 0) return i;
    }
  }
  return std::string::npos;
}
}  // namespace

TypedSql Printer::decorate_call(const Expr& e, TypedSql call, bool window_function) {
  // Only a translation that is one call `name(...)` can take FILTER / IGNORE NULLS / OVER.
  const std::string& s = call.sql;
  size_t open = s.find('(');
  bool ident = open != std::string::npos && open > 0;
  for (size_t i = 0; ident && i < open; ++i)
    ident = std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_';
  if (!ident || matching_paren(s, open) != s.size() - 1) {
    fail_unsupported_function(e.name, e.position,
                              "FILTER, IGNORE NULLS or OVER cannot be applied to its translation");
  }
  std::string out = s;
  // Aggregates skip NULLs anyway; DuckDB takes IGNORE NULLS only in window functions.
  if (e.ignore_nulls && window_function && out.find(" IGNORE NULLS)") == std::string::npos)
    out = out.substr(0, out.size() - 1) + " IGNORE NULLS)";
  if (e.filter) out += " FILTER (WHERE " + expr(*e.filter).sql + ")";
  if (e.window) out += " OVER " + window_sql(*e.window);
  return {out, call.type};
}

std::string Printer::order_items_sql(const std::vector<OrderItem>& items) {
  std::string s;
  for (size_t i = 0; i < items.size(); ++i) {
    const auto& o = items[i];
    if (i) s += ", ";
    s += expr(*o.expr).sql + (o.descending ? " DESC" : " ASC");
    // Spark: NULLS FIRST for ASC, NULLS LAST for DESC by default.
    bool nulls_first = o.nulls_first.value_or(!o.descending);
    s += nulls_first ? " NULLS FIRST" : " NULLS LAST";
  }
  return s;
}

std::string Printer::frame_offset(const WindowSpec& w, const FrameBound& b) {
  // A ROWS frame counts rows with an INT offset (Spark refuses a larger literal).
  if (w.frame_unit == "ROWS" && b.offset->kind == Expr::Kind::kNumber) {
    const std::string& t = b.offset->text;
    bool digits = !t.empty() && std::all_of(t.begin(), t.end(), [](char c) {
      return std::isdigit(static_cast<unsigned char>(c));
    });
    if (!digits || t.size() > 10 || std::stoll(t) > 2147483647LL)
      fail_syntax("a ROWS frame offset must be an INT literal, got " + t, b.offset->position);
  }
  return expr(*b.offset).sql;
}

std::string Printer::window_sql(const WindowSpec& w) {
  bool only_name = w.partition_by.empty() && w.order_by.empty() && w.frame_unit.empty();
  if (!w.name.empty() && only_name) return quote_identifier(w.name);
  std::string s = "(";
  auto sep = [&s] {
    if (s.size() > 1) s += " ";
  };
  if (!w.name.empty()) s += quote_identifier(w.name);
  if (!w.partition_by.empty()) {
    sep();
    s += "PARTITION BY ";
    for (size_t i = 0; i < w.partition_by.size(); ++i)
      s += (i ? ", " : "") + expr(*w.partition_by[i]).sql;
  }
  if (!w.order_by.empty()) {
    sep();
    s += "ORDER BY " + order_items_sql(w.order_by);
  }
  if (!w.frame_unit.empty()) {
    auto bound = [this, &w](const FrameBound& b) -> std::string {
      switch (b.kind) {
        case FrameBound::Kind::kUnboundedPreceding:
          return "UNBOUNDED PRECEDING";
        case FrameBound::Kind::kUnboundedFollowing:
          return "UNBOUNDED FOLLOWING";
        case FrameBound::Kind::kCurrentRow:
          return "CURRENT ROW";
        case FrameBound::Kind::kPreceding:
          return frame_offset(w, b) + " PRECEDING";
        case FrameBound::Kind::kFollowing:
          return frame_offset(w, b) + " FOLLOWING";
      }
      return "";
    };
    sep();
    s += w.frame_unit + " BETWEEN " + bound(w.frame_start) + " AND " + bound(w.frame_end);
  }
  return s + ")";
}

std::string Printer::table_alias_sql(const TableRef& r, const std::string& fallback_alias) {
  std::string alias = r.alias.empty() ? fallback_alias : r.alias;
  if (alias.empty()) return "";
  std::string s = " AS " + quote_identifier(alias);
  if (!r.column_aliases.empty()) {
    s += "(";
    for (size_t i = 0; i < r.column_aliases.size(); ++i)
      s += (i ? ", " : "") + quote_identifier(r.column_aliases[i]);
    s += ")";
  }
  return s;
}

std::string Printer::table_ref(const TableRef& r) {
  if (!r.pivot) return table_ref_core(r);
  return pivot_sql(table_ref_core(r), r);
}

std::string Printer::pivot_sql(const std::string& input, const TableRef& r) {
  const Pivot& p = *r.pivot;
  auto simple_literal = [](const Expr& v) {
    using K = Expr::Kind;
    return v.kind == K::kString || v.kind == K::kNumber || v.kind == K::kBool ||
           v.kind == K::kTypedLiteral ||
           (v.kind == K::kUnary && v.op == "-" && v.args[0]->kind == K::kNumber);
  };
  bool simple = p.for_columns.size() == 1;
  for (const auto& v : p.values) simple = simple && simple_literal(*v.expr);
  if (!simple) return pivot_by_filters(input, r);
  // Spark groups by every input column that is neither aggregated nor the pivot column, as
  // DuckDB's PIVOT does when it has no GROUP BY.
  std::string s = "(SELECT * FROM " + input + " PIVOT (";
  for (size_t i = 0; i < p.aggregates.size(); ++i) {
    const auto& a = p.aggregates[i];
    s += (i ? ", " : "") + expr(*a.expr).sql;
    if (!a.alias.empty()) s += " AS " + quote_identifier(a.alias);
  }
  s += " FOR " + expr(*p.for_columns[0]).sql + " IN (";
  for (size_t i = 0; i < p.values.size(); ++i) {
    const auto& v = p.values[i];
    s += (i ? ", " : "") + expr(*v.expr).sql;
    if (!v.alias.empty()) s += " AS " + quote_identifier(v.alias);
  }
  s += ")))";
  s += " AS " + quote_identifier(r.pivot_alias.empty() ? "__dls_pivot" : r.pivot_alias);
  return s;
}

namespace {
// Column names an expression reads (unqualified last part), for PIVOT's implicit grouping.
void referenced_columns(const Expr& e, std::vector<std::string>& out) {
  if (e.kind == Expr::Kind::kColumn && !e.names.empty()) out.push_back(e.names.back());
  for (const auto& a : e.args)
    if (a) referenced_columns(*a, out);
}

// How Spark names a pivot value's column: its alias, else the value as Spark prints it
// ({dotNET, 2012} for a tuple, [1, 1] for an array).
std::string pivot_value_name(const Expr& v, std::string_view input) {
  using K = Expr::Kind;
  if (v.kind == K::kString || v.kind == K::kNumber || v.kind == K::kBool) return v.text;
  if (v.kind == K::kNull) return "null";
  if (v.kind == K::kFunction && (v.name == "struct" || v.name == "array")) {
    std::string s = v.name == "struct" ? "{" : "[";
    for (size_t i = 0; i < v.args.size(); ++i)
      s += (i ? ", " : "") + pivot_value_name(*v.args[i], input);
    return s + (v.name == "struct" ? "}" : "]");
  }
  size_t end = input.find_first_of(",)", v.position);
  return std::string(input.substr(
      v.position, end == std::string_view::npos ? std::string_view::npos : end - v.position));
}
}  // namespace

std::string Printer::pivot_by_filters(const std::string& input, const TableRef& r) {
  // SELECT * EXCLUDE (pivot and aggregated columns), agg(...) FILTER (WHERE match) AS name, ...
  // FROM input GROUP BY ALL: Spark's PIVOT for any value (tuples, arrays, structs).
  const Pivot& p = *r.pivot;
  std::vector<std::string> excluded;
  std::vector<std::string> pivot_columns;
  for (const auto& c : p.for_columns) {
    referenced_columns(*c, excluded);
    pivot_columns.push_back(expr(*c).sql);
  }
  for (const auto& a : p.aggregates) referenced_columns(*a.expr, excluded);
  std::sort(excluded.begin(), excluded.end());
  excluded.erase(std::unique(excluded.begin(), excluded.end()), excluded.end());
  std::string s = "(SELECT * EXCLUDE (";
  for (size_t i = 0; i < excluded.size(); ++i) s += (i ? ", " : "") + quote_identifier(excluded[i]);
  s += ")";
  for (const auto& v : p.values) {
    std::vector<const Expr*> parts;
    if (p.for_columns.size() > 1) {
      if (v.expr->kind != Expr::Kind::kFunction || v.expr->name != "struct" ||
          v.expr->args.size() != p.for_columns.size())
        fail_syntax("each PIVOT value must be a tuple of " + std::to_string(p.for_columns.size()) +
                        " values, as the FOR columns",
                    v.expr->position);
      for (const auto& a : v.expr->args) parts.push_back(a.get());
    } else {
      parts.push_back(v.expr.get());
    }
    std::string match;
    for (size_t i = 0; i < parts.size(); ++i) {
      using K = Expr::Kind;
      K k = parts[i]->kind;
      if (k == K::kColumn) fail_syntax("PIVOT values must be literals", parts[i]->position);
      match +=
          (i ? " AND " : "") + pivot_columns[i] + " IS NOT DISTINCT FROM " + expr(*parts[i]).sql;
    }
    std::string value_name = v.alias.empty() ? pivot_value_name(*v.expr, input_) : v.alias;
    for (const auto& a : p.aggregates) {
      TypedSql agg = expr(*a.expr);
      Expr probe(Expr::Kind::kFunction, a.expr->position);
      probe.name = a.expr->kind == Expr::Kind::kFunction ? a.expr->name : "";
      probe.filter = nullptr;
      std::string filtered;
      {
        // FILTER applies to the aggregate call the translation is.
        const std::string& sql = agg.sql;
        size_t open = sql.find('(');
        bool one_call = open != std::string::npos && open > 0 && sql.back() == ')';
        for (size_t i = 0; one_call && i < open; ++i)
          one_call = std::isalnum(static_cast<unsigned char>(sql[i])) || sql[i] == '_';
        if (!one_call)
          fail_unsupported("PIVOT with the aggregate '" + probe.name + "'", a.expr->position);
        filtered = sql + " FILTER (WHERE " + match + ")";
      }
      std::string name = value_name;
      if (p.aggregates.size() > 1) {
        size_t end = input_.find_first_of(",", a.expr->position);
        name += "_" + (a.alias.empty()
                           ? std::string(input_.substr(a.expr->position, end - a.expr->position))
                           : a.alias);
      }
      s += ", " + filtered + " AS " + quote_identifier(name);
    }
  }
  s += " FROM " + input + " GROUP BY ALL)";
  s += " AS " + quote_identifier(r.pivot_alias.empty() ? "__dls_pivot" : r.pivot_alias);
  return s;
}

std::string Printer::table_ref_core(const TableRef& r) {
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
      const bool relation = !s.empty() && s.front() == '(' && !r.names.empty();
      return s + table_alias_sql(r, relation ? r.names.back() : "");
    }
    case TableRef::Kind::kSubquery: {
      // An unaliased subquery gets a name of its own (by its position in the text): two of them
      // in one FROM (a NATURAL JOIN of subqueries) would otherwise be ambiguous in DuckDB.
      return "(" + query(*r.subquery) + ")" +
             table_alias_sql(r, "__dls_subquery_" + std::to_string(r.position));
    }
    case TableRef::Kind::kValues: {
      // Spark names an inline table's columns col1, col2, ... unless the alias names them.
      std::string s = "(VALUES ";
      size_t width = r.rows.empty() ? 0 : r.rows[0].size();
      for (size_t i = 0; i < r.rows.size(); ++i) {
        if (r.rows[i].size() != width)
          fail_syntax("the rows of an inline table (VALUES) must have the same number of columns",
                      r.position);
        s += i ? ", (" : "(";
        for (size_t j = 0; j < r.rows[i].size(); ++j)
          s += (j ? ", " : "") + expr(*r.rows[i][j]).sql;
        s += ")";
      }
      s += ")";
      TableRef named;
      named.alias = r.alias.empty() ? "__dls_values" : r.alias;
      named.column_aliases = r.column_aliases;
      if (!named.column_aliases.empty() && named.column_aliases.size() != width)
        fail_syntax("the inline table has " + std::to_string(width) + " column(s) but " +
                        std::to_string(named.column_aliases.size()) + " name(s)",
                    r.position);
      for (size_t j = named.column_aliases.size(); j < width; ++j)
        named.column_aliases.push_back("col" + std::to_string(j + 1));
      return s + table_alias_sql(named, "");
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
      std::string s = table_ref(*r.left) + " " + (r.natural ? "NATURAL " : "") +
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

namespace {
bool is_generator(const Expr& e) {
  static const std::set<std::string> kGenerators = {
      "explode", "explode_outer", "posexplode", "posexplode_outer",
      "inline",  "inline_outer",  "stack"};
  return e.kind == Expr::Kind::kFunction && kGenerators.count(e.name) && !e.window;
}
}  // namespace

std::string Printer::lateral_view_sql(const Expr& g, bool outer_view,
                                      const std::vector<std::string>& column_aliases,
                                      const std::string& alias) {
  std::string name = g.name;
  bool outer = outer_view;
  if (name.size() > 6 && name.compare(name.size() - 6, 6, "_outer") == 0) {
    outer = true;
    name = name.substr(0, name.size() - 6);
  }
  auto arity = [&](size_t n) {
    if (g.args.size() != n)
      fail_syntax("generator '" + g.name + "' takes " + std::to_string(n) + " argument(s)",
                  g.position);
  };
  std::string select;
  std::vector<std::string> columns;
  if (name == "explode" || name == "posexplode") {
    arity(1);
    TypedSql a = expr(*g.args[0]);
    bool pos = name == "posexplode";
    if (a.type.is(SparkType::Kind::kMap)) {
      select = "SELECT " +
               std::string(pos ? "unnest(range(len(map_keys(" + a.sql + ")))) AS p, " : "") +
               "unnest(map_keys(" + a.sql + ")) AS k, unnest(map_values(" + a.sql + ")) AS v";
      columns = {"key", "value"};
    } else {
      if (a.type.known() && !a.type.is(SparkType::Kind::kArray))
        fail_syntax("'" + g.name + "' needs an ARRAY or a MAP", g.position);
      select = "SELECT " + std::string(pos ? "unnest(range(len(" + a.sql + "))) AS p, " : "") +
               "unnest(" + a.sql + ") AS c";
      columns = {"col"};
    }
    if (pos) columns.insert(columns.begin(), "pos");
  } else if (name == "inline") {
    arity(1);
    TypedSql a = expr(*g.args[0]);
    select = "SELECT unnest(s) FROM (SELECT unnest(" + a.sql + ") AS s)";
    if (a.type.is(SparkType::Kind::kArray) && a.type.element().is(SparkType::Kind::kStruct)) {
      for (const auto& f : a.type.element().fields) columns.push_back(f.name);
    }
  } else if (name == "stack") {
    if (g.args.empty()) fail_syntax("stack needs the number of rows", g.position);
    long long n = 0;
    if (g.args[0]->kind == Expr::Kind::kNumber) {
      const std::string& text = g.args[0]->text;
      // Digits only: `.5`, `1e3` or a count beyond BIGINT is no row count.
      if (!text.empty() && text.size() <= 18 &&
          text.find_first_not_of("0123456789") == std::string::npos) {
        n = std::stoll(text);
      }
    }
    if (n <= 0)
      fail_syntax("stack's first argument must be a positive integer literal", g.position);
    size_t values = g.args.size() - 1;
    size_t width = (values + n - 1) / n;
    std::string rows;
    for (long long r = 0; r < n; ++r) {
      rows += r ? ", " : "";
      rows += "{";
      for (size_t c = 0; c < width; ++c) {
        size_t idx = 1 + r * width + c;
        rows += (c ? ", " : "") + quote_identifier("col" + std::to_string(c)) + ": " +
                (idx < g.args.size() ? expr(*g.args[idx]).sql : std::string("NULL"));
      }
      rows += "}";
    }
    select = "SELECT unnest(s) FROM (SELECT unnest([" + rows + "]) AS s)";
    for (size_t c = 0; c < width; ++c) columns.push_back("col" + std::to_string(c));
  } else {
    fail_unsupported_function(g.name, g.position, "not a generator the local engine knows");
  }
  if (!column_aliases.empty()) {
    if (!columns.empty() && column_aliases.size() != columns.size())
      fail_syntax("generator '" + g.name + "' returns " + std::to_string(columns.size()) +
                      " column(s) but " + std::to_string(column_aliases.size()) +
                      " name(s) were given",
                  g.position);
    columns = column_aliases;
  }
  std::string s = std::string(outer ? " LEFT JOIN" : " CROSS JOIN") + " LATERAL (" + select +
                  ") AS " + quote_identifier(alias);
  if (!columns.empty()) {
    s += "(";
    for (size_t i = 0; i < columns.size(); ++i) s += (i ? ", " : "") + quote_identifier(columns[i]);
    s += ")";
  }
  if (outer) s += " ON true";
  return s;
}

std::string Printer::query(const Query& q) {
  std::string s;
  if (!q.with.empty()) {
    s += "WITH ";
    for (size_t i = 0; i < q.with.size(); ++i) {
      if (i) s += ", ";
      s += quote_identifier(q.with[i].first);
      if (i < q.with_columns.size() && !q.with_columns[i].empty()) {
        s += "(";
        for (size_t j = 0; j < q.with_columns[i].size(); ++j)
          s += (j ? ", " : "") + quote_identifier(q.with_columns[i][j]);
        s += ")";
      }
      s += " AS (" + query(*q.with[i].second) + ")";
    }
    s += " ";
  }
  for (const Query* part = &q; part; part = part->next.get()) {
    for (const auto& ref : part->from) {
      if (ref.kind != TableRef::Kind::kValues || ref.rows.empty()) continue;
      for (size_t j = 0; j < ref.rows[0].size(); ++j) {
        std::string column =
            j < ref.column_aliases.size() ? ref.column_aliases[j] : "col" + std::to_string(j + 1);
        SparkType t = expr(*ref.rows[0][j]).type;
        // Rows may widen the type (1 then 2.5): only a type every row agrees on is kept.
        for (size_t i = 1; i < ref.rows.size() && t.known(); ++i) {
          if (j >= ref.rows[i].size() || !(expr(*ref.rows[i][j]).type == t)) t = SparkType{};
        }
        if (t.known()) inline_column_types_[lower(column)] = t;
      }
    }
    // A generator in the select list (SELECT a, explode(b) ...) is a lateral view whose columns
    // take the item's place.
    const SelectItem* generator = nullptr;
    s += "SELECT ";
    if (part->distinct) s += "DISTINCT ";
    for (size_t i = 0; i < part->items.size(); ++i) {
      if (i) s += ", ";
      const auto& item = part->items[i];
      if (is_generator(*item.expr)) {
        if (generator)
          fail_syntax("only one generator (explode, inline, ...) is allowed per SELECT",
                      item.expr->position);
        generator = &item;
        s += quote_identifier("__dls_generator") + ".*";
        continue;
      }
      s += expr(*item.expr).sql;
      if (!item.alias.empty()) s += " AS " + quote_identifier(item.alias);
    }
    if (!part->from.empty()) {
      s += " FROM ";
      for (size_t i = 0; i < part->from.size(); ++i)
        s += (i ? ", " : "") + table_ref(part->from[i]);
    } else if (generator) {
      s += " FROM (SELECT 1) AS " + quote_identifier("__dls_one");
    }
    for (size_t i = 0; i < part->lateral_views.size(); ++i) {
      const auto& v = part->lateral_views[i];
      s += lateral_view_sql(*v.generator, v.outer, v.column_aliases,
                            v.alias.empty() ? "__dls_lateral" + std::to_string(i) : v.alias);
    }
    if (generator) {
      std::vector<std::string> names = generator->column_aliases;
      if (!generator->alias.empty()) names = {generator->alias};
      s += lateral_view_sql(*generator->expr, false, names, "__dls_generator");
    }
    if (part->where) s += " WHERE " + expr(*part->where).sql;
    if (part->group_by_all) {
      s += " GROUP BY ALL";
    } else if (!part->group_by.empty()) {
      s += " GROUP BY " + (part->grouping.empty() ? "" : part->grouping + " (");
      for (size_t i = 0; i < part->group_by.size(); ++i)
        s += (i ? ", " : "") + expr(*part->group_by[i]).sql;
      if (!part->grouping.empty()) s += ")";
    }
    if (part->having) s += " HAVING " + expr(*part->having).sql;
    if (!part->named_windows.empty()) {
      s += " WINDOW ";
      for (size_t i = 0; i < part->named_windows.size(); ++i)
        s += (i ? ", " : "") + quote_identifier(part->named_windows[i].first) + " AS " +
             window_sql(*part->named_windows[i].second);
    }
    if (part->next) s += " " + part->set_op + " ";
  }
  if (!q.order_by.empty()) s += " ORDER BY " + order_items_sql(q.order_by);
  if (q.limit) s += " LIMIT " + expr(*q.limit).sql;
  if (q.offset) s += " OFFSET " + expr(*q.offset).sql;
  return s;
}

}  // namespace dls::sql::spark
