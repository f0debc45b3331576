#include "dls/sql/spark/text_check.h"

#include <string>

#include "dls/sql/spark/dialect.h"
#include "dls/sql/spark/parser.h"
#include "dls/sql/spark/spark_error.h"
#include "dls/sql/spark/table_references.h"
#include "dls/sql/spark/tokenizer.h"

namespace dls::sql::spark {
namespace {

// The message of a dialect error without its "at position N: <input> ^" tail, which refers to
// the text the parser saw; the caller renders the position in the user's text instead.
// describe_position() wrote what + " at position N" + (":\n  input\n  ^" when short).
std::string without_position(const std::string& message, std::size_t position) {
  const std::string marker = " at position " + std::to_string(position);
  for (auto at = message.find(marker); at != std::string::npos; at = message.find(marker, at + 1)) {
    const std::size_t end = at + marker.size();
    if (end == message.size() || message.compare(end, 2, ":\n") == 0) return message.substr(0, at);
  }
  return message;
}

SparkTextProblem problem_at(const std::string& what, std::string_view text, std::size_t position,
                            bool is_error) {
  return {describe_position(what, text, position), is_error};
}

// Where a select item stops being one item: the first ',' or clause keyword outside parentheses
// (the text parsed as a query, so it tokenizes).
std::size_t first_clause_position(std::string_view text) {
  static constexpr std::string_view kClauses[] = {
      "from",     "where", "group",   "having",  "order",      "limit",
      "offset",   "union", "except",  "minus",   "intersect",  "window",
      "distinct", "all",   "lateral", "cluster", "distribute", "sort"};
  int depth = 0;
  for (const Token& t : tokenize(text)) {
    if (t.is_op("(") || t.is_op("[")) ++depth;
    if (t.is_op(")") || t.is_op("]")) --depth;
    if (depth != 0) continue;
    if (t.is_op(",")) return t.position;
    for (auto word : kClauses) {
      if (t.is_word(word)) return t.position;
    }
  }
  return text.size();
}

// The select item as a query "SELECT <item>": the parser's positions are then offset by 7.
constexpr std::string_view kSelect = "SELECT ";

std::optional<SparkTextProblem> check_select_item(std::string_view text) {
  const std::string query = std::string(kSelect) + std::string(text);
  std::shared_ptr<Query> parsed;
  try {
    parsed = parse_query(query);
  } catch (const SparkSyntaxError& e) {
    const std::size_t at = e.position() >= kSelect.size() ? e.position() - kSelect.size() : 0;
    return problem_at(without_position(e.what(), e.position()), text, at, true);
  } catch (const UnsupportedSparkSyntaxError& e) {
    const std::size_t at = e.position() >= kSelect.size() ? e.position() - kSelect.size() : 0;
    return problem_at(without_position(e.what(), e.position()) + "; `dls run` will refuse it", text,
                      at, false);
  }
  // One item and nothing else: a FROM, WHERE, UNION ... would turn the select_expr entry into a
  // query of its own once pasted into generated SQL.
  const Query& q = *parsed;
  if (q.items.size() != 1 || !q.from.empty() || q.where || !q.group_by.empty() || q.having ||
      !q.order_by.empty() || q.limit || q.offset || q.next || !q.with.empty() || q.distinct) {
    return problem_at(
        "Spark SQL syntax error: a select_expr entry must be one select item (`expression [AS "
        "alias]` or `*`), not a list or a query; put each item in its own select_expr entry",
        text, first_clause_position(text), true);
  }
  try {
    translate_select_item(text);
  } catch (const SparkSyntaxError& e) {
    const std::size_t at = e.position() >= kSelect.size() ? e.position() - kSelect.size() : 0;
    return problem_at(without_position(e.what(), e.position()), text, at, true);
  } catch (const InvalidMetadataError& e) {
    return SparkTextProblem{
        std::string(e.what()) + "; `dls run` will refuse it (dls generate databricks keeps it)",
        false};
  }
  return std::nullopt;
}

// Parses, then translates, `text`: a syntax error is an error; what the local engine cannot run
// is a warning (Databricks may still run it).
template <typename Parse, typename Translate>
std::optional<SparkTextProblem> check_parsed_then_translated(std::string_view text, Parse parse,
                                                             Translate translate) {
  try {
    parse();
  } catch (const SparkSyntaxError& e) {
    return problem_at(without_position(e.what(), e.position()), text, e.position(), true);
  } catch (const UnsupportedSparkSyntaxError& e) {
    return problem_at(without_position(e.what(), e.position()) + "; `dls run` will refuse it", text,
                      e.position(), false);
  }
  try {
    translate();
  } catch (const SparkSyntaxError& e) {
    return problem_at(without_position(e.what(), e.position()), text, e.position(), true);
  } catch (const InvalidMetadataError& e) {
    return SparkTextProblem{
        std::string(e.what()) + "; `dls run` will refuse it (dls generate databricks keeps it)",
        false};
  }
  return std::nullopt;
}

std::optional<SparkTextProblem> check_expression(std::string_view text) {
  return check_parsed_then_translated(
      text, [&] { parse_expression(text); }, [&] { translate_expression(text); });
}

// A dataset query: parsed with its STREAM(name) reads, then translated with the table names as
// written (the pipeline binds them to its datasets).
std::optional<SparkTextProblem> check_query(std::string_view text) {
  std::string blanked;
  return check_parsed_then_translated(
      text, [&] { blanked = analyze_table_references(text).text; },
      [&] { translate_query(blanked); });
}

}  // namespace

std::optional<SparkTextProblem> check_metadata_text(SparkTextKind kind, std::string_view text) {
  if (kind == SparkTextKind::kQuery) return check_query(text);
  return kind == SparkTextKind::kSelectItem ? check_select_item(text) : check_expression(text);
}

}  // namespace dls::sql::spark
