// DltSource: an upstream dataset of the pipeline (`source_format: dlt`, Databricks' dlt.read /
// dlt.read_stream). A table (streaming table or materialized view) is read like a Delta source
// (delta_source.h: streaming = only new appends). A view (destination_type view) is not
// persisted: a batch read returns the view's SQL, and its fingerprint changes on every call (the
// reader is always recomputed); a streaming read of a view is an Error (the local engine cannot
// read a view incrementally — make the view a table, or the reader a materialized view).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "dls/pipeline/source.h"

namespace dls::pipeline::sources {

class DltSource : public Source {
 public:
  DltSource(const DeltaLiveEntity& entity, const SourceContext& context);

  std::optional<nlohmann::json> plan(const nlohmann::json& committed) override;
  SourceBatch batch(sql::Connection& con, const nlohmann::json& planned) override;
  std::string fingerprint() override;
  std::string full_sql(sql::Connection& con) override;
  std::string describe() const override;

 private:
  [[noreturn]] void fail_streaming_view() const;
  DeltaLiveEntity entity_;
  std::optional<std::string> view_sql_;
  std::unique_ptr<Source> table_;
  int64_t calls_ = 0;
};

}  // namespace dls::pipeline::sources
