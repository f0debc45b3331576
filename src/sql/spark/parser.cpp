#include "dls/sql/spark/parser.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>
#include <stdexcept>

#include "dls/sql/spark/spark_error.h"
#include "dls/sql/spark/tokenizer.h"

namespace dls::sql::spark {

namespace {

using EK = Expr::Kind;
using TK = Token::Kind;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}
std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

// Words that end an expression or select item and so cannot be an implicit alias.
const std::set<std::string>& reserved_words() {
  static const std::set<std::string> kWords = {
      "from",      "where", "group",   "order",  "limit",   "having",   "union",  "except",
      "intersect", "minus", "join",    "inner",  "left",    "right",    "full",   "cross",
      "on",        "using", "as",      "and",    "or",      "not",      "is",     "in",
      "like",      "ilike", "rlike",   "regexp", "between", "when",     "then",   "else",
      "end",       "asc",   "desc",    "nulls",  "offset",  "lateral",  "window", "escape",
      "semi",      "anti",  "natural", "select", "outer",   "distinct", "div",    "pivot",
      "qualify",   "values"};
  return kWords;
}

class Parser {
 public:
  explicit Parser(std::string_view input) : input_(input), toks_(tokenize(input)) {}

  ExprPtr expression_only() {
    auto e = expr();
    expect_end();
    return e;
  }

  std::shared_ptr<Query> query_only() {
    auto q = query();
    if (peek().is_op(";")) ++i_;
    expect_end();
    return q;
  }

  SparkType type_only() {
    auto t = type();
    expect_end();
    return t;
  }

  // ---------------------------------------------------------------- helpers
  const Token& peek(size_t k = 0) const { return toks_[std::min(i_ + k, toks_.size() - 1)]; }
  const Token& take() { return toks_[std::min(i_++, toks_.size() - 1)]; }
  bool accept_op(std::string_view op) {
    if (peek().is_op(op)) {
      ++i_;
      return true;
    }
    return false;
  }
  bool accept_word(std::string_view w) {
    if (peek().is_word(w)) {
      ++i_;
      return true;
    }
    return false;
  }
  [[noreturn]] void fail(const std::string& what, size_t pos) const {
    throw SparkSyntaxError(describe_position("Spark SQL syntax error: " + what, input_, pos), pos);
  }
  [[noreturn]] void fail_here(const std::string& expected) const {
    const Token& t = peek();
    std::string found = t.kind == TK::kEnd ? "end of input" : "'" + t.text + "'";
    fail("expected " + expected + " but found " + found, t.position);
  }
  [[noreturn]] void unsupported(const std::string& what, size_t pos) const {
    throw UnsupportedSparkSyntaxError(
        describe_position(what + " is not supported by the local engine (see docs/spark-sql.md)",
                          input_, pos),
        pos);
  }
  void expect_op(std::string_view op) {
    if (!accept_op(op)) fail_here("'" + std::string(op) + "'");
  }
  void expect_word(std::string_view w) {
    if (!accept_word(w)) fail_here(upper(std::string(w)));
  }
  void expect_end() {
    if (peek().kind != TK::kEnd) fail_here("end of input");
  }
  bool is_name(const Token& t) const {
    return t.kind == TK::kIdentifier || t.kind == TK::kQuotedIdentifier;
  }
  std::string name() {
    if (!is_name(peek())) fail_here("a name");
    return take().text;
  }

  // ---------------------------------------------------------------- expressions
  ExprPtr expr() { return or_expr(); }

  static ExprPtr binary(const std::string& op, ExprPtr l, ExprPtr r, size_t pos) {
    auto e = std::make_unique<Expr>(EK::kBinaryOp, pos);
    e->op = op;
    e->args.push_back(std::move(l));
    e->args.push_back(std::move(r));
    return e;
  }

  ExprPtr or_expr() {
    auto l = and_expr();
    while (peek().is_word("or")) {
      size_t pos = take().position;
      l = binary("OR", std::move(l), and_expr(), pos);
    }
    return l;
  }

  ExprPtr and_expr() {
    auto l = not_expr();
    while (peek().is_word("and") || peek().is_op("&&")) {
      size_t pos = take().position;
      l = binary("AND", std::move(l), not_expr(), pos);
    }
    return l;
  }

  ExprPtr not_expr() {
    if (peek().is_word("not") || (peek().is_op("!") && !peek(1).is_op("="))) {
      size_t pos = take().position;
      auto e = std::make_unique<Expr>(EK::kUnary, pos);
      e->op = "NOT";
      e->args.push_back(not_expr());
      return e;
    }
    return predicate();
  }

  ExprPtr predicate() {
    auto l = comparison();
    while (true) {
      size_t pos = peek().position;
      bool negated = false;
      size_t save = i_;
      if (peek().is_word("not") || peek().is_op("!")) {
        ++i_;
        negated = true;
      }
      if (accept_word("in")) {
        auto e = std::make_unique<Expr>(EK::kIn, pos);
        e->negated = negated;
        e->args.push_back(std::move(l));
        expect_op("(");
        if (peek().is_word("select") || peek().is_word("with")) {
          e->query = query();  // x IN (SELECT ...)
          expect_op(")");
          l = std::move(e);
          continue;
        }
        do {
          e->args.push_back(expr());
        } while (accept_op(","));
        expect_op(")");
        l = std::move(e);
      } else if (accept_word("between")) {
        auto e = std::make_unique<Expr>(EK::kBetween, pos);
        e->negated = negated;
        e->args.push_back(std::move(l));
        e->args.push_back(comparison());
        expect_word("and");
        e->args.push_back(comparison());
        l = std::move(e);
      } else if (peek().is_word("like") || peek().is_word("ilike") || peek().is_word("rlike") ||
                 peek().is_word("regexp")) {
        std::string op = upper(take().text);
        if (op == "REGEXP") op = "RLIKE";
        auto e = std::make_unique<Expr>(EK::kLike, pos);
        e->op = op;
        e->negated = negated;
        e->args.push_back(std::move(l));
        if (op != "RLIKE" &&
            (peek().is_word("any") || peek().is_word("all") || peek().is_word("some"))) {
          // x [NOT] LIKE ANY|SOME|ALL (p1, p2, ...): op "LIKE ANY" / "LIKE ALL", args x, p1, ...
          std::string quantifier = upper(take().text);
          e->op = op + (quantifier == "ALL" ? " ALL" : " ANY");
          expect_op("(");
          do {
            e->args.push_back(comparison());
          } while (accept_op(","));
          expect_op(")");
          l = std::move(e);
          continue;
        }
        e->args.push_back(comparison());
        if (op != "RLIKE" && accept_word("escape")) {
          e->args.push_back(primary_postfix());
        }
        l = std::move(e);
      } else if (!negated && peek().is_word("is")) {
        ++i_;
        bool neg = accept_word("not");
        if (accept_word("null")) {
          auto e = std::make_unique<Expr>(EK::kIsNull, pos);
          e->negated = neg;
          e->args.push_back(std::move(l));
          l = std::move(e);
        } else if (peek().is_word("true") || peek().is_word("false")) {
          auto e = std::make_unique<Expr>(EK::kIsBool, pos);
          e->text = lower(take().text);
          e->negated = neg;
          e->args.push_back(std::move(l));
          l = std::move(e);
        } else if (accept_word("distinct")) {
          expect_word("from");
          auto r = comparison();
          auto e = binary("<=>", std::move(l), std::move(r), pos);
          if (!neg) {
            auto n = std::make_unique<Expr>(EK::kUnary, pos);
            n->op = "NOT";
            n->args.push_back(std::move(e));
            e = std::move(n);
          }
          l = std::move(e);
        } else {
          fail_here("NULL, TRUE, FALSE or DISTINCT FROM after IS");
        }
      } else {
        i_ = save;
        return l;
      }
    }
  }

  ExprPtr comparison() {
    auto l = bit_or();
    while (true) {
      const Token& t = peek();
      static const char* const kCmp[] = {"=", "==", "!=", "<>", "<", "<=", ">", ">=", "<=>"};
      bool found = false;
      for (const char* op : kCmp) {
        if (t.is_op(op)) found = true;
      }
      // "!" followed by "=" is tokenized as "!=" already; a lone "!" here is not a comparison.
      if (!found) return l;
      size_t pos = t.position;
      std::string op = take().text;
      if (op == "==") op = "=";
      if (op == "<>") op = "!=";
      l = binary(op, std::move(l), bit_or(), pos);
    }
  }

  ExprPtr bit_or() {
    auto l = bit_xor();
    while (peek().is_op("|")) {
      size_t pos = take().position;
      l = binary("|", std::move(l), bit_xor(), pos);
    }
    return l;
  }
  ExprPtr bit_xor() {
    auto l = bit_and();
    while (peek().is_op("^")) {
      size_t pos = take().position;
      l = binary("^", std::move(l), bit_and(), pos);
    }
    return l;
  }
  ExprPtr bit_and() {
    auto l = additive();
    while (peek().is_op("&")) {
      size_t pos = take().position;
      l = binary("&", std::move(l), additive(), pos);
    }
    return l;
  }
  ExprPtr additive() {
    auto l = multiplicative();
    while (peek().is_op("+") || peek().is_op("-") || peek().is_op("||")) {
      size_t pos = peek().position;
      std::string op = take().text;
      l = binary(op, std::move(l), multiplicative(), pos);
    }
    return l;
  }
  ExprPtr multiplicative() {
    auto l = unary();
    while (peek().is_op("*") || peek().is_op("/") || peek().is_op("%") || peek().is_word("div")) {
      size_t pos = peek().position;
      std::string op = upper(take().text);
      l = binary(op, std::move(l), unary(), pos);
    }
    return l;
  }
  ExprPtr unary() {
    if (peek().is_op("-") || peek().is_op("+") || peek().is_op("~")) {
      size_t pos = peek().position;
      std::string op = take().text;
      auto operand = unary();
      if (op == "-" && operand->kind == EK::kNumber && operand->text[0] != '-') {
        operand->text = "-" + operand->text;
        operand->position = pos;
        return operand;
      }
      auto e = std::make_unique<Expr>(EK::kUnary, pos);
      e->op = op;
      e->args.push_back(std::move(operand));
      return e;
    }
    return primary_postfix();
  }

  ExprPtr primary_postfix() {
    auto e = primary();
    while (true) {
      if (peek().is_op("[")) {
        size_t pos = take().position;
        auto s = std::make_unique<Expr>(EK::kSubscript, pos);
        s->args.push_back(std::move(e));
        s->args.push_back(expr());
        expect_op("]");
        e = std::move(s);
      } else if (peek().is_op(".") && (is_name(peek(1)) || peek(1).is_op("*"))) {
        size_t pos = take().position;
        if (accept_op("*")) {
          if (e->kind != EK::kColumn) fail("'.*' must follow a table name", pos);
          auto s = std::make_unique<Expr>(EK::kStar, e->position);
          s->names = e->names;
          return s;
        }
        std::string field = take().text;
        if (e->kind == EK::kColumn) {
          e->names.push_back(field);
        } else {
          auto f = std::make_unique<Expr>(EK::kField, pos);
          f->name = field;
          f->args.push_back(std::move(e));
          e = std::move(f);
        }
      } else if (peek().is_op("::")) {
        size_t pos = take().position;
        auto c = std::make_unique<Expr>(EK::kCast, pos);
        c->op = "CAST";
        c->args.push_back(std::move(e));
        c->type = type();
        e = std::move(c);
      } else {
        return e;
      }
    }
  }

  ExprPtr lambda(std::vector<std::string> params, size_t pos) {
    auto l = std::make_unique<Expr>(EK::kLambda, pos);
    l->names = std::move(params);
    l->args.push_back(expr());
    return l;
  }

  ExprPtr string_literal() {
    const Token& t = take();
    auto e = std::make_unique<Expr>(EK::kString, t.position);
    e->text = t.text;
    while (peek().kind == TK::kString) e->text += take().text;  // 'a' 'b' is 'ab'
    return e;
  }

  ExprPtr primary() {
    const Token& t = peek();
    size_t pos = t.position;
    switch (t.kind) {
      case TK::kNumber: {
        auto e = std::make_unique<Expr>(EK::kNumber, pos);
        e->text = take().text;
        return e;
      }
      case TK::kString:
        return string_literal();
      case TK::kBinary: {
        auto e = std::make_unique<Expr>(EK::kBinary, pos);
        e->text = take().text;
        return e;
      }
      case TK::kQuotedIdentifier: {
        if (peek(1).is_op("->")) {
          std::string p = take().text;
          ++i_;
          return lambda({p}, pos);
        }
        auto e = std::make_unique<Expr>(EK::kColumn, pos);
        e->names.push_back(take().text);
        return e;
      }
      case TK::kOperator: {
        if (t.is_op("(")) {
          // Lambda parameters `(x, y) ->`?
          size_t k = 1;
          std::vector<std::string> params;
          while (is_name(peek(k))) {
            params.push_back(peek(k).text);
            if (peek(k + 1).is_op(",")) {
              k += 2;
            } else {
              ++k;
              break;
            }
          }
          if (!params.empty() && peek(k).is_op(")") && peek(k + 1).is_op("->")) {
            i_ += k + 2;
            return lambda(std::move(params), pos);
          }
          ++i_;
          if (peek().is_word("select") || peek().is_word("with")) {
            auto e = std::make_unique<Expr>(EK::kScalarSubquery, pos);
            e->query = query();
            expect_op(")");
            return e;
          }
          auto e = expr();
          if (peek().is_op(",")) {
            // (a, b) is an anonymous struct in Spark.
            auto s = std::make_unique<Expr>(EK::kFunction, pos);
            s->name = "struct";
            s->args.push_back(std::move(e));
            while (accept_op(",")) s->args.push_back(expr());
            expect_op(")");
            return s;
          }
          expect_op(")");
          return e;
        }
        if (t.is_op("*")) {
          ++i_;
          return std::make_unique<Expr>(EK::kStar, pos);
        }
        fail_here("an expression");
      }
      case TK::kEnd:
      case TK::kComment:  // the parser tokenizes without comments: never seen here
        fail_here("an expression");
      case TK::kIdentifier:
        break;
    }
    // Identifiers and keywords.
    std::string word = lower(t.text);
    if (peek(1).is_op("->")) {
      std::string p = take().text;
      ++i_;
      return lambda({p}, pos);
    }
    if (word == "null") {
      ++i_;
      return std::make_unique<Expr>(EK::kNull, pos);
    }
    if (word == "true" || word == "false") {
      ++i_;
      auto e = std::make_unique<Expr>(EK::kBool, pos);
      e->text = word;
      return e;
    }
    if ((word == "date" || word == "timestamp" || word == "timestamp_ntz" ||
         word == "timestamp_ltz" || word == "time") &&
        peek(1).kind == TK::kString) {
      ++i_;
      auto e = std::make_unique<Expr>(EK::kTypedLiteral, pos);
      e->text = take().text;
      e->type = word == "date"            ? SparkType::of(SparkType::Kind::kDate)
                : word == "time"          ? SparkType::of(SparkType::Kind::kTime)
                : word == "timestamp_ntz" ? SparkType::of(SparkType::Kind::kTimestampNtz)
                                          : SparkType::of(SparkType::Kind::kTimestamp);
      return e;
    }
    if (word == "interval" && !peek(1).is_op("(") && !peek(1).is_op(",") && !peek(1).is_op(")")) {
      ++i_;
      return interval(pos);
    }
    if (word == "case") {
      ++i_;
      return case_expr(pos);
    }
    if ((word == "cast" || word == "try_cast") && peek(1).is_op("(")) {
      i_ += 2;
      auto e = std::make_unique<Expr>(EK::kCast, pos);
      e->op = upper(word);
      e->args.push_back(expr());
      expect_word("as");
      e->type = type();
      expect_op(")");
      return e;
    }
    if ((word == "extract") && peek(1).is_op("(") && is_name(peek(2)) && peek(3).is_word("from")) {
      i_ += 2;
      auto e = std::make_unique<Expr>(EK::kExtract, pos);
      e->text = lower(take().text);
      ++i_;
      e->args.push_back(expr());
      expect_op(")");
      return e;
    }
    if (word == "exists" && peek(1).is_op("(") &&
        (peek(2).is_word("select") || peek(2).is_word("with"))) {
      i_ += 2;
      auto e = std::make_unique<Expr>(EK::kScalarSubquery, pos);
      e->op = "EXISTS";
      e->query = query();
      expect_op(")");
      return e;
    }
    if (peek(1).is_op("(")) return function_call();
    // current_date / current_timestamp / current_user without parentheses.
    if (word == "current_date" || word == "current_timestamp" || word == "current_user" ||
        word == "localtimestamp") {
      ++i_;
      auto e = std::make_unique<Expr>(EK::kFunction, pos);
      e->name = word;
      return e;
    }
    auto e = std::make_unique<Expr>(EK::kColumn, pos);
    e->names.push_back(take().text);
    return e;
  }

  ExprPtr function_call() {
    size_t pos = peek().position;
    auto e = std::make_unique<Expr>(EK::kFunction, pos);
    e->name = lower(take().text);
    expect_op("(");
    const std::string& n = e->name;
    if (n == "trim" || n == "btrim" || n == "ltrim" || n == "rtrim") {
      // TRIM([BOTH|LEADING|TRAILING] [chars] FROM str)
      std::string mode;
      if (peek().is_word("both") || peek().is_word("leading") || peek().is_word("trailing")) {
        if (!(peek(1).is_op(",") || peek(1).is_op(")"))) mode = lower(take().text);
      }
      if (!mode.empty() || !peek().is_op(")")) {
        ExprPtr chars;
        if (!(mode.size() && peek().is_word("from"))) chars = expr();
        if (accept_word("from")) {
          auto str = expr();
          e->args.push_back(std::move(str));
          if (chars) e->args.push_back(std::move(chars));
          if (mode == "leading") e->name = "ltrim";
          if (mode == "trailing") e->name = "rtrim";
          if (mode == "both") e->name = "trim";
          expect_op(")");
          return e;
        }
        if (!mode.empty()) fail_here("FROM");
        e->args.push_back(std::move(chars));
        while (accept_op(",")) e->args.push_back(expr());
      }
      expect_op(")");
      return e;
    }
    if (peek().is_op(")")) {
      ++i_;
      return after_call(std::move(e));
    }
    if (n == "count" && peek().is_op("*") && peek(1).is_op(")")) {
      i_ += 2;
      e->star = true;
      return after_call(std::move(e));
    }
    if (accept_word("distinct")) {
      e->distinct = true;
    } else {
      accept_word("all");
    }
    if (n == "struct") {
      // struct(a, b AS name, ...): a field named by AS makes it a named_struct.
      std::vector<std::pair<std::string, ExprPtr>> fields;
      bool named = false;
      do {
        auto v = expr();
        std::string field;
        if (accept_word("as")) {
          field = name();
          named = true;
        } else {
          field =
              v->kind == EK::kColumn ? v->names.back() : "col" + std::to_string(fields.size() + 1);
        }
        fields.emplace_back(field, std::move(v));
      } while (accept_op(","));
      expect_op(")");
      if (named) {
        e->name = "named_struct";
        for (auto& [field, v] : fields) {
          auto lit = std::make_unique<Expr>(EK::kString, v->position);
          lit->text = field;
          e->args.push_back(std::move(lit));
          e->args.push_back(std::move(v));
        }
      } else {
        for (auto& f : fields) e->args.push_back(std::move(f.second));
      }
      return after_call(std::move(e));
    }
    if (n == "position") {
      // POSITION(substr IN str): both operands are value expressions (no predicates), so that
      // `'a' IN 'b'` is not read as an IN list.
      size_t save = i_;
      auto sub = comparison();
      if (peek().is_word("in") && !peek(1).is_op("(")) {
        ++i_;
        e->args.push_back(std::move(sub));
        e->args.push_back(comparison());
        expect_op(")");
        return e;
      }
      i_ = save;
    }
    auto first = expr();
    if ((n == "substring" || n == "substr") && peek().is_word("from")) {
      ++i_;
      e->args.push_back(std::move(first));
      e->args.push_back(expr());
      if (accept_word("for")) e->args.push_back(expr());
      expect_op(")");
      return e;
    }
    if (n == "overlay" && accept_word("placing")) {
      e->args.push_back(std::move(first));
      e->args.push_back(expr());
      expect_word("from");
      e->args.push_back(expr());
      if (accept_word("for")) e->args.push_back(expr());
      expect_op(")");
      return e;
    }
    e->args.push_back(std::move(first));
    while (accept_op(",")) e->args.push_back(expr());
    if (peek().is_word("ignore") && peek(1).is_word("nulls")) {
      i_ += 2;
      e->ignore_nulls = true;
    } else if (peek().is_word("respect") && peek(1).is_word("nulls")) {
      i_ += 2;
    }
    if (peek().is_word("order")) {
      unsupported("'" + peek().text + "' inside a function call", peek().position);
    }
    expect_op(")");
    return after_call(std::move(e));
  }

  ExprPtr after_call(ExprPtr e) {
    if (peek().is_word("within")) unsupported("WITHIN GROUP", peek().position);
    if (peek().is_word("filter") && peek(1).is_op("(")) {
      i_ += 2;
      expect_word("where");
      e->filter = expr();
      expect_op(")");
    }
    if (peek().is_word("ignore") && peek(1).is_word("nulls")) {
      i_ += 2;
      e->ignore_nulls = true;
    } else if (peek().is_word("respect") && peek(1).is_word("nulls")) {
      i_ += 2;
    }
    if (peek().is_word("over")) {
      size_t pos = take().position;
      if (is_name(peek())) {
        e->window = std::make_shared<WindowSpec>();
        e->window->position = pos;
        e->window->name = take().text;
      } else {
        expect_op("(");
        e->window = window_spec(pos);
        expect_op(")");
      }
    }
    return e;
  }

  // The inside of OVER ( ... ) or of WINDOW w AS ( ... ).
  std::shared_ptr<WindowSpec> window_spec(size_t pos) {
    auto w = std::make_shared<WindowSpec>();
    w->position = pos;
    if (is_name(peek()) && !peek().is_word("partition") && !peek().is_word("distribute") &&
        !peek().is_word("order") && !peek().is_word("sort") && !peek().is_word("rows") &&
        !peek().is_word("range")) {
      w->name = take().text;
    }
    if ((peek().is_word("partition") || peek().is_word("distribute")) && peek(1).is_word("by")) {
      i_ += 2;
      do {
        w->partition_by.push_back(expr());
      } while (accept_op(","));
    }
    if ((peek().is_word("order") || peek().is_word("sort")) && peek(1).is_word("by")) {
      i_ += 2;
      w->order_by = order_items();
    }
    if (peek().is_word("rows") || peek().is_word("range")) {
      w->frame_unit = upper(take().text);
      if (accept_word("between")) {
        w->frame_start = frame_bound();
        expect_word("and");
        w->frame_end = frame_bound();
      } else {
        w->frame_start = frame_bound();
        w->frame_end.kind = FrameBound::Kind::kCurrentRow;
      }
    }
    return w;
  }

  FrameBound frame_bound() {
    FrameBound b;
    if (accept_word("unbounded")) {
      if (accept_word("preceding"))
        b.kind = FrameBound::Kind::kUnboundedPreceding;
      else if (accept_word("following"))
        b.kind = FrameBound::Kind::kUnboundedFollowing;
      else
        fail_here("PRECEDING or FOLLOWING");
      return b;
    }
    if (peek().is_word("current") && peek(1).is_word("row")) {
      i_ += 2;
      b.kind = FrameBound::Kind::kCurrentRow;
      return b;
    }
    b.offset = additive();
    if (accept_word("preceding"))
      b.kind = FrameBound::Kind::kPreceding;
    else if (accept_word("following"))
      b.kind = FrameBound::Kind::kFollowing;
    else
      fail_here("PRECEDING or FOLLOWING");
    return b;
  }

  std::vector<OrderItem> order_items() {
    std::vector<OrderItem> items;
    do {
      OrderItem o;
      o.expr = expr();
      if (accept_word("desc"))
        o.descending = true;
      else
        accept_word("asc");
      if (accept_word("nulls")) {
        if (accept_word("first"))
          o.nulls_first = true;
        else if (accept_word("last"))
          o.nulls_first = false;
        else
          fail_here("FIRST or LAST");
      }
      items.push_back(std::move(o));
    } while (accept_op(","));
    return items;
  }

  ExprPtr case_expr(size_t pos) {
    auto e = std::make_unique<Expr>(EK::kCase, pos);
    if (!peek().is_word("when")) {
      e->has_operand = true;
      e->args.push_back(expr());
    }
    if (!peek().is_word("when")) fail_here("WHEN");
    while (accept_word("when")) {
      e->args.push_back(expr());
      expect_word("then");
      e->args.push_back(expr());
    }
    if (accept_word("else")) {
      e->has_else = true;
      e->args.push_back(expr());
    }
    expect_word("end");
    return e;
  }

  // ---------------------------------------------------------------- intervals
  struct IntervalParts {
    long long months = 0, days = 0, micros = 0;
    bool year_month = false, day_time = false;
  };

  static bool unit_of(std::string word, std::string& unit) {
    word = lower(word);
    static const char* const kUnits[] = {"year",   "month",  "week",        "day",        "hour",
                                         "minute", "second", "millisecond", "microsecond"};
    for (const char* u : kUnits) {
      std::string s(u);
      if (word == s || word == s + "s") {
        unit = s;
        return true;
      }
    }
    return false;
  }

  void add_unit(IntervalParts& p, const std::string& unit, double value, size_t pos) {
    auto whole = static_cast<long long>(value);
    if (unit == "year")
      p.months += whole * 12;
    else if (unit == "month")
      p.months += whole;
    else if (unit == "week")
      p.days += whole * 7;
    else if (unit == "day")
      p.days += whole;
    else if (unit == "hour")
      p.micros += whole * 3600000000LL;
    else if (unit == "minute")
      p.micros += whole * 60000000LL;
    else if (unit == "second")
      p.micros += std::llround(value * 1e6);
    else if (unit == "millisecond")
      p.micros += std::llround(value * 1e3);
    else if (unit == "microsecond")
      p.micros += whole;
    else
      fail("unknown interval unit '" + unit + "'", pos);
    if (unit == "year" || unit == "month")
      p.year_month = true;
    else
      p.day_time = true;
  }

  // A precision or scale: a number token of at most three digits (so DECIMAL(.0,2) or
  // DECIMAL(99999999999, 2) is a syntax error, never an exception of std::stoi).
  int small_integer(const char* what) {
    const Token& t = peek();
    if (t.kind != TK::kNumber || t.text.empty() || t.text.size() > 3 ||
        t.text.find_first_not_of("0123456789") != std::string::npos) {
      fail_here(what);
    }
    return std::stoi(take().text);
  }

  // Parses "[-]y-m", "[-]d hh:mm:ss.ffffff" etc. for `INTERVAL 'text' from [TO to]`.
  void add_qualified(IntervalParts& p, std::string text, const std::string& from,
                     const std::string& to, size_t pos) {
    bool neg = false;
    size_t k = 0;
    while (k < text.size() && text[k] == ' ') ++k;
    if (k < text.size() && (text[k] == '-' || text[k] == '+')) {
      neg = text[k] == '-';
      ++k;
    }
    text = text.substr(k);
    double sign = neg ? -1 : 1;
    try {
      if (to.empty()) {
        add_unit(p, from, sign * std::stod(text), pos);
        return;
      }
      if (from == "year" && to == "month") {
        auto dash = text.find('-');
        if (dash == std::string::npos) fail("invalid YEAR TO MONTH interval '" + text + "'", pos);
        add_unit(p, "year", sign * std::stod(text.substr(0, dash)), pos);
        add_unit(p, "month", sign * std::stod(text.substr(dash + 1)), pos);
        return;
      }
      // Day-time forms: split on ' ' and ':'.
      std::vector<std::string> parts;
      std::string cur;
      for (char c : text) {
        if (c == ' ' || c == ':') {
          if (!cur.empty()) parts.push_back(cur);
          cur.clear();
        } else {
          cur += c;
        }
      }
      if (!cur.empty()) parts.push_back(cur);
      static const std::vector<std::string> kOrder = {"day", "hour", "minute", "second"};
      auto fi = std::find(kOrder.begin(), kOrder.end(), from);
      auto ti = std::find(kOrder.begin(), kOrder.end(), to);
      if (fi == kOrder.end() || ti == kOrder.end() || ti < fi ||
          parts.size() != static_cast<size_t>(ti - fi + 1)) {
        fail("invalid interval '" + text + "' for " + upper(from) + " TO " + upper(to), pos);
      }
      for (size_t j = 0; j < parts.size(); ++j)
        add_unit(p, *(fi + j), sign * std::stod(parts[j]), pos);
    } catch (const std::logic_error&) {  // stod: not a number, or out of range
      fail("invalid interval value '" + text + "'", pos);
    }
  }

  ExprPtr interval(size_t pos) {
    IntervalParts p;
    bool any = false;
    while (true) {
      bool neg = false;
      size_t vpos = peek().position;
      if (peek().is_op("-") || peek().is_op("+")) neg = take().text == "-";
      std::string unit;
      if (peek().kind == TK::kString) {
        std::string text = take().text;
        if (neg) text = "-" + text;
        std::string to;
        if (is_name(peek()) && unit_of(peek().text, unit)) {
          ++i_;
          if (accept_word("to")) {
            if (!is_name(peek()) || !unit_of(peek().text, to)) fail_here("an interval unit");
            ++i_;
          }
          add_qualified(p, text, unit, to, vpos);
        } else {
          // 'n unit n unit ...' inside the string.
          std::string inner = text;
          std::vector<std::string> words;
          std::string cur;
          for (char c : inner) {
            if (c == ' ') {
              if (!cur.empty()) words.push_back(cur);
              cur.clear();
            } else {
              cur += c;
            }
          }
          if (!cur.empty()) words.push_back(cur);
          if (words.empty() || words.size() % 2)
            fail("invalid interval string '" + text + "'", vpos);
          for (size_t j = 0; j < words.size(); j += 2) {
            std::string u;
            if (!unit_of(words[j + 1], u))
              fail("unknown interval unit '" + words[j + 1] + "'", vpos);
            try {
              add_unit(p, u, std::stod(words[j]), vpos);
            } catch (const std::logic_error&) {  // stod: not a number, or out of range
              fail("invalid interval value '" + words[j] + "'", vpos);
            }
          }
        }
        any = true;
      } else if (peek().kind == TK::kNumber) {
        std::string num = take().text;
        if (!is_name(peek()) || !unit_of(peek().text, unit)) fail_here("an interval unit");
        ++i_;
        double v = 0;
        try {
          v = std::stod(num);
        } catch (const std::logic_error&) {  // out of range, e.g. 1e999
          fail("invalid interval value '" + num + "'", vpos);
        }
        add_unit(p, unit, neg ? -v : v, vpos);
        any = true;
      } else {
        if (!any) fail_here("an interval value");
        break;
      }
      if (!(peek().kind == TK::kNumber || peek().kind == TK::kString ||
            ((peek().is_op("-") || peek().is_op("+")) && (peek(1).kind == TK::kNumber)))) {
        break;
      }
    }
    auto e = std::make_unique<Expr>(EK::kInterval, pos);
    e->months = p.months;
    e->days = p.days;
    e->micros = p.micros;
    e->type = SparkType::of(p.day_time ? SparkType::Kind::kDayTimeInterval
                                       : SparkType::Kind::kYearMonthInterval);
    return e;
  }

  // ---------------------------------------------------------------- types
  SparkType type() {
    using K = SparkType::Kind;
    size_t pos = peek().position;
    if (!is_name(peek())) fail_here("a type name");
    std::string w = lower(take().text);
    if (w == "string" || w == "varchar" || w == "char" || w == "text") {
      if (accept_op("(")) {
        take();
        expect_op(")");
      }
      return SparkType::of(K::kString);
    }
    if (w == "int" || w == "integer") return SparkType::of(K::kInt);
    if (w == "bigint" || w == "long") return SparkType::of(K::kBigInt);
    if (w == "smallint" || w == "short") return SparkType::of(K::kSmallInt);
    if (w == "tinyint" || w == "byte") return SparkType::of(K::kTinyInt);
    if (w == "double") {
      accept_word("precision");
      return SparkType::of(K::kDouble);
    }
    if (w == "float" || w == "real") return SparkType::of(K::kFloat);
    if (w == "boolean" || w == "bool") return SparkType::of(K::kBoolean);
    if (w == "binary") return SparkType::of(K::kBinary);
    if (w == "date") return SparkType::of(K::kDate);
    if (w == "timestamp" || w == "timestamp_ltz") return SparkType::of(K::kTimestamp);
    if (w == "timestamp_ntz") return SparkType::of(K::kTimestampNtz);
    if (w == "void") return SparkType::of(K::kNull);
    if (w == "decimal" || w == "dec" || w == "numeric") {
      int p = 10, s = 0;
      if (accept_op("(")) {
        p = small_integer("a precision");
        if (accept_op(",")) s = small_integer("a scale");
        expect_op(")");
      }
      if (p < 1 || p > 38 || s < 0 || s > p)
        fail("invalid DECIMAL(" + std::to_string(p) + "," + std::to_string(s) + ")", pos);
      return SparkType::decimal(p, s);
    }
    if (w == "array") {
      expect_op("<");
      auto el = type();
      close_angle();
      return SparkType::array(std::move(el));
    }
    if (w == "map") {
      expect_op("<");
      auto k = type();
      expect_op(",");
      auto v = type();
      close_angle();
      return SparkType::map(std::move(k), std::move(v));
    }
    if (w == "struct") {
      SparkType t = SparkType::of(K::kStruct);
      if (accept_op("<>")) return t;
      expect_op("<");
      do {
        SparkType::Field f;
        f.name = name();
        accept_op(":");
        f.type = type();
        if (accept_word("not")) {
          expect_word("null");
          f.nullable = false;
        }
        if (accept_word("comment")) {
          if (peek().kind != TK::kString) fail_here("a comment string");
          f.comment = take().text;
        }
        t.fields.push_back(std::move(f));
      } while (accept_op(","));
      close_angle();
      return t;
    }
    if (w == "interval") {
      std::string from, to;
      if (is_name(peek()) && unit_of(peek().text, from)) {
        ++i_;
        if (accept_word("to")) {
          if (!is_name(peek()) || !unit_of(peek().text, to)) fail_here("an interval unit");
          ++i_;
        }
      }
      return SparkType::of(from == "year" || from == "month" ? K::kYearMonthInterval
                                                             : K::kDayTimeInterval);
    }
    fail("unknown Spark type '" + w + "'", pos);
  }

  // '>' may be lexed as part of '>=' or '>>'; nested types end with '>' tokens only here.
  void close_angle() { expect_op(">"); }

  // ---------------------------------------------------------------- queries
  std::shared_ptr<Query> query() {
    std::vector<std::pair<std::string, std::shared_ptr<Query>>> with;
    std::vector<std::vector<std::string>> with_columns;
    if (accept_word("with")) {
      do {
        std::string n = name();
        std::vector<std::string> columns;
        if (accept_op("(")) {
          do {
            columns.push_back(name());
          } while (accept_op(","));
          expect_op(")");
        }
        with_columns.push_back(std::move(columns));
        accept_word("as");
        expect_op("(");
        auto q = query();
        expect_op(")");
        with.emplace_back(n, q);
      } while (accept_op(","));
    }
    auto q = select_core();
    if (!with.empty() && !q->with.empty()) q = wrapped(q);
    q->with = std::move(with);
    q->with_columns = std::move(with_columns);
    Query* last = q.get();
    while (peek().is_word("union") || peek().is_word("except") || peek().is_word("intersect") ||
           peek().is_word("minus")) {
      std::string op = upper(take().text);
      if (op == "MINUS") op = "EXCEPT";
      if (accept_word("all"))
        op += " ALL";
      else
        accept_word("distinct");
      last->set_op = op;
      last->next = select_core();
      last = last->next.get();
    }
    if ((peek().is_word("order") || peek().is_word("sort")) && peek(1).is_word("by")) {
      i_ += 2;
      q->order_by = order_items();
    }
    if (accept_word("limit")) {
      if (accept_word("all")) {
      } else {
        q->limit = expr();
      }
    }
    if (accept_word("offset")) q->offset = expr();
    return q;
  }

  // SELECT * FROM (q): keeps a parenthesized query's own WITH, ORDER BY, LIMIT and set
  // operations apart from the query around it.
  static std::shared_ptr<Query> wrapped(std::shared_ptr<Query> inner) {
    auto q = std::make_shared<Query>();
    q->items.push_back(SelectItem{std::make_unique<Expr>(EK::kStar, 0), "", {}});
    TableRef r;
    r.kind = TableRef::Kind::kSubquery;
    r.subquery = std::move(inner);
    q->from.push_back(std::move(r));
    return q;
  }

  std::shared_ptr<Query> select_core() {
    if (accept_op("(")) {
      auto q = query();
      expect_op(")");
      if (!q->with.empty() || !q->order_by.empty() || q->limit || q->offset || q->next)
        return wrapped(q);
      return q;
    }
    auto q = std::make_shared<Query>();
    if (peek().is_word("values") || peek().is_word("table")) {
      // VALUES ... / TABLE t: SELECT * FROM that item.
      auto star = std::make_unique<Expr>(EK::kStar, peek().position);
      q->items.push_back(SelectItem{std::move(star), ""});
      if (peek().is_word("values")) {
        q->from.push_back(values_ref());
      } else {
        ++i_;
        TableRef r;
        r.position = peek().position;
        r.names.push_back(name());
        while (accept_op(".")) r.names.push_back(name());
        q->from.push_back(std::move(r));
      }
      return q;
    }
    expect_word("select");
    if (accept_word("distinct"))
      q->distinct = true;
    else
      accept_word("all");
    do {
      SelectItem item;
      item.expr = expr();
      if (accept_word("as")) {
        if (accept_op("(")) {
          // A generator's columns: explode(m) AS (k, v).
          do {
            item.column_aliases.push_back(name());
          } while (accept_op(","));
          expect_op(")");
          q->items.push_back(std::move(item));
          continue;
        }
        if (peek().kind == TK::kString)
          item.alias = take().text;
        else
          item.alias = name();
      } else if (is_name(peek()) &&
                 !(peek().kind == TK::kIdentifier && reserved_words().count(lower(peek().text)))) {
        item.alias = take().text;
      }
      q->items.push_back(std::move(item));
    } while (accept_op(","));
    if (accept_word("from")) {
      do {
        q->from.push_back(table_ref());
      } while (accept_op(","));
    }
    while (peek().is_word("lateral") && peek(1).is_word("view")) {
      LateralView v;
      v.position = peek().position;
      i_ += 2;
      v.outer = accept_word("outer");
      if (!(is_name(peek()) && peek(1).is_op("("))) fail_here("a generator function");
      v.generator = function_call();
      if (is_name(peek()) && !peek().is_word("as") && !reserved_words().count(lower(peek().text)))
        v.alias = take().text;
      if (accept_word("as")) {
        do {
          v.column_aliases.push_back(name());
        } while (accept_op(","));
      }
      q->lateral_views.push_back(std::move(v));
    }
    if (accept_word("where")) q->where = expr();
    if (accept_word("group")) {
      expect_word("by");
      if (peek().is_word("all") && !peek(1).is_op("(") && !peek(1).is_op(".")) {
        ++i_;
        q->group_by_all = true;
      } else if ((peek().is_word("rollup") || peek().is_word("cube")) && peek(1).is_op("(")) {
        q->grouping = upper(take().text);
        expect_op("(");
        do {
          q->group_by.push_back(expr());
        } while (accept_op(","));
        expect_op(")");
      } else {
        do {
          q->group_by.push_back(expr());
        } while (accept_op(","));
        if (peek().is_word("with") && (peek(1).is_word("rollup") || peek(1).is_word("cube"))) {
          ++i_;
          q->grouping = upper(take().text);
        }
      }
      if (peek().is_word("grouping")) unsupported("GROUPING SETS", peek().position);
    }
    if (accept_word("having")) q->having = expr();
    if (accept_word("window")) {
      do {
        std::string n = name();
        expect_word("as");
        size_t pos = peek().position;
        expect_op("(");
        q->named_windows.emplace_back(n, window_spec(pos));
        expect_op(")");
      } while (accept_op(","));
    }
    if (peek().is_word("qualify")) unsupported("QUALIFY", peek().position);
    return q;
  }

  std::string optional_alias() {
    if (accept_word("as")) return name();
    if (is_name(peek()) &&
        !(peek().kind == TK::kIdentifier && reserved_words().count(lower(peek().text)))) {
      return take().text;
    }
    return "";
  }

  // [AS] alias [(col, ...)] after a FROM item.
  void table_alias(TableRef& r) {
    r.alias = optional_alias();
    if (!r.alias.empty() && peek().is_op("(")) {
      ++i_;
      do {
        r.column_aliases.push_back(name());
      } while (accept_op(","));
      expect_op(")");
    }
  }

  // VALUES row, row, ... [AS] [alias [(cols)]]; a row is `(e, ...)` or one expression.
  TableRef values_ref() {
    TableRef r;
    r.kind = TableRef::Kind::kValues;
    r.position = peek().position;
    expect_word("values");
    do {
      std::vector<ExprPtr> row;
      size_t save = i_;
      if (accept_op("(")) {
        // `(1, 2)` is a row; `(1) + 2` is one expression that starts with a parenthesis.
        do {
          row.push_back(expr());
        } while (accept_op(","));
        expect_op(")");
        if (!(peek().is_op(",") || peek().kind == TK::kEnd || peek().is_op(")") ||
              peek().is_op(";") || is_name(peek()))) {
          i_ = save;
          row.clear();
          row.push_back(expr());
        }
      } else {
        row.push_back(expr());
      }
      r.rows.push_back(std::move(row));
    } while (accept_op(","));
    table_alias(r);
    return r;
  }

  TableRef primary_ref() {
    TableRef r;
    r.position = peek().position;
    if (peek().is_word("values")) return pivoted(values_ref());
    if (accept_op("(")) {
      if (peek().is_word("values")) {
        r = values_ref();
        expect_op(")");
        if (r.alias.empty()) table_alias(r);
        return pivoted(std::move(r));
      }
      r.kind = TableRef::Kind::kSubquery;
      r.subquery = query();
      expect_op(")");
      table_alias(r);
      return pivoted(std::move(r));
    }
    if (is_name(peek()) && peek(1).is_op("(")) {
      r.kind = TableRef::Kind::kFunction;
      r.function = function_call();
      table_alias(r);
      return pivoted(std::move(r));
    }
    r.names.push_back(name());
    while (accept_op(".")) r.names.push_back(name());
    table_alias(r);
    return pivoted(std::move(r));
  }

  // `<item> PIVOT (agg [AS a], ... FOR col IN (v [AS a], ...)) [alias]`.
  TableRef pivoted(TableRef r) {
    if (!(peek().is_word("pivot") && peek(1).is_op("("))) return r;
    auto p = std::make_shared<Pivot>();
    p->position = take().position;
    expect_op("(");
    do {
      SelectItem a;
      a.expr = expr();
      if (accept_word("as"))
        a.alias = name();
      else if (is_name(peek()) && !peek().is_word("for") &&
               !reserved_words().count(lower(peek().text)))
        a.alias = take().text;
      p->aggregates.push_back(std::move(a));
    } while (accept_op(","));
    expect_word("for");
    if (accept_op("(")) {
      do {
        p->for_columns.push_back(primary_postfix());
      } while (accept_op(","));
      expect_op(")");
    } else {
      p->for_columns.push_back(primary_postfix());
    }
    expect_word("in");
    expect_op("(");
    do {
      SelectItem v;
      v.expr = expr();
      if (accept_word("as"))
        v.alias = name();
      else if (is_name(peek()) && !reserved_words().count(lower(peek().text)))
        v.alias = take().text;
      p->values.push_back(std::move(v));
    } while (accept_op(","));
    expect_op(")");
    expect_op(")");
    r.pivot = p;
    r.pivot_alias = optional_alias();  // the pivoted result's own alias
    return r;
  }

  TableRef table_ref() {
    TableRef left = primary_ref();
    while (true) {
      size_t pos = peek().position;
      std::string type;
      bool natural = accept_word("natural");
      if (accept_word("join")) {
        type = "INNER";
      } else if (peek().is_word("inner") && peek(1).is_word("join")) {
        i_ += 2;
        type = "INNER";
      } else if (peek().is_word("cross") && peek(1).is_word("join")) {
        i_ += 2;
        type = "CROSS";
      } else if (peek().is_word("left") || peek().is_word("right") || peek().is_word("full")) {
        type = upper(take().text);
        if (accept_word("semi"))
          type += " SEMI";
        else if (accept_word("anti"))
          type += " ANTI";
        else
          accept_word("outer");
        expect_word("join");
      } else {
        return left;
      }
      TableRef j;
      j.kind = TableRef::Kind::kJoin;
      j.position = pos;
      j.join_type = type;
      j.natural = natural;
      j.left = std::make_unique<TableRef>(std::move(left));
      j.right = std::make_unique<TableRef>(primary_ref());
      if (natural) {
      } else if (accept_word("on")) {
        j.on = expr();
      } else if (accept_word("using")) {
        expect_op("(");
        do {
          j.using_columns.push_back(name());
        } while (accept_op(","));
        expect_op(")");
      }
      left = std::move(j);
    }
  }

 private:
  std::string_view input_;
  std::vector<Token> toks_;
  size_t i_ = 0;
};

}  // namespace

ExprPtr parse_expression(std::string_view input) {
  return Parser(input).expression_only();
}

std::shared_ptr<Query> parse_query(std::string_view input) {
  return Parser(input).query_only();
}

SparkType parse_type(std::string_view input) {
  return Parser(input).type_only();
}

}  // namespace dls::sql::spark
