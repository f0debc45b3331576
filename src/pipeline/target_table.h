// A Delta table a dataset writes (its destination or its quarantine table): creation with the
// entity's table options, schema changes, exactly-once appends, overwrites and clearing.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "dls/core/entity.h"
#include "dls/delta/delta_table.h"
#include "dls/sql/connection.h"

namespace dls::pipeline {

class TargetTable {
 public:
  /// `display_name` (catalog.schema.table) is used in messages; `owner` is the pipeline writing
  /// the table (recorded as pipelines.pipelineId, table_ownership.h); "" records no owner (a
  /// sink's table, which is not a dataset of the pipeline).
  TargetTable(std::filesystem::path root, std::string display_name, const DeltaLiveEntity& entity,
              std::string owner);

  bool exists() const;
  const std::string& name() const { return name_; }
  const std::filesystem::path& root() const { return root_; }

  /// Makes the table hold the columns of `select_sql` (DESCRIBE on `con`): creates it (with
  /// partition_cols, table_properties, comment and tags from the entity) when missing; adds new
  /// columns; and, when `replace` is true or the table has no data files, replaces a different
  /// schema by the new one. One metadata commit at most; none when nothing changes.
  void ensure_schema(sql::Connection& con, const std::string& select_sql, bool replace);

  /// The options a new table gets: partition_cols, table_properties, tags as `dls.tag.<key>`
  /// properties, comment (from the entity), and the owner property pipelines.pipelineId.
  delta::CreateOptions create_options() const;

  /// Brings an existing table's metadata in line with the entity (Databricks applies a dataset's
  /// definition on every update): the entity's table_properties and the owner are set, the
  /// `dls.tag.*` properties become exactly the entity's tags, and the description becomes the
  /// entity's comment. A property removed from table_properties stays on the table (dls cannot
  /// tell it from a property set by hand or by the Delta writer). One metadata-only commit
  /// (operation SET TBLPROPERTIES, or CHANGE COMMENT when only the comment changed) when
  /// something differs; none otherwise, and none when the table does not exist. Returns the
  /// committed version, if any.
  std::optional<int64_t> sync_metadata();

  /// The table's row count (0 when it does not exist): from the files' stats, else counted.
  int64_t row_count(sql::Connection& con) const;

  /// The table's txn version for `app_id` (nullopt: table missing or no txn of that appId).
  std::optional<int64_t> txn_version(const std::string& app_id) const;
  /// The table's version (nullopt: missing).
  std::optional<int64_t> version() const;

  delta::CommitResult append(sql::Connection& con, const std::string& select_sql,
                             const delta::WriteOptions& options);
  delta::CommitResult overwrite(sql::Connection& con, const std::string& select_sql,
                                const delta::WriteOptions& options);
  /// Removes every row (one commit, operation TRUNCATE) when the table exists and has files.
  void clear(sql::Connection& con);

 private:
  std::filesystem::path root_;
  std::string name_;
  const DeltaLiveEntity& entity_;
  std::string owner_;
};

}  // namespace dls::pipeline
