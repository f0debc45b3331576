// Validation of a DeltaLiveEntity: what cannot be stored (errors) and what the pipeline will
// ignore or reject (warnings).
//
// Errors — the store and loaders refuse the entity:
//   * entity_id, source or destination empty (required);
//   * destination_type not table|view, source_format not one of kSourceFormats,
//     apply_changes.stored_as_scd_type not 1|2, apply_changes.sequence_by empty;
//   * destination not a safe table name (table_name.h: 1-3 parts of [A-Za-z_][A-Za-z0-9_]*), and
//   the
//     source of a dlt entity (an upstream destination) or of a delta entity given by name (no '/');
//   * empty strings where a name or expression is needed (list items, map keys, expectation rules).
// Warnings — storable, but the pipeline ignores or rejects part of it:
//   * apply_changes without primary_keys (the seed silently skips apply_changes);
//   * apply_as_truncates with SCD type 2; track_history_* lists with SCD type 1;
//   * mutually exclusive lists both given (column_list/except_column_list, the track_history pair,
//     the ignore_null_updates pair or one of them with ignore_null_updates: true);
//   * apply_changes on a non-streaming entity or into a view;
//   * is_quarantined without expect_all rules (nothing to quarantine);
//   * partition_cols / table_properties on a view; cloudFiles without read_options
//     "cloudFiles.format"; the same rule name in two expectation maps; duplicate list items;
//     a dlt/delta entity reading its own destination.
// Structural problems (unknown keys, wrong YAML/JSON types) are found by the codecs, which cannot
// build an entity from such input. validate() is pure and thread-safe; diagnostics come in field
// order and carry entity_id and the field path.
#pragma once

#include "dls/core/diagnostic.h"
#include "dls/core/entity.h"

namespace dls {

/// Every error and warning about `entity` (empty when it is clean). Uses the normalized
/// is_streaming (forced by source_format).
Diagnostics validate(const DeltaLiveEntity& entity);

/// Throws dls::MetadataErrors when validate() finds errors; returns the warnings otherwise.
Diagnostics validate_or_throw(const DeltaLiveEntity& entity);

}  // namespace dls
