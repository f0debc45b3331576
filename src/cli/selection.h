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
// The rules live in the pipeline layer (dls/pipeline/pipeline_selection.h, shared with
// `dls serve`); this file adds the options and opens the store.
#pragma once

#include <CLI/CLI.hpp>

#include "context.h"
#include "dls/pipeline/pipeline_selection.h"

namespace dls::cli {

using SelectionArgs = pipeline::SelectionSpec;
using Selection = pipeline::Selection;

/// Adds --where, --group, --target, --pipeline and, with `with_select`, --select.
void add_selection_options(CLI::App* cmd, SelectionArgs& args, bool with_select = true);

/// Resolves the options against the control table (which must be initialized).
Selection select(Context& ctx, const SelectionArgs& args);

}  // namespace dls::cli
