// What a load checks against the control table before it writes (every loader: YAML, directory,
// JSON), planned from the latest versions the store's commit attempt read (so a concurrent writer
// never makes the plan stale):
//
//   * group sync (YAML only, group_sync.h): the entities to disable;
//   * group moves: entity ids are global, so an entity the input puts in another group than the
//     control table holds it in would silently leave its group. That is refused unless
//     LoadOptions::allow_move (`--allow-move`); allowed moves are listed in the plan (and in the
//     load's summary);
//   * cycles: after the load, the enabled entities must not read each other in a circle
//     (A -> B -> C -> A, or an entity reading its own destination), within or across groups — the
//     pipeline would refuse to run them (core/dataset_cycles.h; names compare as written, since a
//     load knows no pipeline target: `orders` and `main.etl.orders` only meet at run time);
//   * duplicate destinations: after the load, two enabled entities of one group (one pipeline)
//     must not write the same destination (as written), with the message the pipeline graph
//     refuses them with (`dls validate` lists the same problems).
//
// Every problem is collected; plan_load throws one dls::MetadataErrors listing all of them as
// "SOURCE: error: entity 'ID': FIELD: message" (exit code 3), and then the store writes nothing.
// Pure and thread-safe.
#pragma once

#include <string>
#include <vector>

#include "dls/core/entity.h"
#include "dls/core/entity_list.h"
#include "dls/core/yaml_document.h"

namespace dls {

struct LoadOptions {
  /// Let the input move entities from the group the control table holds them in to another.
  bool allow_move = false;
};

/// An entity the load moves to another group.
struct MovedEntity {
  std::string entity_id;
  std::string from_group;  ///< "" = no group
  std::string to_group;

  friend bool operator==(const MovedEntity&, const MovedEntity&) = default;
};

struct LoadPlan {
  std::vector<DeltaLiveEntity> to_disable;  ///< disabled copies to upsert with the input
  std::vector<std::string> disabled_ids;    ///< their entity_ids
  std::vector<MovedEntity> moved;           ///< in input order
};

/// Plans the load of `loaded` (validated, generated columns cleared) from `source` over the
/// latest versions `latest` (all of them, enabled or not). `sync` is the YAML document whose
/// groups are synchronised, or nullptr for loaders without group sync. Throws MetadataErrors.
LoadPlan plan_load(const EntityList& latest, const std::vector<DeltaLiveEntity>& loaded,
                   const YamlDocument* sync, const LoadOptions& options, const std::string& source);

/// "'' (no group)" for "", else "'group'".
std::string describe_group(const std::string& group);

}  // namespace dls
