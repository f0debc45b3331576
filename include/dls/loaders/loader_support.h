// What every loader does around its upsert: refuse an uninitialised store, and turn the store's
// StoreChange into a LoadSummary.
#pragma once

#include <string>
#include <vector>

#include "dls/core/diagnostic.h"
#include "dls/core/entity.h"
#include "dls/loaders/load_summary.h"
#include "dls/store/delta_live_store.h"

namespace dls {

/// Throws dls::Error (exit code 1) naming the table and the fix ("run 'dls store init'") when
/// `store` is not initialised.
void require_initialized(const DeltaLiveStore& store);

/// The LoadSummary of an upsert `change`: entity_ids in `disabled` move from updated (or
/// inserted) to disabled.
LoadSummary summarize(std::string source, const StoreChange& change,
                      const std::vector<std::string>& disabled = {}, Diagnostics warnings = {});

/// `summary` as the seed's StoreChange (disabled entities count as updated).
StoreChange to_store_change(const LoadSummary& summary);

/// store.upsert(entities), or — when `entities` is empty — no call and the current version.
StoreChange upsert_all(DeltaLiveStore& store, const std::vector<DeltaLiveEntity>& entities);

}  // namespace dls
