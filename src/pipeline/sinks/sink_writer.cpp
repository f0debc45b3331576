#include "pipeline/sinks/sink_writer.h"

#include "dls/core/error.h"
#include "pipeline/sinks/delta_sink_writer.h"

namespace dls::pipeline {

std::unique_ptr<SinkWriter> make_sink_writer(const SinkContext& context) {
  const DeltaLiveEntity& entity = context.entity;
  const std::string format = entity.sink_format.value_or("");
  if (format == "delta") return std::make_unique<DeltaSinkWriter>(context);
  if (format == "kafka") {
    // ---- The Kafka sink writer (librdkafka) plugs in here. ------------------------------------
    // At least once: write() produces the batch's rows (key/value/topic/partition/headers
    // columns), flushes, then records the batch as committed in context.checkpoint_dir, which
    // has_committed()/next_batch() read.
    throw Error("entity '" + entity.entity_id + "': the kafka sink writer is not built yet");
    // ---------------------------------------------------------------------------------------------
  }
  throw InvalidMetadataError("entity '" + entity.entity_id + "': sink_format '" + format +
                             "' has no sink writer; expected kafka or delta");
}

}  // namespace dls::pipeline
