#include "dls/catalog/query_rewriter.h"

#include <algorithm>
#include <charconv>

#include "dls/catalog/sql_tokenizer.h"
#include "dls/catalog/table_name.h"
#include "dls/core/error.h"
#include "dls/sql/quote.h"

namespace fs = std::filesystem;

namespace dls::catalog {
namespace {

// Words that may follow a table reference and therefore are not an alias.
constexpr std::string_view kNotAliases[] = {
    "where",  "group",   "order",     "limit",      "offset",      "having", "window",    "qualify",
    "union",  "except",  "intersect", "join",       "inner",       "left",   "right",     "full",
    "outer",  "cross",   "natural",   "positional", "asof",        "semi",   "anti",      "lateral",
    "on",     "using",   "pivot",     "unpivot",    "tablesample", "sample", "returning", "select",
    "from",   "values",  "set",       "fetch",      "for",         "into",   "and",       "or",
    "not",    "then",    "else",      "end",        "when",        "by",     "in",        "is",
    "like",   "between", "asc",       "desc",       "nulls",       "with",   "do",        "update",
    "delete", "insert",  "default",   "collate",    "ilike",       "glob",
};

// DuckDB's own catalogs: three-part names in them are not warehouse tables.
constexpr std::string_view kDuckDbCatalogs[] = {"memory", "system", "temp"};

bool is_alias_start(const Token& t) {
  if (t.kind == TokenKind::kQuotedIdentifier) return true;
  if (t.kind != TokenKind::kWord) return false;
  if (t.is_keyword("as")) return true;
  for (auto word : kNotAliases) {
    if (t.is_keyword(word)) return false;
  }
  return true;
}

// Milliseconds since the epoch of an ISO-8601 timestamp: YYYY-MM-DD[(T| )HH:MM[:SS[.fff...]]]
// followed by Z, +HH:MM, -HH:MM or nothing (UTC). nullopt when malformed.
// (core/timestamp.h will offer the same; this keeps the catalog layer self-contained.)
std::optional<int64_t> parse_iso_timestamp_ms(std::string_view s) {
  size_t pos = 0;
  auto number = [&](size_t digits, int64_t& out) {
    if (pos + digits > s.size()) return false;
    out = 0;
    for (size_t k = 0; k < digits; ++k) {
      char c = s[pos + k];
      if (c < '0' || c > '9') return false;
      out = out * 10 + (c - '0');
    }
    pos += digits;
    return true;
  };
  auto expect = [&](char c) {
    if (pos < s.size() && s[pos] == c) {
      ++pos;
      return true;
    }
    return false;
  };
  int64_t y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, ms = 0;
  if (!number(4, y) || !expect('-') || !number(2, mo) || !expect('-') || !number(2, d)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return std::nullopt;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == ' ')) {
    ++pos;
    if (!number(2, h) || !expect(':') || !number(2, mi)) return std::nullopt;
    if (expect(':')) {
      if (!number(2, sec)) return std::nullopt;
      if (expect('.')) {
        size_t start = pos;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
          if (pos - start < 3) ms = ms * 10 + (s[pos] - '0');
          ++pos;
        }
        if (pos == start) return std::nullopt;
        for (size_t k = pos - start; k < 3; ++k) ms *= 10;
      }
    }
    if (h > 23 || mi > 59 || sec > 60) return std::nullopt;
  }
  int64_t offset_minutes = 0;
  if (expect('Z') || expect('z')) {
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int sign = s[pos++] == '-' ? -1 : 1;
    int64_t oh = 0, om = 0;
    if (!number(2, oh)) return std::nullopt;
    expect(':');
    if (!number(2, om)) return std::nullopt;
    offset_minutes = sign * (oh * 60 + om);
  }
  if (pos != s.size()) return std::nullopt;
  // Days from civil (Howard Hinnant's algorithm).
  y -= mo <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  int64_t days = era * 146097 + doe - 719468;
  int64_t seconds = days * 86400 + h * 3600 + mi * 60 + sec - offset_minutes * 60;
  return seconds * 1000 + ms;
}

// The error for a three-part name in FROM/JOIN that is no Delta table.
NotFoundError not_found(const TableName& name, const fs::path& root, const Warehouse& warehouse) {
  return NotFoundError("table " + name.to_string() + " not found: no Delta table at " +
                       root.string() + " (warehouse " + warehouse.root().string() +
                       "; choose it with --warehouse DIR or DLS_WAREHOUSE)");
}

bool is_duckdb_catalog(const std::string& catalog) {
  for (auto c : kDuckDbCatalogs) {
    if (catalog.size() == c.size() &&
        std::equal(c.begin(), c.end(), catalog.begin(), [](char a, char b) {
          return a == std::tolower(static_cast<unsigned char>(b));
        })) {
      return true;
    }
  }
  return false;
}

// A table path as written: made absolute against `cwd`, normalized, a trailing '/' dropped.
fs::path absolute_table_path(const fs::path& cwd, const std::string& path) {
  fs::path p(path);
  if (p.is_relative()) p = cwd / p;
  p = p.lexically_normal();
  if (!p.has_filename() && p.has_parent_path() && p != p.root_path()) p = p.parent_path();
  return p;
}

class Rewrite {
 public:
  Rewrite(std::string_view sql, const Warehouse& warehouse, TableSource& source,
          const fs::path& cwd)
      : sql_(sql), tokens_(tokenize_sql(sql)), warehouse_(warehouse), source_(source), cwd_(cwd) {}

  std::string run() {
    for (size_t i = 0; i < tokens_.size(); ++i) {
      const Token& t = tokens_[i];
      if (t.kind != TokenKind::kWord) continue;
      if (prev_is_dot(i)) continue;
      if (t.is_keyword("delta_scan") && next(i) < tokens_.size() &&
          tokens_[next(i)].is_symbol("(")) {
        i = delta_scan(i);
      } else {
        i = dotted_name(i);
      }
    }
    out_.append(sql_.substr(copied_));
    return std::move(out_);
  }

 private:
  // Index of the next / previous non-trivia token (tokens_.size() / npos when none).
  size_t next(size_t i) const {
    for (size_t j = i + 1; j < tokens_.size(); ++j) {
      if (!tokens_[j].is_trivia()) return j;
    }
    return tokens_.size();
  }
  size_t prev(size_t i) const {
    for (size_t j = i; j-- > 0;) {
      if (!tokens_[j].is_trivia()) return j;
    }
    return std::string_view::npos;
  }
  bool prev_is_dot(size_t i) const { return i > 0 && tokens_[i - 1].is_symbol("."); }
  const Token* at(size_t i) const { return i < tokens_.size() ? &tokens_[i] : nullptr; }

  // Replaces tokens [first, last] by the scan of `root`, adding `AS alias` unless one follows.
  void replace(size_t first, size_t last, const std::string& scan_sql, const std::string& alias) {
    out_.append(sql_.substr(copied_, tokens_[first].offset - copied_));
    out_ += "(" + scan_sql + ")";
    const Token* after = at(next(last));
    if (!after || !is_alias_start(*after)) out_ += " AS " + sql::quote_identifier(alias);
    copied_ = tokens_[last].offset + tokens_[last].text.size();
  }

  [[noreturn]] void bad_call(size_t i, const std::string& why) const {
    throw Error("invalid delta_scan call at character " + std::to_string(tokens_[i].offset + 1) +
                ": " + why +
                "; expected delta_scan('PATH' [, version => N] [, timestamp => "
                "'2024-01-02T03:04:05Z'])");
  }

  // delta_scan('PATH' [, version => N] [, timestamp => 'TS']). Returns the last consumed index.
  size_t delta_scan(size_t name) {
    size_t i = next(next(name));  // after '('
    const Token* path_token = at(i);
    if (!path_token || path_token->kind != TokenKind::kString) {
      bad_call(name, "the first argument must be a string literal naming the table");
    }
    std::string target = string_value(*path_token);
    delta::VersionSpec spec;
    i = next(i);
    while (at(i) && at(i)->is_symbol(",")) {
      size_t key = next(i);
      size_t op = next(key);
      size_t value = next(op);
      if (!at(key) || !at(op) || !at(value) || at(key)->kind != TokenKind::kWord ||
          !(at(op)->is_symbol("=>") || at(op)->is_symbol(":=") || at(op)->is_symbol("="))) {
        bad_call(name, "named arguments are written `name => value`");
      }
      const Token& v = tokens_[value];
      if (at(key)->is_keyword("version")) {
        int64_t version = -1;
        auto [ptr, ec] = std::from_chars(v.text.data(), v.text.data() + v.text.size(), version);
        if (v.kind != TokenKind::kNumber || ec != std::errc() ||
            ptr != v.text.data() + v.text.size() || version < 0) {
          bad_call(name, "version must be a non-negative integer, not " + std::string(v.text));
        }
        spec.version = version;
      } else if (at(key)->is_keyword("timestamp")) {
        std::optional<int64_t> ms;
        if (v.kind == TokenKind::kString) ms = parse_iso_timestamp_ms(string_value(v));
        if (!ms) {
          bad_call(name,
                   "timestamp must be an ISO-8601 string such as '2024-01-02T03:04:05Z', not " +
                       std::string(v.text));
        }
        spec.timestamp_ms = *ms;
      } else {
        bad_call(name, "unknown argument '" + std::string(at(key)->text) +
                           "' (delta_scan takes version and timestamp)");
      }
      i = next(value);
    }
    if (!at(i) || !at(i)->is_symbol(")")) bad_call(name, "missing ')' or an unexpected argument");
    if (spec.version && spec.timestamp_ms) bad_call(name, "give version or timestamp, not both");
    fs::path root = delta_scan_root(target);
    replace(name, i, source_.scan_sql(root, spec), "delta_scan");
    return i;
  }

  // A path (contains '/' or exists relative to the working directory) or a warehouse name.
  fs::path delta_scan_root(const std::string& target) const {
    if (target.empty()) throw Error("delta_scan: the table path is empty");
    bool is_path = target.find('/') != std::string::npos || target == "." || target == ".." ||
                   fs::exists(cwd_ / target);
    if (!is_path) return warehouse_.resolve(target).root;
    return absolute_table_path(cwd_, target);
  }

  // name.name[.name] not followed by '.' or '('. Returns the last consumed index.
  size_t dotted_name(size_t first) {
    std::vector<size_t> parts{first};
    size_t i = first;
    while (i + 2 < tokens_.size() && tokens_[i + 1].is_symbol(".") &&
           (tokens_[i + 2].kind == TokenKind::kWord ||
            tokens_[i + 2].kind == TokenKind::kQuotedIdentifier || tokens_[i + 2].text == "*")) {
      i += 2;
      parts.push_back(i);
    }
    size_t last = parts.back();
    if (parts.size() < 2 || parts.size() > 3) return last;
    const Token* after = at(next(last));
    if (after && after->is_symbol("(")) return last;
    for (size_t p : parts) {
      if (tokens_[p].kind != TokenKind::kWord || !is_valid_name_part(tokens_[p].text)) return last;
    }
    TableName name =
        parts.size() == 3
            ? TableName{std::string(tokens_[parts[0]].text), std::string(tokens_[parts[1]].text),
                        std::string(tokens_[parts[2]].text)}
            : TableName{std::string(kDefaultCatalog), std::string(tokens_[parts[0]].text),
                        std::string(tokens_[parts[1]].text)};
    if (name.catalog == kPipelinesDir) return last;
    fs::path root = warehouse_.table_path(name);
    if (source_.is_table(root)) {
      replace(first, last, source_.scan_sql(root, {}), name.table);
      return last;
    }
    const Token* before = at(prev(first));
    bool table_position = before && (before->is_keyword("from") || before->is_keyword("join"));
    if (parts.size() == 3 && table_position && !is_duckdb_catalog(name.catalog)) {
      throw not_found(name, root, warehouse_);
    }
    return last;
  }

  std::string_view sql_;
  std::vector<Token> tokens_;
  const Warehouse& warehouse_;
  TableSource& source_;
  const fs::path& cwd_;
  std::string out_;
  size_t copied_ = 0;
};

}  // namespace

QueryRewriter::QueryRewriter(const Warehouse& warehouse, TableSource& source, fs::path cwd)
    : warehouse_(warehouse), source_(source), cwd_(std::move(cwd)) {}

std::string QueryRewriter::rewrite(std::string_view sql) {
  return Rewrite(sql, warehouse_, source_, cwd_).run();
}

std::optional<std::string> QueryRewriter::table_sql(const std::vector<std::string>& name) {
  // Spark's path form: delta.`/path/to/table`.
  if (name.size() == 2 && name[0].size() == 5 &&
      std::equal(name[0].begin(), name[0].end(), "delta",
                 [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; }) &&
      name[1].find('/') != std::string::npos) {
    return source_.scan_sql(absolute_table_path(cwd_, name[1]), {});
  }
  if (name.size() < 2 || name.size() > 3) return std::nullopt;
  for (const auto& part : name) {
    if (!is_valid_name_part(part)) return std::nullopt;
  }
  const TableName table = name.size() == 3
                              ? TableName{name[0], name[1], name[2]}
                              : TableName{std::string(kDefaultCatalog), name[0], name[1]};
  if (table.catalog == kPipelinesDir) return std::nullopt;
  const fs::path root = warehouse_.table_path(table);
  if (source_.is_table(root)) return source_.scan_sql(root, {});
  if (name.size() == 3 && !is_duckdb_catalog(table.catalog)) {
    throw not_found(table, root, warehouse_);
  }
  return std::nullopt;
}

}  // namespace dls::catalog
