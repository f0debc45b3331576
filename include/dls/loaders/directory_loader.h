// DirectoryLoader (the seed's FileServiceLoader): loads one entity — or a bronze+silver pair,
// depending on the factory — per immediate sub-directory of a local directory.
//
//   DirectoryLoader("/data/landing", medallion_from_directory_entry({.group = "main.etl"}))
//       .load(store);
//
// The entries are listed (directory_entry.h: hidden directories and plain files ignored, sorted
// by name), each is passed to the factory, and all entities are upserted in ONE call (one atomic
// commit); with the factories' deterministic ids, loading the same directory again writes
// nothing. There is no group synchronisation: an entity whose directory disappeared stays as it
// is (disable it with `dls disable`).
//
// Before anything is written the loader checks that no two entries produced the same entity_id
// or destination (e.g. directories "a-b" and "a_b"), naming both directories, and the store
// validates every entity; on any error (dls::InvalidMetadataError / MetadataErrors, exit code 3)
// nothing is written. Throws dls::NotFoundError when the root is not a directory, dls::Error when
// the store is not initialised. Not thread-safe.
#pragma once

#include <filesystem>
#include <vector>

#include "dls/loaders/entity_factories.h"
#include "dls/loaders/load_summary.h"
#include "dls/loaders/loader.h"

namespace dls {

class DirectoryLoader : public DeltaLiveStoreLoader {
 public:
  /// A loader of the sub-directories of `root`; the default factory is
  /// entity_from_directory_entry().
  explicit DirectoryLoader(std::filesystem::path root,
                           EntityFactory factory = entity_from_directory_entry());

  /// The entities the factory makes for the current directory tree, in entry order, checked for
  /// duplicate ids and destinations (throws InvalidMetadataError). Reads no store.
  std::vector<DeltaLiveEntity> entities() const;

  /// Loads into `store` and says what changed, planned as load_plan.h says (group moves need
  /// options.allow_move; cycles among the enabled entities are refused).
  LoadSummary run(DeltaLiveStore& store, const LoadOptions& options = {}) const;

  StoreChange load(DeltaLiveStore& store) override;

 private:
  std::filesystem::path root_;
  EntityFactory factory_;
};

}  // namespace dls
