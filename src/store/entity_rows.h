// Conversion between DeltaLiveEntity and rows of the control table, through DuckDB.
//
// Reading: entities from any SELECT over the control table's columns (e.g. a TableScan), nested
// columns fetched as JSON text. Writing: entities are staged as one JSON document per row in a
// TEMP table, and staged_rows_sql() turns them back into the table's exact column types
// (json_transform_strict; timestamps as microseconds through make_timestamp, read as UTC).
// Internal to the store layer. Functions use only the given connection.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dls/core/entity.h"
#include "dls/core/entity_list.h"
#include "dls/sql/connection.h"

namespace dls::store_detail {

/// Every entity of `SELECT ... FROM (rows_sql) WHERE where ORDER BY order_by` (`where` and
/// `order_by` may be empty). `rows_sql` must produce the control-table columns.
EntityList read_entities(sql::Connection& con, const std::string& rows_sql,
                         const std::string& where = "", const std::string& order_by = "");

/// The latest versions with only entity_id, id, hash, created_ts and is_latest filled — all an
/// upsert needs to decide insert / unchanged / update.
EntityList read_latest_index(sql::Connection& con, const std::string& rows_sql);

/// One row as a JSON object keyed by column name (timestamps as microseconds, group "" as null).
nlohmann::json row_json(const DeltaLiveEntity& entity);

/// Creates (or replaces) TEMP table `table` (doc VARCHAR) holding row_json of each entity.
void stage_rows(sql::Connection& con, const std::string& table,
                const std::vector<DeltaLiveEntity>& entities);

/// A SELECT producing the staged rows of `table` with the control table's columns and types.
std::string staged_rows_sql(const std::string& table);

}  // namespace dls::store_detail
