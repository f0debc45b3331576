// The schema of the control table (DESIGN §3): one row per version of an entity, column names and
// order as the seed's, Spark-compatible types — STRING, BOOLEAN, TIMESTAMP, INT, ARRAY<STRING>,
// MAP<STRING,STRING>, and the structs expectations (three maps) and apply_changes (13 fields).
// Every column is nullable (Spark's default); the store always writes entity_id, the booleans,
// id, created_ts, created_by and hash. Pure and thread-safe.
#pragma once

#include <string>
#include <vector>

#include "dls/delta/schema.h"
#include "dls/delta/snapshot.h"

namespace dls {

/// The Delta schema of the control table.
const delta::Schema& control_table_schema();

/// Its top-level column names, in order.
std::vector<std::string> control_table_columns();

/// Columns added to the control table after its first release, at the end of the schema. A table
/// created before them lacks them: readers see NULL (empty where_clause, no query, no flow_name,
/// once false, no sink_format, empty sink_options) and the first write adds them (one metadata
/// commit, as Spark's ALTER TABLE ADD COLUMNS); see DeltaLiveStore.
inline constexpr const char* kAddedControlTableColumns[] = {
    "where_clause", "query", "flow_name", "once", "sink_format", "sink_options"};

/// The columns every control table has (all but kAddedControlTableColumns).
std::vector<std::string> required_control_table_columns();
bool is_added_control_table_column(const std::string& name);
/// The added columns `snapshot`'s schema lacks, in schema order.
std::vector<std::string> missing_added_columns(const delta::Snapshot& snapshot);

/// The table property (metaData.configuration) that marks a Delta table as a dls control table,
/// with the value "true". DeltaLiveStore::initialize() sets it; pipelines never write a table
/// carrying it, and `dls store destroy` deletes only such tables.
inline constexpr const char* kControlTableProperty = "dls.controlTable";

/// True when the marker property is "true", or (a control table created before the marker
/// existed) when the table has every required column of the control table schema.
bool is_control_table(const delta::Snapshot& snapshot);

}  // namespace dls
