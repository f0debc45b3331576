// QueryRewriter: makes Delta tables queryable by name or path in DuckDB SQL (`dls query`), and
// resolves the table names the Spark SQL parser finds in Spark SQL (table_sql). The lexer it uses
// (sql_tokenizer.h) is for DuckDB SQL only: Spark SQL text is never lexed here.
//
// Outside string literals, quoted identifiers and comments, it replaces
//   (a) `delta_scan('PATH' [, version => N] [, timestamp => 'ISO-8601'])` — the name DuckDB users
//       know; PATH may also be a warehouse table name; `:=` and `=` work like `=>`;
//   (b) dotted names `catalog.schema.table` and `schema.table` (catalog main) that name an existing
//       Delta table of the warehouse, when not part of a longer dotted chain or a function call;
// with `(<SELECT of the snapshot's rows>) AS <alias>`. An alias written by the user (`t`, `AS t`,
// `t(a, b)`) is kept; otherwise the alias is the table's last name part (`delta_scan` for (a)), so
// `t.col` references keep working.
//
// A three-part name right after FROM or JOIN that is not a Delta table (and not one of DuckDB's own
// catalogs: memory, system, temp) throws dls::NotFoundError naming the name and its path. An unsafe
// name inside delta_scan throws InvalidMetadataError. Names shorter than three parts that are not
// tables are left alone (they may be DuckDB tables or column references).
//
// Not thread-safe (it uses the TableSource, typically bound to one DuckDB connection).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dls/catalog/warehouse.h"
#include "dls/delta/snapshot.h"

namespace dls::catalog {

/// What the rewriter needs from the Delta layer; an interface so the rewriter is testable alone.
class TableSource {
 public:
  virtual ~TableSource() = default;
  /// True when `root` holds a Delta table.
  virtual bool is_table(const std::filesystem::path& root) = 0;
  /// A SELECT (no trailing ';') of the table's rows at `spec`. Throws the Delta layer's errors
  /// (TableNotFoundError naming the path, NotFoundError for a version out of range, ...).
  virtual std::string scan_sql(const std::filesystem::path& root,
                               const delta::VersionSpec& spec) = 0;
};

class QueryRewriter {
 public:
  /// `source` must outlive the rewriter. Relative delta_scan paths resolve against `cwd`
  /// (default: the current directory).
  QueryRewriter(const Warehouse& warehouse, TableSource& source,
                std::filesystem::path cwd = std::filesystem::current_path());

  /// Returns `sql` with every Delta table reference replaced (see the header comment). Text other
  /// than the replaced references is returned byte for byte.
  std::string rewrite(std::string_view sql);

  /// For Spark SQL, whose table references the Spark parser finds (sql/spark, TranslateOptions::
  /// resolve_table) — no lexing of text here: the SELECT of the snapshot a table name in FROM
  /// names, by the same rules as (b) above (`catalog.schema.table`, `schema.table` in catalog
  /// main), or of the path in Spark's `delta.`/path`` form; nullopt for a name that is no
  /// warehouse table (a one-part name, a session view, a DuckDB table). A three-part name outside
  /// DuckDB's catalogs that is not a Delta table throws NotFoundError as (b) does.
  std::optional<std::string> table_sql(const std::vector<std::string>& name);

 private:
  Warehouse warehouse_;
  TableSource& source_;
  std::filesystem::path cwd_;
};

}  // namespace dls::catalog
