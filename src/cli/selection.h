// Which entities a pipeline command works on: `dls run`, `dls graph`, `dls validate` and
// `dls compile` share the options below.
//
//   --group G / --where PRED   the enabled, latest entities of the control table matching them
//                              (both: AND). Without either, the store must hold one group only.
//   --select SELECTOR          dbt-like selection among those (repeatable; several selectors in
//                              one value, separated by spaces, also add up — a union):
//                                NAME     the dataset (destination as written,
//                                catalog.schema.table,
//                                         or the entity_id);
//                                +NAME    it and everything upstream of it;
//                                NAME+    it and everything downstream of it;  +NAME+  both;
//                                tag:KEY=VALUE / tag:KEY   entities with that tag (value);
//                                         '+' before / after works as for a name.
//                              A NAME matching no dataset of the selection is a UsageError
//                              (exit 2), as an unknown --full-refresh dataset is.
// Upstream/downstream follow sources and destinations resolved in the pipeline's target (as the
// pipeline graph does, quarantine tables `<destination>_invalid` included).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "context.h"
#include "dls/catalog/table_name.h"
#include "dls/core/entity.h"

namespace dls::cli {

struct SelectionArgs {
  std::optional<std::string> where;
  std::optional<std::string> group;
  std::optional<std::string> target;
  std::optional<std::string> pipeline;
  std::vector<std::string> select;  // --select values
};

struct Selection {
  /// The pipeline's entities (--group/--where), in store order.
  std::vector<DeltaLiveEntity> entities;
  /// entity_ids picked by --select; empty when --select was not given (everything is picked).
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

/// Adds --where, --group, --target, --pipeline and, with `with_select`, --select.
void add_selection_options(CLI::App* cmd, SelectionArgs& args, bool with_select = true);

/// Resolves the options against the control table (which must be initialized).
Selection select(Context& ctx, const SelectionArgs& args);

}  // namespace dls::cli
