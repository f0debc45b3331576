// Test sources for the pipeline engine: batches of rows given as SQL, and a reader of a Delta
// table (materialized views over upstream datasets).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "dls/delta/delta_table.h"
#include "dls/delta/table_scan.h"
#include "dls/pipeline/pipeline_runner.h"

namespace dls::pipeline::testing {

/// Input "files" shared by the test and the sources it creates: each is a SELECT of rows.
struct FakeInput {
  std::vector<std::string> batches;
  int plan_calls = 0;
  int batch_calls = 0;
};

/// Streaming: offsets {"next": n} = batches [0, n) consumed; every plan takes ONE new batch.
/// Batch: full_sql is every batch; fingerprint is the batch count.
class FakeSource : public Source {
 public:
  explicit FakeSource(std::shared_ptr<FakeInput> input) : input_(std::move(input)) {}
  std::optional<nlohmann::json> plan(const nlohmann::json& committed) override {
    input_->plan_calls++;
    int64_t done = committed.is_null() ? 0 : committed["next"].get<int64_t>();
    if (done >= static_cast<int64_t>(input_->batches.size())) return std::nullopt;
    return nlohmann::json{{"from", done}, {"next", done + 1}};
  }
  SourceBatch batch(sql::Connection&, const nlohmann::json& planned) override {
    input_->batch_calls++;
    SourceBatch b;
    b.offsets = planned;
    b.sql = input_->batches.at(planned["from"].get<size_t>());
    return b;
  }
  std::string fingerprint() override { return std::to_string(input_->batches.size()); }
  std::string full_sql(sql::Connection&) override {
    std::string s;
    for (const auto& b : input_->batches) s += (s.empty() ? "" : " UNION ALL ") + b;
    return s;
  }
  std::string describe() const override { return "fake"; }

 private:
  std::shared_ptr<FakeInput> input_;
};

/// Batch read of a Delta table (source = its root path, or a view of the pipeline).
class TableReadSource : public Source {
 public:
  TableReadSource(std::string source, SourceContext context)
      : source_(std::move(source)), context_(std::move(context)) {}
  std::optional<nlohmann::json> plan(const nlohmann::json&) override { return std::nullopt; }
  SourceBatch batch(sql::Connection&, const nlohmann::json&) override { return {}; }
  std::string fingerprint() override {
    if (context_.view_sql && context_.view_sql(source_)) return "view";
    auto root = context_.resolve_table(source_);
    return std::to_string(delta::DeltaTable::open(root.string()).snapshot().version());
  }
  std::string full_sql(sql::Connection& con) override {
    if (context_.view_sql) {
      if (auto v = context_.view_sql(source_)) return *v;
    }
    auto root = context_.resolve_table(source_);
    return delta::TableScan(delta::DeltaTable::open(root.string()).snapshot()).sql(con);
  }
  std::string describe() const override { return "table"; }

 private:
  std::string source_;
  SourceContext context_;
};

}  // namespace dls::pipeline::testing
