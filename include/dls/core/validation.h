// Validation of a DeltaLiveEntity: what cannot be stored (errors) and what the pipeline will
// ignore or reject (warnings).
//
// Errors — the store and loaders refuse the entity:
//   * entity_id, source or destination empty (required; source only without query);
//   * query combined with source, read_options or a source_format other than sql; source_format
//     sql without query; an empty query or where_clause item;
//   * destination_type not table|view|sink, source_format not one of kSourceFormats,
//     apply_changes.stored_as_scd_type not 1|2, apply_changes.sequence_by empty;
//   * destination not a safe table name (table_name.h: 1-3 parts of [A-Za-z_][A-Za-z0-9_]*), and
//   the
//     source of a dlt entity (an upstream destination) or of a delta entity given by name (no '/');
//   * empty strings where a name or expression is needed (list items, map keys, expectation rules);
//   * apply_changes without primary_keys (the pipeline cannot merge without keys);
//   * a read option the entity's source does not understand (read_option_names.h; names compare
//     case-insensitively), the same option twice in different case, a cloudFiles.format that is
//     not a format;
//   * a Spark SQL text that the installed SparkTextChecker finds malformed (see below);
//   * flow_name not a simple name ([A-Za-z_][A-Za-z0-9_]*); once on a view, with apply_changes
//     or with query (a once flow is a batch backfill of a source into a table);
//   * sink_format or sink_options on a table or view; a sink (destination_type sink) without
//     sink_format kafka|delta, named by more than one part, a kafka sink without sink_options
//     'kafka.bootstrap.servers', a delta sink without exactly one of 'path' and 'tableName'
//     (option names compare case-insensitively); a sink that is not streaming or has
//     expectations, is_quarantined, apply_changes, partition_cols, once or table_properties
//     (a sink is the target of streaming append flows and takes no expectations).
// Warnings — storable, but the pipeline ignores or rejects part of it:
//   * apply_as_truncates with SCD type 2; track_history_* lists with SCD type 1;
//   * mutually exclusive lists both given (column_list/except_column_list, the track_history pair,
//     the ignore_null_updates pair or one of them with ignore_null_updates: true);
//   * apply_changes on a non-streaming entity or into a view;
//   * is_quarantined without expect_all rules (nothing to quarantine);
//   * partition_cols / table_properties on a view; cloudFiles without read_options
//     "cloudFiles.format"; the same rule name in two expectation maps; duplicate list items;
//     a dlt/delta entity reading its own destination.
//   * what the SparkTextChecker reports as a warning (valid Spark SQL the local engine cannot run).
// Structural problems (unknown keys, wrong YAML/JSON types) are found by the codecs, which cannot
// build an entity from such input. validate() is pure and thread-safe; diagnostics come in field
// order and carry entity_id and the field path.
#pragma once

#include "dls/core/diagnostic.h"
#include "dls/core/entity.h"

#include <optional>
#include <string>
#include <string_view>

namespace dls {

/// How a Spark SQL text of an entity is read: one expression (expectation rules,
/// apply_changes.sequence_by/where/apply_as_deletes/apply_as_truncates) or one select item
/// (`expr [AS alias]` or `*`, select_expr entries) or one query (the `query` field: a SELECT over
/// table names, with STREAM(name) reads).
enum class SparkTextKind { kExpression, kSelectItem, kQuery };

/// What a SparkTextChecker found wrong with one text: the message (what and where in the text,
/// without the entity or field, which validate() adds) and whether it is an error (malformed: no
/// engine can run it) or a warning (valid Spark SQL that the local engine cannot run).
struct SparkTextProblem {
  std::string message;
  bool is_error = true;
};

/// Checks one Spark SQL text; nullopt when it is fine. Must be pure and thread-safe.
using SparkTextChecker = std::optional<SparkTextProblem> (*)(SparkTextKind kind,
                                                             std::string_view text);

/// Installs the checker validate() runs on every Spark SQL text of an entity. The Spark SQL parser
/// lives in the sql layer, above core, so core cannot call it: the layers that may
/// (loaders/spark_text_check.h) install it before they decode or validate anything. Without a
/// checker only empty texts are found. Process-wide; safe to call from several threads (the
/// pointer is atomic); installing the same checker again changes nothing.
void set_spark_text_checker(SparkTextChecker checker);

/// The installed checker (nullptr when none).
SparkTextChecker spark_text_checker();

/// Every error and warning about `entity` (empty when it is clean). Uses the normalized
/// is_streaming (forced by source_format).
Diagnostics validate(const DeltaLiveEntity& entity);

/// Throws dls::MetadataErrors when validate() finds errors; returns the warnings otherwise.
Diagnostics validate_or_throw(const DeltaLiveEntity& entity);

}  // namespace dls
