#include "dls/loaders/yaml_loader.h"

#include "dls/loaders/group_sync.h"
#include "dls/loaders/loader_support.h"

namespace dls {

YamlLoader::YamlLoader(std::filesystem::path path) : path_(std::move(path)) {
  name_ = path_.string();
}

YamlLoader YamlLoader::from_text(std::string text, std::string name) {
  YamlLoader loader;
  loader.text_ = std::move(text);
  loader.name_ = std::move(name);
  return loader;
}

YamlDocument YamlLoader::parse() const {
  if (text_) return parse_yaml_document(*text_, name_);
  return load_yaml_document(path_);
}

LoadSummary YamlLoader::run(DeltaLiveStore& store) const {
  YamlDocument document = parse();  // throws before anything is read or written
  require_initialized(store);

  // The group sync is planned inside the store's commit loop, from the versions the committing
  // attempt read: a concurrent writer can never make it disable (or miss) the wrong entities.
  std::vector<std::string> disabled_ids;
  StoreChange change = store.upsert(document.entities, [&](const EntityList& latest) {
    std::vector<DeltaLiveEntity> to_disable = entities_to_disable(latest, document);
    disabled_ids.clear();
    for (const auto& e : to_disable) disabled_ids.push_back(e.entity_id);
    return to_disable;
  });
  return summarize(name_, change, disabled_ids, std::move(document.warnings));
}

StoreChange YamlLoader::load(DeltaLiveStore& store) {
  return to_store_change(run(store));
}

}  // namespace dls
