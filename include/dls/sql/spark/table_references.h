// The tables a Spark SQL query reads (for datasets defined by a query, DESIGN §7): every table name
// in FROM and JOIN clauses, inside CTEs, derived tables and expression subqueries, without the
// names of CTEs; and which of them are read as a stream, Lakeflow's `STREAM(name)` or `STREAM
// name`.
//
//   auto refs = analyze_table_references("SELECT * FROM STREAM(orders) o JOIN customers c ...");
//   refs.tables  -> {["orders"], streaming}, {["customers"], batch}
//   refs.text    -> the query with the STREAM keyword and its parentheses blanked out (same length,
//                   so positions agree with the original): what parse_query/translate_query take.
//
// `STREAM name` (no parentheses) is recognised right after FROM or JOIN, as in Spark's grammar.
// STREAM around anything other than a table name (e.g. a table function) is left as written.
// Streaming problems the local engine cannot run are listed in `problems` (a join of two streams,
// an aggregation or DISTINCT over a stream, a stream read inside an expression subquery), each with
// its position; callers decide whether they matter (they do only for a streaming dataset).
// Throws SparkSyntaxError / UnsupportedSparkSyntaxError as parse_query does. Pure, thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace dls::sql::spark {

/// One table the query reads.
struct TableReference {
  std::vector<std::string> names;  ///< the name's parts as written: ["orders"], ["main","s","t"]
  size_t position = 0;             ///< byte offset of the name in the query text
  bool streaming = false;          ///< read with STREAM(...)
};

/// Something about a query's streaming reads that the local engine cannot run.
struct StreamingProblem {
  std::string message;  ///< what, in a data engineer's terms (no position: see `position`)
  size_t position = 0;
};

struct TableReferences {
  std::string text;  ///< the query with STREAM markers blanked out
  std::vector<TableReference>
      tables;  ///< in order of appearance; a table read twice is listed twice
  std::vector<StreamingProblem> problems;
  /// Whether any table is read as a stream.
  bool streaming() const;
};

/// Analyses `query` (one Spark SQL SELECT, optionally with WITH; a trailing ';' is accepted).
TableReferences analyze_table_references(std::string_view query);

/// The name's parts joined with '.', each part as written (no quoting).
std::string joined_name(const std::vector<std::string>& names);

}  // namespace dls::sql::spark
