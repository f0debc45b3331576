// The schema of the control table (DESIGN §3): one row per version of an entity, column names and
// order as the seed's, Spark-compatible types — STRING, BOOLEAN, TIMESTAMP, INT, ARRAY<STRING>,
// MAP<STRING,STRING>, and the structs expectations (three maps) and apply_changes (13 fields).
// Every column is nullable (Spark's default); the store always writes entity_id, the booleans,
// id, created_ts, created_by and hash. Pure and thread-safe.
#pragma once

#include <string>
#include <vector>

#include "dls/delta/schema.h"

namespace dls {

/// The Delta schema of the control table.
const delta::Schema& control_table_schema();

/// Its top-level column names, in order.
std::vector<std::string> control_table_columns();

}  // namespace dls
