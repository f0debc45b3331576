#include "dls/sql/spark/table_references.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <set>

#include "dls/sql/spark/ast.h"
#include "dls/sql/spark/parser.h"
#include "dls/sql/spark/tokenizer.h"

namespace dls::sql::spark {

namespace {

using TK = Token::Kind;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

/// Words that end a FROM item: after `FROM stream` they mean a table named `stream`.
bool ends_from_item(const Token& t) {
  static const std::set<std::string> kWords = {
      "as",    "where",  "join",      "on",     "using",   "group",   "order",   "limit", "having",
      "union", "inner",  "left",      "right",  "full",    "cross",   "natural", "semi",  "anti",
      "outer", "except", "intersect", "window", "qualify", "lateral", "pivot",   "offset"};
  if (t.kind == TK::kIdentifier) return kWords.count(lower(t.text)) > 0;
  return t.kind != TK::kQuotedIdentifier;
}

/// Blanks text[from, to) with spaces (positions stay valid).
void blank(std::string& text, size_t from, size_t to) {
  for (size_t i = from; i < to && i < text.size(); ++i) text[i] = ' ';
}

/// The index of the token starting at `position`, or npos.
size_t token_at(const std::vector<Token>& tokens, size_t position) {
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i].kind != TK::kEnd && tokens[i].position == position) return i;
  }
  return std::string::npos;
}

bool is_aggregate(const std::string& name) {
  static const std::set<std::string> kAggregates = {"count",
                                                    "sum",
                                                    "avg",
                                                    "mean",
                                                    "min",
                                                    "max",
                                                    "collect_list",
                                                    "collect_set",
                                                    "count_if",
                                                    "first",
                                                    "last",
                                                    "any_value",
                                                    "approx_count_distinct",
                                                    "stddev",
                                                    "stddev_pop",
                                                    "stddev_samp",
                                                    "variance",
                                                    "var_pop",
                                                    "var_samp",
                                                    "percentile",
                                                    "percentile_approx",
                                                    "median",
                                                    "bool_and",
                                                    "bool_or",
                                                    "every",
                                                    "some",
                                                    "any",
                                                    "max_by",
                                                    "min_by",
                                                    "array_agg",
                                                    "string_agg",
                                                    "listagg",
                                                    "first_value",
                                                    "last_value"};
  return kAggregates.count(name) > 0;
}

class Walker {
 public:
  Walker(const std::set<size_t>& streamed, TableReferences& out) : streamed_(streamed), out_(out) {}

  /// Walks a query; returns whether it reads a stream.
  bool query(const Query& q) {
    std::map<std::string, bool> ctes;  // name (lower case) -> reads a stream
    scopes_.push_back(&ctes);
    for (const auto& [name, body] : q.with) {
      bool s = query(*body);
      ctes[lower(name)] = s;
    }
    bool streaming = false;
    for (const Query* part = &q; part; part = part->next.get()) streaming |= select(*part);
    for (const auto& o : q.order_by) expr(*o.expr);
    scopes_.pop_back();
    return streaming;
  }

 private:
  bool select(const Query& part) {
    bool streaming = false;
    size_t first_stream = 0;
    int streamed_items = 0;
    for (const auto& item : part.from) {
      size_t pos = 0;
      if (table_ref(item, pos)) {
        if (streamed_items++ == 0) first_stream = pos;
        if (streamed_items == 2) {
          problem(
              "a join of two streams (stream-stream join) is not supported by the local engine; "
              "read one side without STREAM (a stream-static join), or run the pipeline on "
              "Databricks",
              item.position);
        }
        streaming = true;
      }
    }
    for (const auto& v : part.lateral_views)
      if (v.generator) expr(*v.generator);
    for (const auto& item : part.items) {
      if (streaming && has_window(*item.expr)) {
        problem(
            "a window function over a stream is not supported (each input row is processed once, "
            "so the windows would be partial); read the table without STREAM to make the dataset "
            "a materialized view",
            item.expr->position);
        break;
      }
      if (streaming && has_aggregate(*item.expr)) {
        problem(
            "an aggregation over a stream is not supported (each input row is processed once, "
            "so the groups would be partial); read the table without STREAM to make the dataset "
            "a materialized view",
            item.expr->position);
        break;
      }
      expr(*item.expr);
    }
    if (streaming && (!part.group_by.empty() || part.having)) {
      problem(
          "GROUP BY over a stream is not supported (each input row is processed once, so the "
          "groups would be partial); read the table without STREAM to make the dataset a "
          "materialized view",
          part.group_by.empty() ? part.having->position : part.group_by.front()->position);
    } else if (streaming && part.distinct) {
      problem(
          "SELECT DISTINCT over a stream is not supported (rows of different batches are not "
          "compared); read the table without STREAM to make the dataset a materialized view",
          first_stream);
    }
    if (part.where) expr(*part.where);
    for (const auto& g : part.group_by) expr(*g);
    if (part.having) expr(*part.having);
    return streaming;
  }

  /// Walks a FROM item; returns whether it reads a stream (`pos`: where).
  bool table_ref(const TableRef& r, size_t& pos) {
    bool streaming = table_ref_core(r, pos);
    if (streaming && r.pivot) {
      problem(
          "PIVOT over a stream is not supported (it aggregates, and each input row is processed "
          "once); read the table without STREAM to make the dataset a materialized view",
          r.pivot->position);
    }
    return streaming;
  }

  bool table_ref_core(const TableRef& r, size_t& pos) {
    switch (r.kind) {
      case TableRef::Kind::kTable: {
        if (r.names.size() == 1) {
          const std::string key = lower(r.names[0]);
          for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
            if (auto c = (*it)->find(key); c != (*it)->end()) {
              pos = r.position;
              return c->second;
            }
          }
        }
        const bool s = streamed_.count(r.position) > 0;
        out_.tables.push_back({r.names, r.position, s});
        pos = r.position;
        if (s && in_expression_ > 0) {
          problem(
              "STREAM() inside an expression subquery is not supported; read the stream in the "
              "query's FROM clause",
              r.position);
        }
        return s;
      }
      case TableRef::Kind::kSubquery:
        pos = r.position;
        return query(*r.subquery);
      case TableRef::Kind::kFunction:
        if (r.function) expr(*r.function);
        return false;
      case TableRef::Kind::kValues:
        for (const auto& row : r.rows)
          for (const auto& v : row) expr(*v);
        return false;
      case TableRef::Kind::kJoin: {
        size_t lp = 0, rp = 0;
        const bool l = table_ref(*r.left, lp);
        const bool rt = table_ref(*r.right, rp);
        if (l && rt) {
          problem(
              "a join of two streams (stream-stream join) is not supported by the local engine; "
              "read one side without STREAM (a stream-static join), or run the pipeline on "
              "Databricks",
              r.position);
        }
        if (r.on) expr(*r.on);
        pos = l ? lp : rp;
        return l || rt;
      }
    }
    return false;
  }

  void expr(const Expr& e) {
    if (e.query) {
      ++in_expression_;
      query(*e.query);
      --in_expression_;
    }
    for (const auto& a : e.args) {
      if (a) expr(*a);
    }
  }

  bool has_window(const Expr& e) const {
    if (e.window) return true;
    if (e.kind == Expr::Kind::kScalarSubquery) return false;
    for (const auto& a : e.args)
      if (a && has_window(*a)) return true;
    return false;
  }

  bool has_aggregate(const Expr& e) const {
    if (e.kind == Expr::Kind::kFunction && is_aggregate(e.name)) return true;
    if (e.kind == Expr::Kind::kScalarSubquery) return false;
    for (const auto& a : e.args) {
      if (a && has_aggregate(*a)) return true;
    }
    return false;
  }

  void problem(std::string message, size_t position) {
    out_.problems.push_back({std::move(message), position});
  }

  const std::set<size_t>& streamed_;
  TableReferences& out_;
  std::vector<const std::map<std::string, bool>*> scopes_;
  int in_expression_ = 0;
};

}  // namespace

bool TableReferences::streaming() const {
  return std::any_of(tables.begin(), tables.end(), [](const auto& t) { return t.streaming; });
}

std::string joined_name(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ".") + n;
  return out;
}

TableReferences analyze_table_references(std::string_view query) {
  TableReferences out;
  out.text = std::string(query);
  const std::vector<Token> tokens = tokenize(query);
  std::set<size_t> streamed;  // positions of table names read as a stream

  // `STREAM name` right after FROM / JOIN: Spark's keyword form.
  for (size_t i = 1; i + 1 < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (t.kind != TK::kIdentifier || !t.is_word("stream")) continue;
    if (!(tokens[i - 1].is_word("from") || tokens[i - 1].is_word("join"))) continue;
    const Token& next = tokens[i + 1];
    if (next.is_op("(") || ends_from_item(next)) continue;
    blank(out.text, t.position, t.position + t.text.size());
    streamed.insert(next.position);
  }

  // `STREAM(name)`: the parser reads it as a table function call; blank `STREAM(` and `)`.
  auto parsed = parse_query(out.text);
  std::vector<size_t> calls;
  std::function<void(const Query&)> find_calls;
  std::function<void(const TableRef&)> find_in_ref = [&](const TableRef& r) {
    if (r.kind == TableRef::Kind::kFunction && r.function && r.function->name == "stream" &&
        r.function->args.size() == 1 && r.function->args[0]->kind == Expr::Kind::kColumn) {
      calls.push_back(r.position);
    } else if (r.kind == TableRef::Kind::kSubquery && r.subquery) {
      find_calls(*r.subquery);
    } else if (r.kind == TableRef::Kind::kJoin) {
      find_in_ref(*r.left);
      find_in_ref(*r.right);
    }
  };
  std::function<void(const Expr&)> find_in_expr = [&](const Expr& e) {
    if (e.query) find_calls(*e.query);
    for (const auto& a : e.args) {
      if (a) find_in_expr(*a);
    }
  };
  find_calls = [&](const Query& q) {
    for (const auto& w : q.with) find_calls(*w.second);
    for (const Query* part = &q; part; part = part->next.get()) {
      for (const auto& r : part->from) find_in_ref(r);
      for (const auto& item : part->items) find_in_expr(*item.expr);
      if (part->where) find_in_expr(*part->where);
      if (part->having) find_in_expr(*part->having);
    }
  };
  find_calls(*parsed);
  for (size_t position : calls) {
    size_t i = token_at(tokens, position);
    if (i == std::string::npos || i + 2 >= tokens.size() || !tokens[i + 1].is_op("(")) continue;
    size_t j = i + 2;
    const size_t name_position = tokens[j].position;
    while (j < tokens.size() && !tokens[j].is_op(")") && tokens[j].kind != TK::kEnd) ++j;
    if (j >= tokens.size() || !tokens[j].is_op(")")) continue;
    blank(out.text, tokens[i].position, tokens[i + 1].position + 1);
    blank(out.text, tokens[j].position, tokens[j].position + 1);
    streamed.insert(name_position);
  }
  if (!calls.empty()) parsed = parse_query(out.text);

  Walker(streamed, out).query(*parsed);
  return out;
}

}  // namespace dls::sql::spark
