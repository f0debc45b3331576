// Field-by-field differences between two versions of an entity (`dls show --history`, the REST
// API's version diff). Pure, thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include "dls/core/entity.h"

namespace dls {

/// What changed from `older` to `newer` in the user's fields (the columns the store generates —
/// id, created_ts, expired_ts, created_by, modified_by, is_latest, hash — are left out): an array
/// of {"field", "from", "to"}, nested maps and structs per key ("read_options.header"); a value
/// absent on one side is null. Empty when the user's fields are equal.
nlohmann::ordered_json entity_diff(const DeltaLiveEntity& older, const DeltaLiveEntity& newer);

}  // namespace dls
