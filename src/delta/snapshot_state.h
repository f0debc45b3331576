// The shared, immutable state behind a Snapshot. Internal to the delta layer: log replay builds
// it; the write side may build one directly after a commit (Snapshot(std::make_shared<State>())).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dls/delta/snapshot.h"

namespace dls::delta {

struct Snapshot::State {
  std::shared_ptr<Storage> storage;
  std::shared_ptr<Engine> engine;  // never null
  std::string table_root;
  int64_t version = -1;
  Protocol protocol;
  Metadata metadata;
  Schema schema;               // parsed metadata.schema_string
  std::vector<AddFile> files;  // sorted by path (then DV id)
  std::map<std::string, int64_t> transactions;
  std::map<std::string, DomainMetadata> domain_metadata;
  int64_t timestamp_ms = 0;
  std::string column_mapping_mode = "none";
  std::optional<int64_t> checkpoint_version;
};

}  // namespace dls::delta
