#include "delta/checkpoint_writer.h"

#include <nlohmann/json.hpp>

#include "delta/tombstones.h"
#include "delta/writer_features.h"
#include "dls/core/error.h"
#include "dls/delta/engine.h"

namespace dls::delta {

namespace {

constexpr int64_t kDefaultRetentionMs = 7LL * 24 * 3600 * 1000;

}  // namespace

CheckpointInfo write_checkpoint(const Snapshot& snapshot) {
  const int64_t version = snapshot.version();
  const Metadata& metadata = snapshot.metadata();
  int64_t retention =
      interval_property_ms(metadata, "delta.deletedFileRetentionDuration", kDefaultRetentionMs);
  std::vector<RemoveFile> tombstones = collect_tombstones(snapshot, now_ms() - retention);

  std::vector<Action> actions;
  actions.reserve(snapshot.files().size() + tombstones.size() + 2);
  auto emit = [&](Action a) { actions.push_back(std::move(a)); };
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

  const std::string bytes = snapshot.engine().write_parquet_actions(actions);
  std::string name = commit_file_name(version);
  name = name.substr(0, name.size() - 5) + ".checkpoint.parquet";
  const std::string dir = log_dir(snapshot.table_root());
  snapshot.storage().write_atomic(dir + "/" + name, bytes);

  const auto size = static_cast<int64_t>(actions.size());
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
