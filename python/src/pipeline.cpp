// dls.pipeline's C++ half: a pipeline update on the local engine (pipeline_runner.h), its graph,
// and the Databricks / Spark project generators (codegen/). The Python side chooses the entities
// (its filter may be Python code), the pipeline name and the target, as `dls run` does.
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <atomic>
#include <memory>

#include "bindings.h"
#include "dls/catalog/warehouse.h"
#include "dls/codegen/databricks_bundle.h"
#include "dls/codegen/spark_project.h"
#include "dls/pipeline/pipeline_graph.h"
#include "dls/pipeline/pipeline_runner.h"

namespace dls::python {
namespace {

nb::dict dataset_to_dict(const pipeline::DatasetUpdate& d) {
  nb::dict out;
  out["name"] = d.name;
  out["entity_id"] = d.entity_id;
  out["kind"] = pipeline::to_string(d.kind);
  out["status"] = pipeline::to_string(d.status);
  out["num_batches"] = d.num_batches;
  out["num_input_rows"] = d.num_input_rows;
  out["num_output_rows"] = d.num_output_rows;
  out["dropped_records"] = d.dropped_records;
  out["quarantined_rows"] = d.quarantined_rows;
  out["apply_changes"] = d.apply_changes;
  out["num_upserted_rows"] = d.num_upserted_rows;
  out["num_deleted_rows"] = d.num_deleted_rows;
  out["num_tombstones_removed"] = d.num_tombstones_removed;
  out["num_input_files"] = d.num_input_files;
  out["num_input_bytes"] = d.num_input_bytes;
  out["backlog_files"] = d.backlog_files ? nb::cast(*d.backlog_files) : nb::none();
  out["backlog_bytes"] = d.backlog_bytes ? nb::cast(*d.backlog_bytes) : nb::none();
  out["error"] = d.error ? nb::cast(*d.error) : nb::none();
  out["error_code"] = static_cast<int>(d.error_code);
  out["duration_ms"] = d.duration_ms;
  nb::list expectations;
  for (const auto& e : d.expectations) {
    nb::dict x;
    x["name"] = e.name;
    x["dataset"] = e.dataset;
    x["action"] = pipeline::to_string(e.action);
    x["passed_records"] = e.passed_records;
    x["failed_records"] = e.failed_records;
    expectations.append(x);
  }
  out["expectations"] = expectations;
  return out;
}

nb::dict update_to_dict(const pipeline::PipelineUpdate& u) {
  nb::dict out;
  out["pipeline"] = u.pipeline;
  out["update_id"] = u.update_id;
  out["target"] = u.target;
  out["duration_ms"] = u.duration_ms;
  out["exit_code"] = static_cast<int>(u.exit_code());
  out["failure_summary"] = u.failure_summary();
  nb::list datasets;
  for (const auto& d : u.datasets) datasets.append(dataset_to_dict(d));
  out["datasets"] = datasets;
  return out;
}

nb::dict project_to_dict(const codegen::GeneratedProject& project) {
  nb::dict out;
  nb::list files;
  for (const auto& f : project.files()) files.append(f.path);
  nb::list warnings;
  for (const auto& w : project.warnings()) warnings.append(w.to_string());
  out["files"] = files;
  out["warnings"] = warnings;
  return out;
}

}  // namespace

void register_pipeline(nb::module_& m) {
  m.def(
      "run_pipeline",
      [](const std::string& warehouse, const EntityBatch& entities, const std::string& name,
         const std::string& target_catalog, const std::string& target_schema, bool full_refresh_all,
         const std::vector<std::string>& full_refresh, int parallelism) {
        auto cancelled = std::make_shared<std::atomic<bool>>(false);
        pipeline::PipelineUpdate update;
        run_interruptible(
            [&] {
              auto graph = pipeline::PipelineGraph::build(entities.list->entities(), target_catalog,
                                                          target_schema);
              pipeline::PipelineOptions options;
              options.pipeline = name;
              options.target = {target_catalog, target_schema};
              options.full_refresh_all = full_refresh_all;
              options.full_refresh = full_refresh;
              options.parallelism = parallelism;
              options.source_factory = pipeline::default_source_factory();
              options.cancelled = [cancelled] { return cancelled->load(); };
              pipeline::PipelineRunner runner(catalog::Warehouse(warehouse), std::move(graph),
                                              std::move(options));
              update = runner.run();
            },
            [cancelled] { cancelled->store(true); });
        return update_to_dict(update);
      },
      nb::arg("warehouse"), nb::arg("entities"), nb::arg("pipeline"), nb::arg("target_catalog"),
      nb::arg("target_schema"), nb::arg("full_refresh_all") = false,
      nb::arg("full_refresh") = std::vector<std::string>{}, nb::arg("parallelism") = 0,
      "Runs one update; returns it as a dict. Ctrl-C cancels it and raises KeyboardInterrupt: "
      "datasets not started are skipped, running ones stop (their query interrupted, else at "
      "their next batch) keeping the batches they committed.");
  m.def(
      "render_graph",
      [](const EntityBatch& entities, const std::string& target_catalog,
         const std::string& target_schema, const std::string& format) {
        nb::gil_scoped_release release;
        return pipeline::PipelineGraph::build(entities.list->entities(), target_catalog,
                                              target_schema)
            .render(format);
      },
      nb::arg("entities"), nb::arg("target_catalog"), nb::arg("target_schema"),
      nb::arg("format") = "text",
      "The pipeline graph of the entities (`dls graph`): `format` text (an indented tree), dot "
      "(Graphviz) or mermaid.");
  m.def(
      "generate_databricks",
      [](const EntityBatch& entities, const std::string& out, const std::string& bundle_name,
         std::optional<std::string> target, const std::string& control_table,
         std::optional<std::string> source_volume) {
        codegen::DatabricksBundleOptions options;
        options.bundle_name = bundle_name;
        options.target = std::move(target);
        options.control_table = control_table;
        if (source_volume) options.source_volume = *source_volume;
        std::optional<codegen::GeneratedProject> project;
        {
          nb::gil_scoped_release release;
          project.emplace(codegen::generate_databricks_bundle(*entities.list, options));
          project->write_to(out);
        }
        return project_to_dict(*project);
      },
      nb::arg("entities"), nb::arg("out"), nb::arg("bundle_name") = "dls",
      nb::arg("target").none() = nb::none(), nb::arg("control_table") = "main.dls.control_table",
      nb::arg("source_volume").none() = nb::none(),
      "Writes the Databricks Asset Bundle of the entities into `out`; returns the files written "
      "and the warnings, as lists.");
  m.def(
      "generate_spark",
      [](const EntityBatch& entities, const std::string& out, std::optional<std::string> target,
         const std::string& storage_root) {
        codegen::SparkProjectOptions options;
        options.target = std::move(target);
        options.storage_root = storage_root;
        std::optional<codegen::GeneratedProject> project;
        {
          nb::gil_scoped_release release;
          project.emplace(codegen::generate_spark_project(*entities.list, options));
          project->write_to(out);
        }
        return project_to_dict(*project);
      },
      nb::arg("entities"), nb::arg("out"), nb::arg("target").none(), nb::arg("storage_root"),
      "Writes the open-source Spark project of the entities into `out`; returns the files "
      "written and the warnings, as lists.");
}

}  // namespace dls::python
