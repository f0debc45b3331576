// Entities shared by the store tests: the seed's fixtures (tests/dbrx_dls_store_test.py).
#pragma once

#include <string>
#include <vector>

#include "dls/core/entity.h"

namespace dls::store_testing {

/// An entity reading `source` into `destination` with read_options {"pathGlobFilter": "*.parquet"}.
inline DeltaLiveEntity entity(const std::string& id, const std::string& source,
                              const std::string& destination,
                              const std::string& format = "parquet") {
  DeltaLiveEntity e;
  e.entity_id = id;
  e.source = source;
  e.destination = destination;
  e.source_format = format;
  e.read_options = {{"pathGlobFilter", "*.parquet"}};
  return normalized(e);
}

/// The chain table1 → table2 → table3 (entities "1", "2", "3").
inline std::vector<DeltaLiveEntity> seed_entities() {
  return {entity("1", "path/to/data1", "table1"), entity("2", "table1", "table2"),
          entity("3", "table2", "table3")};
}

}  // namespace dls::store_testing
