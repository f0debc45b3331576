// The row-shaping part of a dataset (DESIGN §6, §7): `source_schema` then `select_expr`, both in
// Spark SQL, applied to the rows of a Source.
//
//   source_schema  a Spark DDL string ("id INT, name STRING"): the listed columns, in that order,
//                  converted with TRY_CAST (a value that does not convert becomes NULL, as Spark
//                  with ANSI mode off); a listed column the source lacks is NULL; source columns
//                  not listed are dropped, except `_rescued_data` and `_metadata`, which are kept.
//                  NOT NULL in the DDL is not enforced (use an expectation).
//   select_expr    Spark select items translated to DuckDB; empty means `*`. `*` never includes
//                  the `_metadata` column (as in Spark, it is selected explicitly:
//                  `_metadata.file_path AS src`).
//   where_clause   Spark SQL predicates over the columns select_expr produced, AND-ed: a row is
//                  kept when every one is true (NULL drops it, as SQL WHERE).
// Translation errors are InvalidMetadataError naming the entity and the expression, raised by
// compile() before any data is read. Immutable after compile(); safe to share between threads.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dls/core/entity.h"
#include "dls/sql/connection.h"
#include "dls/sql/sql_error.h"

namespace dls::pipeline {

class DatasetTransform {
 public:
  static DatasetTransform compile(const DeltaLiveEntity& entity);

  /// A SELECT over `source_sql` producing the dataset's rows. Runs a DESCRIBE of `source_sql` on
  /// `con` (to know the source columns); throws InvalidMetadataError naming the entity when the
  /// transformed query does not bind (e.g. select_expr names a missing column). `hidden` are the
  /// source's hidden columns (Source::hidden_columns; `_metadata` always is): readable by name,
  /// never part of `*` nor of the output unless selected.
  std::string apply(sql::Connection& con, const std::string& source_sql,
                    const std::vector<std::string>& hidden = {}) const;

  /// Whether the transform is the identity (no source_schema, no select_expr, no where_clause).
  bool identity() const { return !schema_ && items_.empty() && where_.empty(); }

 private:
  struct SchemaColumn {
    std::string name;
    std::string duckdb_type;
  };
  // The message of a transformed query that did not bind (`error`): which select_expr item, in
  // the user's terms (engine_message.h), with the columns it may use.
  std::string explain_failure(sql::Connection& con, const std::string& input_sql,
                              const std::string& star, const sql::SqlError& error) const;

  std::string entity_id_;
  std::optional<std::vector<SchemaColumn>> schema_;
  std::vector<std::pair<std::string, std::string>> items_;  // (spark, duckdb)
  std::vector<std::pair<std::string, std::string>> where_;  // where_clause (spark, duckdb)
};

}  // namespace dls::pipeline
