#include "dls/delta/transaction.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "delta/checkpoint_writer.h"
#include "delta/log_cleanup.h"
#include "delta/random_uuid.h"
#include "delta/tombstones.h"
#include "delta/writer_features.h"
#include "dls/core/error.h"
#include "dls/delta/deletion_vector.h"
#include "dls/delta/delta_error.h"
#include "dls/delta/warnings.h"

namespace dls::delta {

namespace fs = std::filesystem;

namespace {

// Spark writes operationParameters and operationMetrics values as strings (JSON-encoded for
// non-strings); history readers expect that shape.
nlohmann::json stringify_values(const nlohmann::json& in) {
  nlohmann::json out = nlohmann::json::object();
  if (!in.is_object()) return out;
  for (const auto& [key, value] : in.items()) {
    out[key] = value.is_string() ? value.get<std::string>() : value.dump();
  }
  return out;
}

std::string operation_of(const std::vector<Action>& actions) {
  for (const auto& a : actions) {
    if (const auto* ci = std::get_if<CommitInfo>(&a)) {
      if (auto op = ci->operation()) return *op;
    }
  }
  return "unknown operation";
}

}  // namespace

Transaction::Transaction(Snapshot read_snapshot)
    : storage_(read_snapshot.storage_ptr()),
      table_root_(read_snapshot.table_root()),
      read_snapshot_(std::move(read_snapshot)) {}

Transaction::Transaction(std::shared_ptr<Storage> storage, std::string table_root)
    : storage_(std::move(storage)), table_root_(std::move(table_root)) {
  while (table_root_.size() > 1 && table_root_.back() == '/') table_root_.pop_back();
}

void Transaction::set_protocol(Protocol protocol) {
  protocol_ = std::move(protocol);
}
void Transaction::set_metadata(Metadata metadata) {
  metadata_ = std::move(metadata);
}
void Transaction::add_file(AddFile add) {
  adds_.push_back(std::move(add));
}
void Transaction::remove_file(RemoveFile remove) {
  removes_.push_back(std::move(remove));
}

void Transaction::add_change_data_file(ChangeDataFile file) {
  change_files_.push_back(std::move(file));
}

void Transaction::set_transaction(const std::string& app_id, int64_t version) {
  txn_ = SetTransaction{app_id, version, std::nullopt};
}

void Transaction::set_operation(std::string operation, nlohmann::json parameters) {
  operation_ = std::move(operation);
  parameters_ = std::move(parameters);
}

void Transaction::set_metrics(nlohmann::json metrics) {
  metrics_ = std::move(metrics);
}
void Transaction::mark_read_data() {
  read_data_ = true;
}

bool Transaction::check_winner(int64_t winner_version, int64_t read_version,
                               std::vector<Action>& winner) {
  const std::string path = log_dir(table_root_) + "/" + commit_file_name(winner_version);
  winner = parse_commit(storage_->read(path), path);
  const bool blind_append = !read_data_ && removes_.empty() && !metadata_ && !protocol_;
  // A rearrangement (OPTIMIZE: every add and remove with dataChange=false, nothing read through a
  // predicate) stays valid when others add files; only the removal of a file it rewrites
  // conflicts.
  const bool rearrangement =
      !read_data_ && !metadata_ && !protocol_ &&
      std::all_of(adds_.begin(), adds_.end(), [](const AddFile& a) { return !a.data_change; }) &&
      std::all_of(removes_.begin(), removes_.end(),
                  [](const RemoveFile& r) { return !r.data_change; });
  std::set<std::string> our_removes;
  for (const auto& r : removes_) our_removes.insert(r.path);

  auto conflict = [&](const std::string& reason) {
    throw CommitConflictError(
        "concurrent modification of the Delta table at " + table_root_ + ": this " + operation_ +
        " read version " + std::to_string(read_version) + ", but version " +
        std::to_string(winner_version) + " (" + operation_of(winner) + ", committed meanwhile) " +
        reason + "; nothing was committed — retry the " + operation_ + " on the new version");
  };
  for (const auto& action : winner) {
    if (std::holds_alternative<Protocol>(action)) conflict("changed the table protocol");
    if (std::holds_alternative<Metadata>(action))
      conflict("changed the table metadata (schema or properties)");
    if (const auto* t = std::get_if<SetTransaction>(&action)) {
      if (txn_ && t->app_id == txn_->app_id) {
        if (t->version >= txn_->version) return true;
        conflict("committed txn version " + std::to_string(t->version) + " of the same appId '" +
                 t->app_id + "' (two writers for one application)");
      }
    }
    if (const auto* r = std::get_if<RemoveFile>(&action)) {
      if (our_removes.count(r->path))
        conflict("removed the file " + r->path + ", which this transaction also removes");
      if (read_data_) conflict("removed data that this transaction read");
    }
    if (std::holds_alternative<AddFile>(action) && !blind_append && !rearrangement) {
      conflict("added data files that this transaction did not read");
    }
  }
  if (metadata_ || protocol_) {
    // Our metadata change was decided against the version we read; any data committed in between
    // may not fit it.
    for (const auto& a : winner) {
      if (!std::holds_alternative<CommitInfo>(a))
        conflict("changed the table while this transaction changes its metadata");
    }
  }
  return false;
}

CommitResult Transaction::commit() {
  if (committed_) {
    throw UsageError("a Transaction on the Delta table at " + table_root_ +
                     " can commit only once; start a new one");
  }
  committed_ = true;
  const bool creating = !read_snapshot_.has_value();
  const int64_t read_version = creating ? -1 : read_snapshot_->version();

  if (txn_ && !creating) {
    auto done = read_snapshot_->transaction_version(txn_->app_id);
    if (done && *done >= txn_->version) return CommitResult{read_version, true, 1};
  }
  if (creating && (!protocol_ || !metadata_)) {
    throw UsageError("creating the Delta table at " + table_root_ +
                     " needs a protocol and a metadata action");
  }
  // A metadata change that needs a table feature (a timestamp_ntz column added by schema
  // evolution) upgrades the protocol in the same commit: readers never see the new schema under
  // a protocol that does not announce it.
  if (!creating && metadata_ && !protocol_) {
    if (auto upgraded = protocol_upgrade(read_snapshot_->protocol(), *metadata_)) {
      protocol_ = std::move(*upgraded);
    }
  }
  const Protocol& protocol = protocol_ ? *protocol_ : read_snapshot_->protocol();
  const Metadata& metadata = metadata_ ? *metadata_ : read_snapshot_->metadata();
  check_writable(protocol, metadata, table_root_, !removes_.empty());

  const bool blind_append = !read_data_ && removes_.empty() && !metadata_ && !protocol_;
  nlohmann::json info = {
      {"operation", operation_},
      {"operationParameters", stringify_values(parameters_)},
      {"isolationLevel", "Serializable"},
      {"isBlindAppend", blind_append},
      {"operationMetrics", stringify_values(metrics_)},
      {"engineInfo", std::string("dls/") + DLS_VERSION},
      {"txnId", random_uuid()},
  };
  if (!creating) info["readVersion"] = read_version;

  std::vector<Action> actions;
  actions.emplace_back(CommitInfo{});  // filled per attempt (timestamp)
  if (protocol_) actions.emplace_back(*protocol_);
  if (metadata_) actions.emplace_back(*metadata_);
  if (txn_) {
    SetTransaction t = *txn_;
    t.last_updated = now_ms();
    actions.emplace_back(t);
  }
  for (const auto& r : removes_) actions.emplace_back(r);
  for (const auto& a : adds_) actions.emplace_back(a);
  for (const auto& c : change_files_) {
    nlohmann::json values = nlohmann::json::object();
    for (const auto& [k, v] : c.partition_values)
      values[k] = v ? nlohmann::json(*v) : nlohmann::json();
    actions.emplace_back(OtherAction{
        "cdc",
        {{"path", c.path}, {"partitionValues", values}, {"size", c.size}, {"dataChange", false}}});
  }

  storage_->create_directories(log_dir(table_root_));
  make_files_durable();
  int64_t version = read_version + 1;
  // The snapshot this commit applies to: the read snapshot advanced over each winning commit.
  std::optional<Snapshot> base = read_snapshot_;
  for (int attempt = 1;; ++attempt) {
    info["timestamp"] = now_ms();
    CommitInfo ci;
    ci.fields = info;
    actions[0] = ci;
    const std::string path = log_dir(table_root_) + "/" + commit_file_name(version);
    if (storage_->put_if_absent(path, serialize_commit(actions))) {
      CommitResult result{version, false, attempt};
      result.snapshot = advanced_snapshot(base, version, std::move(actions), path);
      if (result.snapshot) result.snapshot = write_checkpoint_if_due(std::move(*result.snapshot));
      result.checkpoint_error = checkpoint_error_;
      return result;
    }
    if (creating) {
      throw CommitConflictError("cannot create the Delta table at " + table_root_ +
                                ": another writer created it first (version 0 exists)");
    }
    std::vector<Action> winner;
    if (check_winner(version, read_version, winner)) return CommitResult{version, true, attempt};
    if (base) {
      try {
        base = base->advance(version, std::move(winner), storage_->stat(path).modification_time_ms);
      } catch (const Error&) {
        base.reset();  // e.g. a winner enabled a reader feature we refuse: load after the commit
      }
    }
    ++version;
    if (attempt >= 100000) {
      throw CommitConflictError("gave up committing to the Delta table at " + table_root_ +
                                " after " + std::to_string(attempt) + " attempts");
    }
  }
}

void Transaction::make_files_durable() {
  // A power loss after the commit must not leave it pointing at a missing or short file: every
  // file it adds (data files, their DV files) and every directory entry leading to them, up to
  // and including the table root (new partition directories, a new _delta_log), is fsynced before
  // put_if_absent links the commit file. put_if_absent then fsyncs _delta_log after the link.
  std::set<std::string> files, dirs;
  auto add_path = [&](const std::string& absolute) {
    files.insert(absolute);
    fs::path dir = fs::path(absolute).parent_path();
    const fs::path root(table_root_);
    // Directories inside the table, up to the root; an outside file only needs its own directory.
    const bool inside = absolute.rfind(table_root_ + "/", 0) == 0;
    for (; !dir.empty(); dir = dir.parent_path()) {
      dirs.insert(dir.string());
      if (!inside || dir == root || dir == dir.parent_path()) break;
    }
  };
  for (const auto& add : adds_) {
    std::string path = decode_path(add.path);
    add_path(!path.empty() && path.front() == '/' ? path : table_root_ + "/" + path);
    if (add.deletion_vector && add.deletion_vector->storage_type != "i")
      add_path(deletion_vector_path(*add.deletion_vector, table_root_));
  }
  for (const auto& c : change_files_) add_path(table_root_ + "/" + decode_path(c.path));
  dirs.insert(table_root_);  // holds _delta_log, which may be new
  for (const auto& f : files) {
    try {
      storage_->sync_file(f);
    } catch (const NotFoundError&) {
      throw CorruptTableError("cannot commit to the Delta table at " + table_root_ + ": the file " +
                              f + " it adds does not exist; nothing was committed");
    }
  }
  for (const auto& d : dirs) storage_->sync_directory(d);
}

std::optional<Snapshot> Transaction::advanced_snapshot(const std::optional<Snapshot>& base,
                                                       int64_t version, std::vector<Action> actions,
                                                       const std::string& commit_path) const {
  // The commit is durable: failing to build its snapshot in memory must not fail it. Creating a
  // table, or a state advance refuses (which a load would refuse too), loads the version instead.
  try {
    const int64_t mtime = storage_->stat(commit_path).modification_time_ms;
    if (base) return base->advance(version, std::move(actions), mtime);
  } catch (const Error&) {
  }
  try {
    return Snapshot::load(storage_, table_root_, VersionSpec{version, std::nullopt});
  } catch (const Error&) {
    return std::nullopt;
  }
}

Snapshot Transaction::write_checkpoint_if_due(Snapshot snapshot) {
  const int64_t version = snapshot.version();
  try {
    int64_t interval = int_property(snapshot.metadata(), "delta.checkpointInterval", 10);
    if (version == 0 || version % interval != 0) return snapshot;
    write_checkpoint(snapshot);
  } catch (const std::exception& e) {
    // The commit is durable; a missing checkpoint only makes the next load replay more JSON.
    checkpoint_error_ = "the checkpoint of version " + std::to_string(version) +
                        " of the Delta table at " + table_root_ + " failed: " + e.what();
    warn(*checkpoint_error_ + " (the commit succeeded)");
    return snapshot;
  }
  try {
    cleanup_expired_logs(*storage_, table_root_, snapshot.metadata(), version, now_ms());
  } catch (const std::exception& e) {
    warn("cleaning the log of the Delta table at " + table_root_ + " after the checkpoint of " +
         "version " + std::to_string(version) + " failed: " + e.what() +
         " (the commit and the checkpoint succeeded; the next checkpoint retries)");
  }
  return snapshot.with_checkpoint_version(version);
}

}  // namespace dls::delta
