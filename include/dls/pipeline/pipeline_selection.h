// Which entities a pipeline works on (`dls run`, `dls graph`, `dls validate`, `dls compile` and
// `dls serve`'s POST /api/pipelines/{pipeline}/updates share these rules).
//
//   group / where   the enabled, latest entities of the control table matching them (both: AND).
//                   Without either, the store must hold one group only (else UsageError).
//   select          dbt-like selection among those (several selectors in one value, separated
//                   by spaces, also add up — a union):
//                     NAME     the dataset (destination as written, catalog.schema.table, or the
//                              entity_id);
//                     +NAME    it and everything upstream of it;
//                     NAME+    it and everything downstream of it;  +NAME+  both;
//                     tag:KEY=VALUE / tag:KEY   entities with that tag (value);
//                              '+' before / after works as for a name.
//                   A NAME matching no dataset of the selection is a UsageError (exit 2).
//   pipeline        its name (state under <warehouse>/_pipelines/NAME): given, else the group with
//                   every character outside [A-Za-z0-9_] replaced by '_', else "default".
//   target          where bare destinations go: given, else the group when it is a valid
//                   `catalog.schema`, else main.default.
// Upstream/downstream follow sources and destinations resolved in the pipeline's target (as the
// pipeline graph does, quarantine tables `<destination>_invalid` included). Pure functions over
// the store's contents; thread-safe when each thread uses its own DeltaLiveStore.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "dls/catalog/table_name.h"
#include "dls/core/entity.h"
#include "dls/store/delta_live_store.h"

namespace dls::pipeline {

/// What the caller asked for (the CLI's --where, --group, --target, --pipeline, --select).
struct SelectionSpec {
  std::optional<std::string> where;
  std::optional<std::string> group;
  std::optional<std::string> target;
  std::optional<std::string> pipeline;
  std::vector<std::string> select;  // selector values
};

struct Selection {
  /// The pipeline's entities (group/where), in store order.
  std::vector<DeltaLiveEntity> entities;
  /// entity_ids picked by select; empty when no selector was given (everything is picked).
  std::set<std::string> selected;
  std::string pipeline;
  catalog::Namespace target;

  bool has_select() const { return !selected.empty(); }
  bool is_selected(const std::string& entity_id) const {
    return selected.empty() || selected.count(entity_id) > 0;
  }
  /// The selected entities plus, when `with_upstream`, every entity upstream of them.
  std::vector<DeltaLiveEntity> picked(bool with_upstream) const;
};

/// The default pipeline name of a group: its characters outside [A-Za-z0-9_] replaced by '_'
/// (a leading digit gets a '_' before it); "default" for no group ("").
std::string pipeline_name_for_group(const std::string& group);

/// Resolves `spec` against `store` (which must be initialized). `where_origin` names the
/// predicate's origin in syntax errors ("--where"). Throws UsageError, NotFoundError,
/// InvalidMetadataError (bad predicate, pipeline or target name).
Selection select_entities(const DeltaLiveStore& store, const SelectionSpec& spec,
                          const std::string& where_origin = "--where");

/// The entities an update runs: the selected ones and, unless `no_deps`, everything upstream of
/// them. With `no_deps` (which needs a selection: else UsageError) a selected dataset reading an
/// unselected upstream dataset of the pipeline (source_format dlt) reads that dataset's table as
/// it is (as source_format delta); an unselected upstream *view* is not persisted, so it is
/// computed for its readers as usual (kept in the update, with the views it reads). `note`, when
/// set, is told about each such change of source.
std::vector<DeltaLiveEntity> entities_to_run(
    const Selection& selection, bool no_deps,
    const std::function<void(const std::string&)>& note = {});

}  // namespace dls::pipeline
