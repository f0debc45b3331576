// Pipeline source generation: entities → Lakeflow SQL (Databricks) or Apache Spark Declarative
// Pipelines SQL/Python (Spark 4.1). Shared by the bundle and Spark project generators.
//
// plan_pipelines() splits a selection into pipelines, one per entity group (group "" → a pipeline
// named "dls"); disabled and non-latest versions are left out with a warning. Then, per entity,
// generate_pipeline_sources() writes one source file (DESIGN §8):
//   * destination_type table + streaming   → CREATE OR REFRESH STREAMING TABLE ... AS SELECT
//     ... FROM STREAM <source>;  table + batch → CREATE OR REFRESH MATERIALIZED VIEW;
//     view → CREATE TEMPORARY VIEW (unqualified: temporary views have no catalog/schema);
//   * sources: cloudFiles → STREAM read_files(path, format => ..., options with the cloudFiles.
//     prefix mapped); csv/json/parquet/avro/orc/text → read_files(path, format => ...); kafka →
//     read_kafka(bootstrapServers => ..., subscribe => source); delta → the table by name or
//     delta.`path`; dlt → the upstream dataset of this pipeline. Relative paths are read under
//     the pipeline configuration value ${dls.source_volume} (Databricks);
//   * select_expr → the SELECT list; source_schema → read_files' schema option (file sources) or
//     the declared table schema (delta/dlt without select_expr);
//   * expectations → CONSTRAINT n EXPECT (e) [ON VIOLATION DROP ROW | FAIL UPDATE];
//   * is_quarantined → a temporary view adding `_errors` (names of the failed expect_all rules, a
//     NULL result counting as failed), `<destination>` with the valid rows and
//     `<destination>_invalid` with the failing ones;
//   * apply_changes → a streaming table plus CREATE FLOW ... AS AUTO CDC INTO ... (KEYS from
//     primary_keys, SEQUENCE BY, APPLY AS DELETE/TRUNCATE WHEN, COLUMNS [* EXCEPT], STORED AS SCD
//     TYPE 1|2, TRACK HISTORY ON, IGNORE NULL UPDATES [ON ...]); apply_changes.where filters the
//     change feed in the input view;
//   * partition_cols → PARTITIONED BY, comment → COMMENT, table_properties and tags (as
//     'dls.tag.<key>') → TBLPROPERTIES; spark_conf → pipeline_configuration().
// For Target::kSpark the same SQL without what Spark 4.1 lacks (no expectations — drop rules
// become a WHERE filter, the others are reported; no AUTO CDC — the entity is skipped and
// reported; no read_files/read_kafka — file and Kafka sources are Python temporary views).
// Every field that is not translated produces a CodegenWarning naming it. Metadata that cannot
// be generated (unsafe SQL fragments, two entities writing one dataset, invalid apply_changes)
// throws CodegenError. Pure functions, thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dls/codegen/generated_project.h"
#include "dls/core/entity.h"
#include "dls/core/entity_list.h"

namespace dls::codegen {

enum class Target { kDatabricks, kSpark };

/// The entities of one pipeline.
struct PipelinePlan {
  std::string name;   ///< resource_name(group), unique in the project
  std::string group;  ///< the group the entities share ("" = none)
  std::vector<DeltaLiveEntity> entities;
};

/// Groups the enabled, latest entities of `entities` into pipelines (in order of first
/// appearance). Throws CodegenError when two entities share an entity_id.
std::vector<PipelinePlan> plan_pipelines(const EntityList& entities,
                                         std::vector<CodegenWarning>& warnings);

/// One generated source file of a pipeline.
struct SourceFile {
  std::string name;  ///< file name ("orders_bronze.sql", "orders_bronze_source.py"), unique
  std::string content;
};

/// The source files of `pipeline` for `target`, one or two per entity, in entity order.
std::vector<SourceFile> generate_pipeline_sources(const PipelinePlan& pipeline, Target target,
                                                  std::vector<CodegenWarning>& warnings);

/// The spark_conf of all entities of `pipeline`, merged; a key given two different values is
/// reported (the first entity's value is kept).
std::map<std::string, std::string> pipeline_configuration(const PipelinePlan& pipeline,
                                                          std::vector<CodegenWarning>& warnings);

/// `text` reduced to [A-Za-z0-9_] (other bytes → '_'), never empty, not starting with a digit.
std::string safe_name(std::string_view text);

/// A name usable as a bundle resource key and in ${resources...} references: letters, digits and
/// single '_' between them, starting with a letter ("main.etl" → "main_etl"; "" → "dls").
std::string resource_name(std::string_view text);

}  // namespace dls::codegen
