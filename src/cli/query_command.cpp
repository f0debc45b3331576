// `dls query "SQL"`: DuckDB SQL over the warehouse's Delta tables (by name) and delta_scan('PATH').
// With `--dialect spark` the query is Spark SQL, translated by the Spark-SQL dialect layer (DESIGN
// §6); table and csv output then show values as Spark prints them (NULL, true, [1,2], {k -> v}).
#include <algorithm>
#include <cctype>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>

#include "command_registry.h"
#include "dls/catalog/delta_table_source.h"
#include "dls/catalog/query_rewriter.h"
#include "dls/catalog/sql_tokenizer.h"
#include "dls/core/error.h"
#include "dls/sql/quote.h"
#include "dls/sql/spark/dialect.h"
#include "dls/sql/spark/script.h"
#include "dls/sql/sql_error.h"

namespace dls::cli {
namespace {

struct QueryArgs {
  std::string sql;
  std::string dialect = "duckdb";
  std::optional<int64_t> limit;  // unset: kDefaultTableLimit in table format, else every row
};

// A terminal table of 170,000 rows helps nobody: table format stops here unless --limit says
// otherwise. Machine formats (csv, json, yaml) print every row unless --limit is given.
constexpr int64_t kDefaultTableLimit = 1000;

// How many rows may still be printed; remembers whether any row was held back.
class RowBudget {
 public:
  explicit RowBudget(std::optional<int64_t> limit) : limit_(limit) {}
  /// True when one more row may be printed; false (and truncated()) once the limit is reached.
  bool take() {
    if (limit_ && printed_ >= *limit_) {
      truncated_ = true;
      return false;
    }
    ++printed_;
    return true;
  }
  bool truncated() const { return truncated_; }
  /// The notice on stderr after a held-back result.
  void report(Context& ctx) const {
    if (!truncated_) return;
    ctx.err() << "dls query: showing the first " << *limit_
              << " rows; more were returned (--limit N shows N rows, --limit 0 every row)\n";
  }

 private:
  std::optional<int64_t> limit_;
  int64_t printed_ = 0;
  bool truncated_ = false;
};

// Renders the last statement. It is wrapped so that every value arrives in a form we can print
// exactly: JSON text per value (to_json) for json/yaml, DuckDB's own text (VARCHAR) for table/csv.
// Statements that cannot be wrapped (PRAGMA, INSERT, SET, ...) run as written.
void run_and_render(Context& ctx, std::string_view statement, OutputFormat format,
                    RowBudget& budget) {
  sql::Connection& con = ctx.connection();
  bool typed = format == OutputFormat::kJson || format == OutputFormat::kYaml;
  std::string wrapped =
      std::string(typed ? "SELECT to_json(COLUMNS(*))" : "SELECT CAST(COLUMNS(*) AS VARCHAR)") +
      " FROM (\n" + std::string(statement) + "\n) AS __dls_query";
  std::optional<sql::PreparedStatement> prepared;
  try {
    prepared.emplace(con.prepare(wrapped));
  } catch (const sql::SqlError&) {
    ctx.debug("running the statement unwrapped (it is not a query)", 2);
  }
  auto writer = make_row_writer(format, ctx.out());
  if (!prepared) {
    sql::Result result = con.query(statement);
    writer->begin(result.column_names());
    for (const auto& row : result.rows()) {
      if (!budget.take()) break;
      std::vector<Cell> cells;
      for (const auto& v : row) cells.push_back(cell_from_value(v));
      writer->row(cells);
    }
    writer->end();
    return;
  }
  sql::Result result = prepared->execute();
  writer->begin(result.column_names());
  std::vector<Cell> cells(result.column_count());
  while (!budget.truncated()) {
    auto chunk = result.next_chunk();
    if (!chunk) break;
    for (size_t r = 0; r < chunk->size(); ++r) {
      if (!budget.take()) break;
      for (size_t c = 0; c < cells.size(); ++c) {
        sql::Value v = chunk->value(c, r);
        if (v.is_null()) {
          cells[c] = nullptr;
        } else if (typed) {
          // to_json writes non-finite doubles as bare Infinity/NaN, which is not JSON: keep text.
          cells[c] = Cell::parse(v.as_string(), nullptr, false);
          if (cells[c].is_discarded()) cells[c] = v.as_string();
        } else {
          cells[c] = v.as_string();
        }
      }
      writer->row(cells);
    }
  }
  writer->end();
}

// `--dialect spark`: a Spark SQL script (sql/spark/script.h), statements run in order in one
// session, table names resolved in the warehouse; the last statement's result prints as Spark
// shows values (table/csv) or as typed JSON/YAML values.
void run_spark_script(Context& ctx, const std::string& script, OutputFormat format,
                      RowBudget& budget) {
  auto statements = sql::spark::split_script(script);
  if (statements.empty()) throw UsageError("dls query: no SQL statement given");
  sql::Connection& con = ctx.connection();
  catalog::DeltaTableSource source(con);
  catalog::QueryRewriter rewriter(ctx.warehouse(), source);
  // Table names come from the Spark parser's table references (never from lexing the translated
  // text): a warehouse table becomes the SELECT of its snapshot; any other name (a session view,
  // a DuckDB table) stays a name, each part a DuckDB quoted identifier.
  sql::spark::TranslateOptions options;
  options.resolve_table = [&rewriter](const std::vector<std::string>& parts) {
    if (auto scan = rewriter.table_sql(parts)) return "(" + *scan + ")";
    std::string name;
    for (const auto& p : parts) name += (name.empty() ? "" : ".") + sql::quote_identifier(p);
    return name;
  };
  auto rewrite = [&](const std::string& duckdb_sql) {
    ctx.debug("sql: " + duckdb_sql);
    return duckdb_sql;
  };
  // Spark's session time zone is UTC in the local engine (timestamps render in UTC).
  con.execute("SET TimeZone = 'UTC'");
  sql::spark::SparkSession session(con, options, rewrite);
  for (size_t i = 0; i + 1 < statements.size(); ++i) session.execute(statements[i].text);
  const std::string& last = statements.back().text;
  if ((format == OutputFormat::kJson || format == OutputFormat::kYaml) &&
      sql::spark::SparkSession::is_query(last)) {
    run_and_render(ctx, session.query_sql(last), format, budget);
    return;
  }
  sql::spark::StatementResult result = session.execute(last);
  if (result.kind == sql::spark::StatementResult::Kind::kCommand) return;
  auto writer = make_row_writer(format, ctx.out());
  writer->begin(result.result.column_names);
  std::vector<Cell> cells;
  for (const auto& row : result.result.rows) {
    if (!budget.take()) break;
    cells.assign(row.begin(), row.end());
    writer->row(cells);
  }
  writer->end();
}

void run_query(Context& ctx, QueryArgs& args) {
  OutputFormat format = ctx.output_format(
      {OutputFormat::kTable, OutputFormat::kCsv, OutputFormat::kJson, OutputFormat::kYaml},
      "dls query");
  if (args.sql == "-") {
    args.sql.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  if (args.limit && *args.limit < 0) throw UsageError("dls query: --limit must be 0 or more");
  std::optional<int64_t> limit = args.limit;
  if (!limit && format == OutputFormat::kTable) limit = kDefaultTableLimit;
  if (limit && *limit == 0) limit.reset();
  RowBudget budget(limit);
  if (args.dialect == "spark") {
    if (args.sql.find_first_not_of(" \t\r\n;") == std::string::npos)
      throw UsageError("dls query: no SQL statement given");
    run_spark_script(ctx, args.sql, format, budget);
    budget.report(ctx);
    return;
  }
  auto statements = catalog::split_statements(args.sql);
  if (statements.empty()) throw UsageError("dls query: no SQL statement given");

  sql::Connection& con = ctx.connection();
  catalog::DeltaTableSource source(con);
  catalog::QueryRewriter rewriter(ctx.warehouse(), source);
  for (size_t i = 0; i < statements.size(); ++i) {
    std::string rewritten = rewriter.rewrite(statements[i]);
    ctx.debug("sql: " + rewritten);
    if (i + 1 < statements.size()) {
      con.execute(rewritten);
    } else {
      run_and_render(ctx, rewritten, format, budget);
    }
  }
  budget.report(ctx);
}

}  // namespace

void register_query_command(CommandRegistry& r) {
  auto args = std::make_shared<QueryArgs>();
  CLI::App* cmd = r.add_command(
      r.root(), "query",
      "Run SQL (DuckDB dialect) over Delta tables: catalog.schema.table and schema.table names "
      "resolve in the warehouse; delta_scan('PATH' [, version => N] [, timestamp => 'ISO']) reads "
      "a table by path, with time travel. Several statements may be separated by ';' — the "
      "result of the last is printed. Formats: table, csv, json, yaml. With --dialect spark the "
      "query is a Spark SQL script (SET, CREATE TEMPORARY VIEW, queries; see docs/spark-sql.md) "
      "and table/csv values print as Spark "
      "shows them.",
      {R"~(dls query "SELECT city, count(*) FROM main.demo.trips GROUP BY city")~",
       R"~(dls query "SELECT * FROM delta_scan('./warehouse/main/demo/trips', version => 1)" --format csv)~",
       R"~(dls query --format json "SELECT t.* FROM demo.trips AS t LIMIT 5")~",
       R"~(dls query --dialect spark --format csv "SELECT nvl(city, \"?\"), size(tags) FROM demo.trips")~"},
      [args](Context& ctx) { run_query(ctx, *args); });
  cmd->add_option("SQL", args->sql, "The SQL to run ('-' reads it from stdin)")->required();
  cmd->add_option("--dialect", args->dialect,
                  "SQL dialect of the query: duckdb (default) or spark (Spark SQL, translated)")
      ->check(CLI::IsMember({"duckdb", "spark"}))
      ->capture_default_str();
  cmd->add_option("--limit", args->limit,
                  "Print at most N rows (0: every row). Default: 1000 in table format, with a "
                  "notice on stderr when rows were held back; every row in csv, json and yaml");
}

}  // namespace dls::cli
