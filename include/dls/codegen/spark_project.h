// generate_spark_project: an Apache Spark Declarative Pipelines project (Spark 4.2) for the
// entities (DESIGN §8, issue 5, issue 10 §4).
//
// Layout: one directory per entity group (pipeline_sources.h's plan_pipelines):
//   README.md                      how the project runs and where it differs from dls
//   <p>/spark-pipeline.yml         name, storage, libraries (transformations/**), catalog and
//                                  database (from target), configuration (spark_conf)
//   <p>/transformations/<e>.sql    the entity's datasets in Spark SQL
//   <p>/transformations/<e>_source.py   a Python temporary view for file and Kafka sources
//                                  (Spark SQL has no read_files/read_kafka)
//   <p>/transformations/<e>.py     apply_changes: a Python materialized view computing the
//                                  SCD type 1 / 2 target from the whole change feed
//   <p>/run-local.sh               with spark_warehouse: runs the pipeline on a local Spark with
//                                  Delta Lake (static settings, jars, a metastore for re-runs)
// Run with `spark-pipelines run --spec <p>/spark-pipeline.yml`. Spark 4.2 pipelines have no
// expectations and no AUTO CDC: the generated queries give dls's results instead (README.md);
// every difference left (no expectation metrics, Auto Loader options, ...) is reported as a
// CodegenWarning naming the entity and field. Pure; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "dls/codegen/generated_project.h"
#include "dls/core/entity_list.h"

namespace dls::codegen {

struct SparkProjectOptions {
  /// "catalog.schema" written as the spec's catalog and database; none when not given.
  std::optional<std::string> target;
  /// Root URI of the pipelines' storage (checkpoints); each pipeline uses <storage_root>/<p>.
  std::string storage_root = "file:///tmp/dls-spark-pipelines";
  /// An absolute directory: the project runs on a local Spark with Delta Lake and writes each
  /// dataset at <spark_warehouse>/<catalog>/<schema>/<table>/ (a dls warehouse's layout), the
  /// namespace being the target, else the one `dls run` uses (the group when it is
  /// catalog.schema, else main.default); each pipeline gets <p>/run-local.sh to run it.
  std::optional<std::string> spark_warehouse;
};

GeneratedProject generate_spark_project(const EntityList& entities,
                                        const SparkProjectOptions& options = {});

}  // namespace dls::codegen
