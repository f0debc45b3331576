// generate_spark_project: an Apache Spark Declarative Pipelines project (Spark 4.1) for the
// entities (DESIGN §8, issue 5).
//
// Layout: one directory per entity group (pipeline_sources.h's plan_pipelines):
//   <p>/spark-pipeline.yml         name, storage, libraries (transformations/**), catalog and
//                                  database (from target), configuration (spark_conf)
//   <p>/transformations/<e>.sql    the entity's datasets in Spark SQL
//   <p>/transformations/<e>_source.py   a Python temporary view for file and Kafka sources
//                                  (Spark SQL has no read_files/read_kafka)
// Run with `spark-pipelines run --spec <p>/spark-pipeline.yml`. Every entity feature Spark 4.1
// cannot express (expectations other than drop, AUTO CDC, Auto Loader options, ...) is reported
// as a CodegenWarning naming the entity and field. Pure; thread-safe.
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
};

GeneratedProject generate_spark_project(const EntityList& entities,
                                        const SparkProjectOptions& options = {});

}  // namespace dls::codegen
