#include "dls/sql/spark/script.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>

#include "dls/sql/quote.h"
#include "dls/sql/spark/dialect.h"
#include "dls/sql/spark/parser.h"
#include "dls/sql/spark/spark_error.h"
#include "dls/sql/spark/tokenizer.h"

namespace dls::sql::spark {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

// True when `s` holds only whitespace and comments.
bool blank(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {
      while (i < s.size() && s[i] != '\n') ++i;
      continue;
    }
    if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      size_t end = s.find("*/", i + 2);
      if (end == std::string_view::npos) return true;
      i = end + 1;
      continue;
    }
    return false;
  }
  return true;
}

// Reads the tokens of a statement head, e.g. CREATE OR REPLACE TEMP VIEW.
class Head {
 public:
  explicit Head(std::string_view text) : text_(text), toks_(tokenize(text)) {}
  const Token& peek(size_t k = 0) const { return toks_[std::min(i_ + k, toks_.size() - 1)]; }
  bool word(std::string_view w) {
    if (peek().is_word(w)) {
      ++i_;
      return true;
    }
    return false;
  }
  bool op(std::string_view o) {
    if (peek().is_op(o)) {
      ++i_;
      return true;
    }
    return false;
  }
  [[noreturn]] void fail(const std::string& expected) const {
    const Token& t = peek();
    std::string found = t.kind == Token::Kind::kEnd ? "end of input" : "'" + t.text + "'";
    throw SparkSyntaxError(
        describe_position("Spark SQL syntax error: expected " + expected + " but found " + found,
                          text_, t.position),
        t.position);
  }
  void expect_word(std::string_view w) {
    if (!word(w)) fail(std::string(w));
  }
  std::string name() {
    const Token& t = peek();
    if (t.kind != Token::Kind::kIdentifier && t.kind != Token::Kind::kQuotedIdentifier)
      fail("a name");
    ++i_;
    return t.text;
  }
  // A possibly qualified name; only its last part is kept (session objects are not qualified).
  std::vector<std::string> qualified_name() {
    std::vector<std::string> parts{name()};
    while (op(".")) parts.push_back(name());
    return parts;
  }
  std::vector<std::string> name_list() {
    std::vector<std::string> names;
    if (!op("(")) fail("'('");
    do {
      names.push_back(name());
    } while (op(","));
    if (!op(")")) fail("')'");
    return names;
  }
  // The text from the current token to the end.
  std::string_view rest() const { return text_.substr(std::min(peek().position, text_.size())); }
  size_t position() const { return peek().position; }
  bool at_end() const { return peek().kind == Token::Kind::kEnd || peek().is_op(";"); }
  void skip() { ++i_; }

 private:
  std::string_view text_;
  std::vector<Token> toks_;
  size_t i_ = 0;
};

// The Spark type of a DuckDB type name as duckdb_columns() prints it (INTEGER, DECIMAL(9,2),
// VARCHAR[], MAP(VARCHAR, INTEGER), STRUCT("a" INTEGER, b VARCHAR)); kUnknown when there is none.
class DuckTypeReader {
 public:
  explicit DuckTypeReader(std::string_view text) : t_(text) {}
  SparkType read() {
    using K = SparkType::Kind;
    skip_space();
    size_t start = i_;
    while (i_ < t_.size() &&
           (std::isalnum(static_cast<unsigned char>(t_[i_])) || t_[i_] == '_' || t_[i_] == ' ')) {
      if (t_[i_] == ' ' &&
          !(t_.substr(i_).starts_with(" WITH") || t_.substr(i_).starts_with(" TIME")))
        break;
      ++i_;
    }
    std::string name(t_.substr(start, i_ - start));
    SparkType out;
    if (name == "STRUCT" && accept('(')) {
      out = SparkType::of(K::kStruct);
      do {
        skip_space();
        std::string field;
        if (accept('"')) {
          while (i_ < t_.size() && !(t_[i_] == '"' && !(i_ + 1 < t_.size() && t_[i_ + 1] == '"'))) {
            if (t_[i_] == '"') ++i_;
            field += t_[i_++];
          }
          accept('"');
        } else {
          while (i_ < t_.size() && t_[i_] != ' ') field += t_[i_++];
        }
        out.fields.push_back({field, read()});
      } while (accept(','));
      accept(')');
    } else if (name == "MAP" && accept('(')) {
      SparkType k = read();
      accept(',');
      SparkType v = read();
      accept(')');
      out = SparkType::of(K::kMap);
      out.children = {k, v};
    } else if (name == "DECIMAL" && accept('(')) {
      int p = number();
      accept(',');
      int sc = number();
      accept(')');
      out = SparkType::decimal(p, sc);
    } else {
      static const std::map<std::string, K> kNames = {{"BOOLEAN", K::kBoolean},
                                                      {"TINYINT", K::kTinyInt},
                                                      {"SMALLINT", K::kSmallInt},
                                                      {"INTEGER", K::kInt},
                                                      {"BIGINT", K::kBigInt},
                                                      {"FLOAT", K::kFloat},
                                                      {"DOUBLE", K::kDouble},
                                                      {"VARCHAR", K::kString},
                                                      {"BLOB", K::kBinary},
                                                      {"DATE", K::kDate},
                                                      {"TIMESTAMP WITH TIME ZONE", K::kTimestamp},
                                                      {"TIMESTAMP", K::kTimestampNtz},
                                                      {"INTERVAL", K::kDayTimeInterval}};
      auto it = kNames.find(name);
      if (it != kNames.end()) out = SparkType::of(it->second);
    }
    while (t_.substr(i_).starts_with("[]")) {
      i_ += 2;
      out = SparkType::array(out);
    }
    return out;
  }

 private:
  void skip_space() {
    while (i_ < t_.size() && t_[i_] == ' ') ++i_;
  }
  bool accept(char c) {
    skip_space();
    if (i_ < t_.size() && t_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  int number() {
    skip_space();
    int n = 0;
    while (i_ < t_.size() && std::isdigit(static_cast<unsigned char>(t_[i_])))
      n = n * 10 + (t_[i_++] - '0');
    return n;
  }
  std::string_view t_;
  size_t i_ = 0;
};

std::string column_list_sql(const std::vector<std::string>& names) {
  if (names.empty()) return "";
  std::string s = "(";
  for (size_t i = 0; i < names.size(); ++i) s += (i ? ", " : "") + quote_identifier(names[i]);
  return s + ")";
}

}  // namespace

std::vector<ScriptStatement> split_script(std::string_view script) {
  std::vector<ScriptStatement> out;
  size_t start = 0;
  int depth = 0;
  auto flush = [&](size_t end) {
    std::string_view piece = script.substr(start, end - start);
    if (!blank(piece)) {
      size_t lead = 0;
      while (lead < piece.size() && std::isspace(static_cast<unsigned char>(piece[lead]))) ++lead;
      out.push_back(ScriptStatement{trim(piece), start + lead});
    }
  };
  for (size_t i = 0; i < script.size(); ++i) {
    char c = script[i];
    if (c == '\'' || c == '"' || c == '`') {
      for (++i; i < script.size() && script[i] != c; ++i) {
        if (script[i] == '\\' && c != '`') ++i;
      }
    } else if (c == '-' && i + 1 < script.size() && script[i + 1] == '-') {
      while (i < script.size() && script[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < script.size() && script[i + 1] == '*') {
      size_t end = script.find("*/", i + 2);
      i = end == std::string_view::npos ? script.size() : end + 1;
    } else if (c == '(' || c == '[') {
      ++depth;
    } else if ((c == ')' || c == ']') && depth > 0) {
      --depth;
    } else if (c == ';' && depth == 0) {
      flush(i);
      start = i + 1;
    }
  }
  flush(script.size());
  return out;
}

SparkSession::SparkSession(Connection& con, TranslateOptions options, SqlHook rewrite)
    : con_(con), base_(std::move(options)), rewrite_(std::move(rewrite)) {}

bool SparkSession::is_query(std::string_view statement) {
  Head h(statement);
  for (const char* w : {"set", "create", "insert", "drop", "describe", "desc", "show", "explain",
                        "use", "alter", "cache", "uncache", "refresh", "msck", "analyze", "delete",
                        "update", "merge", "truncate"}) {
    if (h.peek().is_word(w)) return false;
  }
  return true;
}

std::string SparkSession::query_sql(std::string_view statement) const {
  std::string text = trim(statement);
  while (!text.empty() && text.back() == ';') text = trim(text.substr(0, text.size() - 1));
  std::string sql = translate(text);
  return rewrite_ ? rewrite_(sql) : sql;
}

void SparkSession::run(const std::string& duckdb_sql) {
  con_.execute(rewrite_ ? rewrite_(duckdb_sql) : duckdb_sql);
}

std::string SparkSession::resolve(const std::vector<std::string>& name) const {
  if (name.size() == 1 && own_names_.count(lower(name[0]))) return quote_identifier(name[0]);
  if (base_.resolve_table) return base_.resolve_table(name);
  std::string s;
  for (size_t i = 0; i < name.size(); ++i) s += (i ? "." : "") + quote_identifier(name[i]);
  return s;
}

void SparkSession::refresh_column_types() {
  // Column name -> type over the session's views and tables; a name with two types is unknown.
  column_types_.clear();
  std::set<std::string> ambiguous;
  auto result = con_.query(
      "SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE database_name = "
      "'temp'");
  for (const auto& row : result.rows()) {
    if (!own_names_.count(lower(row[0].as_string()))) continue;
    std::string column = lower(row[1].as_string());
    SparkType type = DuckTypeReader(row[2].as_string()).read();
    auto [it, inserted] = column_types_.emplace(column, type);
    if (!inserted && !(it->second == type)) ambiguous.insert(column);
  }
  for (const auto& c : ambiguous) column_types_.erase(c);
}

std::string SparkSession::translate(std::string_view query) const {
  TranslateOptions options = base_;
  options.resolve_table = [this](const std::vector<std::string>& n) { return resolve(n); };
  if (!options.column_type && !column_types_.empty()) {
    options.column_type = [this](const std::vector<std::string>& path) -> std::optional<SparkType> {
      if (path.empty() || path.size() > 2) return std::nullopt;
      auto it = column_types_.find(lower(path.back()));
      if (it == column_types_.end() || !it->second.known()) return std::nullopt;
      return it->second;
    };
  }
  auto parsed = parse_query(query);
  auto legacy = conf_.find("spark.sql.legacy.parser.havingWithoutGroupByAsWhere");
  if (legacy != conf_.end() && lower(legacy->second) == "true") {
    // Spark's legacy parser reads HAVING without GROUP BY as WHERE.
    for (Query* part = parsed.get(); part; part = part->next.get()) {
      if (!part->having || !part->group_by.empty() || part->group_by_all) continue;
      if (part->where) {
        auto both = std::make_unique<Expr>(Expr::Kind::kBinaryOp, part->where->position);
        both->op = "AND";
        both->args.push_back(std::move(part->where));
        both->args.push_back(std::move(part->having));
        part->where = std::move(both);
      } else {
        part->where = std::move(part->having);
      }
      part->having = nullptr;
    }
  }
  Printer printer(query, options);
  return printer.query(*parsed);
}

StatementResult SparkSession::execute(std::string_view statement) {
  std::string text = trim(statement);
  while (!text.empty() && text.back() == ';') text = trim(text.substr(0, text.size() - 1));
  Head h(text);
  StatementResult out;

  if (h.word("set")) {
    // SET; SET key; SET key=value (the value is the raw text after '=').
    out.kind = StatementResult::Kind::kSet;
    out.result.column_names = {"key", "value"};
    std::string rest = trim(h.rest());
    if (rest.empty()) {
      for (const auto& [k, v] : conf_) out.result.rows.push_back({k, v});
      return out;
    }
    size_t eq = rest.find('=');
    std::string key = trim(rest.substr(0, eq));
    if (eq == std::string::npos) {
      auto it = conf_.find(key);
      out.result.rows.push_back({key, it == conf_.end() ? "<undefined>" : it->second});
      return out;
    }
    std::string value = trim(rest.substr(eq + 1));
    conf_[key] = value;
    out.result.rows.push_back({key, value});
    return out;
  }

  if (h.word("create")) {
    bool replace = false;
    if (h.word("or")) {
      h.expect_word("replace");
      replace = true;
    }
    h.word("global");
    bool temporary = h.word("temporary") || h.word("temp");
    if (h.word("view")) {
      if (!temporary)
        throw UnsupportedSparkSyntaxError(
            "CREATE VIEW (a permanent view) is not supported in a script; use CREATE TEMPORARY "
            "VIEW",
            0);
      auto name = h.qualified_name();
      std::vector<std::string> columns;
      if (h.peek().is_op("(")) columns = h.name_list();
      h.expect_word("as");
      std::string sql = translate(h.rest());
      run(std::string("CREATE ") + (replace ? "OR REPLACE " : "") + "TEMP VIEW " +
          quote_identifier(name.back()) + column_list_sql(columns) + " AS " + sql);
      own_names_.insert(lower(name.back()));
      refresh_column_types();
      return out;
    }
    if (!h.word("table")) h.fail("VIEW or TABLE");
    bool if_not_exists = false;
    if (h.word("if")) {
      h.expect_word("not");
      h.expect_word("exists");
      if_not_exists = true;
    }
    auto name = h.qualified_name();
    std::string columns;
    if (h.op("(")) {
      // (name type [NOT NULL] [COMMENT '...'], ...)
      columns = "(";
      do {
        std::string col = h.name();
        size_t type_start = h.position();
        int depth = 0;
        while (!h.at_end() &&
               !(depth == 0 && (h.peek().is_op(",") || h.peek().is_op(")") ||
                                h.peek().is_word("not") || h.peek().is_word("comment")))) {
          if (h.peek().is_op("<") || h.peek().is_op("(")) ++depth;
          if (h.peek().is_op(">") || h.peek().is_op(")")) --depth;
          if (h.peek().is_op(">>")) depth -= 2;
          h.skip();
        }
        std::string type_text = trim(std::string_view(text).substr(
            type_start, std::min(h.position(), text.size()) - type_start));
        std::string not_null;
        if (h.word("not")) {
          h.expect_word("null");
          not_null = " NOT NULL";
        }
        if (h.word("comment")) h.skip();
        columns += std::string(columns.size() > 1 ? ", " : "") + quote_identifier(col) + " " +
                   parse_type(type_text).duckdb_name() + not_null;
      } while (h.op(","));
      if (!h.op(")")) h.fail("')'");
      columns += ")";
    }
    // USING fmt, OPTIONS (...), PARTITIONED BY (...), etc. describe storage: a session table
    // has none, so they are read and ignored up to AS.
    while (!h.at_end() && !h.peek().is_word("as")) {
      if (h.peek().is_op("(")) {
        int depth = 0;
        do {
          if (h.peek().is_op("(")) ++depth;
          if (h.peek().is_op(")")) --depth;
          h.skip();
        } while (depth > 0 && !h.at_end());
      } else {
        h.skip();
      }
    }
    std::string head = std::string("CREATE ") + (replace ? "OR REPLACE " : "") + "TEMP TABLE " +
                       (if_not_exists ? "IF NOT EXISTS " : "") + quote_identifier(name.back());
    if (h.word("as")) {
      run(head + columns + " AS " + translate(h.rest()));
    } else {
      if (columns.empty()) h.fail("a column list or AS query");
      run(head + columns);
    }
    own_names_.insert(lower(name.back()));
    refresh_column_types();
    return out;
  }

  if (h.word("insert")) {
    bool overwrite = false;
    if (h.word("overwrite")) {
      overwrite = true;
      h.word("table");
    } else {
      h.expect_word("into");
      h.word("table");
    }
    auto name = h.qualified_name();
    std::vector<std::string> columns;
    if (h.peek().is_op("(") && !h.peek(1).is_word("select") && !h.peek(1).is_word("values"))
      columns = h.name_list();
    std::string target = resolve(name);
    std::string sql = translate(h.rest());
    if (overwrite) run("DELETE FROM " + target);
    run("INSERT INTO " + target + column_list_sql(columns) + " " + sql);
    return out;
  }

  if (h.word("drop")) {
    bool view = h.word("view");
    if (!view && !h.word("table")) h.fail("VIEW or TABLE");
    bool if_exists = false;
    if (h.word("if")) {
      h.expect_word("exists");
      if_exists = true;
    }
    auto name = h.qualified_name();
    if (!own_names_.count(lower(name.back()))) {
      if (if_exists) return out;
      throw UnsupportedSparkSyntaxError(
          "cannot drop '" + name.back() + "': scripts drop only the views and tables they made", 0);
    }
    run(std::string("DROP ") + (view ? "VIEW" : "TABLE") + " IF EXISTS " +
        quote_identifier(name.back()));
    own_names_.erase(lower(name.back()));
    refresh_column_types();
    return out;
  }

  if (!is_query(text))
    throw UnsupportedSparkSyntaxError(
        "the statement " + h.peek().text + " is not supported in a local Spark SQL script", 0);
  auto parsed = parse_query(text);
  out.kind = StatementResult::Kind::kQuery;
  out.ordered = !parsed->order_by.empty();
  out.result = render_spark_result(con_, query_sql(text));
  return out;
}

}  // namespace dls::sql::spark
