// The write-ahead offsets log of one streaming flow (DESIGN §7, "exactly once"):
//
//   <checkpoint_dir>/offsets/<batch>.json    {"batch": N, "offsets": <source offsets>, ...}
//
// Protocol (PipelineRunner): before batch N is read, its offsets are written here durably
// (temporary file, fsync, rename, fsync of the directory); then the batch's output is committed to
// the Delta table(s) with the txn action (appId, version N). On restart, the latest entry is
// either committed (the table's txn version for appId is >= N: continue after it) or not (re-run
// batch N with exactly these offsets). An entry is never rewritten; the entry of a batch that
// failed before any of its output was committed may be removed (forget), so that the next update
// plans again from the input that is there then. Not thread-safe; one flow is run by one thread of
// one process at a time (the pipeline lock guarantees it).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>

#include <nlohmann/json.hpp>

namespace dls::pipeline {

class OffsetsLog {
 public:
  explicit OffsetsLog(std::filesystem::path checkpoint_dir);

  struct Entry {
    int64_t batch = 0;
    nlohmann::json offsets;
  };

  /// The entry with the highest batch number, if any. Throws dls::Error naming the file when it
  /// is not valid JSON of the expected shape (never the case for files this class wrote).
  std::optional<Entry> latest() const;
  /// The entry of `batch`, if present.
  std::optional<Entry> read(int64_t batch) const;
  /// Durably writes the entry of `batch`. Throws dls::Error if it exists already.
  void write(int64_t batch, const nlohmann::json& offsets);
  /// Durably removes the entry of `batch` (nothing when absent). Only for a batch none of whose
  /// output was committed.
  void forget(int64_t batch);
  /// Removes entries with a batch number below `batch` (keeps the log short).
  void purge_before(int64_t batch);

  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;  // <checkpoint_dir>/offsets
};

}  // namespace dls::pipeline
