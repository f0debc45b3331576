// JSON and YAML codecs of a DeltaLiveEntity, keyed by the seed's field names.
//
// JSON (the CLI's --format json, `dls load json`, `dls upsert --json`): every field, generated
// columns included; nullable fields as null, group "" as null, timestamps as ISO-8601 UTC strings
// with microseconds ("2024-01-02T03:04:05.000006Z"). Object keys are sorted (nlohmann::json).
// Decoding accepts what encoding produces; timestamps may also be integers (microseconds).
//
// YAML (the seed's YAML file format, one entity = one mapping): encoding leaves out the generated
// columns (id, created_ts, expired_ts, created_by, modified_by, is_latest, hash), nulls and empty
// lists/maps, and quotes strings that YAML would otherwise read as another type ("1", "true"), so
// that decoding the output gives back the same entity (with generated columns at their defaults).
// Decoding follows the YAML 1.2 core schema: fields typed string need a string ("1" not 1),
// booleans are true/false (any case variant of the core schema), maps of options accept any scalar.
//
// Decoding is strict and reports every problem, not just the first: unknown keys (with "did you
// mean"), duplicate keys, wrong types, generated columns where not allowed, then the errors of
// validate() (bad enums, missing required fields, ...). Problems found in YAML carry
// file:line:column. When there is any error the decoders throw dls::MetadataErrors; warnings
// (validate()'s, and an is_streaming value overridden by source_format) go to `warnings` when
// given. Decoded entities are normalized (entity.h). All functions are thread-safe.
#pragma once

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include "dls/core/diagnostic.h"
#include "dls/core/entity.h"

namespace dls {

/// All fields of `entity` as a JSON object (where_clause and query only when set).
nlohmann::json to_json(const DeltaLiveEntity& entity);

/// An entity from a JSON object (generated columns allowed). Throws dls::MetadataErrors.
DeltaLiveEntity entity_from_json(const nlohmann::json& json, Diagnostics* warnings = nullptr);

/// Entities from a JSON object (one entity) or array of objects; messages about element i start
/// with "[i] ". Throws dls::MetadataErrors listing the errors of all elements.
std::vector<DeltaLiveEntity> entities_from_json(const nlohmann::json& json,
                                                Diagnostics* warnings = nullptr);

struct YamlDecodeOptions {
  std::string file;              ///< file name used in locations ("" = none)
  bool allow_generated = false;  ///< accept id, created_ts, ... (rejected in the YAML file format)
};

/// An entity from a YAML mapping node. Throws dls::MetadataErrors ("file:line:column: error: ...").
DeltaLiveEntity entity_from_yaml(const YAML::Node& node, const YamlDecodeOptions& options = {},
                                 Diagnostics* warnings = nullptr);

/// Like entity_from_yaml but never throws for bad metadata: every error and warning, located, is
/// returned in `diagnostics`; the entity holds what could be read.
DeltaLiveEntity decode_entity_yaml(const YAML::Node& node, const YamlDecodeOptions& options,
                                   Diagnostics& diagnostics);

/// Writes `entity` as one YAML mapping (see the header comment) into `out`.
void emit_yaml(YAML::Emitter& out, const DeltaLiveEntity& entity);

/// `entity` as a YAML mapping document.
std::string to_yaml(const DeltaLiveEntity& entity);

}  // namespace dls
