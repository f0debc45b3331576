#include "pipeline/sinks/delta_sink_writer.h"

#include "dls/core/error.h"
#include "dls/core/read_option_names.h"
#include "pipeline/target_table.h"

namespace dls::pipeline {

catalog::TableLocation delta_sink_location(const DeltaLiveEntity& entity,
                                           const catalog::Warehouse& warehouse,
                                           const catalog::Namespace& target) {
  const std::string prefix = "entity '" + entity.entity_id + "': sink_options: ";
  auto path = sink_option(entity, "path");
  auto table_name = sink_option(entity, "tableName");
  if (path.has_value() == table_name.has_value() || (path && path->empty()) ||
      (table_name && table_name->empty())) {
    throw InvalidMetadataError(prefix +
                               "a delta sink needs exactly one of 'path' (a directory) or "
                               "'tableName' (catalog.schema.table)");
  }
  try {
    if (path) {
      // Always a path, even without a '/' (the warehouse's resolver reads that as a name).
      return warehouse.resolve(path->find('/') == std::string::npos ? "./" + *path : *path);
    }
    return warehouse.resolve(*table_name, target);
  } catch (const InvalidMetadataError& e) {
    throw InvalidMetadataError(prefix + e.what());
  }
}

DeltaSinkWriter::DeltaSinkWriter(const SinkContext& context)
    : entity_(context.entity),
      location_(delta_sink_location(context.entity, context.warehouse, context.target)) {}

std::string DeltaSinkWriter::describe() const {
  return "delta table " + location_.display();
}

bool DeltaSinkWriter::has_committed(const std::string& app_id, int64_t batch) {
  auto v = TargetTable(location_.root, location_.display(), entity_, "").txn_version(app_id);
  return v && *v >= batch;
}

int64_t DeltaSinkWriter::next_batch(const std::string& app_id) {
  auto v = TargetTable(location_.root, location_.display(), entity_, "").txn_version(app_id);
  return v ? *v + 1 : 0;
}

int64_t DeltaSinkWriter::write(sql::Connection& con, const std::string& select_sql,
                               const std::string& app_id, int64_t batch) {
  // No owner: the table is not a dataset of the pipeline; other pipelines (and Spark) may write
  // it too. New columns are added (the sink's rows decide its schema), nothing is replaced.
  TargetTable table(location_.root, location_.display(), entity_, "");
  table.ensure_schema(con, select_sql, false);
  delta::WriteOptions w;
  w.txn_app_id = app_id;
  w.txn_version = batch;
  w.operation = "STREAMING UPDATE";
  w.operation_parameters = {{"outputMode", "Append"},
                            {"queryId", app_id},
                            {"epochId", std::to_string(batch)},
                            {"sink", entity_.destination}};
  const int64_t rows = con.query("SELECT count(*) FROM (" + select_sql + ") AS __dls_sink_rows")
                           .rows()
                           .at(0)
                           .at(0)
                           .as_int();
  return table.append(con, select_sql, w).skipped ? 0 : rows;
}

std::optional<int64_t> DeltaSinkWriter::row_count(sql::Connection& con) const {
  return TargetTable(location_.root, location_.display(), entity_, "").row_count(con);
}

}  // namespace dls::pipeline
