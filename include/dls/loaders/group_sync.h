// Group synchronisation of the YAML loader: which stored entities a YAML file turns off.
//
// A YAML file is the complete description of every group it mentions. Loading it disables, in
// each such group (group "" — entities without a group — is never synchronised), the latest
// ENABLED entities whose entity_id the file does not contain, and then, as DeltaLiveStore::disable
// does (DESIGN §3), every entity downstream of a disabled one (whose source is a disabled
// entity's destination), recursively. The file wins over the cascade: an entity the file
// contains is never disabled here (it is upserted as the file says), and the cascade does not
// continue below it. Entities that are already disabled produce no new version, but the cascade
// still walks through them.
//
// The result is the disabled versions to write, copies of the latest versions with
// is_enabled=false and the generated columns cleared, ready to be upserted in the same commit as
// the file's entities. Pure and thread-safe.
#pragma once

#include <vector>

#include "dls/core/entity.h"
#include "dls/core/entity_list.h"
#include "dls/core/yaml_document.h"

namespace dls {

/// The entities to disable when loading `document` over the store's latest versions `latest`
/// (all latest versions, enabled or not), in the order of `latest`.
std::vector<DeltaLiveEntity> entities_to_disable(const EntityList& latest,
                                                 const YamlDocument& document);

/// A copy of `entity` as user-provided content only: id, created_ts, expired_ts, created_by,
/// modified_by and hash cleared, is_latest true (what upsert expects).
DeltaLiveEntity without_generated_columns(DeltaLiveEntity entity);

}  // namespace dls
