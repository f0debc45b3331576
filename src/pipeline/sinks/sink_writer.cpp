#include "pipeline/sinks/sink_writer.h"

#include "dls/core/error.h"
#include "dls/core/read_option_names.h"
#include "pipeline/sinks/delta_sink_writer.h"
#include "pipeline/sinks/kafka_sink_writer.h"

namespace dls::pipeline {

std::optional<std::string> sink_option(const DeltaLiveEntity& entity, std::string_view key) {
  for (const auto& [name, value] : entity.sink_options) {
    if (lower_ascii(name) == lower_ascii(key)) return value;
  }
  return std::nullopt;
}

std::unique_ptr<SinkWriter> make_sink_writer(const SinkContext& context) {
  const DeltaLiveEntity& entity = context.entity;
  const std::string format = entity.sink_format.value_or("");
  if (format == "delta") return std::make_unique<DeltaSinkWriter>(context);
  if (format == "kafka") return std::make_unique<KafkaSinkWriter>(context);
  throw InvalidMetadataError("entity '" + entity.entity_id + "': sink_format '" + format +
                             "' has no sink writer; expected kafka or delta");
}

}  // namespace dls::pipeline
