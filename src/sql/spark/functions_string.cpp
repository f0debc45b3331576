// String functions of the Spark function library.
#include <algorithm>

#include "function_library.h"

namespace dls::sql::spark::lib {

namespace {

const SparkType kStr = T(K::kString);
const SparkType kInt = T(K::kInt);

// lpad/rpad: strings pad characters, binary values pad bytes (done on hex digits).
/// `n` when it is not negative, else 0; NULL stays NULL (DuckDB's greatest() would skip it).
std::string non_negative(const std::string& n) {
  return "CASE WHEN " + n + " < 0 THEN 0 ELSE " + n + " END";
}

Rewrite pad(bool left) {
  std::string fn = left ? "lpad" : "rpad";
  return [fn](CallContext& c) {
    std::string n = non_negative(c.sql(1));
    if (c.type(0).is(K::kBinary)) {
      std::string p = c.size() > 2 ? "hex(" + bin(c, 2) + ")" : "'00'";
      // An empty pad leaves a shorter value as it is (Spark), where DuckDB's lpad refuses.
      return TypedSql{"CASE WHEN " + p + " = '' AND length(hex(" + c.sql(0) + ")) < 2 * " + n +
                          " THEN " + c.sql(0) + " ELSE unhex(" + fn + "(hex(" + c.sql(0) +
                          "), 2 * " + n + ", " + p + ")) END",
                      T(K::kBinary)};
    }
    std::string p = c.size() > 2 ? str(c, 2) : "' '";
    // n characters of at most 4 bytes each: the guard errs on the side of Spark's limit.
    return TypedSql{within_size_limit("CAST(" + n + " AS HUGEINT) * strlen(" + p + ")",
                                      "CASE WHEN " + p + " = '' AND length(" + str(c, 0) + ") < " +
                                          n + " THEN " + str(c, 0) + " ELSE " + fn + "(" +
                                          str(c, 0) + ", " + n + ", " + p + ") END",
                                      fn),
                    kStr};
  };
}

/// Base64 text decoded as Spark decodes it: whitespace between the symbols is skipped, but not
/// between two padding characters ("ab= =" is invalid).
std::string base64_decoded(const std::string& text) {
  return "CASE WHEN regexp_matches(" + text +
         ", '=\\s+=') THEN error('[CONVERSION_INVALID_INPUT] the value is not valid base64') "
         "ELSE from_base64(regexp_replace(" +
         text + ", '\\s', '', 'g')) END";
}

Rewrite trim_fn(const std::string& fn) {
  return [fn](CallContext& c) {
    std::string s = str(c, 0);
    if (c.size() == 1) return TypedSql{fn + "(" + s + ", ' ')", kStr};
    return TypedSql{fn + "(" + s + ", " + str(c, 1) + ")", kStr};
  };
}

// Java regex replacement ($1, \$) -> RE2 replacement (\1, $).
std::string java_replacement(const std::string& r) {
  std::string out;
  for (size_t i = 0; i < r.size(); ++i) {
    if (r[i] == '\\' && i + 1 < r.size()) {
      if (r[i + 1] == '\\')
        out += "\\\\";
      else
        out += r[i + 1];
      ++i;
    } else if (r[i] == '$' && i + 1 < r.size() &&
               std::isdigit(static_cast<unsigned char>(r[i + 1]))) {
      out += '\\';
      out += r[i + 1];
      ++i;
    } else {
      out += r[i];
    }
  }
  return out;
}

TypedSql locate(CallContext& c, size_t sub, size_t s, std::optional<size_t> pos) {
  std::string sub_s = str(c, sub), s_s = str(c, s);
  if (!pos) return {"instr(" + s_s + ", " + sub_s + ")", kInt};
  std::string p = c.sql(*pos);
  // Spark finds '' at 1 from any start (UTF8String.indexOf("", i) is 0).
  return {"CASE WHEN " + p + " IS NULL THEN 0 WHEN " + p + " < 1 THEN 0 WHEN " + sub_s +
              " = '' THEN 1 WHEN instr(substring(" + s_s + ", " + p + "), " + sub_s +
              ") = 0 THEN 0 ELSE instr(substring(" + s_s + ", " + p + "), " + sub_s + ") + " + p +
              " - 1 END",
          kInt};
}

// format_string / printf: Java's Formatter for the common conversions.
TypedSql format_string(CallContext& c) {
  auto fmt = c.literal_string(0);
  if (!fmt) c.unsupported("the format must be a string literal");
  std::string out;
  size_t arg = 1;
  std::vector<std::string> args;
  const std::string& f = *fmt;
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] != '%') {
      out += f[i];
      continue;
    }
    size_t j = i + 1;
    std::string spec = "%";
    while (j < f.size() && std::string("-0+ #123456789.").find(f[j]) != std::string::npos)
      spec += f[j++];
    if (j >= f.size()) c.unsupported("incomplete format specifier in '" + f + "'");
    char conv = f[j];
    if (conv == '%') {
      out += "%%";
    } else if (conv == 'n') {
      out += "\n";
    } else {
      if (arg >= c.size())
        c.unsupported("the format '" + f + "' has more specifiers than arguments");
      const TypedSql& a = c.arg(arg);
      switch (conv) {
        case 's':
        case 'S':
          args.push_back(a.type.is(K::kString) ? a.sql : str(c, arg));
          out += spec + "s";
          break;
        case 'd':
          args.push_back("CAST(" + a.sql + " AS BIGINT)");
          out += spec + "d";
          break;
        case 'x':
        case 'X':
        case 'o':
          args.push_back("CAST(" + a.sql + " AS BIGINT)");
          out += spec + conv;
          break;
        case 'f':
        case 'e':
        case 'E':
        case 'g':
          args.push_back("CAST(" + a.sql + " AS DOUBLE)");
          out += spec + conv;
          break;
        case 'c':
          args.push_back(str(c, arg));
          out += spec + "s";
          break;
        default:
          c.unsupported("format conversion '%" + std::string(1, conv) + "'");
      }
      ++arg;
    }
    i = j;
  }
  std::string sql = "printf(" + quote_literal(out);
  for (auto& a : args) sql += ", " + a;
  return {sql + ")", kStr};
}

}  // namespace

void register_string_functions(FunctionRegistry& r) {
  def(r, "ascii", 1, 1, "string", tmpl_str("ascii({0})", kInt));
  def(r, "base64", 1, 1, "string", [](CallContext& c) {
    return TypedSql{"to_base64(" + bin(c, 0) + ")", kStr};
  });
  def(r, "unbase64", 1, 1, "string", [](CallContext& c) {
    return TypedSql{base64_decoded(str(c, 0)), T(K::kBinary)};
  });
  for (const char* n : {"char", "chr"}) {
    def(r, n, 1, 1, "string",
        // Spark casts the argument to BIGINT first (a fraction truncates, too big fails).
        tmpl("CASE WHEN CAST(trunc({0}) AS BIGINT) < 0 THEN '' "
             "ELSE chr(CAST(CAST(trunc({0}) AS BIGINT) % 256 AS INTEGER)) END",
             kStr));
  }
  for (const char* n : {"char_length", "character_length", "length", "len"}) {
    def(r, n, 1, 1, "string", [](CallContext& c) {
      if (c.type(0).is(K::kBinary)) return TypedSql{"octet_length(" + c.sql(0) + ")", kInt};
      return TypedSql{"CAST(length(" + str(c, 0) + ") AS INTEGER)", kInt};
    });
  }
  def(r, "octet_length", 1, 1, "string", [](CallContext& c) {
    return TypedSql{"CAST(octet_length(" + bin(c, 0) + ") AS INTEGER)", kInt};
  });
  def(r, "bit_length", 1, 1, "string", [](CallContext& c) {
    return TypedSql{"CAST(octet_length(" + bin(c, 0) + ") * 8 AS INTEGER)", kInt};
  });
  def(r, "concat", 0, -1, "string", [](CallContext& c) {
    if (c.size() == 0) return TypedSql{"''", kStr};
    bool arrays = false;
    for (size_t i = 0; i < c.size(); ++i) arrays |= c.type(i).is(K::kArray);
    std::string s;
    if (arrays) {
      // Spark: NULL if any argument is NULL.
      std::string any_null;
      for (size_t i = 0; i < c.size(); ++i) any_null += (i ? " OR " : "") + c.sql(i) + " IS NULL";
      s = c.sql(0);
      for (size_t i = 1; i < c.size(); ++i) s = "list_concat(" + s + ", " + c.sql(i) + ")";
      return TypedSql{"CASE WHEN " + any_null + " THEN NULL ELSE " + s + " END", c.type(0)};
    }
    for (size_t i = 0; i < c.size(); ++i) s += (i ? " || " : "") + str(c, i);
    return TypedSql{"(" + s + ")", kStr};
  });
  def(r, "concat_ws", 1, -1, "string", [](CallContext& c) {
    std::string sep = str(c, 0);
    if (c.size() == 1) return TypedSql{"CASE WHEN " + sep + " IS NULL THEN NULL ELSE '' END", kStr};
    std::string s = "concat_ws(" + sep;
    for (size_t i = 1; i < c.size(); ++i) {
      if (c.type(i).is(K::kArray)) {
        s += ", array_to_string(list_filter(" + c.sql(i) + ", lambda _x: _x IS NOT NULL), " + sep +
             ")";
      } else {
        s += ", " + str(c, i);
      }
    }
    return TypedSql{"CASE WHEN " + sep + " IS NULL THEN NULL ELSE " + s + ") END", kStr};
  });
  def(r, "contains", 2, 2, "string", tmpl_str("contains({0}, {1})", T(K::kBoolean)));
  def(r, "startswith", 2, 2, "string", tmpl_str("starts_with({0}, {1})", T(K::kBoolean)));
  def(r, "endswith", 2, 2, "string", tmpl_str("ends_with({0}, {1})", T(K::kBoolean)));
  def(r, "decode", 2, -1, "string", [](CallContext& c) {
    if (c.size() == 2) {
      auto cs = c.literal_string(1);
      std::string l = cs ? *cs : "";
      std::transform(l.begin(), l.end(), l.begin(), ::tolower);
      if (l != "utf-8" && l != "utf8" && l != "us-ascii")
        c.unsupported("only the UTF-8 charset is supported");
      return TypedSql{"decode(" + bin(c, 0) + ")", kStr};
    }
    // decode(expr, search, result [, search, result]... [, default]): NULL matches NULL.
    std::string s = "CASE";
    size_t i = 1;
    for (; i + 1 < c.size(); i += 2)
      s += " WHEN " + c.sql(0) + " IS NOT DISTINCT FROM " + c.sql(i) + " THEN " + c.sql(i + 1);
    if (i < c.size()) s += " ELSE " + c.sql(i);
    return TypedSql{s + " END", c.type(2)};
  });
  def(r, "encode", 2, 2, "string", [](CallContext& c) {
    auto cs = c.literal_string(1);
    std::string l = cs ? *cs : "";
    std::transform(l.begin(), l.end(), l.begin(), ::tolower);
    if (l != "utf-8" && l != "utf8") c.unsupported("only the UTF-8 charset is supported");
    return TypedSql{"encode(" + str(c, 0) + ")", T(K::kBinary)};
  });
  def(r, "elt", 2, -1, "string", [](CallContext& c) {
    std::string list = "[";
    for (size_t i = 1; i < c.size(); ++i) list += (i > 1 ? ", " : "") + str(c, i);
    list += "]";
    std::string n = c.sql(0);
    return TypedSql{"CASE WHEN " + n + " < 1 OR " + n + " > " + std::to_string(c.size() - 1) +
                        " THEN error('[INVALID_ARRAY_INDEX] elt index ' || " + n +
                        " || ' is out of range') ELSE list_extract(" + list + ", " + n + ") END",
                    kStr};
  });
  def(r, "find_in_set", 2, 2, "string", [](CallContext& c) {
    std::string s = str(c, 0), l = str(c, 1);
    return TypedSql{"CASE WHEN " + s + " IS NULL OR " + l + " IS NULL THEN NULL WHEN contains(" +
                        s + ", ',') THEN 0 ELSE coalesce(list_position(string_split(" + l +
                        ", ','), " + s + "), 0) END",
                    kInt};
  });
  // format_number rounds HALF_EVEN on the exact DECIMAL value (Java's DecimalFormat) and takes
  // DecimalFormat patterns; neither is reproduced exactly, so it is refused rather than
  // approximated.
  r.add_unsupported("format_number",
                    "Java DecimalFormat patterns and HALF_EVEN rounding of DECIMAL values are not "
                    "reproduced; use format_string('%,.2f', x) on a DOUBLE");
  def(r, "initcap", 1, 1, "string", [](CallContext& c) {
    return TypedSql{"array_to_string(list_transform(string_split(lower(" + str(c, 0) +
                        "), ' '), lambda _w: upper(_w[1]) || _w[2:]), ' ')",
                    kStr};
  });
  def(r, "instr", 2, 2, "string", [](CallContext& c) { return locate(c, 1, 0, std::nullopt); });
  def(r, "locate", 2, 3, "string", [](CallContext& c) {
    return locate(c, 0, 1, c.size() > 2 ? std::optional<size_t>(2) : std::nullopt);
  });
  def(r, "position", 2, 3, "string", [](CallContext& c) {
    return locate(c, 0, 1, c.size() > 2 ? std::optional<size_t>(2) : std::nullopt);
  });
  def(r, "left", 2, 2, "string", [](CallContext& c) {
    return TypedSql{"left(" + str(c, 0) + ", " + non_negative(c.sql(1)) + ")", kStr};
  });
  def(r, "right", 2, 2, "string", [](CallContext& c) {
    return TypedSql{"right(" + str(c, 0) + ", " + non_negative(c.sql(1)) + ")", kStr};
  });
  def(r, "levenshtein", 2, 3, "string", [](CallContext& c) {
    std::string d = "CAST(levenshtein(" + str(c, 0) + ", " + str(c, 1) + ") AS INTEGER)";
    if (c.size() == 2) return TypedSql{d, kInt};
    return TypedSql{"CASE WHEN " + d + " > " + c.sql(2) + " THEN -1 ELSE " + d + " END", kInt};
  });
  for (const char* n : {"lower", "lcase"}) def(r, n, 1, 1, "string", tmpl_str("lower({0})", kStr));
  for (const char* n : {"upper", "ucase"}) def(r, n, 1, 1, "string", tmpl_str("upper({0})", kStr));
  def(r, "lpad", 2, 3, "string", pad(true));
  def(r, "rpad", 2, 3, "string", pad(false));
  def(r, "ltrim", 1, 2, "string", trim_fn("ltrim"));
  def(r, "rtrim", 1, 2, "string", trim_fn("rtrim"));
  def(r, "trim", 1, 2, "string", trim_fn("trim"));
  def(r, "btrim", 1, 2, "string", trim_fn("trim"));
  def(r, "mask", 1, 5, "string", [](CallContext& c) {
    auto rep = [&](size_t i, const char* def_char) -> std::string {
      if (i >= c.size()) return std::string("'") + def_char + "'";
      if (c.type(i).is(K::kNull)) return "";
      return "left(" + str(c, i) + ", 1)";
    };
    std::string up = rep(1, "X"), lo = rep(2, "x"), dg = rep(3, "n"),
                ot = c.size() > 4 ? rep(4, "") : "";
    std::string body = "CASE WHEN _c = '' THEN _c";  // '' splits into [''], not a character
    if (!up.empty()) body += " WHEN _c <> lower(_c) THEN " + up;
    if (!lo.empty()) body += " WHEN _c <> upper(_c) THEN " + lo;
    if (!dg.empty()) body += " WHEN _c BETWEEN '0' AND '9' THEN " + dg;
    if (!ot.empty())
      body += " WHEN NOT (_c <> lower(_c) OR _c <> upper(_c) OR _c BETWEEN '0' AND '9') THEN " + ot;
    body += " ELSE _c END";
    if (body == "CASE WHEN _c = '' THEN _c ELSE _c END") return TypedSql{str(c, 0), kStr};
    return TypedSql{"array_to_string(list_transform(string_split(" + str(c, 0) +
                        ", ''), lambda _c: " + body + "), '')",
                    kStr};
  });
  def(r, "overlay", 3, 4, "string", [](CallContext& c) {
    std::string s = str(c, 0), rep = str(c, 1), p = c.sql(2);
    std::string len = c.size() > 3 ? c.sql(3) : "length(" + rep + ")";
    return TypedSql{"(substring(" + s + ", 1, " + p + " - 1) || " + rep + " || substring(" + s +
                        ", " + p + " + " + len + "))",
                    kStr};
  });
  def(r, "regexp_count", 2, 2, "string",
      tmpl_str("CAST(len(regexp_extract_all({0}, {1})) AS INTEGER)", kInt));
  def(r, "regexp_extract", 2, 3, "string", [](CallContext& c) {
    std::string idx = c.size() > 2 ? c.sql(2) : "1";
    return TypedSql{"regexp_extract(" + str(c, 0) + ", " + str(c, 1) + ", " + idx + ")", kStr};
  });
  def(r, "regexp_extract_all", 2, 3, "string", [](CallContext& c) {
    std::string idx = c.size() > 2 ? c.sql(2) : "1";
    // A group that took part in no match is '' in Spark (NULL in DuckDB).
    return TypedSql{"list_transform(regexp_extract_all(" + str(c, 0) + ", " + str(c, 1) + ", " +
                        idx + "), lambda _m: coalesce(_m, ''))",
                    SparkType::array(kStr)};
  });
  def(r, "regexp_replace", 3, 4, "string", [](CallContext& c) {
    std::string rep;
    if (auto lit = c.literal_string(2)) {
      rep = quote_literal(java_replacement(*lit));
    } else {
      rep = "regexp_replace(" + str(c, 2) + ", '\\$(\\d)', '\\\\\\1', 'g')";
    }
    std::string s = str(c, 0);
    if (c.size() > 3) {
      std::string p = c.sql(3);
      return TypedSql{"(substring(" + s + ", 1, " + p + " - 1) || regexp_replace(substring(" + s +
                          ", " + p + "), " + str(c, 1) + ", " + rep + ", 'g'))",
                      kStr};
    }
    return TypedSql{"regexp_replace(" + s + ", " + str(c, 1) + ", " + rep + ", 'g')", kStr};
  });
  // Spark: nullif(regexp_extract(str, regexp, 0), '') — no match and an empty match are NULL.
  def(r, "regexp_substr", 2, 2, "string",
      tmpl_str("nullif(regexp_extract({0}, {1}, 0), '')", kStr));
  for (const char* n : {"rlike", "regexp", "regexp_like"}) {
    def(r, n, 2, 2, "predicate", tmpl_str("regexp_matches({0}, {1})", T(K::kBoolean)));
  }
  def(r, "like", 2, 3, "predicate", [](CallContext& c) {
    std::string esc = c.size() > 2 ? c.sql(2) : "'\\'";
    return TypedSql{"(" + str(c, 0) + " LIKE " + str(c, 1) + " ESCAPE " + esc + ")",
                    T(K::kBoolean)};
  });
  def(r, "ilike", 2, 3, "predicate", [](CallContext& c) {
    std::string esc = c.size() > 2 ? c.sql(2) : "'\\'";
    return TypedSql{"(" + str(c, 0) + " ILIKE " + str(c, 1) + " ESCAPE " + esc + ")",
                    T(K::kBoolean)};
  });
  def(r, "repeat", 2, 2, "string", [](CallContext& c) {
    const std::string n = non_negative(c.sql(1));
    return TypedSql{within_size_limit("CAST(" + n + " AS HUGEINT) * strlen(" + str(c, 0) + ")",
                                      "repeat(" + str(c, 0) + ", " + n + ")", "repeat"),
                    kStr};
  });
  def(r, "replace", 2, 3, "string", [](CallContext& c) {
    std::string s = str(c, 0), f = str(c, 1), t = c.size() > 2 ? str(c, 2) : "''";
    return TypedSql{
        "CASE WHEN " + f + " = '' THEN " + s + " ELSE replace(" + s + ", " + f + ", " + t + ") END",
        kStr};
  });
  def(r, "space", 1, 1, "string", [](CallContext& c) {
    // Spark casts the count to INT first: a fraction truncates.
    const std::string n = non_negative("CAST(trunc(" + c.sql(0) + ") AS BIGINT)");
    return TypedSql{within_size_limit(n, "repeat(' ', " + n + ")", "space"), kStr};
  });
  def(r, "split", 2, 3, "string", [](CallContext& c) {
    std::string s = str(c, 0), p = str(c, 1);
    // A NULL pattern gives NULL (DuckDB would not split).
    std::string parts =
        "CASE WHEN " + p + " IS NOT NULL THEN regexp_split_to_array(" + s + ", " + p + ") END";
    if (c.size() == 2) return TypedSql{parts, SparkType::array(kStr)};
    std::string lim = c.sql(2);
    // limit > 0: at most `limit` parts, the last holding the rest of the string.
    std::string k = "(" + lim + " - 1)";
    // list_sum of BIGINT lengths is a HUGEINT, which substring does not take: cast back.
    std::string consumed =
        "CAST(coalesce(list_sum(list_transform(list_slice(" + parts + ", 1, " + k +
        "), lambda _p: length(_p))), 0) + "
        "coalesce(list_sum(list_transform(list_slice(regexp_extract_all(" +
        s + ", " + p + "), 1, " + k + "), lambda _d: length(_d))), 0) AS BIGINT)";
    return TypedSql{"CASE WHEN " + s + " IS NULL OR " + p + " IS NULL OR " + lim +
                        " IS NULL THEN NULL WHEN " + lim + " <= 0 OR len(" + parts + ") <= " + lim +
                        " THEN " + parts + " ELSE list_concat(list_slice(" + parts + ", 1, " + k +
                        "), [substring(" + s + ", " + consumed + " + 1)]) END",
                    SparkType::array(kStr)};
  });
  def(r, "split_part", 3, 3, "string", [](CallContext& c) {
    std::string s = str(c, 0), d = str(c, 1), n = c.sql(2);
    // NULL in, NULL out; an empty delimiter does not split (part 1 or -1 is the string).
    return TypedSql{"CASE WHEN " + n +
                        " = 0 THEN error('[INVALID_INDEX_OF_ZERO] split_part index must not be 0') "
                        "WHEN " +
                        s + " IS NULL OR " + d + " IS NULL OR " + n + " IS NULL THEN NULL WHEN " +
                        d + " = '' THEN CASE WHEN " + n + " IN (1, -1) THEN " + s +
                        " ELSE '' END ELSE coalesce(split_part(" + s + ", " + d + ", " + n +
                        "), '') END",
                    kStr};
  });
  for (const char* n : {"substr", "substring"}) {
    def(r, n, 2, 3, "string", [](CallContext& c) {
      std::string s = str(c, 0);
      std::string p = c.sql(1);
      if (auto lit = c.literal_int(1)) {
        if (*lit == 0) p = "1";
      } else {
        p = "CASE WHEN " + p + " = 0 THEN 1 ELSE " + p + " END";
      }
      if (c.size() == 2) return TypedSql{"substring(" + s + ", " + p + ")", kStr};
      std::string len = c.sql(2);
      // Spark: a negative start counts from the end; the window [start, start+len) is clipped.
      return TypedSql{"CASE WHEN " + len + " <= 0 THEN '' ELSE substring(" + s + ", " + p + ", " +
                          len + ") END",
                      kStr};
    });
  }
  def(r, "substring_index", 3, 3, "string", [](CallContext& c) {
    std::string s = str(c, 0), d = str(c, 1), n = c.sql(2);
    std::string parts = "string_split(" + s + ", " + d + ")";
    return TypedSql{"CASE WHEN " + n + " = 0 OR " + d + " = '' THEN '' WHEN " + n +
                        " > 0 THEN array_to_string(list_slice(" + parts + ", 1, " + n + "), " + d +
                        ") ELSE array_to_string(list_slice(" + parts + ", greatest(len(" + parts +
                        ") + " + n + " + 1, 1), len(" + parts + ")), " + d + ") END",
                    kStr};
  });
  def(r, "translate", 3, 3, "string", tmpl_str("translate({0}, {1}, {2})", kStr));
  def(
      r, "reverse", 1, 1, "string",
      [](CallContext& c) {
        if (c.type(0).is(K::kArray)) return TypedSql{"list_reverse(" + c.sql(0) + ")", c.type(0)};
        return TypedSql{"reverse(" + str(c, 0) + ")", kStr};
      },
      "reverse of a value of unknown type is the string reverse; arrays need a known type");
  def(r, "hex", 1, 1, "string", [](CallContext& c) {
    if (c.type(0).is_integral())
      return TypedSql{"upper(hex(CAST(" + c.sql(0) + " AS BIGINT)))", kStr};
    if (c.type(0).is(K::kBinary) || c.type(0).is(K::kString))
      return TypedSql{"upper(hex(" + c.sql(0) + "))", kStr};
    if (c.type(0).known()) c.unsupported("hex of " + c.type(0).spark_name());
    return TypedSql{"upper(hex(" + c.sql(0) + "))", kStr};
  });
  def(r, "unhex", 1, 1, "string",
      tmpl_str("TRY(unhex(CASE WHEN length({0}) % 2 = 1 THEN '0' || {0} ELSE {0} END))",
               T(K::kBinary)));
  // Spark casts to BIGINT, which truncates a fraction (DuckDB's cast rounds).
  def(r, "bin", 1, 1, "string", [](CallContext& c) {
    const bool fraction =
        c.type(0).is(K::kDouble) || c.type(0).is(K::kFloat) || c.type(0).is(K::kDecimal);
    return TypedSql{
        "bin(CAST(" + (fraction ? "trunc(" + c.sql(0) + ")" : c.sql(0)) + " AS BIGINT))", kStr};
  });
  for (const char* n : {"format_string", "printf"}) def(r, n, 1, -1, "string", format_string);
  def(r, "to_binary", 1, 2, "string", [](CallContext& c) {
    std::string f = "hex";
    if (c.size() > 1) {
      auto lit = c.literal_string(1);
      if (!lit) c.unsupported("the format must be a string literal");
      f = *lit;
      std::transform(f.begin(), f.end(), f.begin(), ::tolower);
    }
    if (f == "hex") return TypedSql{"unhex(" + str(c, 0) + ")", T(K::kBinary)};
    if (f == "base64") return TypedSql{base64_decoded(str(c, 0)), T(K::kBinary)};
    if (f == "utf-8" || f == "utf8") return TypedSql{"encode(" + str(c, 0) + ")", T(K::kBinary)};
    c.unsupported("format '" + f + "'");
  });
  def(r, "to_char", 2, 2, "string", [](CallContext& c) {
    if (c.type(0).is(K::kBinary)) {
      auto lit = c.literal_string(1);
      std::string f = lit ? *lit : "";
      std::transform(f.begin(), f.end(), f.begin(), ::tolower);
      if (f == "base64") return TypedSql{"to_base64(" + c.sql(0) + ")", kStr};
      if (f == "hex") return TypedSql{"upper(hex(" + c.sql(0) + "))", kStr};
      if (f == "utf-8" || f == "utf8") return TypedSql{"decode(" + c.sql(0) + ")", kStr};
      c.unsupported("binary format '" + f + "'");
    }
    if (c.type(0).is_datetime()) {
      auto lit = c.literal_string(1);
      if (!lit) c.unsupported("the format must be a string literal");
      return TypedSql{
          "strftime(" + as_ts(c, 0) + ", " + quote_literal(java_to_strftime(*lit, c, false)) + ")",
          kStr};
    }
    auto lit = c.literal_string(1);
    if (!lit) c.unsupported("the format must be a string literal");
    return to_char_number(c, *lit);
  });
  r.add_unsupported("to_number", "Oracle-style number formats are not implemented");
  r.add_unsupported("try_to_number", "Oracle-style number formats are not implemented");
  r.add_unsupported("soundex", "no DuckDB equivalent");
  r.add_unsupported("sentences", "needs Java's BreakIterator");
  r.add_unsupported("regexp_instr", "no exact DuckDB equivalent");
}

}  // namespace dls::sql::spark::lib
