// What every loader does around its upsert: refuse an uninitialised store, and turn the store's
// StoreChange into a LoadSummary.
#pragma once

#include <string>
#include <vector>

#include "dls/core/diagnostic.h"
#include "dls/core/entity.h"
#include "dls/loaders/load_plan.h"
#include "dls/loaders/load_summary.h"
#include "dls/store/delta_live_store.h"

namespace dls {

/// Throws dls::Error (exit code 1) naming the table and the fix ("run 'dls store init'") when
/// `store` is not initialised.
void require_initialized(const DeltaLiveStore& store);

/// The LoadSummary of an upsert `change`: entity_ids in `disabled` move from updated (or
/// inserted) to disabled.
LoadSummary summarize(std::string source, const StoreChange& change,
                      const std::vector<std::string>& disabled = {}, Diagnostics warnings = {},
                      std::vector<MovedEntity> moved = {});

/// `summary` as the seed's StoreChange (disabled entities count as updated).
StoreChange to_store_change(const LoadSummary& summary);

/// Upserts `entities` (from `source`) in one commit after plan_load (load_plan.h) approved them
/// against the latest versions the commit attempt read — no group sync — and summarises it; when
/// `entities` is empty, nothing is read or written and the summary has the current version.
LoadSummary upsert_planned(DeltaLiveStore& store, const std::vector<DeltaLiveEntity>& entities,
                           const LoadOptions& options, const std::string& source,
                           Diagnostics warnings = {});

/// store.upsert(entities), or — when `entities` is empty — no call and the current version.
StoreChange upsert_all(DeltaLiveStore& store, const std::vector<DeltaLiveEntity>& entities);

}  // namespace dls
