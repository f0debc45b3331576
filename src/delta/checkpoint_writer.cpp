#include "delta/checkpoint_writer.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "delta/random_uuid.h"
#include "delta/tombstones.h"
#include "delta/writer_features.h"
#include "dls/core/error.h"
#include "dls/sql/connection.h"
#include "dls/sql/database.h"
#include "dls/sql/quote.h"

namespace dls::delta {

namespace {

namespace fs = std::filesystem;

constexpr int64_t kDefaultRetentionMs = 7LL * 24 * 3600 * 1000;

const char* kDeletionVector =
    "STRUCT(storageType VARCHAR, pathOrInlineDv VARCHAR, \"offset\" INTEGER, sizeInBytes INTEGER, "
    "cardinality BIGINT)";

std::vector<std::pair<std::string, std::string>> checkpoint_columns() {
  const std::string dv = kDeletionVector;
  return {
      {"protocol",
       "STRUCT(minReaderVersion INTEGER, minWriterVersion INTEGER, readerFeatures VARCHAR[], "
       "writerFeatures VARCHAR[])"},
      {"metaData",
       "STRUCT(id VARCHAR, name VARCHAR, description VARCHAR, format STRUCT(provider VARCHAR, "
       "options MAP(VARCHAR, VARCHAR)), schemaString VARCHAR, partitionColumns VARCHAR[], "
       "configuration MAP(VARCHAR, VARCHAR), createdTime BIGINT)"},
      {"txn", "STRUCT(appId VARCHAR, \"version\" BIGINT, lastUpdated BIGINT)"},
      {"add",
       "STRUCT(path VARCHAR, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT, "
       "modificationTime BIGINT, dataChange BOOLEAN, stats VARCHAR, tags MAP(VARCHAR, VARCHAR), "
       "deletionVector " +
           dv + ", baseRowId BIGINT, defaultRowCommitVersion BIGINT, clusteringProvider VARCHAR)"},
      {"remove",
       "STRUCT(path VARCHAR, deletionTimestamp BIGINT, dataChange BOOLEAN, extendedFileMetadata "
       "BOOLEAN, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT, deletionVector " +
           dv + ", baseRowId BIGINT, defaultRowCommitVersion BIGINT)"},
      {"domainMetadata", "STRUCT(domain VARCHAR, configuration VARCHAR, removed BOOLEAN)"},
  };
}

/// Removes a scratch directory when the checkpoint ends, however it ends.
struct ScratchDir {
  fs::path path;
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

}  // namespace

std::string checkpoint_columns_sql() {
  std::string out = "{";
  for (const auto& [name, type] : checkpoint_columns()) {
    if (out.size() > 1) out += ", ";
    out += sql::quote_literal(name) + ": " + sql::quote_literal(type);
  }
  return out + "}";
}

CheckpointInfo write_checkpoint(const Snapshot& snapshot) {
  const int64_t version = snapshot.version();
  const Metadata& metadata = snapshot.metadata();
  sql::Database db("", {{"threads", "1"}});
  auto con = db.connect();
  int64_t retention =
      interval_property_ms(metadata, "delta.deletedFileRetentionDuration", kDefaultRetentionMs);
  std::vector<RemoveFile> tombstones = collect_tombstones(snapshot, now_ms() - retention);

  std::ostringstream lines;
  int64_t size = 0;
  auto emit = [&](const Action& a) {
    lines << action_to_json(a).dump() << '\n';
    ++size;
  };
  emit(snapshot.protocol());
  emit(metadata);
  for (const auto& [app, v] : snapshot.transactions()) emit(SetTransaction{app, v, std::nullopt});
  for (AddFile add : snapshot.files()) {
    add.data_change = false;  // a checkpoint rearranges nothing
    emit(add);
  }
  for (RemoveFile r : tombstones) {
    // Tombstones only serve VACUUM: no stats or tags in checkpoints (protocol).
    r.stats.reset();
    r.tags.reset();
    r.data_change = false;
    emit(r);
  }
  for (const auto& [domain, dm] : snapshot.domain_metadata()) {
    if (!dm.removed) emit(dm);
  }

  ScratchDir scratch{fs::temp_directory_path() / ("dls-checkpoint-" + random_uuid())};
  fs::create_directories(scratch.path);
  const fs::path actions = scratch.path / "actions.json";
  const fs::path parquet = scratch.path / "checkpoint.parquet";
  {
    std::ofstream out(actions, std::ios::binary);
    out << lines.str();
    if (!out.flush()) throw Error("cannot write " + actions.string());
  }
  std::string columns;
  for (const auto& [name, type] : checkpoint_columns()) {
    columns += (columns.empty() ? "" : ", ") + sql::quote_identifier(name);
  }
  con.execute("COPY (SELECT " + columns + " FROM read_json(" +
              sql::quote_literal(actions.string()) +
              ", format = 'newline_delimited', maximum_object_size = 1073741824, columns = " +
              checkpoint_columns_sql() + ")) TO " + sql::quote_literal(parquet.string()) +
              " (FORMAT parquet, COMPRESSION snappy)");
  std::string bytes;
  {
    std::ifstream in(parquet, std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    bytes = buf.str();
    // A short read would publish a truncated checkpoint; the size on disk is the reference.
    std::error_code ec;
    const auto expected = fs::file_size(parquet, ec);
    if (!in || ec || bytes.size() != expected)
      throw Error("cannot read the checkpoint written to " + parquet.string());
  }
  std::string name = commit_file_name(version);
  name = name.substr(0, name.size() - 5) + ".checkpoint.parquet";
  const std::string dir = log_dir(snapshot.table_root());
  snapshot.storage().write_atomic(dir + "/" + name, bytes);

  CheckpointInfo info{version, size, static_cast<int64_t>(bytes.size()),
                      static_cast<int64_t>(snapshot.files().size())};
  // _last_checkpoint only moves forward: a slower writer of an older checkpoint must not hide a
  // newer one (a reader would still find it by listing, but would pay for it). The read and the
  // replacement happen under the lock on _delta_log, so two dls writers cannot interleave them
  // (read 5, read 5, write 20, write 10); the replacement itself is atomic (temp + rename).
  const std::string last = dir + "/_last_checkpoint";
  auto lock = snapshot.storage().lock(dir);
  try {
    auto existing = nlohmann::json::parse(snapshot.storage().read(last));
    if (existing.is_object() && existing.contains("version")) {
      auto current = json_to_int64(existing["version"]);
      if (current && *current >= version) return info;
    }
  } catch (const NotFoundError&) {
    // None yet.
  } catch (const nlohmann::json::exception&) {
    // Unreadable (e.g. truncated by another engine): replace it.
  }
  nlohmann::json j = {{"version", version},
                      {"size", size},
                      {"sizeInBytes", info.size_in_bytes},
                      {"numOfAddFiles", info.num_of_add_files}};
  snapshot.storage().write_atomic(last, j.dump());
  return info;
}

}  // namespace dls::delta
