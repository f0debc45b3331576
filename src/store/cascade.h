// The enable/disable cascade (DESIGN §3) over the latest versions of the entities.
//
// An entity B is downstream of A when B.source == A.destination (exact string match, whatever
// the source_format). disable() acts on the matches and everything downstream of them, enable()
// on the matches and everything upstream of them, transitively; cycles are harmless. Internal to
// the store layer; pure.
#pragma once

#include <cstddef>
#include <vector>

#include "dls/core/entity_list.h"
#include "dls/core/predicate.h"

namespace dls::store_detail {

enum class CascadeDirection { kDownstream, kUpstream };

/// Indexes into `latest` of the entities matching `seeds` plus, transitively, those downstream
/// (or upstream) of them; ascending.
std::vector<size_t> cascade_closure(const EntityList& latest, const Predicate& seeds,
                                    CascadeDirection direction);

}  // namespace dls::store_detail
