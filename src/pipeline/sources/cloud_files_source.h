// CloudFilesSource: Auto Loader (`source_format: cloudFiles`) on the local file system.
//
// Discovery: every run lists `source` (recursively; pathGlobFilter applies to file names) and
// takes the files no committed batch has seen, oldest first (modification time, then path), at
// most cloudFiles.maxFilesPerTrigger (default 1000) and about cloudFiles.maxBytesPerTrigger per
// batch. A file is ingested once, by path: a file rewritten in place is not read again
// (Auto Loader's default cloudFiles.allowOverwrites=false).
//
// Offsets (JSON, written to the flow's offsets log by the runner):
//   {"source": "cloudFiles", "format": "csv", "files": [{"path","size","mtime_us"}...],
//    "seen": [paths of every file of this and all earlier batches], "schema_version": N,
//    "schema": [{"name","type"}...]}
// so batch(offsets) reads exactly those files with exactly that schema, every time.
//
// Schema: source_schema when given (schemaEvolutionMode then defaults to none); else inferred
// from the first batch's files and persisted as <state_dir>/_schemas/0.json; a batch whose files
// bring new columns evolves it per cloudFiles.schemaEvolutionMode:
//   addNewColumns (default): the new columns are appended to the schema (version N+1, persisted
//     when the batch is read) and the batch is read with the wider schema. Databricks fails the
//     stream once and continues on restart; locally the update just continues (same data result).
//   rescue: the schema never changes; new columns go to the rescued-data column.
//   failOnNewColumns: plan() fails naming the new columns and their files, on every run, until the
//     files are removed or the columns are given (cloudFiles.schemaHints: then appended as in
//     addNewColumns).
//   none: the schema never changes; new columns are dropped (rescued only when rescuedDataColumn
//     is set).
// A batch that fails before its commit is taken out of the offsets log (dataset_flow.cpp); plan()
// then removes the schema versions newer than the committed batch's, which only such batches
// persisted.
// The rescued-data column (`_rescued_data`, renamed by rescuedDataColumn) is on when the schema
// is inferred or the mode is rescue, as in Auto Loader.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "dls/pipeline/source.h"
#include "dls/sql/database.h"
#include "pipeline/sources/file_format.h"
#include "pipeline/sources/file_listing.h"
#include "pipeline/sources/schema_store.h"

namespace dls::pipeline::sources {

class CloudFilesSource : public Source {
 public:
  CloudFilesSource(const DeltaLiveEntity& entity, const SourceContext& context);
  ~CloudFilesSource() override;

  std::optional<nlohmann::json> plan(const nlohmann::json& committed) override;
  SourceBatch batch(sql::Connection& con, const nlohmann::json& planned) override;
  std::string fingerprint() override;
  std::string full_sql(sql::Connection& con) override;
  std::string describe() const override;
  std::vector<std::string> hidden_columns() const override;
  std::optional<Backlog> backlog() const override { return backlog_; }

 private:
  SourceSchema infer(const std::vector<InputFile>& files);
  std::vector<InputFile> list() const;

  DeltaLiveEntity entity_;
  SourceContext context_;
  FileFormat format_;
  ListingOptions listing_;
  std::string evolution_mode_;
  int64_t max_files_ = 1000;
  std::optional<int64_t> max_bytes_;
  std::optional<SourceSchema> given_schema_;  // source_schema
  SourceSchema hints_;
  std::optional<std::string> rescue_column_;
  bool metadata_ = false;
  std::optional<Backlog> backlog_;  // what the last plan() left for later batches
  // A private in-memory DuckDB for schema inference in plan() (which has no connection).
  std::unique_ptr<sql::Database> infer_db_;
};

}  // namespace dls::pipeline::sources
