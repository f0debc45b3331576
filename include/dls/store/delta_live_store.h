// DeltaLiveStore: the metadata control table (DESIGN §3) — every version of every entity, kept as
// SCD type 2 history in a Delta Lake table whose columns are Spark-compatible types (STRING,
// BOOLEAN, TIMESTAMP, INT, ARRAY<STRING>, MAP<STRING,STRING>, the expectations and apply_changes
// STRUCTs), so Spark and Databricks can read it too.
//
// Guarantees:
// - upsert/enable/disable are each ONE atomic Delta commit: readers see all of a call or none.
// - Concurrent writers (threads or processes, any number of DeltaLiveStore objects on one table)
//   never lose an update: each call re-reads the table and retries on a commit conflict
//   (optimistic concurrency); a call that cannot commit after the retry budget throws
//   delta::CommitConflictError and changes nothing.
// - A call that throws changes nothing.
// A DeltaLiveStore object itself is not thread-safe; use one per thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dls/core/entity.h"
#include "dls/core/entity_list.h"
#include "dls/core/predicate.h"

namespace dls {

/// What an upsert/enable/disable call did.
struct StoreChange {
  int64_t version = -1;                // control-table version written (or current if no change)
  std::vector<std::string> inserted;   // entity_ids with a first version
  std::vector<std::string> updated;    // entity_ids that got a new version
  std::vector<std::string> unchanged;  // entity_ids whose latest version already matched
  bool changed() const { return !inserted.empty() || !updated.empty(); }
};

struct StoreStatus {
  bool initialized = false;
  std::string location;
  int64_t version = -1;
  int64_t latest_entities = 0;   // latest versions
  int64_t enabled_entities = 0;  // latest and enabled
  int64_t history_rows = 0;      // all versions
  std::vector<std::string> groups;
};

class DeltaLiveStore {
 public:
  /// A store over the control table at `table_root` (made absolute). `user` is recorded in
  /// created_by / modified_by; default: $DLS_USER, else the OS user name. Opens nothing yet.
  explicit DeltaLiveStore(std::string table_root, std::optional<std::string> user = std::nullopt);
  ~DeltaLiveStore();
  /// Copies share nothing: each object opens its own in-memory DuckDB connection when needed.
  DeltaLiveStore(const DeltaLiveStore& other);
  DeltaLiveStore& operator=(const DeltaLiveStore& other);
  DeltaLiveStore(DeltaLiveStore&&) noexcept;
  DeltaLiveStore& operator=(DeltaLiveStore&&) noexcept;

  const std::string& location() const { return root_; }
  const std::string& user() const { return user_; }

  /// Creates the control table (version 0, marked with the property dls.controlTable=true,
  /// control_table_schema.h) if it does not exist; idempotent. An existing control table without
  /// the marker (created by an older dls) gets it in one metadata commit; any other Delta table at
  /// the location is an InvalidMetadataError.
  void initialize();
  /// Deletes the control table and all its history. Idempotent. A Delta table at the location
  /// that is not a control table (is_control_table) is refused with InvalidMetadataError and
  /// nothing is deleted.
  void destroy();
  bool is_initialized() const;
  /// True when a Delta table exists at the location and is a control table
  /// (dls::is_control_table).
  bool is_control_table() const;
  StoreStatus status() const;

  /// Per entity_id: no latest version → insert; latest with the same content hash → nothing;
  /// otherwise the latest gets is_latest=false, expired_ts=now, modified_by=user and a new version
  /// (new id, created_ts=now equal to that expired_ts, created_by=user) is inserted.
  /// Entities are validated first (dls::MetadataErrors / InvalidMetadataError on errors); the same
  /// entity_id twice in one call is an InvalidMetadataError. One commit; no commit when nothing
  /// changed.
  StoreChange upsert(const std::vector<DeltaLiveEntity>& entities);
  StoreChange upsert(const DeltaLiveEntity& entity) { return upsert(std::vector{entity}); }
  /// Plans entities from the latest versions (all columns) that a write attempt read.
  using EntityPlan = std::function<std::vector<DeltaLiveEntity>(const EntityList& latest)>;
  /// As upsert(entities), plus the entities `extra` plans from the latest versions of the attempt
  /// that commits. `extra` runs again on every retry after a conflict, so a plan that depends on
  /// the store (the YAML loader's group sync) never commits against versions it did not see.
  StoreChange upsert(const std::vector<DeltaLiveEntity>& entities, const EntityPlan& extra);

  /// Latest versions matching `predicate` (default: enabled).
  EntityList find_entities(const Predicate& predicate = by_is_enabled()) const;
  /// All versions matching `predicate`, newest first.
  EntityList find_history(const Predicate& predicate = by_all()) const;
  /// The first latest version matching, if any.
  std::optional<DeltaLiveEntity> find_entity(const Predicate& predicate) const;
  bool entity_exists(const Predicate& predicate) const;

  /// Disables the latest versions matching `predicate` and, recursively, every entity downstream
  /// of them (whose source is a disabled entity's destination). Each change is a new version.
  StoreChange disable(const Predicate& predicate);
  /// Enables the matches and, recursively, everything upstream (whose destination is an enabled
  /// entity's source). Each change is a new version.
  StoreChange enable(const Predicate& predicate);

  /// What enable(predicate) (`enable` true) or disable(predicate) would change, without writing:
  /// the entity_ids of the latest versions in the cascade whose is_enabled differs from the
  /// wanted state, in store order.
  std::vector<std::string> preview_cascade(const Predicate& predicate, bool enable) const;

  /// Control-table version (-1 when not initialized).
  int64_t version() const;

  /// How many times a write call re-reads the table and tries again after a commit conflict
  /// before giving up with delta::CommitConflictError (default 200; waits between attempts grow
  /// from 1 ms to 50 ms with jitter).
  void set_retry_budget(int attempts) { retry_budget_ = attempts; }

 private:
  struct Impl;
  Impl& impl() const;
  /// The read-modify-write loop shared by upsert/enable/disable: per attempt, reads the latest
  /// versions (all columns when `full_latest`, else entity_id/id/hash/created_ts only), asks
  /// `plan` for the wanted contents of some entities, and commits their new versions in one
  /// overwrite based on the version read; retries on a commit conflict.
  StoreChange write(const std::string& operation, const EntityPlan& plan, bool full_latest);

  std::string root_;
  std::string user_;
  int retry_budget_ = 200;
  mutable std::unique_ptr<Impl> impl_;  // DuckDB connection, opened on first use
};

/// The OS/user name used for created_by/modified_by: $DLS_USER, else the login name, else
/// "unknown".
std::string current_user();

}  // namespace dls
