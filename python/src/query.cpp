// dls.read_table / dls.sql: SQL over the warehouse's Delta tables, returned as an Arrow C stream
// (a PyCapsule "arrow_array_stream", the Arrow PyCapsule interface) that pyarrow imports without
// touching a single value in Python.
//
// Each call opens its own in-memory DuckDB database and connection (like one `dls query`); the
// stream keeps them alive until pyarrow has released it. Table names resolve as in `dls query`
// (catalog/query_rewriter.h); with dialect "spark" the query is Spark SQL, translated first
// (sql/spark/dialect.h), and the session time zone is UTC as in the local engine.
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>

#include <cctype>
#include <memory>

#include "bindings.h"
#include "dls/catalog/delta_table_source.h"
#include "dls/catalog/query_rewriter.h"
#include "dls/catalog/sql_tokenizer.h"
#include "dls/catalog/warehouse.h"
#include "dls/core/error.h"
#include "dls/sql/arrow_stream.h"
#include "dls/sql/connection.h"
#include "dls/sql/database.h"
#include "dls/sql/quote.h"
#include "dls/sql/spark/dialect.h"

namespace dls::python {
namespace {

struct Session {
  sql::Database db;
  sql::Connection con{db.connect()};
};

// A warehouse table name in translated Spark SQL: unquoted when every part is a plain
// identifier, so that the rewriter resolves it as a name (as `dls query --dialect spark` does).
std::string spark_table_name(const std::vector<std::string>& parts) {
  bool plain = true;
  for (const auto& p : parts) {
    plain = plain && !p.empty() && !std::isdigit(static_cast<unsigned char>(p[0]));
    for (char c : p) plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  }
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += ".";
    out += plain ? parts[i] : sql::quote_identifier(parts[i]);
  }
  return out;
}

// Runs `query` (DuckDB or Spark SQL, possibly several ';'-separated DuckDB statements) and moves
// the last statement's result into `out`.
void run_query(const std::shared_ptr<Session>& session, const std::string& warehouse,
               const std::string& query, const std::string& dialect, ArrowArrayStream* out) {
  catalog::Warehouse wh = catalog::Warehouse::locate(warehouse);
  catalog::DeltaTableSource source(session->con);
  catalog::QueryRewriter rewriter(wh, source);
  std::string last;
  if (dialect == "spark") {
    sql::spark::TranslateOptions options;
    options.resolve_table = spark_table_name;
    last = rewriter.rewrite(sql::spark::translate_query(query, options));
    session->con.execute("SET TimeZone = 'UTC'");
  } else if (dialect == "duckdb") {
    auto statements = catalog::split_statements(query);
    if (statements.empty()) throw UsageError("sql: no SQL statement given");
    for (size_t i = 0; i + 1 < statements.size(); ++i) {
      session->con.execute(rewriter.rewrite(statements[i]));
    }
    last = rewriter.rewrite(statements.back());
  } else {
    throw UsageError("sql: unknown dialect '" + dialect + "' (use 'spark' or 'duckdb')");
  }
  sql::query_arrow_stream(session->con, last, out, session);
}

void free_stream(void* p) noexcept {
  auto* stream = static_cast<ArrowArrayStream*>(p);
  if (stream->release) stream->release(stream);
  delete stream;
}

nb::capsule query_capsule(const std::string& warehouse, const std::string& query,
                          const std::string& dialect) {
  auto session = std::make_shared<Session>();
  auto stream = std::make_unique<ArrowArrayStream>();
  stream->release = nullptr;
  run_interruptible([&] { run_query(session, warehouse, query, dialect, stream.get()); },
                    [session] { session->con.interrupt(); });
  return nb::capsule(stream.release(), "arrow_array_stream", free_stream);
}

}  // namespace

void register_query(nb::module_& m) {
  m.def("query_arrow", &query_capsule, nb::arg("warehouse"), nb::arg("query"),
        nb::arg("dialect") = "duckdb",
        "The result of the last statement as an Arrow C stream capsule.");
  m.def(
      "read_table_arrow",
      [](const std::string& warehouse, const std::string& name, std::optional<int64_t> version) {
        std::string scan = "SELECT * FROM delta_scan(" + sql::quote_literal(name);
        if (version) scan += ", version => " + std::to_string(*version);
        return query_capsule(warehouse, scan + ")", "duckdb");
      },
      nb::arg("warehouse"), nb::arg("name"), nb::arg("version").none() = nb::none(),
      "The rows of the Delta table `name` (at `version`, else the latest) as an Arrow C stream "
      "capsule.");
  m.def(
      "resolve_table",
      [](const std::string& warehouse, const std::string& name) {
        return catalog::Warehouse::locate(warehouse).resolve(name).root.string();
      },
      nb::arg("warehouse"), nb::arg("name"),
      "The directory of table `name` (`catalog.schema.table`, `schema.table`, or a path "
      "containing `/`) in `warehouse`; raises InvalidMetadataError for an unsafe name.");
}

}  // namespace dls::python
