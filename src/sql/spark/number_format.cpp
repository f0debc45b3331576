// to_char / to_varchar with Spark's Oracle-style number formats ('999', '000D00', '$99.99',
// '99G999D9S', ...), following Spark's ToNumberParser.format.
//
// The format is a literal, so its layout is known at translation time; only the digits of the
// value are not. Spark's algorithm depends on the value only through its sign and the number n of
// significant digits before the decimal point (and on overflow), so we run it here once per
// (n, sign) with placeholders for the digits and emit one SQL CASE branch per outcome.
#include <algorithm>
#include <string>
#include <vector>

#include "function_library.h"

namespace dls::sql::spark::lib {

namespace {

enum class Tok { kDigits, kPoint, kSep, kDollar, kSign, kMinus, kOpen, kClose };

struct Token {
  Tok kind;
  int digits = 0;      // kDigits
  bool exact = false;  // kDigits: starts with 0 before the decimal point
};

// A result character: a literal, or a placeholder for digit k of the padded integer part
// (kBefore + k) or of the fraction (kAfter + k).
constexpr int kBefore = 1 << 16;
constexpr int kAfter = 1 << 20;

bool is_digit(int ch) {
  return ch >= kBefore || (ch >= '0' && ch <= '9');
}

std::vector<Token> tokenize_format(const std::string& f, const CallContext& c) {
  std::vector<Token> out;
  bool point = false;
  size_t i = 0;
  while (i < f.size()) {
    char ch = f[i];
    if (ch == '0' || ch == '9') {
      size_t start = i;
      while (i < f.size() && (f[i] == '0' || f[i] == '9')) ++i;
      out.push_back({Tok::kDigits, static_cast<int>(i - start), ch == '0' && !point});
      continue;
    }
    if (ch == '.' || ch == 'D') {
      out.push_back({Tok::kPoint});
      point = true;
    } else if (ch == ',' || ch == 'G') {
      out.push_back({Tok::kSep});
    } else if (ch == '$') {
      out.push_back({Tok::kDollar});
    } else if (ch == 'S') {
      out.push_back({Tok::kSign});
    } else if (ch == 'M' && i + 1 < f.size() && f[i + 1] == 'I') {
      out.push_back({Tok::kMinus});
      ++i;
    } else if (ch == 'P' && i + 1 < f.size() && f[i + 1] == 'R') {
      out.insert(out.begin(), Token{Tok::kOpen});
      out.push_back({Tok::kClose});
      ++i;
    } else {
      c.unsupported("number format '" + f + "': unexpected character '" + std::string(1, ch) +
                    "' (the structure must be [MI|S] [$] [0|9|G|,]* [.|D] [0|9]* [$] [PR|MI|S])");
    }
    ++i;
  }
  // Spark's validation: [PR] [MI|S] [$] digit-groups [.|D] [digits] [$] [PR|MI|S].
  auto invalid = [&](const std::string& why) {
    c.unsupported("invalid number format '" + f + "': " + why);
  };
  bool has_digits = false;
  size_t k = 0;
  auto take = [&](std::initializer_list<Tok> kinds) {
    if (k < out.size() && std::find(kinds.begin(), kinds.end(), out[k].kind) != kinds.end()) ++k;
  };
  auto take_group = [&](bool allow_sep) {
    if (k >= out.size() || out[k].kind != Tok::kDigits) return;
    if (!allow_sep) {
      ++k;
      has_digits = true;
      return;
    }
    bool last_sep = true;
    while (k < out.size() && (out[k].kind == Tok::kDigits || out[k].kind == Tok::kSep)) {
      bool sep = out[k].kind == Tok::kSep;
      if (sep && last_sep) invalid("thousands separators must have digits in between them");
      last_sep = sep;
      has_digits = has_digits || !sep;
      ++k;
    }
    if (last_sep) invalid("thousands separators must have digits in between them");
  };
  take({Tok::kOpen});
  take({Tok::kMinus, Tok::kSign});
  take({Tok::kDollar});
  take_group(true);
  take({Tok::kPoint});
  take_group(false);
  take({Tok::kDollar});
  take({Tok::kMinus, Tok::kSign, Tok::kClose});
  if (k < out.size()) invalid("tokens out of order");
  if (!has_digits) invalid("the format needs at least one digit");
  return out;
}

// Spark's format loop over the padded digit strings `before` / `after` (placeholders or '#').
std::vector<int> simulate(const std::vector<Token>& toks, const std::vector<int>& before,
                          const std::vector<int>& after, bool negative) {
  std::vector<int> r;
  size_t bi = 0, ai = 0;
  bool point = false;
  auto add_checking_trailing_spaces = [&](int ch) {
    r.push_back(ch);
    for (size_t i = r.size() - 1; i >= 1 && r[i - 1] == ' ' && r[i] == ch; --i) {
      r[i] = ' ';
      r[i - 1] = ch;
    }
  };
  auto add_space_checking_trailing = [&]() {
    r.push_back(' ');
    for (size_t i = r.size() - 1;
         i >= 1 && (r[i - 1] == '+' || r[i - 1] == '-' || r[i - 1] == '<') && r[i] == ' '; --i) {
      r[i] = r[i - 1];
      r[i - 1] = ' ';
    }
  };
  auto strip_lone_point = [&]() {
    for (size_t i = 0; i < r.size(); ++i) {
      if (r[i] == '.') {
        if (i == r.size() - 1 || r[i + 1] == ' ') r[i] = ' ';
        return;
      }
    }
  };
  for (const Token& t : toks) {
    switch (t.kind) {
      case Tok::kDigits:
        for (int n = 0; n < t.digits; ++n) {
          if (!point) {
            int ch = before[bi++];
            if (ch == ' ' && t.exact) {
              r.push_back('0');
            } else if (ch == ' ') {
              add_space_checking_trailing();
            } else {
              r.push_back(ch);
            }
          } else {
            r.push_back(after[ai++]);
          }
        }
        break;
      case Tok::kSep:
        if (!r.empty() && is_digit(r.back())) {
          r.push_back(',');
        } else {
          add_space_checking_trailing();
        }
        break;
      case Tok::kPoint:
        if (!r.empty() && r.back() == ' ') r.back() = '0';
        r.push_back('.');
        point = true;
        break;
      case Tok::kDollar:
        r.push_back('$');
        break;
      case Tok::kSign:
        strip_lone_point();
        add_checking_trailing_spaces(negative ? '-' : '+');
        break;
      case Tok::kMinus:
        if (negative) {
          strip_lone_point();
          add_checking_trailing_spaces('-');
        } else {
          r.push_back(' ');
        }
        break;
      case Tok::kOpen:
        if (negative) r.push_back('<');
        break;
      case Tok::kClose:
        strip_lone_point();
        if (negative) {
          add_checking_trailing_spaces('>');
        } else {
          r.push_back(' ');
          r.push_back(' ');
        }
        break;
    }
  }
  strip_lone_point();
  if (r.empty() || r == std::vector<int>{'+'} || r == std::vector<int>{'-'}) r = {'0'};
  return r;
}

// SQL concatenating a simulated result; `b`/`a` are the SQL of the digit strings, `offset` maps a
// before-placeholder index to its 1-based position in `b`.
std::string to_sql(const std::vector<int>& r, const std::string& b, const std::string& a,
                   int offset) {
  std::string out, lit;
  auto flush = [&]() {
    if (lit.empty()) return;
    out += (out.empty() ? "" : " || ") + quote_literal(lit);
    lit.clear();
  };
  for (int ch : r) {
    if (ch >= kAfter) {
      flush();
      out += (out.empty() ? "" : " || ") + std::string("substring(") + a + ", " +
             std::to_string(ch - kAfter + 1) + ", 1)";
    } else if (ch >= kBefore) {
      flush();
      out += (out.empty() ? "" : " || ") + std::string("substring(") + b + ", " +
             std::to_string(ch - kBefore - offset + 1) + ", 1)";
    } else {
      lit += static_cast<char>(ch);
    }
  }
  flush();
  return out.empty() ? "''" : out;
}

}  // namespace

TypedSql to_char_number(CallContext& c, const std::string& format) {
  const SparkType& t = c.type(0);
  if (!(t.is_integral() || t.is(K::kDecimal))) {
    c.unsupported(
        "a number format needs an integral or DECIMAL value (cast the argument, e.g. "
        "CAST(x AS DECIMAL(10,2)))");
  }
  auto toks = tokenize_format(format, c);
  int nb = 0, na = 0;
  bool point = false;
  for (const Token& tk : toks) {
    if (tk.kind == Tok::kPoint) point = true;
    if (tk.kind == Tok::kDigits) (point ? na : nb) += tk.digits;
  }
  std::string v = c.printer().fresh_name();
  std::string b = v + ".b", a = v + ".a", neg = v + ".ng";
  std::vector<int> after(na);
  for (int j = 0; j < na; ++j) after[j] = kAfter + j;
  std::string sql = "CASE WHEN len(" + b + ") > " + std::to_string(nb) + " OR " + v + ".fl > " +
                    std::to_string(na) + " THEN CASE WHEN " + neg + " THEN ";
  // Overflow: every digit position shows '#'.
  std::vector<int> hb(nb, '#'), ha(na, '#');
  sql += to_sql(simulate(toks, hb, ha, true), b, a, 0) + " ELSE " +
         to_sql(simulate(toks, hb, ha, false), b, a, 0) + " END";
  for (int n = 0; n <= nb; ++n) {
    std::vector<int> before(nb, ' ');
    for (int k = nb - n; k < nb; ++k) before[k] = kBefore + k;
    sql += " WHEN len(" + b + ") = " + std::to_string(n) + " THEN CASE WHEN " + neg + " THEN " +
           to_sql(simulate(toks, before, after, true), b, a, nb - n) + " ELSE " +
           to_sql(simulate(toks, before, after, false), b, a, nb - n) + " END";
  }
  sql += " END";
  // The digits of |x| before the point without leading zeros, and after it without trailing
  // zeros (then padded with zeros to the format's fraction width), as Spark's toPlainString.
  std::string x = c.sql(0);
  std::string plain = "ltrim(CAST(" + x + " AS VARCHAR), '-')";
  std::string frac = "rtrim(split_part(" + plain + ", '.', 2), '0')";
  std::string bind = "struct_pack(b := ltrim(split_part(" + plain + ", '.', 1), '0'), a := rpad(" +
                     frac + ", " + std::to_string(na) + ", '0'), fl := length(" + frac +
                     "), ng := " + x + " < 0)";
  return TypedSql{"CASE WHEN " + x + " IS NULL THEN NULL ELSE list_transform([" + bind +
                      "], lambda " + v + ": " + sql + ")[1] END",
                  T(K::kString)};
}

}  // namespace dls::sql::spark::lib
