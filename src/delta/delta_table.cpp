#include "dls/delta/delta_table.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <mutex>
#include <set>

#include "delta/data_writer.h"
#include "delta/random_uuid.h"
#include "delta/tombstones.h"
#include "delta/writer_features.h"
#include "dls/core/error.h"
#include "dls/delta/delta_error.h"
#include "dls/sql/quote.h"

namespace dls::delta {

namespace {

std::string normalize_root(const std::string& root) {
  if (root.empty()) throw UsageError("a Delta table path must not be empty");
  std::string out = std::filesystem::absolute(root).lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

void check_unique_names(const std::vector<StructField>& fields, const std::string& where) {
  std::set<std::string> seen;
  for (const auto& f : fields) {
    if (f.name.empty()) throw InvalidMetadataError(where + ": a column has an empty name");
    if (!seen.insert(lower(f.name)).second) {
      throw InvalidMetadataError(where + ": the column name '" + f.name +
                                 "' appears twice (names are case-insensitive in Delta)");
    }
    check_unique_names(f.type.fields, where);
  }
}

nlohmann::json json_list(const std::vector<std::string>& names) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& n : names) j.push_back(n);
  return j;
}

RemoveFile remove_of(const AddFile& add, int64_t timestamp) {
  RemoveFile r;
  r.path = add.path;
  r.deletion_timestamp = timestamp;
  r.data_change = true;
  r.extended_file_metadata = true;
  r.partition_values = add.partition_values;
  r.size = add.size;
  r.stats = add.stats;
  r.tags = add.tags;
  r.deletion_vector = add.deletion_vector;
  r.base_row_id = add.base_row_id;
  r.default_row_commit_version = add.default_row_commit_version;
  return r;
}

/// Commits `tx`, deleting the written files when the commit certainly did not happen.
CommitResult commit_or_discard(Transaction& tx, const DataWriter& writer,
                               const WrittenFiles& files) {
  CommitResult result;
  try {
    result = tx.commit();
  } catch (const CommitConflictError&) {
    writer.discard(files);
    throw;
  } catch (const UnsupportedFeatureError&) {
    writer.discard(files);
    throw;
  }
  if (result.skipped) writer.discard(files);
  return result;
}

/// The absolute path of a data file of the table.
std::string absolute_path(const std::string& root, const std::string& log_path) {
  std::string p = decode_path(log_path);
  return !p.empty() && p.front() == '/' ? p : root + "/" + p;
}

}  // namespace

struct DeltaTable::SnapshotCache {
  std::mutex mutex;
  std::optional<Snapshot> snapshot;
  int64_t commit_size = -1;
  int64_t commit_mtime_ms = -1;
};

DeltaTable::DeltaTable(std::string root, std::shared_ptr<Storage> storage)
    : root_(std::move(root)),
      storage_(std::move(storage)),
      cache_(std::make_shared<SnapshotCache>()) {}

Snapshot DeltaTable::latest_for_write() const {
  {
    std::lock_guard<std::mutex> lock(cache_->mutex);
    if (cache_->snapshot) {
      const int64_t v = cache_->snapshot->version();
      const std::string dir = log_dir(root_);
      try {
        FileInfo commit = storage_->stat(dir + "/" + commit_file_name(v));
        if (commit.size == cache_->commit_size &&
            commit.modification_time_ms == cache_->commit_mtime_ms &&
            !storage_->exists(dir + "/" + commit_file_name(v + 1))) {
          return *cache_->snapshot;
        }
      } catch (const Error&) {
        // Gone (the table was recreated or its log cleaned): load.
      }
      cache_->snapshot.reset();
    }
  }
  return snapshot();
}

void DeltaTable::remember(const CommitResult& result) const {
  if (!result.snapshot || result.skipped) return;
  try {
    FileInfo commit =
        storage_->stat(log_dir(root_) + "/" + commit_file_name(result.snapshot->version()));
    std::lock_guard<std::mutex> lock(cache_->mutex);
    cache_->snapshot = result.snapshot;
    cache_->commit_size = commit.size;
    cache_->commit_mtime_ms = commit.modification_time_ms;
  } catch (const Error&) {
    std::lock_guard<std::mutex> lock(cache_->mutex);
    cache_->snapshot.reset();
  }
}

bool DeltaTable::exists(const std::string& table_root, std::shared_ptr<Storage> storage) {
  return is_delta_table(*storage, normalize_root(table_root));
}

DeltaTable DeltaTable::open(const std::string& table_root, std::shared_ptr<Storage> storage) {
  std::string root = normalize_root(table_root);
  if (!is_delta_table(*storage, root)) {
    throw TableNotFoundError("no Delta table at " + root +
                             " (no _delta_log with a commit or checkpoint); create it first");
  }
  return DeltaTable(std::move(root), std::move(storage));
}

DeltaTable DeltaTable::create(const std::string& table_root, const Schema& schema,
                              const CreateOptions& options, std::shared_ptr<Storage> storage) {
  std::string root = normalize_root(table_root);
  const std::string where = "cannot create the Delta table at " + root;
  if (is_delta_table(*storage, root)) {
    throw Error(where + ": a Delta table already exists there; open it instead");
  }
  if (schema.fields.empty()) throw InvalidMetadataError(where + ": the schema has no columns");
  check_unique_names(schema.fields, where);
  for (const auto& f : schema.fields) f.type.to_duckdb();  // refuses types we cannot write

  Metadata metadata;
  metadata.id = random_uuid();
  metadata.name = options.name;
  metadata.description = options.comment;
  metadata.schema_string = schema.to_json_string();
  metadata.configuration = options.properties;
  metadata.created_time = now_ms();
  std::set<std::string> seen;
  for (const auto& p : options.partition_columns) {
    const StructField* f = schema.find(p);
    if (!f)
      throw InvalidMetadataError(where + ": the partition column '" + p + "' is not in the schema");
    if (!seen.insert(lower(f->name)).second) {
      throw InvalidMetadataError(where + ": the partition column '" + p + "' is listed twice");
    }
    static const std::set<std::string> kPartitionable = {
        "string", "long",    "integer", "short", "byte",      "float",
        "double", "decimal", "boolean", "date",  "timestamp", "timestamp_ntz"};
    if (!kPartitionable.count(f->type.kind)) {
      throw InvalidMetadataError(where + ": the column '" + f->name + "' of type " +
                                 f->type.to_json().dump() + " cannot be a partition column");
    }
    metadata.partition_columns.push_back(f->name);
  }
  if (metadata.partition_columns.size() == schema.fields.size()) {
    throw InvalidMetadataError(where + ": at least one column must not be a partition column");
  }
  for (const auto& [key, value] : options.properties) {
    if (key == "delta.checkpointInterval" || key == "delta.dataSkippingNumIndexedCols") {
      if (key == "delta.dataSkippingNumIndexedCols" && value == "-1") continue;
      int_property(metadata, key, 1);
    } else if (key == "delta.deletedFileRetentionDuration" || key == "delta.logRetentionDuration") {
      interval_property_ms(metadata, key, 0);
    }
  }
  Protocol protocol = protocol_for_new_table(metadata);
  check_writable(protocol, metadata, root, false);

  storage->create_directories(log_dir(root));
  Transaction tx(storage, root);
  tx.set_protocol(protocol);
  tx.set_metadata(metadata);
  nlohmann::json properties = nlohmann::json::object();
  for (const auto& [k, v] : options.properties) properties[k] = v;
  nlohmann::json params = {{"isManaged", "false"},
                           {"description", options.comment ? *options.comment : ""},
                           {"partitionBy", json_list(metadata.partition_columns).dump()},
                           {"properties", properties.dump()}};
  if (!options.comment) params.erase("description");
  tx.set_operation("CREATE TABLE", params);
  tx.commit();
  return DeltaTable(std::move(root), std::move(storage));
}

void DeltaTable::check_appendable(const Snapshot& snap) const {
  check_writable(snap.protocol(), snap.metadata(), root_, false);
}

Snapshot DeltaTable::snapshot(const VersionSpec& spec) const {
  return Snapshot::load(storage_, root_, spec);
}

CommitResult DeltaTable::append(sql::Connection& con, const std::string& select_sql,
                                const WriteOptions& options) {
  Snapshot snap = latest_for_write();
  if (options.txn_app_id.has_value() != options.txn_version.has_value()) {
    throw UsageError("WriteOptions: txn_app_id and txn_version go together");
  }
  if (options.txn_app_id) {
    auto done = snap.transaction_version(*options.txn_app_id);
    if (done && *done >= *options.txn_version) return CommitResult{snap.version(), true, 1};
  }
  check_writable(snap.protocol(), snap.metadata(), root_, false);
  DataWriter writer(storage_, root_, snap.metadata());
  WrittenFiles files = writer.write(con, select_sql, options.target_file_rows);
  Transaction tx(snap);
  for (const auto& add : files.adds) tx.add_file(add);
  if (options.txn_app_id) tx.set_transaction(*options.txn_app_id, *options.txn_version);
  nlohmann::json params = {{"mode", "Append"},
                           {"partitionBy", json_list(snap.partition_columns()).dump()}};
  for (const auto& [k, v] : options.operation_parameters.items()) params[k] = v;
  tx.set_operation(options.operation, params);
  tx.set_metrics({{"numFiles", files.adds.size()},
                  {"numOutputRows", files.num_rows},
                  {"numOutputBytes", files.num_bytes}});
  CommitResult result = commit_or_discard(tx, writer, files);
  remember(result);
  return result;
}

CommitResult DeltaTable::overwrite(sql::Connection& con, const std::string& select_sql,
                                   const WriteOptions& options) {
  Snapshot snap = options.read_version ? snapshot(VersionSpec{options.read_version, std::nullopt})
                                       : latest_for_write();
  if (options.txn_app_id.has_value() != options.txn_version.has_value()) {
    throw UsageError("WriteOptions: txn_app_id and txn_version go together");
  }
  if (options.txn_app_id) {
    auto done = snap.transaction_version(*options.txn_app_id);
    if (done && *done >= *options.txn_version) return CommitResult{snap.version(), true, 1};
  }
  check_writable(snap.protocol(), snap.metadata(), root_, !snap.files().empty());
  DataWriter writer(storage_, root_, snap.metadata());
  WrittenFiles files = writer.write(con, select_sql, options.target_file_rows);
  Transaction tx(snap);
  tx.mark_read_data();
  const int64_t now = now_ms();
  int64_t removed_bytes = 0;
  for (const auto& old : snap.files()) {
    tx.remove_file(remove_of(old, now));
    removed_bytes += old.size;
  }
  for (const auto& add : files.adds) tx.add_file(add);
  if (options.txn_app_id) tx.set_transaction(*options.txn_app_id, *options.txn_version);
  nlohmann::json params = {{"mode", "Overwrite"},
                           {"partitionBy", json_list(snap.partition_columns()).dump()}};
  for (const auto& [k, v] : options.operation_parameters.items()) params[k] = v;
  tx.set_operation(options.operation, params);
  tx.set_metrics({{"numFiles", files.adds.size()},
                  {"numOutputRows", files.num_rows},
                  {"numOutputBytes", files.num_bytes},
                  {"numRemovedFiles", snap.files().size()},
                  {"numRemovedBytes", removed_bytes}});
  CommitResult result = commit_or_discard(tx, writer, files);
  remember(result);
  return result;
}

CommitResult DeltaTable::delete_where(sql::Connection& con, const std::string& predicate_sql,
                                      const WriteOptions& options) {
  Snapshot snap = latest_for_write();
  if (options.txn_app_id.has_value() != options.txn_version.has_value()) {
    throw UsageError("WriteOptions: txn_app_id and txn_version go together");
  }
  if (options.txn_app_id) {
    auto done = snap.transaction_version(*options.txn_app_id);
    if (done && *done >= *options.txn_version) return CommitResult{snap.version(), true, 1};
  }
  check_writable(snap.protocol(), snap.metadata(), root_, true);
  const Schema& schema = snap.schema();
  std::set<std::string> partition;
  for (const auto& p : snap.partition_columns()) partition.insert(lower(p));
  DataWriter writer(storage_, root_, snap.metadata());
  // A SQL NULL predicate deletes nothing, as in SQL DELETE.
  const std::string matches = "coalesce((" + predicate_sql + "), false)";

  WrittenFiles written;
  std::vector<const AddFile*> removed;
  int64_t deleted_rows = 0, copied_rows = 0;
  try {
    for (const auto& file : snap.files()) {
      if (file.deletion_vector) {
        throw UnsupportedFeatureError(
            "cannot delete from the Delta table at " + root_ + ": the file " + file.path +
            " has a deletion vector, which dls cannot rewrite yet; nothing was deleted");
      }
      // The file's logical rows: data columns from the file, partition values from the log,
      // columns the file lacks (added later to the schema) as NULL.
      const std::string parquet =
          "read_parquet(" + sql::quote_literal(absolute_path(root_, file.path)) + ")";
      std::set<std::string> present;
      for (const auto& row : con.query("DESCRIBE SELECT * FROM " + parquet).rows()) {
        present.insert(lower(row.at(0).as_string()));
      }
      std::string select;
      for (const auto& f : schema.fields) {
        std::string type = f.type.to_duckdb();
        std::string expr;
        if (partition.count(lower(f.name))) {
          std::optional<std::string> value;
          for (const auto& [k, v] : file.partition_values) {
            if (lower(k) == lower(f.name)) value = v;
          }
          expr = value && !value->empty()  // "" is null (protocol)
                     ? "CAST(" + sql::quote_literal(*value) + " AS " + type + ")"
                     : "CAST(NULL AS " + type + ")";
        } else if (present.count(lower(f.name))) {
          expr = sql::quote_identifier(f.name);
        } else {
          expr = "CAST(NULL AS " + type + ")";
        }
        select += (select.empty() ? "" : ", ") + expr + " AS " + sql::quote_identifier(f.name);
      }
      const std::string rows = "(SELECT " + select + " FROM " + parquet + ") AS __dls_rows";
      auto counts =
          con.query("SELECT count(*) FILTER (WHERE " + matches + "), count(*) FROM " + rows).rows();
      int64_t matched = counts.at(0).at(0).as_int();
      int64_t total = counts.at(0).at(1).as_int();
      if (matched == 0) continue;
      removed.push_back(&file);
      deleted_rows += matched;
      if (matched < total) {
        WrittenFiles kept = writer.write(con, "SELECT * FROM " + rows + " WHERE NOT " + matches,
                                         options.target_file_rows);
        copied_rows += kept.num_rows;
        written.num_rows += kept.num_rows;
        written.num_bytes += kept.num_bytes;
        for (auto& a : kept.adds) written.adds.push_back(std::move(a));
      }
    }
  } catch (...) {
    writer.discard(written);
    throw;
  }
  if (removed.empty()) return CommitResult{snap.version(), true, 1};

  Transaction tx(snap);
  tx.mark_read_data();
  const int64_t now = now_ms();
  for (const AddFile* f : removed) tx.remove_file(remove_of(*f, now));
  for (const auto& add : written.adds) tx.add_file(add);
  if (options.txn_app_id) tx.set_transaction(*options.txn_app_id, *options.txn_version);
  nlohmann::json params = {{"predicate", nlohmann::json::array({predicate_sql}).dump()}};
  for (const auto& [k, v] : options.operation_parameters.items()) params[k] = v;
  tx.set_operation(options.operation == "WRITE" ? "DELETE" : options.operation, params);
  tx.set_metrics({{"numRemovedFiles", removed.size()},
                  {"numAddedFiles", written.adds.size()},
                  {"numDeletedRows", deleted_rows},
                  {"numCopiedRows", copied_rows},
                  {"numAddedBytes", written.num_bytes}});
  CommitResult result = commit_or_discard(tx, writer, written);
  remember(result);
  return result;
}

TableDescription DeltaTable::describe() const {
  Snapshot snap = snapshot();
  TableDescription d;
  d.location = root_;
  d.version = snap.version();
  d.schema = snap.schema();
  d.partition_columns = snap.partition_columns();
  d.properties = snap.metadata().configuration;
  d.description = snap.metadata().description;
  d.id = snap.metadata().id;
  d.protocol = snap.protocol();
  d.num_files = static_cast<int64_t>(snap.files().size());
  int64_t records = 0;
  bool all_have_counts = true;
  for (const auto& f : snap.files()) {
    d.size_bytes += f.size;
    if (!all_have_counts) continue;
    nlohmann::json stats;
    try {
      stats = f.stats ? nlohmann::json::parse(*f.stats) : nlohmann::json();
    } catch (const std::exception&) {
      all_have_counts = false;  // stats are optional; unparsable ones are as good as none
      continue;
    }
    if (!stats.is_object() || !stats.contains("numRecords") || stats["numRecords"].is_null()) {
      all_have_counts = false;
      continue;
    }
    // A count that is not a non-negative int64 (1e30, 2.5, -1) is a damaged log, not "unknown".
    auto n = json_to_int64(stats["numRecords"]);
    if (!n || *n < 0 || __builtin_add_overflow(records, *n, &records)) {
      throw CorruptTableError("table " + root_ + " at version " + std::to_string(snap.version()) +
                              ": the stats of " + f.path + " have an invalid numRecords " +
                              stats["numRecords"].dump() +
                              " (expected a non-negative 64-bit integer)");
    }
  }
  if (all_have_counts) d.num_records = records;
  d.created_time_ms = snap.metadata().created_time.value_or(0);
  d.last_modified_ms = snap.timestamp_ms();
  return d;
}

}  // namespace dls::delta
