// YAML export: the store's latest entities in the YAML file format (yaml_document.h), so that
// `dls export yaml` → edit → `dls load yaml` is a workflow, and export → destroy → init → load
// reproduces the same latest entities.
//
// Exported: every LATEST version, enabled or not (a disabled entity keeps `is_enabled: false`,
// so loading the export back keeps it disabled); ordered by group (entities without a group
// last) and, within a group, by entity_id in natural order ("2" before "10"). Generated columns
// (id, created_ts, expired_ts, created_by, modified_by, is_latest, hash), nulls and empty values
// are left out. Source paths are stored absolute (loaders resolve relative ones, source_paths.h);
// export_yaml_file writes those under the file's directory relative to it. The text starts with "#
// yaml-language-server: $schema=REF" when a schema reference is given, so editors validate it
// against schemas/config_schema.json.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "dls/core/entity.h"
#include "dls/store/delta_live_store.h"

namespace dls {

/// `entities` in export order (see the header comment).
std::vector<DeltaLiveEntity> in_export_order(std::vector<DeltaLiveEntity> entities);

/// The YAML document of `entities` (any versions; put in export order).
std::string export_yaml(std::vector<DeltaLiveEntity> entities, std::string_view schema_ref = "");

/// The YAML document of the store's latest versions. Throws dls::Error when the store is not
/// initialised.
std::string export_yaml(const DeltaLiveStore& store, std::string_view schema_ref = "");

/// The YAML document of the store's latest versions for the file `output_file`: source paths
/// under the file's directory are written relative to it (source_paths.h), so that loading the
/// file back — from wherever it and its data are moved together — gives the same absolute paths.
/// Paths elsewhere stay absolute. Throws dls::Error when the store is not initialised.
std::string export_yaml_file(const DeltaLiveStore& store, const std::filesystem::path& output_file,
                             std::string_view schema_ref = "");

/// This source tree's schemas/config_schema.json (absolute).
std::filesystem::path default_schema_path();

/// How a YAML file written to `output_file` should refer to `schema`: the relative path from the
/// file's directory when both are local paths, else `schema` as given.
std::string schema_reference(const std::filesystem::path& schema,
                             const std::filesystem::path& output_file);

}  // namespace dls
