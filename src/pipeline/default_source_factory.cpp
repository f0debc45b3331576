// Kept apart from the runner so that programs which supply their own sources (tests) do not link
// the source implementations.
#include "dls/pipeline/pipeline_runner.h"

namespace dls::pipeline {

SourceFactory default_source_factory() {
  return [](const DeltaLiveEntity& entity, const SourceContext& context) {
    return make_source(entity, context);
  };
}

}  // namespace dls::pipeline
