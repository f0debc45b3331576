// The DuckDB engine's two halves (duckdb_engine()): reading actions from Parquet files in the
// checkpoint schema, and writing actions as such a file. Each runs on a connection the engine
// opens for the call; the contracts are Engine's (include/dls/delta/engine.h).
#pragma once

#include <string>
#include <vector>

#include "dls/delta/action.h"
#include "dls/sql/connection.h"

namespace dls::delta {

/// Engine::read_parquet_actions on `con`: one query over all `files`, the add column read field
/// by field into AddFile, the few rows of the other columns converted with to_json and the
/// commit codec. No temp files.
std::vector<Action> duckdb_read_parquet_actions(sql::Connection& con,
                                                const std::vector<std::string>& files,
                                                const std::vector<std::string>& columns);

/// Engine::write_parquet_actions on `con`: the actions are appended as nested STRUCT values into
/// a temp table with the checkpoint schema's columns, which DuckDB writes as Parquet into a
/// scratch directory under the system temp directory (removed however the call ends); returns
/// that file's bytes.
std::string duckdb_write_parquet_actions(sql::Connection& con, const std::vector<Action>& actions);

}  // namespace dls::delta
