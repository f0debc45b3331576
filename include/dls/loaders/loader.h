// Loaders fill a DeltaLiveStore from outside metadata (DESIGN §1.2): a YAML file, a directory tree,
// or a JSON list. Every loader validates everything before writing anything: invalid input throws
// (dls::MetadataErrors / InvalidMetadataError, exit code 3) and leaves the store unchanged.
#pragma once

#include "dls/store/delta_live_store.h"

namespace dls {

/// The seed's DeltaLiveStoreLoader.
class DeltaLiveStoreLoader {
 public:
  virtual ~DeltaLiveStoreLoader() = default;
  /// Loads into `store`; returns what changed.
  virtual StoreChange load(DeltaLiveStore& store) = 0;
};

}  // namespace dls
