#include "delta/checkpoint_reader.h"

#include "dls/delta/delta_error.h"
#include "dls/delta/snapshot.h"

namespace dls::delta {

namespace {

struct Collected {
  bool with_tombstones = false;
  std::vector<Action> actions;
  std::vector<std::string> sidecars;  // paths as written (relative to _delta_log/_sidecars)
};

/// Keeps the action if it belongs to the snapshot state; remembers sidecar references.
void collect(Action&& action, Collected& out) {
  if (auto* other = std::get_if<OtherAction>(&action)) {
    if (other->kind == "sidecar") {
      auto p = other->body.find("path");
      if (p == other->body.end() || !p->is_string())
        throw CorruptTableError("sidecar action without a path");
      out.sidecars.push_back(p->get<std::string>());
    }
    return;  // checkpointMetadata and unknown actions do not change the state
  }
  if (std::holds_alternative<CommitInfo>(action)) return;
  if (std::holds_alternative<RemoveFile>(action) && !out.with_tombstones) return;
  out.actions.push_back(std::move(action));
}

/// The checkpoint columns whose actions make up the snapshot state (and `remove` for tombstones).
/// checkpointMetadata and unknown columns change no state and are not read.
std::vector<std::string> state_columns(bool with_tombstones) {
  std::vector<std::string> columns = {"add", "protocol",       "metaData",
                                      "txn", "domainMetadata", "sidecar"};
  if (with_tombstones) columns.push_back("remove");
  return columns;
}

}  // namespace

std::vector<Action> read_checkpoint(Engine& engine, const Storage& storage,
                                    const std::string& table_root, const CheckpointFiles& cp,
                                    bool with_tombstones) {
  Collected out;
  out.with_tombstones = with_tombstones;
  for (const LogFile& f : cp.files) {
    if (!storage.exists(f.path))
      throw CorruptTableError("checkpoint file " + f.path + " is missing");
  }
  if (cp.kind == CheckpointFiles::Kind::kV2Json) {
    const LogFile& f = cp.files.front();
    for (Action& a : parse_commit(storage.read(f.path), f.path)) collect(std::move(a), out);
  } else {
    std::vector<std::string> paths;
    for (const LogFile& f : cp.files) paths.push_back(f.path);
    for (Action& a : engine.read_parquet_actions(paths, state_columns(with_tombstones)))
      collect(std::move(a), out);
  }
  // Any checkpoint may reference sidecars (a v2 checkpoint can also use the classic name).
  if (!out.sidecars.empty()) {
    const std::string sidecar_dir = log_dir(table_root) + "/_sidecars";
    std::vector<std::string> paths;
    for (const std::string& s : out.sidecars) {
      std::string p = decode_path(s);
      if (p.empty() || p.front() != '/') p = sidecar_dir + "/" + p;
      if (!storage.exists(p)) {
        throw CorruptTableError("sidecar file " + p + " of checkpoint " + cp.files.front().path +
                                " is missing");
      }
      paths.push_back(std::move(p));
    }
    // Sidecars hold file actions only; a sidecar reference inside one would be invalid (and is
    // not followed).
    Collected side;
    side.with_tombstones = with_tombstones;
    for (Action& a : engine.read_parquet_actions(paths, state_columns(with_tombstones)))
      collect(std::move(a), side);
    for (Action& a : side.actions) out.actions.push_back(std::move(a));
  }
  return std::move(out.actions);
}

}  // namespace dls::delta
