#include "dls/delta/delta_table.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <mutex>
#include <set>

#include "delta/data_writer.h"
#include "delta/random_uuid.h"
#include "delta/snapshot_state.h"
#include "delta/tombstones.h"
#include "delta/write_helpers.h"
#include "delta/writer_features.h"
#include "dls/core/error.h"
#include "dls/delta/deletion_vector.h"
#include "dls/delta/delta_error.h"
#include "dls/delta/table_scan.h"
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
  for (const auto& [key, value] : snap.metadata().configuration) {
    if (lower(key) == "delta.enablechangedatafeed" && lower(value) == "true")
      throw UnsupportedFeatureError("cannot delete from the Delta table at " + root_ +
                                    ": it has delta.enableChangeDataFeed=true and delete_where "
                                    "writes no change data; nothing was deleted");
  }
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

namespace dls::delta {

namespace {

constexpr int64_t kDefaultTargetFileSize = 128LL * 1024 * 1024;

/// Whether the partition `values` satisfies `where` (DuckDB SQL over the partition columns).
bool partition_matches(sql::Connection& con, const Snapshot& snap, const PartitionValues& values,
                       const std::string& where) {
  std::string select;
  for (const auto& column : snap.partition_columns()) {
    const StructField* f = snap.schema().find(column);
    const std::string type = f ? f->type.to_duckdb() : std::string("VARCHAR");
    std::optional<std::string> value;
    for (const auto& [k, v] : values) {
      if (lower(k) == lower(column)) value = v;
    }
    select += (select.empty() ? "" : ", ") +
              (value && !value->empty() ? "CAST(" + sql::quote_literal(*value) + " AS " + type + ")"
                                        : "CAST(NULL AS " + type + ")") +
              " AS " + sql::quote_identifier(column);
  }
  if (select.empty()) select = "1 AS __dls_no_partition";
  auto rows =
      con.query("SELECT coalesce((" + where + "), false) FROM (SELECT " + select + ") AS __p")
          .rows();
  return rows.at(0).at(0).as_bool();
}

}  // namespace

OptimizeResult DeltaTable::optimize(sql::Connection& con, const OptimizeOptions& options) {
  if (options.target_size_bytes < 0) {
    throw UsageError("optimize of the Delta table at " + root_ +
                     ": the target file size must be >= 0 bytes (0: the table's default)");
  }
  Snapshot snap = latest_for_write();
  check_writable(snap.protocol(), snap.metadata(), root_, true);
  OptimizeResult out;
  out.target_size_bytes = options.target_size_bytes;
  if (out.target_size_bytes == 0) {
    out.target_size_bytes = kDefaultTargetFileSize;
    auto it = snap.metadata().configuration.find("delta.targetFileSize");
    if (it != snap.metadata().configuration.end()) {
      try {
        out.target_size_bytes = std::stoll(it->second);
      } catch (const std::exception&) {
        throw InvalidMetadataError("table " + root_ + ": delta.targetFileSize='" + it->second +
                                   "' is not a number of bytes");
      }
    }
  }
  if (options.where) {
    if (snap.partition_columns().empty()) {
      throw UsageError("optimize --where of the Delta table at " + root_ +
                       ": the table has no partition columns; OPTIMIZE ... WHERE selects "
                       "partitions (optimize the whole table without --where)");
    }
    // Validate once, on a row of NULLs, so a bad predicate fails before anything is written.
    try {
      partition_matches(con, snap, {}, *options.where);
    } catch (const Error& e) {
      throw UsageError("optimize --where '" + *options.where + "' of the Delta table at " + root_ +
                       " is not a valid predicate over its partition columns (" +
                       [&] {
                         std::string cols;
                         for (const auto& c : snap.partition_columns())
                           cols += (cols.empty() ? "" : ", ") + c;
                         return cols;
                       }() +
                       "): " + e.what());
    }
  }

  // Files per partition (partition values as the key), in the snapshot's order.
  std::map<std::string, std::vector<const AddFile*>> partitions;
  std::map<std::string, bool> selected;
  for (const auto& f : snap.files()) {
    nlohmann::json key = nlohmann::json::object();
    for (const auto& [k, v] : f.partition_values)
      key[k] = v ? nlohmann::json(*v) : nlohmann::json();
    const std::string k = key.dump();
    if (!selected.count(k)) {
      selected[k] =
          !options.where || partition_matches(con, snap, f.partition_values, *options.where);
    }
    if (selected[k]) partitions[k].push_back(&f);
  }
  // Bins: per partition, the files with a deletion vector alone or with small files, and the small
  // files packed (largest first) into bins of at most the target size.
  std::vector<std::vector<const AddFile*>> bins;
  for (auto& [key, files] : partitions) {
    std::vector<const AddFile*> small;
    std::vector<const AddFile*> with_dv;
    for (const AddFile* f : files) {
      if (f->deletion_vector)
        with_dv.push_back(f);
      else if (f->size < out.target_size_bytes)
        small.push_back(f);
    }
    if (small.size() < 2 && with_dv.empty()) continue;
    std::vector<const AddFile*> candidates = with_dv;
    candidates.insert(candidates.end(), small.begin(), small.end());
    std::stable_sort(candidates.begin(), candidates.end(),
                     [](const AddFile* a, const AddFile* b) { return a->size > b->size; });
    std::vector<std::vector<const AddFile*>> packed;
    std::vector<int64_t> sizes;
    for (const AddFile* f : candidates) {
      size_t i = 0;
      while (i < packed.size() && sizes[i] + f->size > out.target_size_bytes) ++i;
      if (i == packed.size()) {
        packed.emplace_back();
        sizes.push_back(0);
      }
      packed[i].push_back(f);
      sizes[i] += f->size;
    }
    bool any = false;
    for (auto& bin : packed) {
      // A bin of one file without a DV would rewrite it unchanged.
      if (bin.size() == 1 && !bin.front()->deletion_vector) continue;
      bins.push_back(std::move(bin));
      any = true;
    }
    if (any) ++out.partitions_optimized;
  }
  if (bins.empty()) {
    out.commit = CommitResult{snap.version(), true, 1};
    return out;
  }

  DataWriter writer(storage_, root_, snap.metadata());
  WrittenFiles written;
  try {
    for (const auto& bin : bins) {
      std::vector<AddFile> files;
      for (const AddFile* f : bin) files.push_back(*f);
      TableScan scan(snap.with_files(std::move(files)));
      WrittenFiles w = writer.write(con, "SELECT * FROM (" + scan.sql(con) + ") AS __dls_bin");
      written.num_rows += w.num_rows;
      written.num_bytes += w.num_bytes;
      for (auto& a : w.adds) written.adds.push_back(std::move(a));
    }
  } catch (...) {
    writer.discard(written);
    throw;
  }

  Transaction tx(snap);
  const int64_t now = now_ms();
  for (const auto& bin : bins) {
    for (const AddFile* f : bin) {
      RemoveFile r = remove_of(*f, now);
      r.data_change = false;
      tx.remove_file(std::move(r));
      ++out.files_removed;
      out.bytes_removed += f->size;
      if (f->deletion_vector) ++out.deletion_vectors_purged;
    }
  }
  for (AddFile add : written.adds) {
    add.data_change = false;
    out.bytes_added += add.size;
    ++out.files_added;
    tx.add_file(std::move(add));
  }
  nlohmann::json predicate = nlohmann::json::array();
  if (options.where) predicate.push_back(*options.where);
  nlohmann::json params = {{"predicate", predicate.dump()}, {"targetSize", out.target_size_bytes}};
  tx.set_operation("OPTIMIZE", params);
  tx.set_metrics({{"numRemovedFiles", out.files_removed},
                  {"numAddedFiles", out.files_added},
                  {"numRemovedBytes", out.bytes_removed},
                  {"numAddedBytes", out.bytes_added},
                  {"numDeletionVectorsRemoved", out.deletion_vectors_purged},
                  {"partitionsOptimized", out.partitions_optimized},
                  {"numOutputRows", written.num_rows}});
  out.commit = commit_or_discard(tx, writer, written);
  remember(out.commit);
  return out;
}

RestoreResult DeltaTable::restore(const VersionSpec& spec) {
  if (!spec.version && !spec.timestamp_ms) {
    throw UsageError("restore of the Delta table at " + root_ +
                     " needs the version or the timestamp to restore");
  }
  if (spec.version && *spec.version < 0) {
    throw UsageError("restore of the Delta table at " + root_ + ": version " +
                     std::to_string(*spec.version) + " is negative");
  }
  Snapshot current = latest_for_write();
  Snapshot target = snapshot(spec);  // NotFoundError names the available range
  check_writable(current.protocol(), current.metadata(), root_, true);
  RestoreResult out;
  out.restored_version = target.version();

  std::set<std::string> target_keys, current_keys;
  for (const auto& f : target.files()) target_keys.insert(f.key());
  for (const auto& f : current.files()) current_keys.insert(f.key());

  Transaction tx(current);
  tx.mark_read_data();
  const int64_t now = now_ms();
  for (const auto& f : target.files()) {
    if (current_keys.count(f.key())) continue;
    // Every file the version needs must still exist: a vacuumed one cannot be restored.
    std::vector<std::string> needed = {absolute_path(root_, f.path)};
    if (f.deletion_vector && f.deletion_vector->storage_type != "i")
      needed.push_back(deletion_vector_path(*f.deletion_vector, root_));
    for (const auto& p : needed) {
      if (!storage_->exists(p)) {
        throw Error("cannot restore the Delta table at " + root_ + " to version " +
                    std::to_string(target.version()) + ": its file " + p +
                    " no longer exists (removed by VACUUM?); nothing was changed. Restore a "
                    "newer version, whose files are still retained");
      }
    }
    AddFile add = f;
    add.data_change = true;
    tx.add_file(add);
    ++out.files_added;
    out.bytes_added += f.size;
  }
  for (const auto& f : current.files()) {
    if (target_keys.count(f.key())) continue;
    tx.remove_file(remove_of(f, now));
    ++out.files_removed;
    out.bytes_removed += f.size;
  }
  const bool metadata_differs =
      action_to_json(target.metadata()) != action_to_json(current.metadata());
  if (metadata_differs) tx.set_metadata(target.metadata());
  if (out.files_added == 0 && out.files_removed == 0 && !metadata_differs) {
    out.commit = CommitResult{current.version(), true, 1};
    return out;
  }
  nlohmann::json params = nlohmann::json::object();
  if (spec.version) {
    params["version"] = *spec.version;
  } else {
    params["timestamp"] = *spec.timestamp_ms;
  }
  tx.set_operation("RESTORE", params);
  int64_t table_size = 0;
  for (const auto& f : target.files()) table_size += f.size;
  tx.set_metrics({{"numRestoredFiles", out.files_added},
                  {"numRemovedFiles", out.files_removed},
                  {"restoredFilesSize", out.bytes_added},
                  {"removedFilesSize", out.bytes_removed},
                  {"numOfFilesAfterRestore", target.files().size()},
                  {"tableSizeAfterRestore", table_size}});
  out.commit = tx.commit();
  remember(out.commit);
  return out;
}

}  // namespace dls::delta
