// generate_databricks_bundle: a Databricks Asset Bundle that runs the entities on Databricks
// (DESIGN §8, issue 5).
//
// Layout of the returned project (paths relative to the output directory):
//   databricks.yml                      bundle name; variables catalog, schema, control_table,
//                                       source_volume; targets dev (default, development mode)
//                                       and prod (production mode)
//   resources/<p>.pipeline.yml          one serverless Lakeflow pipeline per entity group:
//                                       catalog/schema from the variables (without a target, a
//                                       group named catalog.schema uses that namespace, as
//                                       `dls run` does), the SQL sources as a
//                                       glob library, configuration = the entities' spark_conf
//                                       plus dls.source_volume and dls.control_table
//   resources/<p>.job.yml               a job: reload_metadata (loads metadata/entities.json into
//                                       the control table) then run_pipeline (pipeline_task)
//   src/<p>/transformations/<e>.sql     the Lakeflow SQL of each entity (pipeline_sources.h)
//   src/load_metadata.py                the reload task's script
//   metadata/entities.yml, .json        the selected entities (YAML file format; JSON with each
//                                       version's content hash), so the bundle is self-contained
// Every YAML value is written as a quoted string (yaml_text.h), so metadata cannot change the
// bundle's structure. Warnings for untranslated fields are in the project; metadata that cannot
// be generated throws CodegenError (exit code 3). Pure; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "dls/codegen/generated_project.h"
#include "dls/core/entity_list.h"

namespace dls::codegen {

struct DatabricksBundleOptions {
  std::string bundle_name = "dls";  ///< bundle.name (made a safe resource name)
  /// "catalog.schema": the default of the catalog and schema variables. Without it the default is
  /// main.default, and a pipeline whose group is `catalog.schema` writes there (as `dls run`).
  std::optional<std::string> target;
  std::string control_table = "main.dls.control_table";     ///< default of var.control_table
  std::string source_volume = "/Volumes/main/dls/sources";  ///< default of var.source_volume
};

/// The bundle for `entities` (usually the store's enabled latest entities). Throws CodegenError
/// when nothing is left to generate or for metadata that cannot be generated; InvalidMetadataError
/// for a malformed `options.target`.
GeneratedProject generate_databricks_bundle(const EntityList& entities,
                                            const DatabricksBundleOptions& options = {});

/// The (catalog, schema) of a "catalog.schema" target; throws InvalidMetadataError otherwise.
std::pair<std::string, std::string> parse_target(const std::string& target);

}  // namespace dls::codegen
