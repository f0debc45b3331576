#include "dls/loaders/loader_support.h"

#include <algorithm>
#include <unordered_set>

#include "dls/core/error.h"

namespace dls {

void require_initialized(const DeltaLiveStore& store) {
  if (!store.is_initialized()) {
    throw Error("the control table at " + store.location() +
                " is not initialised: run 'dls store init' (or DeltaLiveStore::initialize()) "
                "first");
  }
}

LoadSummary summarize(std::string source, const StoreChange& change,
                      const std::vector<std::string>& disabled, Diagnostics warnings,
                      std::vector<MovedEntity> moved) {
  LoadSummary summary;
  summary.source = std::move(source);
  summary.version = change.version;
  const std::unordered_set<std::string> off(disabled.begin(), disabled.end());
  for (const auto& id : change.inserted) {
    (off.count(id) ? summary.disabled : summary.inserted).push_back(id);
  }
  for (const auto& id : change.updated) {
    (off.count(id) ? summary.disabled : summary.updated).push_back(id);
  }
  summary.unchanged = change.unchanged;
  summary.warnings = std::move(warnings);
  summary.moved = std::move(moved);
  return summary;
}

StoreChange to_store_change(const LoadSummary& summary) {
  StoreChange change;
  change.version = summary.version;
  change.inserted = summary.inserted;
  change.updated = summary.updated;
  change.updated.insert(change.updated.end(), summary.disabled.begin(), summary.disabled.end());
  change.unchanged = summary.unchanged;
  return change;
}

LoadSummary upsert_planned(DeltaLiveStore& store, const std::vector<DeltaLiveEntity>& entities,
                           const LoadOptions& options, const std::string& source,
                           Diagnostics warnings) {
  if (entities.empty())
    return summarize(source, upsert_all(store, entities), {}, std::move(warnings));
  std::vector<MovedEntity> moved;
  const StoreChange change = store.upsert(entities, [&](const EntityList& latest) {
    moved = plan_load(latest, entities, nullptr, options, source).moved;
    return std::vector<DeltaLiveEntity>{};
  });
  return summarize(source, change, {}, std::move(warnings), std::move(moved));
}

StoreChange upsert_all(DeltaLiveStore& store, const std::vector<DeltaLiveEntity>& entities) {
  if (!entities.empty()) return store.upsert(entities);
  StoreChange change;
  change.version = store.version();
  return change;
}

}  // namespace dls
