// DeltaTable::replace_rows: row-level changes that touch only the files holding changed rows
// (delta_table.h). Merge-on-read with deletion vectors when the table allows them, else
// copy-on-write of the affected files; one commit either way.
#include <algorithm>
#include <atomic>
#include <cctype>
#include <map>
#include <unordered_map>

#include "delta/data_writer.h"
#include "delta/tombstones.h"
#include "delta/write_helpers.h"
#include "delta/writer_features.h"
#include "dls/core/error.h"
#include "dls/core/read_option_names.h"
#include "dls/delta/deletion_vector.h"
#include "dls/delta/delta_error.h"
#include "dls/delta/delta_table.h"
#include "dls/delta/table_scan.h"
#include "dls/sql/quote.h"

namespace dls::delta {

namespace {

/// A file with a larger fraction of deleted rows is rewritten instead of getting a bigger DV.
constexpr double kRewriteDeletedFraction = 1.0 / 3.0;

bool has_feature(const std::optional<std::vector<std::string>>& features, const std::string& f) {
  return features && std::find(features->begin(), features->end(), f) != features->end();
}

/// numRecords of a file's stats (physical rows, deleted ones included), if known.
std::optional<int64_t> num_records(const AddFile& f) {
  if (!f.stats) return std::nullopt;
  try {
    auto stats = nlohmann::json::parse(*f.stats);
    if (stats.is_object() && stats.contains("numRecords"))
      return json_to_int64(stats["numRecords"]);
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

/// The stats of a file that now has a deletion vector: the same counts of the physical file, but
/// bounds that may be wider than the remaining rows (tightBounds false, as the protocol says).
std::optional<std::string> widened_stats(const std::optional<std::string>& stats) {
  if (!stats) return stats;
  try {
    auto json = nlohmann::json::parse(*stats);
    if (!json.is_object()) return stats;
    json["tightBounds"] = false;
    return json.dump();
  } catch (const std::exception&) {
    return stats;
  }
}

bool change_data_feed_enabled(const Metadata& metadata) {
  for (const auto& [k, v] : metadata.configuration)
    if (lower_ascii(k) == "delta.enablechangedatafeed" && lower_ascii(v) == "true") return true;
  return false;
}

/// The SELECT of a change's rows with `_change_type`, from the TEMP tables of the removed rows
/// (`old_rows`) and the added rows (`new_rows`), both with exactly `columns`.
std::string change_rows_sql(const std::vector<std::string>& columns,
                            const std::vector<std::string>& keys, const std::string& old_rows,
                            const std::string& new_rows) {
  std::string cols;
  for (const auto& c : columns) cols += (cols.empty() ? "" : ", ") + sql::quote_identifier(c);
  if (keys.empty()) {
    // Rows removed and added unchanged are no change.
    return "SELECT " + cols + ", 'delete' AS _change_type FROM (SELECT " + cols + " FROM " +
           old_rows + " EXCEPT ALL SELECT " + cols + " FROM " + new_rows + ") UNION ALL SELECT " +
           cols + ", 'insert' FROM (SELECT " + cols + " FROM " + new_rows + " EXCEPT ALL SELECT " +
           cols + " FROM " + old_rows + ")";
  }
  std::string on;
  for (const auto& k : keys)
    on += (on.empty() ? "" : " AND ") + std::string("__a.") + sql::quote_identifier(k) +
          " IS NOT DISTINCT FROM __b." + sql::quote_identifier(k);
  auto side = [&](const std::string& from, const std::string& other, const std::string& matched,
                  const std::string& unmatched) {
    return "SELECT " + cols + ", " + sql::quote_literal(matched) + " AS _change_type FROM " + from +
           " AS __a SEMI JOIN " + other + " AS __b ON " + on + " UNION ALL SELECT " + cols + ", " +
           sql::quote_literal(unmatched) + " FROM " + from + " AS __a ANTI JOIN " + other +
           " AS __b ON " + on;
  };
  return side(old_rows, new_rows, "update_preimage", "delete") + " UNION ALL " +
         side(new_rows, old_rows, "update_postimage", "insert");
}

/// Removes a written DV file when the commit did not happen. Never throws.
void discard_dv(Storage& storage, const std::string& path) noexcept {
  try {
    storage.remove(path);
  } catch (...) {
  }
}

}  // namespace

bool DeltaTable::writes_deletion_vectors(const Snapshot& snap) {
  bool enabled = false;
  for (const auto& [k, v] : snap.metadata().configuration)
    if (lower_ascii(k) == "delta.enabledeletionvectors") enabled = lower_ascii(v) == "true";
  return enabled && snap.protocol().min_reader_version >= 3 &&
         snap.protocol().min_writer_version >= 7 &&
         has_feature(snap.protocol().reader_features, "deletionVectors") &&
         has_feature(snap.protocol().writer_features, "deletionVectors");
}

RowChangeResult DeltaTable::replace_rows(sql::Connection& con, const RowChange& change,
                                         const WriteOptions& options) {
  static std::atomic<uint64_t> counter{0};
  Snapshot snap = snapshot(VersionSpec{change.read_version, std::nullopt});
  if (options.txn_app_id.has_value() != options.txn_version.has_value()) {
    throw UsageError("WriteOptions: txn_app_id and txn_version go together");
  }
  RowChangeResult result;
  if (options.txn_app_id) {
    // The txn may be in a version after read_version: that commit is then a conflict, but a
    // retry from the latest version would skip. Check the latest here to skip without work.
    Snapshot latest = snapshot();
    auto done = latest.transaction_version(*options.txn_app_id);
    if (done && *done >= *options.txn_version) {
      result.commit = CommitResult{latest.version(), true, 1};
      return result;
    }
  }
  const bool has_removals = !change.removed_rows_sql.empty();
  check_writable(snap.protocol(), snap.metadata(), root_, has_removals);
  const bool use_dv = writes_deletion_vectors(snap);

  // The removed rows, grouped by file. Files are numbered by their position in the snapshot.
  std::unordered_map<std::string, size_t> file_index;
  const auto& files = snap.files();
  for (size_t i = 0; i < files.size(); ++i)
    file_index.emplace(absolute_path(root_, files[i].path), i);
  std::map<size_t, std::vector<uint64_t>> removed;  // by file index, ascending rows
  if (has_removals) {
    const std::string map_table = "__dls_rlw_files_" + std::to_string(counter++);
    con.execute("CREATE TEMP TABLE " + sql::quote_identifier(map_table) +
                " AS SELECT DISTINCT __dls_file FROM (" + change.removed_rows_sql + ") AS __r");
    std::vector<std::string> paths;
    {
      auto r = con.query("SELECT __dls_file FROM " + sql::quote_identifier(map_table));
      while (auto chunk = r.next_chunk()) {
        for (size_t i = 0; i < chunk->size(); ++i) {
          if (chunk->is_null(0, i)) throw UsageError("replace_rows: a removed row has no file");
          paths.push_back(chunk->get_string(0, i));
        }
      }
    }
    con.execute("DROP TABLE " + sql::quote_identifier(map_table));
    con.execute("CREATE TEMP TABLE " + sql::quote_identifier(map_table) +
                " (path VARCHAR, idx BIGINT)");
    {
      auto app = con.appender(map_table);
      for (const auto& p : paths) {
        auto it = file_index.find(p);
        if (it == file_index.end()) {
          throw UsageError("replace_rows on the Delta table at " + root_ + ": the file " + p +
                           " is not active at version " + std::to_string(snap.version()));
        }
        app.append(p);
        app.append(static_cast<int64_t>(it->second));
        app.end_row();
      }
      app.close();
    }
    auto r = con.query("SELECT DISTINCT m.idx, r.__dls_row FROM (" + change.removed_rows_sql +
                       ") AS r JOIN " + sql::quote_identifier(map_table) +
                       " AS m ON r.__dls_file = m.path ORDER BY 1, 2");
    while (auto chunk = r.next_chunk()) {
      for (size_t i = 0; i < chunk->size(); ++i) {
        if (chunk->is_null(1, i)) throw UsageError("replace_rows: a removed row has no index");
        int64_t row = chunk->get_int(1, i);
        if (row < 0) throw UsageError("replace_rows: a removed row has a negative index");
        removed[static_cast<size_t>(chunk->get_int(0, i))].push_back(static_cast<uint64_t>(row));
      }
    }
    con.execute("DROP TABLE " + sql::quote_identifier(map_table));
  }
  // Nothing to change: no commit — unless a txn is to be recorded (exactly-once writers need
  // the batch marked done even when it changed nothing).
  if (removed.empty() && change.added_rows_sql.empty() && !options.txn_app_id) {
    result.commit = CommitResult{snap.version(), true, 1};
    return result;
  }

  DataWriter writer(storage_, root_, snap.metadata());
  WrittenFiles written;
  WrittenFiles change_data;  // paths relative to <root>/_change_data
  const bool cdf = change_data_feed_enabled(snap.metadata());
  auto discard_change_data = [&](const WrittenFiles& files) noexcept {
    for (const auto& a : files.adds) {
      try {
        storage_->remove(root_ + "/_change_data/" + decode_path(a.path));
      } catch (...) {
      }
    }
  };
  DeletionVectorFileBuilder dv_file;
  bool dv_written = false;
  Transaction tx(snap);
  tx.mark_read_data();
  const int64_t now = now_ms();
  try {
    std::vector<AddFile> rewrite;  // copy-on-write: files whose kept rows move to new files
    for (auto& [idx, rows] : removed) {
      const AddFile& f = files[idx];
      std::vector<uint64_t> all = rows;
      if (f.deletion_vector) {
        std::vector<uint64_t> old = read_deletion_vector(*storage_, root_, *f.deletion_vector);
        std::vector<uint64_t> merged;
        merged.reserve(old.size() + all.size());
        std::set_union(old.begin(), old.end(), all.begin(), all.end(), std::back_inserter(merged));
        // Rows already deleted are not deleted again (a scan never returns them).
        result.deleted_rows += static_cast<int64_t>(merged.size() - old.size());
        all = std::move(merged);
      } else {
        result.deleted_rows += static_cast<int64_t>(all.size());
      }
      auto records = num_records(f);
      if (records && !all.empty() && all.back() >= static_cast<uint64_t>(*records)) {
        throw UsageError("replace_rows on the Delta table at " + root_ + ": the removed row " +
                         std::to_string(all.back()) + " of " + f.path + " is beyond its " +
                         std::to_string(*records) + " rows");
      }
      if (records && static_cast<int64_t>(all.size()) == *records) {
        tx.remove_file(remove_of(f, now));  // every row is gone: no DV, no rewrite
        ++result.removed_files;
        continue;
      }
      // Merge-on-read until a third of the file is deleted, then copy-on-write: reads stop
      // filtering ever larger DVs, and the dead rows and superseded DV files stop piling up
      // (what OPTIMIZE would otherwise have to purge).
      const bool mostly_deleted =
          records && static_cast<double>(all.size()) > kRewriteDeletedFraction * *records;
      if (!use_dv || mostly_deleted) {
        rewrite.push_back(f);
        continue;
      }
      AddFile next = f;
      next.deletion_vector = dv_file.add(all);
      next.stats = widened_stats(f.stats);
      next.data_change = true;
      tx.remove_file(remove_of(f, now));
      tx.add_file(next);
      ++result.deletion_vectors_added;
    }
    if (!rewrite.empty()) {
      const std::string gone = "__dls_rlw_gone_" + std::to_string(counter++);
      con.execute("CREATE TEMP TABLE " + sql::quote_identifier(gone) +
                  " (__dls_file VARCHAR, __dls_row BIGINT)");
      {
        auto app = con.appender(gone);
        for (const auto& f : rewrite) {
          const std::string path = absolute_path(root_, f.path);
          for (uint64_t row : removed[file_index.at(path)]) {
            app.append(path);
            app.append(static_cast<int64_t>(row));
            app.end_row();
          }
        }
        app.close();
      }
      ScanOptions scan_options;
      scan_options.files = rewrite;
      scan_options.with_row_address = true;
      const std::string kept = "SELECT * EXCLUDE (__dls_file, __dls_row) FROM (" +
                               TableScan(snap, scan_options).sql(con) + ") AS __s ANTI JOIN " +
                               sql::quote_identifier(gone) +
                               " AS __g ON __s.__dls_file = __g.__dls_file AND __s.__dls_row = "
                               "__g.__dls_row";
      WrittenFiles copy = writer.write(con, kept, options.target_file_rows);
      con.execute("DROP TABLE " + sql::quote_identifier(gone));
      result.copied_rows = copy.num_rows;
      written = std::move(copy);
      for (const auto& f : rewrite) tx.remove_file(remove_of(f, now));
      result.removed_files += static_cast<int64_t>(rewrite.size());
    }
    if (!change.added_rows_sql.empty()) {
      WrittenFiles added = writer.write(con, change.added_rows_sql, options.target_file_rows);
      result.added_rows = added.num_rows;
      written.num_rows += added.num_rows;
      written.num_bytes += added.num_bytes;
      for (auto& a : added.adds) written.adds.push_back(std::move(a));
    }
    if (cdf) {
      // The change data feed: the removed rows as they were (rows an older DV already hid are
      // not read) and the added rows, each with its _change_type, under _change_data/.
      const std::string id = std::to_string(counter++);
      const std::string old_rows = sql::quote_identifier("__dls_rlw_old_" + id);
      const std::string new_rows = sql::quote_identifier("__dls_rlw_new_" + id);
      std::vector<std::string> columns;
      std::string cols;
      for (const auto& f : snap.schema().fields) {
        columns.push_back(f.name);
        cols += (cols.empty() ? "" : ", ") + sql::quote_identifier(f.name);
      }
      std::vector<AddFile> touched;
      for (const auto& [idx, rows] : removed) touched.push_back(files[idx]);
      ScanOptions scan_options;
      scan_options.files = touched;
      scan_options.with_row_address = true;
      con.execute("CREATE TEMP TABLE " + old_rows + " AS SELECT " + cols + " FROM (" +
                  (touched.empty() ? "SELECT " + cols +
                                         ", NULL::VARCHAR AS __dls_file, "
                                         "NULL::BIGINT AS __dls_row FROM (" +
                                         TableScan(snap).sql(con) + ") WHERE false"
                                   : TableScan(snap, scan_options).sql(con)) +
                  ") AS __s" +
                  (has_removals ? " SEMI JOIN (" + change.removed_rows_sql +
                                      ") AS __r ON __s.__dls_file = __r.__dls_file AND "
                                      "__s.__dls_row = __r.__dls_row"
                                : std::string(" WHERE false")));
      con.execute("CREATE TEMP TABLE " + new_rows + " AS SELECT " + cols + " FROM (" +
                  (change.added_rows_sql.empty() ? "SELECT * FROM " + old_rows + " WHERE false"
                                                 : writer.conform(con, change.added_rows_sql)) +
                  ") AS __n");
      Metadata change_metadata = snap.metadata();
      Schema change_schema = snap.schema();
      change_schema.fields.push_back(
          StructField{"_change_type", DataType::from_duckdb("VARCHAR"), true});
      change_metadata.schema_string = change_schema.to_json_string();
      storage_->create_directories(root_ + "/_change_data");
      DataWriter change_writer(storage_, root_ + "/_change_data", change_metadata);
      change_data = change_writer.write(
          con, change_rows_sql(columns, change.key_columns, old_rows, new_rows));
      con.execute("DROP TABLE " + old_rows);
      con.execute("DROP TABLE " + new_rows);
      result.change_data_rows = change_data.num_rows;
      for (const auto& a : change_data.adds)
        tx.add_change_data_file(
            ChangeDataFile{"_change_data/" + a.path, a.partition_values, a.size});
    }
    if (!dv_file.empty()) {
      dv_file.write(*storage_, root_);
      dv_written = true;
    }
  } catch (...) {
    writer.discard(written);
    discard_change_data(change_data);
    if (dv_written) discard_dv(*storage_, dv_file.path(root_));
    throw;
  }
  for (const auto& add : written.adds) tx.add_file(add);
  result.added_files = static_cast<int64_t>(written.adds.size());
  if (result.deleted_rows == 0 && written.adds.empty() && !options.txn_app_id) {
    result.commit = CommitResult{snap.version(), true, 1};
    return result;
  }
  if (options.txn_app_id) tx.set_transaction(*options.txn_app_id, *options.txn_version);
  nlohmann::json params = nlohmann::json::object();
  for (const auto& [k, v] : options.operation_parameters.items()) params[k] = v;
  tx.set_operation(options.operation == "WRITE" ? "MERGE" : options.operation, params);
  tx.set_metrics({{"numTargetRowsDeleted", result.deleted_rows},
                  {"numTargetRowsInserted", result.added_rows},
                  {"numTargetRowsCopied", result.copied_rows},
                  {"numTargetDeletionVectorsAdded", result.deletion_vectors_added},
                  {"numTargetFilesRemoved", result.removed_files},
                  {"numTargetFilesAdded", result.added_files},
                  {"numOutputRows", written.num_rows},
                  {"numTargetBytesAdded", written.num_bytes},
                  {"numTargetChangeFilesAdded", change_data.adds.size()}});
  // As commit_or_discard: the DV file goes only when the commit certainly did not happen (after
  // another error the commit may exist and reference it).
  try {
    result.commit = commit_or_discard(tx, writer, written);
  } catch (const CommitConflictError&) {
    if (dv_written) discard_dv(*storage_, dv_file.path(root_));
    discard_change_data(change_data);
    throw;
  } catch (const UnsupportedFeatureError&) {
    if (dv_written) discard_dv(*storage_, dv_file.path(root_));
    discard_change_data(change_data);
    throw;
  }
  if (result.commit.skipped) {
    if (dv_written) discard_dv(*storage_, dv_file.path(root_));
    discard_change_data(change_data);
  }
  return result;
}

}  // namespace dls::delta
