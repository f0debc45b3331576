#include "pipeline/write_plan.h"

#include <algorithm>
#include <filesystem>

#include "dls/core/error.h"
#include "dls/delta/delta_error.h"
#include "dls/delta/delta_table.h"
#include "dls/pipeline/pipeline_state.h"
#include "dls/pipeline/table_ownership.h"
#include "dls/store/control_table_schema.h"
#include "pipeline/sinks/delta_sink_writer.h"

namespace dls::pipeline {

namespace {

std::string join(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& i : items) s += (s.empty() ? "'" : ", '") + i + "'";
  return s;
}

/// Why `pipeline` may not write the table `name` at `root` (nullopt: it may). `flow` is the
/// dataset whose table it is (its state is evidence of a legacy table's owner).
std::optional<std::string> refusal(const std::filesystem::path& root, const std::string& name,
                                   const std::string& flow, const std::string& pipeline,
                                   const PipelineState& state) {
  if (!delta::DeltaTable::exists(root.string())) return std::nullopt;
  const delta::DeltaTable table = delta::DeltaTable::open(root.string());
  delta::Snapshot snap = table.snapshot();
  if (is_control_table(snap)) {
    return name + " is a dls control table (the metadata store; table property " +
           std::string(kControlTableProperty) +
           "); a pipeline never writes it: choose another destination";
  }
  // A table dls cannot write at all is refused for that (UnsupportedFeatureError naming the
  // feature) before ownership: moving its ownership could not make it writable.
  table.check_appendable(snap);
  const std::string move_hint =
      "move the table explicitly with 'dls table set-owner " + name + " " + pipeline + "'";
  if (auto owner = recorded_owner(snap)) {
    if (*owner == pipeline) return std::nullopt;
    return name + " is owned by pipeline '" + *owner + "' (table property " + kOwnerProperty +
           "), not by pipeline '" + pipeline + "': run the update as --pipeline " + *owner +
           ", or " + move_hint;
  }
  // Written by a dls without ownership: the txn appIds tell the writer, else (a materialized
  // view) the pipeline's own state for the flow.
  const std::vector<std::string> writers = txn_writers(snap);
  const bool mine = std::find(writers.begin(), writers.end(), pipeline) != writers.end();
  if (mine && writers.size() == 1) return std::nullopt;  // adopted by the dataset's update
  if (!writers.empty()) {
    return name + " has no owner (no table property " + std::string(kOwnerProperty) +
           ") and was written by pipeline " + join(writers) +
           " (its exactly-once txn ids): run the update as the pipeline that wrote it, or " +
           move_hint;
  }
  if (state.load(flow) || std::filesystem::exists(state.checkpoint_dir(flow))) {
    return std::nullopt;  // adopted by the dataset's update
  }
  return name + " exists and is not owned by any pipeline (no table property " +
         std::string(kOwnerProperty) + "); a pipeline writes only its own tables: " + move_hint +
         " if this pipeline may replace its contents, or choose another destination";
}

}  // namespace

Diagnostics write_target_problems(const catalog::Warehouse& warehouse, const PipelineGraph& graph,
                                  const PipelineOptions& options) {
  Diagnostics problems;
  const PipelineState state(warehouse.pipeline_dir(options.pipeline));
  for (const auto& node : graph.datasets()) {
    if (node.kind == DatasetKind::kView) continue;
    const std::string prefix =
        "entity '" + node.entity.entity_id + "' (destination '" + node.entity.destination + "'): ";
    if (node.kind == DatasetKind::kSink) {
      // A sink is not a table of the pipeline (no owner); a Delta sink must not be a control
      // table, nor a table dls cannot append to.
      if (node.entity.sink_format != "delta") continue;
      try {
        catalog::TableLocation location =
            delta_sink_location(node.entity, warehouse, options.target);
        if (delta::DeltaTable::exists(location.root.string())) {
          const delta::DeltaTable table = delta::DeltaTable::open(location.root.string());
          delta::Snapshot snap = table.snapshot();
          if (is_control_table(snap)) {
            problems.push_back({Severity::kError, node.entity.entity_id, "sink_options",
                                prefix + "the sink's table " + location.display() +
                                    " is a dls control table; a pipeline never writes it",
                                std::nullopt});
            continue;
          }
          table.check_appendable(snap);
        }
      } catch (const InvalidMetadataError& e) {
        problems.push_back(
            {Severity::kError, node.entity.entity_id, "sink_options", e.what(), std::nullopt});
      } catch (const delta::UnsupportedFeatureError& e) {
        throw delta::UnsupportedFeatureError(prefix + e.what());
      }
      continue;
    }
    catalog::TableName name = catalog::parse_table_name(node.qualified_name);
    std::vector<catalog::TableName> tables{name};
    if (node.entity.is_quarantined) {
      tables.push_back(name);
      tables.back().table += "_invalid";
    }
    for (const auto& table : tables) {
      auto refuse = [&](const std::string& why) {
        problems.push_back(
            {Severity::kError, node.entity.entity_id, "destination", prefix + why, std::nullopt});
      };
      try {
        catalog::TableLocation location = warehouse.resolve(table);
        if (auto why = refusal(location.root, table.to_string(), node.qualified_name,
                               options.pipeline, state)) {
          refuse(*why);
        }
      } catch (const InvalidMetadataError& e) {
        refuse(e.what());
      } catch (const delta::UnsupportedFeatureError& e) {
        throw delta::UnsupportedFeatureError(prefix + e.what());  // nothing written yet
      }
    }
  }
  return problems;
}

void check_write_targets(const catalog::Warehouse& warehouse, const PipelineGraph& graph,
                         const PipelineOptions& options) {
  std::vector<std::string> errors;
  for (const auto& p : write_target_problems(warehouse, graph, options)) {
    errors.push_back(p.message);
  }
  if (!errors.empty()) {
    errors.push_back("pipeline '" + options.pipeline + "': nothing was written");
    throw MetadataErrors(std::move(errors));
  }
}

}  // namespace dls::pipeline
