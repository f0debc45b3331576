#include "dls/loaders/yaml_loader.h"

#include "dls/loaders/group_sync.h"
#include "dls/loaders/loader_support.h"
#include "dls/loaders/source_paths.h"
#include "dls/loaders/spark_text_check.h"

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
  install_spark_text_check();
  YamlDocument document = text_ ? parse_yaml_document(*text_, name_) : load_yaml_document(path_);
  // Relative source paths mean "next to this file" (source_paths.h).
  const std::filesystem::path base =
      text_ ? std::filesystem::current_path() : base_directory_of(path_);
  resolve_source_paths(document.entities, base);
  for (auto& [group, entities] : document.groups) resolve_source_paths(entities, base);
  return document;
}

LoadSummary YamlLoader::run(DeltaLiveStore& store, const LoadOptions& options) const {
  YamlDocument document = parse();  // throws before anything is read or written
  require_initialized(store);

  // The group sync is planned inside the store's commit loop, from the versions the committing
  // attempt read: a concurrent writer can never make it disable (or miss) the wrong entities.
  LoadPlan plan;
  StoreChange change = store.upsert(document.entities, [&](const EntityList& latest) {
    plan = plan_load(latest, document.entities, &document, options, name_);
    return plan.to_disable;
  });
  return summarize(name_, change, plan.disabled_ids, std::move(document.warnings),
                   std::move(plan.moved));
}

StoreChange YamlLoader::load(DeltaLiveStore& store) {
  return to_store_change(run(store));
}

}  // namespace dls
