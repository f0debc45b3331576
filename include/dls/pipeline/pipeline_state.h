// A pipeline's persistent state (DESIGN §4: <warehouse>/_pipelines/<pipeline>/):
//
//   checkpoints/<flow>/offsets/<batch>.json   the write-ahead offsets log (offsets_log.h)
//   checkpoints/<flow>/source/                the source's own state (inferred schemas, ...)
//   checkpoints/<flow>/cdc_state/             apply_changes: the CDC state Delta table
//   state/<flow>.json                         materialized views: input fingerprint + table version
//   state/<flow>.full_refresh                 a full refresh of the flow has begun, not finished
//   event_log/                                the event log Delta table (event_log.h)
//   lock                                      held (flock) by the running update
//
// A flow is named by its dataset's qualified name (catalog.schema.table) when it is the table's
// only (or first) flow, else by "<qualified name>@<flow name>"; state/<table>@flows.json records
// which flow owns which name (flow_keys.h). Files are written
// durably (write, fsync, rename). Not thread-safe per flow; different flows may be used from
// different threads.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace dls::pipeline {

class PipelineState {
 public:
  explicit PipelineState(std::filesystem::path pipeline_dir);

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path checkpoint_dir(const std::string& flow) const;
  std::filesystem::path source_state_dir(const std::string& flow) const;
  /// The CDC state table of an apply_changes flow (ApplyChangesRequest::state_root); removed with
  /// the checkpoints by a full refresh.
  std::filesystem::path cdc_state_dir(const std::string& flow) const;
  std::filesystem::path event_log_dir() const { return dir_ / "event_log"; }

  /// The saved state document of a flow (materialized views), if any.
  std::optional<nlohmann::json> load(const std::string& flow) const;
  void save(const std::string& flow, const nlohmann::json& state);

  /// Full refresh in two phases so a crash in between is finished by the next update: begin()
  /// records the intent durably; the caller clears the target; finish() removes the flow's
  /// checkpoints (with the CDC state), source state and saved state, then the mark.
  void begin_full_refresh(const std::string& flow);
  bool full_refresh_pending(const std::string& flow) const;
  void finish_full_refresh(const std::string& flow);

 private:
  std::filesystem::path dir_;
};

/// An exclusive lock on a pipeline (flock on <pipeline_dir>/lock), held for the whole update so
/// two updates of one pipeline never interleave. Released on destruction or when the process
/// dies. Throws dls::Error ("another update of pipeline P is running") when it is held.
class PipelineLock {
 public:
  PipelineLock(const std::filesystem::path& pipeline_dir, const std::string& pipeline);
  ~PipelineLock();
  PipelineLock(const PipelineLock&) = delete;
  PipelineLock& operator=(const PipelineLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace dls::pipeline
