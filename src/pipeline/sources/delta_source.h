// DeltaSource: a Delta table by path or warehouse name (`source_format: delta`), also the reader
// of pipeline datasets (`dlt`).
//
// Streaming (Spark's readStream of a Delta table): the first batch is the whole table at its
// latest version (or, with startingVersion=N, the appends of versions N..latest); each later
// batch holds only the rows added by the commits after the committed version. Offsets:
//   {"source": "delta", "table": root, "initial_snapshot": bool, "start_version": a,
//    "end_version": b}
// A commit in the range that removes data (a remove action with dataChange=true: DELETE,
// UPDATE, MERGE, overwrite) is an Error naming the table, the version and the operation unless
// skipChangeCommits=true, which ignores such commits entirely (as Databricks). Commits without
// data changes (OPTIMIZE, metadata) are skipped; when a range has no new rows plan() returns
// nullopt (nothing to do, and no empty commit downstream).
//
// Batch: the whole snapshot (latest, or versionAsOf=N); fingerprint = table root + version.
//
// readChangeFeed=true (Databricks' option): the rows are the table's change data feed, with
// `_change_type` ('insert', 'delete', 'update_preimage', 'update_postimage'), `_commit_version`
// and `_commit_timestamp` added. Per commit: its change data files (`cdc` actions) when it has
// them, else the rows of the files it adds as inserts and of the files it removes (with the
// deletion vector they had) as deletes. Streaming without startingVersion starts with the table's
// rows at the latest version as inserts, as Spark does; a batch read needs startingVersion (and
// reads up to the latest version, or versionAsOf).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dls/delta/action.h"
#include "dls/delta/snapshot.h"
#include "dls/delta/storage.h"
#include "dls/pipeline/source.h"

namespace dls::pipeline::sources {

class DeltaSource : public Source {
 public:
  /// `kind` names the source in messages ("delta" or "dlt").
  DeltaSource(const DeltaLiveEntity& entity, const SourceContext& context, std::string kind);

  std::optional<nlohmann::json> plan(const nlohmann::json& committed) override;
  SourceBatch batch(sql::Connection& con, const nlohmann::json& planned) override;
  std::string fingerprint() override;
  std::string full_sql(sql::Connection& con) override;
  std::string describe() const override;

 private:
  struct Appends {
    std::vector<delta::AddFile> files;
    int64_t bytes = 0;
  };
  Appends appended_files(int64_t from, int64_t to) const;
  /// Whether any commit in [from, to] changes data (adds, removes or change data files).
  bool has_data_changes(int64_t from, int64_t to) const;
  /// The change data feed of versions [from, to] as a SELECT, read with `snapshot`'s schema.
  std::string change_feed_sql(sql::Connection& con, const delta::Snapshot& snapshot, int64_t from,
                              int64_t to) const;
  std::string where() const;
  /// The path of commit `version`'s file; an Error when log clean-up removed it.
  std::string commit_file(const delta::Storage& storage, int64_t version) const;

  DeltaLiveEntity entity_;
  std::string kind_;
  std::string root_;
  bool skip_change_commits_ = false;
  bool read_change_feed_ = false;
  std::optional<int64_t> starting_version_;
  std::optional<int64_t> version_as_of_;
};

}  // namespace dls::pipeline::sources
