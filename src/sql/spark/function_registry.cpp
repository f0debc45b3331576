#include "dls/sql/spark/function_registry.h"

#include <algorithm>
#include <cctype>

#include "function_library.h"

namespace dls::sql::spark {

std::string CallContext::joined(size_t from) const {
  std::string out;
  for (size_t i = from; i < args_.size(); ++i) {
    if (i > from) out += ", ";
    out += args_[i].sql;
  }
  return out;
}

std::optional<std::string> CallContext::literal_string(size_t i) const {
  if (i >= call_.args.size()) return std::nullopt;
  const Expr& e = *call_.args[i];
  if (e.kind == Expr::Kind::kString) return e.text;
  return std::nullopt;
}

std::optional<long long> CallContext::literal_int(size_t i) const {
  if (i >= call_.args.size()) return std::nullopt;
  const Expr& e = *call_.args[i];
  if (e.kind != Expr::Kind::kNumber) return std::nullopt;
  std::string t = e.text;
  if (!t.empty() && (t.back() == 'L' || t.back() == 'l' || t.back() == 'S' || t.back() == 's' ||
                     t.back() == 'Y' || t.back() == 'y')) {
    t.pop_back();
  }
  for (size_t k = 0; k < t.size(); ++k) {
    if (!(std::isdigit(static_cast<unsigned char>(t[k])) || (k == 0 && t[k] == '-')))
      return std::nullopt;
  }
  try {
    return std::stoll(t);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

const std::vector<SparkOperator>& supported_operators() {
  static const std::vector<SparkOperator> ops = [] {
    std::vector<SparkOperator> v = {
        {"!", "!a", "logical NOT"},
        {"!=", "a != b", "same as <>; NULL when either side is NULL"},
        {"%", "a % b", "remainder with the dividend's sign; division by zero is an error (ANSI)"},
        {"&", "a & b", "bitwise AND"},
        {"*", "a * b", "INT * INT overflow is an error (ANSI), as in Spark"},
        {"+", "a + b", "numbers; date + INT adds days; timestamp/date + INTERVAL"},
        {"-", "a - b", "numbers; date - INT subtracts days; timestamp - timestamp is an interval"},
        {"/", "a / b", "always fractional (DOUBLE; 3 / 2 = 1.5); division by zero is an error"},
        {"::", "a::type", "cast, same as CAST(a AS type)"},
        {"<", "a < b", "implicit casts as Spark (1 = '1')"},
        {"<=", "a <= b", ""},
        {"<=>", "a <=> b", "NULL-safe equality (DuckDB IS NOT DISTINCT FROM)"},
        {"<>", "a <> b", ""},
        {"=", "a = b", "NULL when either side is NULL"},
        {"==", "a == b", "same as ="},
        {">", "a > b", ""},
        {">=", "a >= b", ""},
        {"^", "a ^ b", "bitwise XOR"},
        {"and", "a AND b", "three-valued logic (false AND NULL = false); also &&"},
        {"between", "a [NOT] BETWEEN lo AND hi", "inclusive on both ends"},
        {"case", "CASE [x] WHEN ... THEN ... [ELSE ...] END", "branches widen to a common type"},
        {"cast", "CAST(a AS type), TRY_CAST(a AS type)", "Spark type names"},
        {"div", "a DIV b", "integral division, BIGINT result"},
        {"extract", "EXTRACT(field FROM source)", "same as date_part"},
        {"in", "a [NOT] IN (v, ...)", ""},
        {"is null", "a IS [NOT] NULL", ""},
        {"not", "NOT a", ""},
        {"or", "a OR b", "three-valued logic (true OR NULL = true)"},
        {"|", "a | b", "bitwise OR"},
        {"||", "a || b", "string (or array) concatenation"},
        {"~", "~a", "bitwise NOT"},
    };
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return v;
  }();
  return ops;
}

const FunctionRegistry& FunctionRegistry::instance() {
  static const FunctionRegistry registry = [] {
    FunctionRegistry r;
    lib::register_string_functions(r);
    lib::register_datetime_functions(r);
    lib::register_collection_functions(r);
    lib::register_misc_functions(r);
    return r;
  }();
  return registry;
}

void FunctionRegistry::add(SparkFunction f) {
  std::string name = f.name;
  functions_[name] = std::move(f);
}

const SparkFunction* FunctionRegistry::find(const std::string& name) const {
  auto it = functions_.find(name);
  return it == functions_.end() ? nullptr : &it->second;
}

std::vector<const SparkFunction*> FunctionRegistry::all() const {
  std::vector<const SparkFunction*> out;
  for (const auto& [_, f] : functions_) out.push_back(&f);
  return out;
}

std::string FunctionRegistry::unsupported_reason(const std::string& name) const {
  auto it = unsupported_.find(name);
  return it == unsupported_.end() ? "" : it->second;
}

void FunctionRegistry::add_unsupported(const std::string& name, const std::string& reason) {
  unsupported_[name] = reason;
}

namespace lib {

std::string within_size_limit(const std::string& size_sql, const std::string& value_sql,
                              const std::string& what) {
  const std::string message = std::string("[COLLECTION_SIZE_LIMIT_EXCEEDED] ") + what +
                              ": the result would exceed Spark's size limit of " +
                              kMaxRoundedArrayLength + " (elements of an array, bytes of a string)";
  return "CASE WHEN (" + size_sql + ") > " + kMaxRoundedArrayLength + " THEN error(" +
         quote_literal(message) + ") ELSE " + value_sql + " END";
}

std::string subst(const std::string& t, const CallContext& c) {
  std::string out;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '{' && i + 2 < t.size() && t[i + 2] == '}' &&
        (std::isdigit(static_cast<unsigned char>(t[i + 1])) || t[i + 1] == '*')) {
      if (t[i + 1] == '*') {
        out += c.joined();
      } else {
        out += c.sql(static_cast<size_t>(t[i + 1] - '0'));
      }
      i += 2;
    } else {
      out += t[i];
    }
  }
  return out;
}

std::string str(const CallContext& c, size_t i) {
  const TypedSql& a = c.arg(i);
  if (a.type.is(K::kString)) return a.sql;
  if (a.type.is(K::kBinary)) return "decode(" + a.sql + ")";
  if (a.type.is(K::kNull)) return "CAST(NULL AS VARCHAR)";
  if (a.type.is(K::kDouble) || a.type.is(K::kFloat)) {
    c.unsupported(
        "a DOUBLE argument where Spark expects a string (Java number formatting); cast it "
        "explicitly");
  }
  return "CAST(" + a.sql + " AS VARCHAR)";
}

std::string bin(const CallContext& c, size_t i) {
  const TypedSql& a = c.arg(i);
  if (a.type.is(K::kBinary)) return a.sql;
  return "encode(CAST(" + a.sql + " AS VARCHAR))";
}

std::string as_date(const TypedSql& a) {
  if (a.type.is(K::kDate)) return a.sql;
  if (a.type.is(K::kTimestamp) || a.type.is(K::kTimestampNtz)) return "CAST(" + a.sql + " AS DATE)";
  if (a.type.is(K::kString) || !a.type.known() || a.type.is(K::kNull)) {
    return "CAST(CAST(" + a.sql + " AS TIMESTAMP) AS DATE)";
  }
  return "CAST(" + a.sql + " AS DATE)";
}

std::string as_ts(const TypedSql& a) {
  if (a.type.is(K::kTimestamp) || a.type.is(K::kTimestampNtz)) return a.sql;
  return "CAST(" + a.sql + " AS TIMESTAMP)";
}

std::string as_date(const CallContext& c, size_t i) {
  return as_date(c.arg(i));
}
std::string as_ts(const CallContext& c, size_t i) {
  return as_ts(c.arg(i));
}

LambdaParts split_lambda(const std::string& s) {
  size_t colon = s.find(": ");
  return {s.substr(7, colon - 7), s.substr(colon + 2)};
}

std::string java_to_strftime(const std::string& p, const CallContext& c, bool parsing) {
  std::string out;
  size_t i = 0;
  while (i < p.size()) {
    char ch = p[i];
    if (ch == '\'') {
      size_t end = p.find('\'', i + 1);
      if (end == std::string::npos)
        c.unsupported("unterminated quote in datetime pattern '" + p + "'");
      if (end == i + 1) {
        out += '\'';
      } else {
        for (size_t k = i + 1; k < end; ++k)
          out += p[k] == '%' ? std::string("%%") : std::string(1, p[k]);
      }
      i = end + 1;
      continue;
    }
    if (!std::isalpha(static_cast<unsigned char>(ch))) {
      out += ch == '%' ? std::string("%%") : std::string(1, ch);
      ++i;
      continue;
    }
    size_t n = 1;
    while (i + n < p.size() && p[i + n] == ch) ++n;
    std::string f;
    switch (ch) {
      case 'y':
      case 'u':
        f = n == 2 ? "%y" : "%Y";
        break;
      case 'M':
      case 'L':
        f = n == 1 ? (parsing ? "%m" : "%-m") : n == 2 ? "%m" : n == 3 ? "%b" : "%B";
        break;
      case 'd':
        f = n == 1 ? (parsing ? "%d" : "%-d") : "%d";
        break;
      case 'D':
        f = n == 3 ? "%j" : (parsing ? "%j" : "%-j");
        break;
      case 'H':
        f = n == 1 ? (parsing ? "%H" : "%-H") : "%H";
        break;
      case 'h':
        f = n == 1 ? (parsing ? "%I" : "%-I") : "%I";
        break;
      case 'm':
        f = n == 1 ? (parsing ? "%M" : "%-M") : "%M";
        break;
      case 's':
        f = n == 1 ? (parsing ? "%S" : "%-S") : "%S";
        break;
      case 'S':
        if (n == 3)
          f = "%g";
        else if (n == 6)
          f = "%f";
        else if (n == 9)
          f = "%n";
        else
          c.unsupported("datetime pattern letter run '" + std::string(n, 'S') +
                        "' (use S, SSS or SSSSSS)");
        break;
      case 'a':
        f = "%p";
        break;
      case 'E':
        f = n <= 3 ? "%a" : "%A";
        break;
      case 'z':
        f = "%Z";
        break;
      case 'Z':
      case 'x':
      case 'X':
        f = "%z";
        break;
      default:
        c.unsupported("datetime pattern letter '" + std::string(1, ch) + "' in '" + p + "'");
    }
    out += f;
    i += n;
  }
  return out;
}

void def(FunctionRegistry& r, const std::string& name, int min_args, int max_args,
         const std::string& category, Rewrite rewrite, const std::string& notes) {
  r.add(SparkFunction{name, min_args, max_args, category, std::move(rewrite), notes});
}

Rewrite tmpl(std::string t, SparkType result) {
  return [t = std::move(t), result](CallContext& c) { return TypedSql{subst(t, c), result}; };
}

Rewrite tmpl_str(std::string t, SparkType result) {
  return [t = std::move(t), result](CallContext& c) {
    std::vector<TypedSql> conv;
    std::string out;
    for (size_t i = 0; i < t.size(); ++i) {
      if (t[i] == '{' && i + 2 < t.size() && t[i + 2] == '}' &&
          std::isdigit(static_cast<unsigned char>(t[i + 1]))) {
        out += str(c, static_cast<size_t>(t[i + 1] - '0'));
        i += 2;
      } else {
        out += t[i];
      }
    }
    return TypedSql{out, result};
  };
}

}  // namespace lib
}  // namespace dls::sql::spark
