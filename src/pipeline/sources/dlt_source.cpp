#include "pipeline/sources/dlt_source.h"

#include <chrono>

#include "dls/core/error.h"
#include "pipeline/sources/delta_source.h"

namespace dls::pipeline::sources {

DltSource::DltSource(const DeltaLiveEntity& entity, const SourceContext& context)
    : entity_(entity) {
  if (context.view_sql) view_sql_ = context.view_sql(entity.source);
  if (view_sql_) {
    if (!entity.read_options.empty()) {
      throw InvalidMetadataError("entity '" + entity.entity_id + "': read option '" +
                                 entity.read_options.begin()->first +
                                 "' cannot apply to the view " + entity.source +
                                 " (a dlt source reading a view takes no read options)");
    }
    return;
  }
  table_ = std::make_unique<DeltaSource>(entity, context, "dlt");
}

void DltSource::fail_streaming_view() const {
  throw Error("entity '" + entity_.entity_id + "': a streaming read of the view " + entity_.source +
              " is not supported by the local engine (a view is not persisted, so its new rows "
              "cannot be told apart); make " +
              entity_.source +
              " a table (destination_type: table) or this entity a materialized view "
              "(is_streaming: false)");
}

std::optional<nlohmann::json> DltSource::plan(const nlohmann::json& committed) {
  if (view_sql_) fail_streaming_view();
  return table_->plan(committed);
}

SourceBatch DltSource::batch(sql::Connection& con, const nlohmann::json& planned) {
  if (view_sql_) fail_streaming_view();
  return table_->batch(con, planned);
}

std::string DltSource::fingerprint() {
  if (view_sql_) {
    // A view's input is not known here: never equal, so the reader is always recomputed.
    return "view:" + entity_.source + ":" +
           std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) + ":" +
           std::to_string(++calls_);
  }
  return table_->fingerprint();
}

std::string DltSource::full_sql(sql::Connection& con) {
  if (view_sql_) return "SELECT * FROM (" + *view_sql_ + ")";
  return table_->full_sql(con);
}

std::string DltSource::describe() const {
  if (view_sql_) return "dlt view " + entity_.source;
  return table_->describe();
}

}  // namespace dls::pipeline::sources
