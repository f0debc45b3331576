#include "pipeline/sources/batch_file_source.h"

#include "dls/core/content_hash.h"
#include "dls/core/error.h"
#include "pipeline/sources/file_read_sql.h"
#include "pipeline/sources/metadata_column.h"
#include "pipeline/sources/schema_inference.h"

namespace dls::pipeline::sources {

BatchFileSource::BatchFileSource(const DeltaLiveEntity& entity, const SourceContext& context)
    : entity_(entity) {
  const std::string& fmt = entity.source_format;
  ReadOptions options(entity, fmt, format_option_names(fmt));
  // Spark: CSV columns are strings unless inferSchema; JSON types are always inferred.
  format_ = parse_file_format(fmt, options, fmt == "json");
  listing_.recursive = options.get_bool("recursiveFileLookup", false);
  listing_.path_glob_filter = options.get_or("pathGlobFilter", "");
  if (entity.source_schema && !entity.source_schema->empty()) {
    schema_ =
        schema_from_ddl(*entity.source_schema, "entity '" + entity.entity_id + "': source_schema");
  }
  rescue_column_ = options.get("rescuedDataColumn");
  metadata_ = reads_metadata_column(entity);
}

std::optional<nlohmann::json> BatchFileSource::plan(const nlohmann::json&) {
  throw Error("entity '" + entity_.entity_id + "': a " + format_.format +
              " source is a batch read (is_streaming=false); use cloudFiles for streaming files");
}

SourceBatch BatchFileSource::batch(sql::Connection&, const nlohmann::json&) {
  throw Error("entity '" + entity_.entity_id + "': a " + format_.format +
              " source is a batch read (is_streaming=false); use cloudFiles for streaming files");
}

std::string BatchFileSource::fingerprint() {
  nlohmann::json j = {{"format", format_.format},
                      {"source", entity_.source},
                      {"read_options", entity_.read_options}};
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : list_input_files(entity_.source, listing_)) files.push_back(to_json(f));
  j["files"] = files;
  return sha256_hex(j.dump());
}

std::string BatchFileSource::full_sql(sql::Connection& con) {
  ReadSpec spec;
  spec.format = format_;
  spec.files = list_input_files(entity_.source, listing_);
  spec.rescue_column = rescue_column_;
  spec.metadata_column = metadata_;
  if (schema_) {
    spec.schema = *schema_;
  } else {
    spec.schema = infer_file_schema(con, format_, spec.files);
    if (spec.schema.empty()) {
      throw Error("entity '" + entity_.entity_id + "': unable to infer a schema for " +
                  format_.format + " at " + entity_.source +
                  (spec.files.empty() ? " (no input files)" : " (the files are empty)") +
                  "; add files or give source_schema");
    }
  }
  return build_read_sql(con, spec);
}

std::string BatchFileSource::describe() const {
  std::string out = format_.format + " files at " + entity_.source + " (batch read)";
  if (rescue_column_) out += "; adds " + *rescue_column_ + " STRING";
  if (metadata_) out += "; hidden _metadata struct";
  return out;
}

std::vector<std::string> BatchFileSource::hidden_columns() const {
  if (metadata_) return {kMetadataColumn};
  return {};
}

}  // namespace dls::pipeline::sources
