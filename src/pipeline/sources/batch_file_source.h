// BatchFileSource: a batch (materialized-view) read of csv, json, parquet, avro or text files —
// Spark's spark.read.format(f).options(read_options).load(source). `source` is a file, a directory
// (its files, not sub-directories unless recursiveFileLookup=true) or a glob. The schema is
// source_schema when given, else inferred on every read (csv: header names, STRING columns unless
// inferSchema=true; json: inferred types; parquet/avro: the files' schemas).
#pragma once

#include <optional>
#include <string>

#include "dls/pipeline/source.h"
#include "pipeline/sources/file_format.h"
#include "pipeline/sources/file_listing.h"
#include "pipeline/sources/schema_store.h"

namespace dls::pipeline::sources {

class BatchFileSource : public Source {
 public:
  BatchFileSource(const DeltaLiveEntity& entity, const SourceContext& context);

  /// Batch sources are not streaming: plan/batch throw dls::Error.
  std::optional<nlohmann::json> plan(const nlohmann::json& committed) override;
  SourceBatch batch(sql::Connection& con, const nlohmann::json& planned) override;

  /// SHA-256 of the listing (path, size, mtime of every file) and the schema options.
  std::string fingerprint() override;
  /// All files. No files: zero rows when source_schema is given, else an Error (nothing to infer
  /// a schema from, as Spark's "Unable to infer schema").
  std::string full_sql(sql::Connection& con) override;
  std::string describe() const override;
  std::vector<std::string> hidden_columns() const override;

 private:
  DeltaLiveEntity entity_;
  FileFormat format_;
  ListingOptions listing_;
  std::optional<SourceSchema> schema_;  // source_schema
  std::optional<std::string> rescue_column_;
  bool metadata_ = false;
};

}  // namespace dls::pipeline::sources
