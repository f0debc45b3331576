#include "dls/pipeline/table_ownership.h"

#include <set>

#include "dls/catalog/table_name.h"
#include "dls/core/error.h"
#include "dls/delta/delta_table.h"
#include "dls/delta/transaction.h"
#include "dls/store/control_table_schema.h"

namespace dls::pipeline {

std::optional<std::string> recorded_owner(const delta::Snapshot& snapshot) {
  const auto& config = snapshot.metadata().configuration;
  auto it = config.find(kOwnerProperty);
  if (it == config.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

std::vector<std::string> txn_writers(const delta::Snapshot& snapshot) {
  std::set<std::string> writers;
  for (const auto& [app_id, version] : snapshot.transactions()) {
    // flow_app_id: "<pipeline>/<flow>"; a pipeline name never contains '/'.
    auto slash = app_id.find('/');
    if (slash != std::string::npos && slash > 0) writers.insert(app_id.substr(0, slash));
  }
  return {writers.begin(), writers.end()};
}

OwnerChange set_table_owner(const std::string& table_root, const std::string& pipeline) {
  catalog::validate_name_part(pipeline, "pipeline name");
  delta::Snapshot snap = delta::DeltaTable::open(table_root).snapshot();
  if (is_control_table(snap)) {
    throw InvalidMetadataError("the table at " + table_root +
                               " is a dls control table (metadata store); no pipeline owns or "
                               "writes it");
  }
  OwnerChange change;
  change.previous = recorded_owner(snap);
  change.version = snap.version();
  if (change.previous == pipeline) return change;
  delta::Metadata metadata = snap.metadata();
  metadata.configuration[kOwnerProperty] = pipeline;
  delta::Transaction tx(snap);
  tx.set_metadata(metadata);
  tx.set_operation("SET TBLPROPERTIES", {{"properties", {{kOwnerProperty, pipeline}}}});
  change.version = tx.commit().version;
  change.changed = true;
  return change;
}

}  // namespace dls::pipeline
