// The delta layer's own DuckDB instance, used to read Parquet checkpoints (never user data).
//
// One in-memory database per process, created on first use and kept for the process lifetime;
// callers open one Connection per call (a Connection is not thread-safe, the Database is).
#pragma once

#include "dls/sql/connection.h"
#include "dls/sql/database.h"

namespace dls::delta::engine {

/// The process-wide database. Thread-safe.
sql::Database& database();
/// A new connection to database(), for the calling thread only.
sql::Connection connect();

}  // namespace dls::delta::engine
