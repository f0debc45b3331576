#include "dls/core/entity.h"

#include <algorithm>

namespace dls {

bool is_valid_destination_type(std::string_view value) {
  return std::find(std::begin(kDestinationTypes), std::end(kDestinationTypes), value) !=
         std::end(kDestinationTypes);
}

bool is_valid_source_format(std::string_view value) {
  return std::find(std::begin(kSourceFormats), std::end(kSourceFormats), value) !=
         std::end(kSourceFormats);
}

std::optional<bool> forced_is_streaming(std::string_view f) {
  if (f == "cloudFiles" || f == "kafka") return true;
  if (f == "csv" || f == "json" || f == "parquet" || f == "avro" || f == "orc" || f == "text") {
    return false;
  }
  return std::nullopt;
}

void normalize(DeltaLiveEntity& entity) {
  if (entity.query && entity.source_format == "cloudFiles") entity.source_format = "sql";
  if (auto forced = forced_is_streaming(entity.source_format)) entity.is_streaming = *forced;
}

DeltaLiveEntity normalized(DeltaLiveEntity entity) {
  normalize(entity);
  return entity;
}

}  // namespace dls
