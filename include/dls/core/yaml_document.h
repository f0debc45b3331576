// The seed's YAML file format: a mapping with one key, `delta_live_store`, holding a list of
// entities (entity_codec.h describes one entity):
//
//   # yaml-language-server: $schema=schemas/config_schema.json
//   delta_live_store:
//     - entity_id: "1"
//       source: /data/dataset1
//       destination: dataset1_bronze
//       group: main.etl
//
// Any other top-level key, a non-list value, generated columns (id, created_ts, ...) and the same
// entity_id twice are errors, as are all of the codec's and validate()'s errors. Parsing collects
// every error of the file and throws one dls::MetadataErrors whose lines read
// "file:line:column: error: entity 'id': field: message" (exit code 3); malformed YAML is reported
// the same way. Warnings are returned in YamlDocument::warnings.
//
// The entities are returned in file order and grouped by their `group` field (the unit the YAML
// loader synchronises: entities of a group missing from the file get disabled), groups in order of
// first appearance, "" for entities without a group. schemas/config_schema.json describes the same
// format for editors. Thread-safe.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dls/core/diagnostic.h"
#include "dls/core/entity.h"
#include "dls/core/entity_list.h"

namespace dls {

/// The top-level key of the file format.
inline constexpr std::string_view kYamlRootKey = "delta_live_store";

struct YamlDocument {
  std::string file;                       ///< name used in messages
  std::vector<DeltaLiveEntity> entities;  ///< in file order, normalized
  /// (group, its entities in file order), groups in order of first appearance.
  std::vector<std::pair<std::string, std::vector<DeltaLiveEntity>>> groups;
  Diagnostics warnings;  ///< located warnings (errors are thrown)
};

/// Parses YAML text; `file` names it in messages. Throws dls::MetadataErrors.
YamlDocument parse_yaml_document(std::string_view text, std::string file = "<yaml>");

/// Reads and parses a file. Throws dls::NotFoundError when it cannot be read,
/// dls::MetadataErrors when it is invalid.
YamlDocument load_yaml_document(const std::filesystem::path& path);

/// Every error and warning of the text, never throwing (for validators and editors).
Diagnostics check_yaml_document(std::string_view text, std::string file = "<yaml>");

/// The file format for `entities` (generated columns, nulls and empty values left out), with the
/// yaml-language-server schema comment when `schema_path` is not empty. Loads back to the same
/// entities.
std::string to_yaml_document(const std::vector<DeltaLiveEntity>& entities,
                             std::string_view schema_path = "");

}  // namespace dls
