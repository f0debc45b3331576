// Snapshot loading: listing, checkpoint + commit replay, protocol checks, time travel.
#include "dls/delta/snapshot.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "delta/checkpoint_reader.h"
#include "delta/column_mapping.h"
#include "delta/log_replay.h"
#include "delta/log_segment.h"
#include "delta/snapshot_state.h"
#include "dls/core/error.h"
#include "dls/delta/delta_error.h"

namespace dls::delta {

namespace {

/// Reader features whose data dls reads correctly. Writer-only features are listed too: some
/// writers also name them in readerFeatures, and they ask nothing of a reader.
const std::set<std::string>& supported_reader_features() {
  static const std::set<std::string> features = {
      // Reader features that dls implements.
      "columnMapping", "deletionVectors", "timestampNtz", "timestampNTZ", "v2Checkpoint",
      // The scan casts every column to the schema's type, which is what type widening asks.
      "typeWidening", "typeWidening-preview",
      // Reader+writer features that need nothing from a reader.
      "vacuumProtocolCheck",
      // Writer-only features.
      "appendOnly", "invariants", "checkConstraints", "generatedColumns", "changeDataFeed",
      "identityColumns", "rowTracking", "domainMetadata", "icebergCompatV1", "icebergCompatV2",
      "clustering", "inCommitTimestamp", "allowColumnDefaults", "checkpointProtection",
      "icebergWriterCompatV1"};
  return features;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

void check_reader_protocol(const Protocol& p, const std::string& root, int64_t version) {
  const std::string where = "table " + root + " at version " + std::to_string(version);
  std::vector<std::string> unsupported;
  if (p.reader_features) {
    for (const auto& f : *p.reader_features)
      if (!supported_reader_features().count(f)) unsupported.push_back(f);
  }
  if (p.min_reader_version > 3) {
    throw UnsupportedFeatureError(
        where + " requires Delta reader version " + std::to_string(p.min_reader_version) +
        (unsupported.empty() ? std::string() : " and reader features " + join(unsupported)) +
        "; dls supports reader versions 1 to 3 (features columnMapping, deletionVectors, "
        "timestampNtz, v2Checkpoint)");
  }
  if (p.min_reader_version < 1) {
    throw CorruptTableError(where + ": invalid minReaderVersion " +
                            std::to_string(p.min_reader_version));
  }
  if (!unsupported.empty()) {
    throw UnsupportedFeatureError(
        where + " uses the unsupported reader feature" + (unsupported.size() > 1 ? "s " : " ") +
        join(unsupported) +
        "; dls reads tables with reader features columnMapping, deletionVectors, timestampNtz, "
        "v2Checkpoint, typeWidening, vacuumProtocolCheck and refuses others rather than return "
        "wrong rows");
  }
}

bool config_true(const Metadata& m, const std::string& key) {
  auto it = m.configuration.find(key);
  return it != m.configuration.end() && (it->second == "true" || it->second == "TRUE");
}

/// commitInfo.inCommitTimestamp of a commit file: the first action when in-commit timestamps are
/// enabled. Reads only the first line.
std::optional<int64_t> read_in_commit_timestamp(const Storage& storage, const LogFile& commit) {
  std::string content = storage.read(commit.path);
  size_t nl = content.find('\n');
  if (nl != std::string::npos) content.resize(nl);
  try {
    auto j = nlohmann::json::parse(content);
    auto ci = j.find("commitInfo");
    if (ci == j.end() || !ci->is_object()) return std::nullopt;
    auto ict = ci->find("inCommitTimestamp");
    if (ict == ci->end()) return std::nullopt;
    return json_to_int64(*ict);
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

/// The version of the latest commit whose timestamp is <= ts (PROTOCOL.md "In-Commit
/// Timestamps"; without them, the commit file's modification time, made monotonic as Spark does).
int64_t version_at_timestamp(const Storage& storage, const LogListing& listing, int64_t ts) {
  const std::string& root = listing.table_root;
  if (listing.commits.empty()) {
    throw NotFoundError("table " + root + " has no commit files: cannot time travel by timestamp");
  }
  std::vector<const LogFile*> commits;
  commits.reserve(listing.commits.size());
  for (const auto& [v, f] : listing.commits) commits.push_back(&f);
  // File modification times, adjusted to be strictly increasing.
  std::vector<int64_t> times(commits.size());
  for (size_t i = 0; i < commits.size(); ++i) {
    times[i] = commits[i]->modification_time_ms;
    if (i > 0 && times[i] <= times[i - 1]) times[i] = times[i - 1] + 1;
  }
  // In-commit timestamps replace file times from the version that enabled them onwards; they
  // form a suffix of the log, so walk back from the newest while commits carry one.
  for (size_t i = commits.size(); i-- > 0;) {
    auto ict = read_in_commit_timestamp(storage, *commits[i]);
    if (!ict) break;
    times[i] = *ict;
  }
  // Search newest-first: the answer is the last index with times[i] <= ts.
  for (size_t i = commits.size(); i-- > 0;) {
    if (times[i] <= ts) return commits[i]->version;
  }
  throw NotFoundError("table " + root + ": timestamp " + std::to_string(ts) +
                      " ms is before the earliest available commit (version " +
                      std::to_string(commits.front()->version) + " at " +
                      std::to_string(times.front()) + " ms)");
}

std::vector<Action> read_commit(const Storage& storage, const LogFile& commit) {
  std::string content;
  try {
    content = storage.read(commit.path);
  } catch (const NotFoundError&) {
    throw CorruptTableError("commit file " + commit.path + " disappeared while reading the log");
  }
  return parse_commit(
      content, "commit " + commit.path + " (version " + std::to_string(commit.version) + ")");
}

/// The snapshot state after `replay` reached `version` (checks shared by load and advance).
std::shared_ptr<Snapshot::State> state_from_replay(LogReplay& replay,
                                                   std::shared_ptr<Storage> storage,
                                                   std::shared_ptr<Engine> engine,
                                                   const std::string& table_root, int64_t version) {
  using State = Snapshot::State;
  const std::string where = "table " + table_root + " at version " + std::to_string(version);
  if (!replay.protocol()) {
    throw CorruptTableError(where + ": the log has no protocol action (every table must have one)");
  }
  if (!replay.metadata()) {
    throw CorruptTableError(where + ": the log has no metaData action (every table must have one)");
  }
  check_reader_protocol(*replay.protocol(), table_root, version);

  auto state = std::make_shared<State>();
  state->storage = storage;
  state->engine = std::move(engine);
  state->table_root = table_root;
  state->version = version;
  state->protocol = *replay.protocol();
  state->metadata = *replay.metadata();
  if (state->metadata.schema_string.empty()) {
    throw CorruptTableError(where + ": the metaData action" +
                            (replay.metadata_version() >= 0
                                 ? " of " + commit_file_name(replay.metadata_version())
                                 : std::string(" of the checkpoint")) +
                            " has no schemaString (a required field)");
  }
  try {
    state->schema = Schema::from_json_string(state->metadata.schema_string);
  } catch (const Error& e) {
    throw CorruptTableError(where + ": invalid schemaString: " + e.what());
  }
  state->files = replay.take_files();
  state->transactions = replay.transactions();
  state->domain_metadata = replay.domain_metadata();
  state->column_mapping_mode = dls::delta::column_mapping_mode(state->metadata);
  if (state->column_mapping_mode != "none" && state->column_mapping_mode != "name" &&
      state->column_mapping_mode != "id") {
    throw UnsupportedFeatureError(where + ": unknown column mapping mode '" +
                                  state->column_mapping_mode + "'");
  }

  return state;
}

/// True if the entries hold a commit or checkpoint file.
bool holds_log_file(const std::vector<FileInfo>& entries) {
  for (const FileInfo& f : entries) {
    if (f.is_directory || f.name.size() < 21) continue;
    bool digits = std::all_of(f.name.begin(), f.name.begin() + 20,
                              [](char c) { return c >= '0' && c <= '9'; });
    if (!digits || f.name[20] != '.') continue;
    std::string_view rest = std::string_view(f.name).substr(21);
    if (rest == "json" || rest.rfind("checkpoint.", 0) == 0) return true;
  }
  return false;
}

}  // namespace

std::string log_dir(const std::string& table_root) {
  if (!table_root.empty() && table_root.back() == '/') return table_root + "_delta_log";
  return table_root + "/_delta_log";
}

std::string commit_file_name(int64_t version) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020lld.json", static_cast<long long>(version));
  return buf;
}

bool is_delta_table(Storage& storage, const std::string& table_root) {
  const std::string dir = log_dir(table_root);
  // Fast paths before listing the whole log: commit 0, or the checkpoint _last_checkpoint names.
  if (storage.exists(dir + "/" + commit_file_name(0))) return true;
  if (auto hint = read_last_checkpoint_version(storage, table_root)) {
    if (holds_log_file(storage.list_from(dir, commit_file_name(*hint).substr(0, 20)))) return true;
  }
  return holds_log_file(storage.list(dir));
}

Snapshot::Snapshot(std::shared_ptr<const State> state) : state_(std::move(state)) {}

Snapshot Snapshot::load(std::shared_ptr<Storage> storage, const std::string& table_root_in,
                        const VersionSpec& spec, std::shared_ptr<Engine> engine) {
  std::string table_root = table_root_in;
  while (table_root.size() > 1 && table_root.back() == '/') table_root.pop_back();
  if (spec.version && spec.timestamp_ms) {
    throw UsageError("time travel takes a version or a timestamp, not both");
  }
  if (!storage->exists(table_root)) {
    throw TableNotFoundError("no Delta table at " + table_root + ": the path does not exist");
  }
  std::optional<LogSegment> found;
  std::vector<Action> checkpoint_actions;
  // Fast path: list only from the checkpoint _last_checkpoint names. It is taken only when that
  // listing holds a complete checkpoint at the hinted version that reads back and the requested
  // version is at or after it; anything else (no hint, a stale or damaged one, time travel before
  // it or by timestamp) lists the whole log below, so the hint never changes the answer.
  if (!spec.timestamp_ms) {
    if (auto hint = read_last_checkpoint_version(*storage, table_root);
        hint && (!spec.version || *spec.version >= *hint)) {
      try {
        LogListing partial = list_log(*storage, table_root, *hint);
        if (!partial.checkpoints.empty() && partial.checkpoints.front().version == *hint) {
          LogSegment segment = build_segment(partial, spec.version);
          if (segment.checkpoint && segment.checkpoint->version >= *hint) {
            checkpoint_actions =
                read_checkpoint(*engine, *storage, table_root, *segment.checkpoint);
            found = std::move(segment);
          }
        }
      } catch (const Error&) {
        checkpoint_actions.clear();  // fall back to the full listing, which reports any error
      }
    }
  }
  if (!found) {
    LogListing listing = list_log(*storage, table_root);
    std::optional<int64_t> version = spec.version;
    if (spec.timestamp_ms) version = version_at_timestamp(*storage, listing, *spec.timestamp_ms);

    // The newest checkpoint first; if it cannot be read, fall back to the one before it (or to
    // the commits alone) so a damaged checkpoint never makes a table unreadable while its log is
    // intact.
    LogSegment segment = build_segment(listing, version);
    std::optional<CorruptTableError> first_failure;
    while (segment.checkpoint) {
      try {
        checkpoint_actions = read_checkpoint(*engine, *storage, table_root, *segment.checkpoint);
        break;
      } catch (const CorruptTableError& e) {
        if (!first_failure) first_failure = e;
        try {
          segment = build_segment(listing, segment.version, segment.checkpoint->version);
        } catch (const Error&) {
          throw *first_failure;
        }
      }
    }
    found = std::move(segment);
  }
  const LogSegment& segment = *found;

  LogReplay replay;
  if (segment.checkpoint) replay.apply_checkpoint(std::move(checkpoint_actions));
  for (const LogFile& commit : segment.commits)
    replay.apply_commit(commit.version, read_commit(*storage, commit));

  auto state = state_from_replay(replay, storage, engine, table_root, segment.version);
  if (segment.checkpoint) state->checkpoint_version = segment.checkpoint->version;

  // The commit timestamp of this version.
  const bool ict = config_true(state->metadata, "delta.enableInCommitTimestamps");
  std::optional<int64_t> ts;
  if (ict) {
    if (!segment.commits.empty() && segment.commits.back().version == segment.version)
      ts = replay.last_in_commit_timestamp();
    else if (segment.version_commit)
      ts = read_in_commit_timestamp(*storage, *segment.version_commit);
  }
  if (!ts && segment.version_commit) ts = segment.version_commit->modification_time_ms;
  if (!ts && segment.checkpoint) ts = segment.checkpoint->files.front().modification_time_ms;
  state->timestamp_ms = ts.value_or(0);
  return Snapshot(std::move(state));
}

Snapshot Snapshot::advance(int64_t version, std::vector<Action> actions,
                           int64_t commit_file_time_ms) const {
  if (version != state_->version + 1) {
    throw UsageError("Snapshot::advance of the Delta table at " + state_->table_root +
                     ": version " + std::to_string(state_->version) + " can only advance to " +
                     std::to_string(state_->version + 1) + ", not to " + std::to_string(version));
  }
  // The same reconciliation as load: this snapshot's state as a checkpoint, then the commit.
  std::vector<Action> seed;
  seed.reserve(state_->files.size() + state_->transactions.size() + state_->domain_metadata.size() +
               2);
  seed.emplace_back(state_->protocol);
  seed.emplace_back(state_->metadata);
  for (const auto& [app, v] : state_->transactions) seed.emplace_back(SetTransaction{app, v, {}});
  for (const auto& [domain, dm] : state_->domain_metadata) seed.emplace_back(dm);
  for (const AddFile& f : state_->files) seed.emplace_back(f);
  LogReplay replay;
  replay.apply_checkpoint(std::move(seed));
  replay.apply_commit(version, std::move(actions));
  auto state =
      state_from_replay(replay, state_->storage, state_->engine, state_->table_root, version);
  state->checkpoint_version = state_->checkpoint_version;
  std::optional<int64_t> ts;
  if (config_true(state->metadata, "delta.enableInCommitTimestamps"))
    ts = replay.last_in_commit_timestamp();
  state->timestamp_ms = ts.value_or(commit_file_time_ms);
  return Snapshot(std::move(state));
}

Snapshot Snapshot::with_checkpoint_version(int64_t checkpoint_version) const {
  auto state = std::make_shared<State>(*state_);
  state->checkpoint_version = checkpoint_version;
  // A checkpoint stores its adds with dataChange=false, so a load from it has them that way.
  for (AddFile& f : state->files) f.data_change = false;
  return Snapshot(std::move(state));
}

Snapshot Snapshot::with_files(std::vector<AddFile> files, const Schema* schema) const {
  // Member by member, so that this snapshot's (possibly long) file list is not copied.
  auto state = std::make_shared<State>();
  state->storage = state_->storage;
  state->engine = state_->engine;
  state->table_root = state_->table_root;
  state->version = state_->version;
  state->protocol = state_->protocol;
  state->metadata = state_->metadata;
  state->schema = schema ? *schema : state_->schema;
  state->files = std::move(files);
  state->transactions = state_->transactions;
  state->domain_metadata = state_->domain_metadata;
  state->timestamp_ms = state_->timestamp_ms;
  state->column_mapping_mode = state_->column_mapping_mode;
  state->checkpoint_version = state_->checkpoint_version;
  return Snapshot(std::move(state));
}

int64_t Snapshot::version() const {
  return state_->version;
}
const std::string& Snapshot::table_root() const {
  return state_->table_root;
}
const Protocol& Snapshot::protocol() const {
  return state_->protocol;
}
const Metadata& Snapshot::metadata() const {
  return state_->metadata;
}
const Schema& Snapshot::schema() const {
  return state_->schema;
}
const std::vector<std::string>& Snapshot::partition_columns() const {
  return state_->metadata.partition_columns;
}
const std::vector<AddFile>& Snapshot::files() const {
  return state_->files;
}
const std::map<std::string, int64_t>& Snapshot::transactions() const {
  return state_->transactions;
}
std::optional<int64_t> Snapshot::transaction_version(const std::string& app_id) const {
  auto it = state_->transactions.find(app_id);
  if (it == state_->transactions.end()) return std::nullopt;
  return it->second;
}
const std::map<std::string, DomainMetadata>& Snapshot::domain_metadata() const {
  return state_->domain_metadata;
}
int64_t Snapshot::timestamp_ms() const {
  return state_->timestamp_ms;
}
std::string Snapshot::column_mapping_mode() const {
  return state_->column_mapping_mode;
}
std::optional<int64_t> Snapshot::checkpoint_version() const {
  return state_->checkpoint_version;
}
Engine& Snapshot::engine() const {
  return *state_->engine;
}
std::shared_ptr<Engine> Snapshot::engine_ptr() const {
  return state_->engine;
}
Storage& Snapshot::storage() const {
  return *state_->storage;
}
std::shared_ptr<Storage> Snapshot::storage_ptr() const {
  return state_->storage;
}

}  // namespace dls::delta
