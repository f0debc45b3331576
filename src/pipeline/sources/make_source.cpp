// make_source: the Source for an entity's source_format (DESIGN §7).
#include "dls/core/error.h"
#include "dls/pipeline/source.h"
#include "pipeline/sources/batch_file_source.h"
#include "pipeline/sources/cloud_files_source.h"
#include "pipeline/sources/delta_source.h"
#include "pipeline/sources/dlt_source.h"
#include "pipeline/sources/file_format.h"
#include "pipeline/sources/kafka_source.h"
#include "pipeline/sources/query_source.h"

namespace dls::pipeline {

std::unique_ptr<Source> make_source(const DeltaLiveEntity& entity, const SourceContext& context) {
  const std::string& format = entity.source_format;
  if (entity.query) return std::make_unique<sources::QuerySource>(entity, context);
  if (format == "cloudFiles") return std::make_unique<sources::CloudFilesSource>(entity, context);
  if (sources::is_file_format(format)) {
    return std::make_unique<sources::BatchFileSource>(entity, context);
  }
  if (format == "delta") return std::make_unique<sources::DeltaSource>(entity, context, "delta");
  if (format == "dlt") return std::make_unique<sources::DltSource>(entity, context);
  if (format == "orc") {
    throw Error("entity '" + entity.entity_id +
                "': orc is not supported by the local engine (no sound ORC reader is available); "
                "convert the files to parquet, or run the pipeline on Databricks (dls generate "
                "databricks)");
  }
  if (format == "kafka") return std::make_unique<sources::KafkaSource>(entity, context);
  throw InvalidMetadataError("entity '" + entity.entity_id + "': unknown source_format '" + format +
                             "' (cloudFiles, csv, json, parquet, avro, text, orc, delta, dlt, "
                             "kafka)");
}

}  // namespace dls::pipeline
