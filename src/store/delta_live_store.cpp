#include "dls/store/delta_live_store.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <random>
#include <set>
#include <thread>
#include <unordered_map>

#include "dls/core/content_hash.h"
#include "dls/core/error.h"
#include "dls/core/validation.h"
#include "dls/delta/delta_error.h"
#include "dls/delta/delta_table.h"
#include "dls/delta/table_scan.h"
#include "dls/delta/transaction.h"
#include "dls/sql/database.h"
#include "dls/sql/quote.h"
#include "dls/sql/sql_error.h"
#include "dls/store/control_table_schema.h"
#include "store/cascade.h"
#include "store/entity_rows.h"
#include "store/predicate_sql.h"
#include "store/version_id.h"

namespace dls {

namespace fs = std::filesystem;
using store_detail::CascadeDirection;

namespace {

constexpr const char* kNewVersionsTable = "__dls_new_versions";
constexpr const char* kSupersededTable = "__dls_superseded";

std::string absolute_root(const std::string& root) {
  if (root.empty()) throw UsageError("the control table location must not be empty");
  std::string out = fs::absolute(root).lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

std::string timestamp_sql(Timestamp micros) {
  return "CAST(make_timestamp(" + std::to_string(micros) + "::BIGINT) AS TIMESTAMPTZ)";
}

/// Refuses a table that is not a control table (e.g. --store pointing at a data table).
void check_control_table(const delta::Snapshot& snap) {
  for (const auto& name : required_control_table_columns()) {
    if (!snap.schema().find(name)) {
      throw InvalidMetadataError("the Delta table at " + snap.table_root() +
                                 " is not a dls control table: it has no column '" + name +
                                 "'; choose the control table with --store NAME");
    }
  }
}

/// The snapshot's rows with every control table column: a column added after the table was
/// created (control_table_schema.h) reads as NULL.
std::string rows_sql(const delta::Snapshot& snap, sql::Connection& con) {
  std::string rows = delta::TableScan(snap).sql(con);
  const std::vector<std::string> missing = missing_added_columns(snap);
  if (missing.empty()) return rows;
  std::string added;
  for (const auto& name : missing) {
    const delta::StructField* f = control_table_schema().find(name);
    added += ", NULL::" + f->type.to_duckdb() + " AS " + sql::quote_identifier(name);
  }
  return "SELECT *" + added + " FROM (" + rows + ") AS __dls_old_rows";
}

/// Adds the control table columns `snap` lacks (one ADD COLUMNS metadata commit, as Spark's ALTER
/// TABLE ADD COLUMNS), so that new versions can be written; true when it committed. Another
/// writer adding them first is fine: the caller re-reads the table.
bool add_missing_columns(const delta::Snapshot& snap) {
  const std::vector<std::string> missing = missing_added_columns(snap);
  if (missing.empty()) return false;
  delta::Schema next = snap.schema();
  nlohmann::json columns = nlohmann::json::array();
  for (const auto& name : missing) {
    next.fields.push_back(*control_table_schema().find(name));
    columns.push_back(name);
  }
  delta::Metadata metadata = snap.metadata();
  metadata.schema_string = next.to_json_string();
  delta::Transaction tx(snap);
  tx.set_metadata(metadata);
  tx.set_operation("ADD COLUMNS", {{"columns", columns}});
  try {
    tx.commit();
  } catch (const delta::CommitConflictError&) {
    // Another process changed the table first (possibly adding the same columns): re-read.
  }
  return true;
}

/// The entity as a new version's content: normalized, generated columns cleared.
DeltaLiveEntity content_of(DeltaLiveEntity e) {
  normalize(e);
  e.id.reset();
  e.created_ts.reset();
  e.expired_ts.reset();
  e.created_by.reset();
  e.modified_by.reset();
  e.hash.reset();
  e.is_latest = true;
  return e;
}

}  // namespace

struct DeltaLiveStore::Impl {
  sql::Database db;
  sql::Connection con;
  Impl() : db(), con(db.connect()) {
    try {
      con.execute("SET TimeZone = 'UTC'");
    } catch (const sql::SqlError&) {
      // DuckDB built without ICU has no TimeZone setting and already works in UTC.
    }
  }
};

DeltaLiveStore::DeltaLiveStore(std::string table_root, std::optional<std::string> user)
    : root_(absolute_root(table_root)), user_(user ? std::move(*user) : current_user()) {}

DeltaLiveStore::~DeltaLiveStore() = default;
DeltaLiveStore::DeltaLiveStore(const DeltaLiveStore& other)
    : root_(other.root_), user_(other.user_), retry_budget_(other.retry_budget_) {}
DeltaLiveStore& DeltaLiveStore::operator=(const DeltaLiveStore& other) {
  if (this != &other) {
    root_ = other.root_;
    user_ = other.user_;
    retry_budget_ = other.retry_budget_;
    impl_.reset();
  }
  return *this;
}
DeltaLiveStore::DeltaLiveStore(DeltaLiveStore&&) noexcept = default;
DeltaLiveStore& DeltaLiveStore::operator=(DeltaLiveStore&&) noexcept = default;

DeltaLiveStore::Impl& DeltaLiveStore::impl() const {
  if (!impl_) impl_ = std::make_unique<Impl>();
  return *impl_;
}

void DeltaLiveStore::initialize() {
  if (is_initialized()) {
    // A control table created before the marker property existed gets it now (one metadata
    // commit), so every later check can rely on it; any other Delta table here is refused.
    delta::Snapshot snap = delta::DeltaTable::open(root_).snapshot();
    if (!dls::is_control_table(snap)) {
      throw InvalidMetadataError("the Delta table at " + root_ +
                                 " is not a dls control table (it has neither the property " +
                                 kControlTableProperty +
                                 "=true nor the control table's columns); choose another "
                                 "location with --store NAME");
    }
    const auto& config = snap.metadata().configuration;
    if (config.count(kControlTableProperty) == 0) {
      delta::Metadata metadata = snap.metadata();
      metadata.configuration[kControlTableProperty] = "true";
      delta::Transaction tx(snap);
      tx.set_metadata(metadata);
      tx.set_operation("SET TBLPROPERTIES", {{"properties", {{kControlTableProperty, "true"}}}});
      tx.commit();
    }
    return;
  }
  delta::CreateOptions options;
  options.comment = "dls control table: every version of every entity (DeltaLiveStore, SCD2)";
  options.properties[kControlTableProperty] = "true";
  // Upserts change a few rows of a growing history: deletion vectors make each one cost the
  // change (a DV and the new versions' file) instead of a rewrite of the table.
  options.properties["delta.enableDeletionVectors"] = "true";
  try {
    delta::DeltaTable::create(root_, control_table_schema(), options);
  } catch (const Error&) {
    if (is_initialized()) return;  // another process created it first
    throw;
  }
}

void DeltaLiveStore::destroy() {
  std::error_code ec;
  if (!fs::exists(root_, ec)) return;
  if (!fs::is_directory(root_, ec)) {
    throw Error("cannot destroy the control table at " + root_ + ": it is not a directory");
  }
  if (!is_initialized() && !fs::is_empty(root_, ec) &&
      !fs::exists(fs::path(root_) / "_delta_log")) {
    throw Error("refusing to delete " + root_ +
                ": it is not a Delta table (no _delta_log); remove it by hand if you mean to");
  }
  if (is_initialized() && !is_control_table()) {
    throw InvalidMetadataError("refusing to delete the Delta table at " + root_ +
                               ": it is not a dls control table (no property " +
                               kControlTableProperty +
                               "=true and not the control table's columns); nothing was deleted");
  }
  fs::remove_all(root_, ec);
  if (ec) throw Error("cannot delete the control table at " + root_ + ": " + ec.message());
}

bool DeltaLiveStore::is_control_table() const {
  return is_initialized() && dls::is_control_table(delta::DeltaTable::open(root_).snapshot());
}

bool DeltaLiveStore::is_initialized() const {
  return delta::DeltaTable::exists(root_);
}

int64_t DeltaLiveStore::version() const {
  if (!is_initialized()) return -1;
  return delta::DeltaTable::open(root_).snapshot().version();
}

namespace {

/// The snapshot to read, or an error saying how to create the table.
delta::Snapshot open_snapshot(const std::string& root) {
  if (!delta::DeltaTable::exists(root)) {
    throw NotFoundError("the control table at " + root +
                        " is not initialised: run 'dls store init' (or "
                        "DeltaLiveStore::initialize()) first");
  }
  delta::Snapshot snap = delta::DeltaTable::open(root).snapshot();
  check_control_table(snap);
  return snap;
}

}  // namespace

StoreStatus DeltaLiveStore::status() const {
  StoreStatus s;
  s.location = root_;
  if (!is_initialized()) return s;
  delta::Snapshot snap = open_snapshot(root_);
  s.initialized = true;
  s.version = snap.version();
  auto& con = impl().con;
  const std::string rows = rows_sql(snap, con);
  auto counts = con.query(
                       "SELECT count(*), count(*) FILTER (WHERE coalesce(is_latest, false)), "
                       "count(*) FILTER (WHERE coalesce(is_latest, false) AND "
                       "coalesce(is_enabled, true)) FROM (" +
                       rows + ") AS __dls_rows")
                    .rows();
  s.history_rows = counts.at(0).at(0).as_int();
  s.latest_entities = counts.at(0).at(1).as_int();
  s.enabled_entities = counts.at(0).at(2).as_int();
  for (auto& row : con.query("SELECT DISTINCT \"group\" FROM (" + rows +
                             ") AS __dls_rows WHERE coalesce(is_latest, false) AND "
                             "coalesce(\"group\", '') <> '' ORDER BY 1")
                       .rows()) {
    s.groups.push_back(row.at(0).as_string());
  }
  return s;
}

StoreChange DeltaLiveStore::write(const std::string& operation, const EntityPlan& plan,
                                  bool full_latest) {
  std::mt19937 rng(std::random_device{}());
  for (int attempt = 1;; ++attempt) {
    delta::Snapshot snap = open_snapshot(root_);
    if (add_missing_columns(snap)) continue;  // an older control table: now it has every column
    auto& con = impl().con;
    const std::string rows = rows_sql(snap, con);
    EntityList latest = full_latest ? store_detail::read_entities(
                                          con, rows, "coalesce(is_latest, false)", "entity_id")
                                    : store_detail::read_latest_index(con, rows);
    std::vector<DeltaLiveEntity> wanted = plan(latest);

    std::unordered_map<std::string, const DeltaLiveEntity*> by_entity_id;
    by_entity_id.reserve(latest.size());
    for (const auto& e : latest) by_entity_id.emplace(e.entity_id, &e);

    StoreChange change;
    std::vector<DeltaLiveEntity> new_versions;
    std::vector<std::string> superseded;
    Timestamp floor = 0;  // new versions are strictly newer than the ones they replace
    for (auto& w : wanted) {
      DeltaLiveEntity e = content_of(std::move(w));
      e.hash = content_hash(e);
      auto it = by_entity_id.find(e.entity_id);
      if (it == by_entity_id.end()) {
        change.inserted.push_back(e.entity_id);
      } else if (it->second->hash == e.hash) {
        change.unchanged.push_back(e.entity_id);
        continue;
      } else {
        change.updated.push_back(e.entity_id);
        if (it->second->id) superseded.push_back(*it->second->id);
        if (it->second->created_ts) floor = std::max(floor, *it->second->created_ts + 1);
      }
      new_versions.push_back(std::move(e));
    }
    if (new_versions.empty()) {
      change.version = snap.version();
      return change;
    }

    const Timestamp now = std::max(now_micros(), floor);
    for (auto& e : new_versions) {
      e.id = store_detail::new_version_id();
      e.created_ts = now;
      e.created_by = user_;
      e.modified_by = user_;
    }
    store_detail::stage_rows(con, kNewVersionsTable, new_versions);
    con.execute("CREATE OR REPLACE TABLE " + sql::quote_identifier(kSupersededTable) +
                " (id VARCHAR)");
    {
      auto app = con.appender(kSupersededTable);
      for (const auto& id : superseded) {
        app.append(id);
        app.end_row();
      }
      app.close();
    }
    const std::string user = sql::quote_literal(user_);
    // Row-level: the superseded versions' rows are replaced by their expired copies, and the new
    // versions are added; no other row is read in full or rewritten.
    const std::string superseded_rows = "__dls_superseded_rows";
    con.execute(
        "CREATE OR REPLACE TEMP TABLE " + sql::quote_identifier(superseded_rows) + " AS " +
        delta::TableScan(snap).sql_for_keys(con, {"id"}, sql::quote_identifier(kSupersededTable)));
    const std::string select =
        "SELECT * EXCLUDE (__dls_file, __dls_row) REPLACE (false AS is_latest, " +
        timestamp_sql(now) + " AS expired_ts, " + user + " AS modified_by) FROM " +
        sql::quote_identifier(superseded_rows) + " UNION ALL BY NAME " +
        store_detail::staged_rows_sql(kNewVersionsTable);

    delta::WriteOptions options;
    options.operation = operation;
    options.operation_parameters = {
        {"inserted", change.inserted.size()}, {"updated", change.updated.size()}, {"user", user_}};
    try {
      delta::RowChange row_change;
      row_change.read_version = snap.version();
      row_change.removed_rows_sql =
          "SELECT __dls_file, __dls_row FROM " + sql::quote_identifier(superseded_rows);
      row_change.added_rows_sql = select;
      delta::RowChangeResult result =
          delta::DeltaTable::open(root_).replace_rows(con, row_change, options);
      change.version = result.commit.version;
      return change;
    } catch (const delta::CommitConflictError& e) {
      if (attempt >= retry_budget_) {
        throw delta::CommitConflictError(std::string(e.what()) + " (gave up after " +
                                         std::to_string(attempt) + " attempts; nothing of this " +
                                         operation + " was committed)");
      }
    }
    // Another writer committed first: wait a little (growing, with jitter) and redo the call.
    const int cap_us = std::min(50000, 1000 << std::min(attempt - 1, 6));
    std::uniform_int_distribution<int> wait(cap_us / 2, cap_us);
    std::this_thread::sleep_for(std::chrono::microseconds(wait(rng)));
  }
}

namespace {

/// The contents of `entities`, validated; MetadataErrors lists every problem (including an
/// entity_id given twice).
std::vector<DeltaLiveEntity> validated_contents(const std::vector<DeltaLiveEntity>& entities) {
  std::vector<DeltaLiveEntity> wanted;
  wanted.reserve(entities.size());
  std::vector<std::string> errors;
  std::set<std::string> seen, reported;
  for (const auto& entity : entities) {
    DeltaLiveEntity e = content_of(entity);
    try {
      validate_or_throw(e);
    } catch (const MetadataErrors& bad) {
      errors.insert(errors.end(), bad.errors().begin(), bad.errors().end());
    }
    if (!seen.insert(e.entity_id).second && reported.insert(e.entity_id).second) {
      errors.push_back("entity_id '" + e.entity_id +
                       "' appears more than once in one upsert; give each entity once");
    }
    wanted.push_back(std::move(e));
  }
  if (!errors.empty()) throw MetadataErrors(std::move(errors));
  return wanted;
}

}  // namespace

StoreChange DeltaLiveStore::upsert(const std::vector<DeltaLiveEntity>& entities) {
  std::vector<DeltaLiveEntity> wanted = validated_contents(entities);
  if (wanted.empty()) {
    StoreChange change;
    change.version = open_snapshot(root_).version();
    return change;
  }
  return write(
      "UPSERT ENTITIES", [&](const EntityList&) { return wanted; }, false);
}

StoreChange DeltaLiveStore::upsert(const std::vector<DeltaLiveEntity>& entities,
                                   const EntityPlan& extra) {
  validated_contents(entities);  // errors in what the caller gave surface before any read
  return write(
      "UPSERT ENTITIES",
      [&](const EntityList& latest) {
        std::vector<DeltaLiveEntity> all = entities;
        for (auto& e : extra(latest)) all.push_back(std::move(e));
        return validated_contents(all);
      },
      true);
}

namespace {

std::vector<DeltaLiveEntity> set_enabled(const EntityList& latest, const Predicate& predicate,
                                         bool enabled) {
  auto closure = store_detail::cascade_closure(
      latest, predicate, enabled ? CascadeDirection::kUpstream : CascadeDirection::kDownstream);
  std::vector<DeltaLiveEntity> out;
  out.reserve(closure.size());
  for (size_t i : closure) {
    DeltaLiveEntity e = latest[i];
    e.is_enabled = enabled;
    out.push_back(std::move(e));  // unchanged ones (already in that state) are reported as such
  }
  return out;
}

}  // namespace

std::vector<std::string> DeltaLiveStore::preview_cascade(const Predicate& predicate,
                                                         bool enable) const {
  const EntityList latest = find_entities(by_all());
  std::vector<std::string> out;
  for (const auto& e : set_enabled(latest, predicate, enable)) {
    for (const auto& current : latest) {
      if (current.entity_id == e.entity_id && current.is_enabled != enable) {
        out.push_back(e.entity_id);
        break;
      }
    }
  }
  return out;
}

StoreChange DeltaLiveStore::disable(const Predicate& predicate) {
  return write(
      "DISABLE ENTITIES",
      [&](const EntityList& latest) { return set_enabled(latest, predicate, false); }, true);
}

StoreChange DeltaLiveStore::enable(const Predicate& predicate) {
  return write(
      "ENABLE ENTITIES",
      [&](const EntityList& latest) { return set_enabled(latest, predicate, true); }, true);
}

EntityList DeltaLiveStore::find_entities(const Predicate& predicate) const {
  delta::Snapshot snap = open_snapshot(root_);
  auto& con = impl().con;
  EntityList rows = store_detail::read_entities(
      con, rows_sql(snap, con),
      "coalesce(is_latest, false) AND " + store_detail::pushdown_sql(predicate), "entity_id");
  return rows.filter(predicate);
}

EntityList DeltaLiveStore::find_history(const Predicate& predicate) const {
  delta::Snapshot snap = open_snapshot(root_);
  auto& con = impl().con;
  EntityList rows = store_detail::read_entities(
      con, rows_sql(snap, con), store_detail::pushdown_sql(predicate),
      "created_ts DESC NULLS LAST, entity_id, coalesce(is_latest, false) DESC, id");
  return rows.filter(predicate);
}

std::optional<DeltaLiveEntity> DeltaLiveStore::find_entity(const Predicate& predicate) const {
  return find_entities(predicate).first();
}

bool DeltaLiveStore::entity_exists(const Predicate& predicate) const {
  return find_entity(predicate).has_value();
}

}  // namespace dls
