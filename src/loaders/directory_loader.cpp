#include "dls/loaders/directory_loader.h"

#include <unordered_map>

#include "dls/core/error.h"
#include "dls/loaders/loader_support.h"
#include "dls/loaders/spark_text_check.h"

namespace dls {

DirectoryLoader::DirectoryLoader(std::filesystem::path root, EntityFactory factory)
    : root_(std::move(root)), factory_(std::move(factory)) {
  if (!factory_) throw UsageError("DirectoryLoader needs a factory");
}

std::vector<DeltaLiveEntity> DirectoryLoader::entities() const {
  install_spark_text_check();
  std::vector<DeltaLiveEntity> out;
  std::unordered_map<std::string, std::string> id_dirs;    // entity_id → directory
  std::unordered_map<std::string, std::string> dest_dirs;  // destination → directory
  std::vector<std::string> errors;
  for (const DirectoryEntry& entry : list_directory_entries(root_)) {
    std::vector<DeltaLiveEntity> made;
    try {
      made = factory_(entry);
    } catch (const MetadataErrors& e) {
      errors.insert(errors.end(), e.errors().begin(), e.errors().end());
      continue;
    } catch (const InvalidMetadataError& e) {
      errors.push_back(e.what());
      continue;
    }
    const std::string dir = entry.path.string();
    for (auto& e : made) {
      auto [id_it, new_id] = id_dirs.emplace(e.entity_id, dir);
      auto [dest_it, new_dest] = dest_dirs.emplace(e.destination, dir);
      if (!new_id) {
        errors.push_back(dir + ": error: entity '" + e.entity_id + "': entity_id: also made for " +
                         id_it->second +
                         "; rename one of the directories or change the factory's options");
        continue;
      }
      if (!new_dest) {
        errors.push_back(dir + ": error: entity '" + e.entity_id + "': destination: '" +
                         e.destination + "' is also written by the entity of " + dest_it->second +
                         "; rename one of the directories");
        continue;
      }
      out.push_back(std::move(e));
    }
  }
  if (!errors.empty()) throw MetadataErrors(std::move(errors));
  return out;
}

LoadSummary DirectoryLoader::run(DeltaLiveStore& store, const LoadOptions& options) const {
  std::vector<DeltaLiveEntity> batch = entities();
  require_initialized(store);
  return upsert_planned(store, batch, options, root_.string());
}

StoreChange DirectoryLoader::load(DeltaLiveStore& store) {
  return to_store_change(run(store));
}

}  // namespace dls
