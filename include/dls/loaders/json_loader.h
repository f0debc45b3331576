// JsonLoader: upserts the entities of a JSON array of entity objects (or of one object), in the
// JSON of entity_codec.h — what `dls list --format json` prints, so a listing loads back.
//
//   JsonLoader("entities.json").load(store);
//   JsonLoader::from_text(R"([{"entity_id": "1", "source": "/d", "destination": "t"}])")
//       .load(store);
//
// Generated columns in the input (id, created_ts, is_latest, hash, ...) are accepted and ignored:
// the store sets them. There is no group synchronisation. All entities are validated first and
// upserted in one call (one atomic commit); on any error nothing is written and
// dls::MetadataErrors lists every problem as "NAME:line:column: error: ..." for malformed JSON and
// "NAME: [i] error: entity 'id': field: message" for the i-th element (duplicate entity_ids
// included). Throws dls::NotFoundError when the file cannot be read, dls::Error when the store is
// not initialised. Not thread-safe.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "dls/core/entity.h"
#include "dls/loaders/load_summary.h"
#include "dls/loaders/loader.h"

namespace dls {

class JsonLoader : public DeltaLiveStoreLoader {
 public:
  explicit JsonLoader(std::filesystem::path path);
  /// A loader of JSON `text`; `name` names it in messages.
  static JsonLoader from_text(std::string text, std::string name = "<stdin>");

  /// The decoded entities, generated columns cleared, relative source paths made absolute against
  /// the file's directory (the current directory for text; source_paths.h); throws like load().
  /// Reads no store.
  std::vector<DeltaLiveEntity> entities(Diagnostics* warnings = nullptr) const;

  /// Loads into `store`, planned as load_plan.h says (group moves need options.allow_move; cycles
  /// among the enabled entities are refused).
  LoadSummary run(DeltaLiveStore& store, const LoadOptions& options = {}) const;
  StoreChange load(DeltaLiveStore& store) override;

 private:
  JsonLoader() = default;
  std::filesystem::path path_;
  std::optional<std::string> text_;
  std::string name_;
};

}  // namespace dls
