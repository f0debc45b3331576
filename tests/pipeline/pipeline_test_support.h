// A small harness for pipeline tests: a temp warehouse, entities with fake sources, running
// updates and reading the resulting tables.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dls/catalog/warehouse.h"
#include "dls/delta/delta_table.h"
#include "dls/delta/table_scan.h"
#include "dls/pipeline/pipeline_runner.h"
#include "dls/sql/connection.h"
#include "dls/sql/database.h"
#include "pipeline/fake_source.h"
#include "support/test_support.h"

namespace dls::pipeline::testing {

class PipelineHarness {
 public:
  PipelineHarness() : warehouse_(dir_.path() / "wh"), con_(db_) {
    con_.execute("SET TimeZone = 'UTC'");
  }

  /// The input of a fake source named `source` (created on first use).
  std::shared_ptr<FakeInput> input(const std::string& source) {
    auto& p = inputs_[source];
    if (!p) p = std::make_shared<FakeInput>();
    return p;
  }

  std::vector<DeltaLiveEntity> entities;

  DeltaLiveEntity& add(const std::string& id, const std::string& source,
                       const std::string& destination, bool streaming = true,
                       const std::string& format = "cloudFiles") {
    DeltaLiveEntity e;
    e.entity_id = id;
    e.source = source;
    e.source_format = format;
    e.destination = destination;
    e.is_streaming = streaming;
    entities.push_back(e);
    return entities.back();
  }

  PipelineOptions options() {
    PipelineOptions o;
    o.pipeline = "test";
    o.parallelism = 2;
    o.source_factory = [this](const DeltaLiveEntity& e,
                              const SourceContext& c) -> std::unique_ptr<Source> {
      if (e.source_format == "dlt" || e.source_format == "delta") {
        return std::make_unique<TableReadSource>(e.source, c);
      }
      return std::make_unique<FakeSource>(input(e.source));
    };
    return o;
  }

  PipelineUpdate run(PipelineOptions o) {
    auto graph = PipelineGraph::build(entities, o.target.catalog, o.target.schema);
    PipelineRunner runner(warehouse_, graph, std::move(o));
    return runner.run();
  }
  PipelineUpdate run() { return run(options()); }

  std::string table_root(const std::string& table) const {
    return (warehouse_.root() / "main" / "default" / table).string();
  }
  bool exists(const std::string& table) const {
    return delta::DeltaTable::exists(table_root(table));
  }
  int64_t version(const std::string& table) const {
    return delta::DeltaTable::open(table_root(table)).snapshot().version();
  }
  /// The rows of a table as "a|b|c" strings, sorted.
  std::vector<std::string> rows(const std::string& table_or_root, const std::string& columns) {
    std::string root =
        table_or_root.find('/') == std::string::npos ? table_root(table_or_root) : table_or_root;
    std::string scan = delta::TableScan(delta::DeltaTable::open(root).snapshot()).sql(con_);
    std::vector<std::string> out;
    for (const auto& r :
         con_.query("SELECT concat_ws('|', " + columns + ") FROM (" + scan + ") ORDER BY 1")
             .rows()) {
      out.push_back(r.at(0).to_string());
    }
    return out;
  }
  sql::Connection& con() { return con_; }
  const catalog::Warehouse& warehouse() const { return warehouse_; }

 private:
  dls::testing::TempDir dir_;
  catalog::Warehouse warehouse_;
  std::map<std::string, std::shared_ptr<FakeInput>> inputs_;
  sql::Database db_;
  sql::Connection con_;
};

/// SELECT of rows (id INTEGER, v VARCHAR): "1:a,2:NULL".
inline std::string rows_sql(const std::vector<std::pair<int, std::string>>& rows) {
  std::string s;
  for (const auto& [id, v] : rows) {
    s += (s.empty() ? "" : ", ") + std::string("(") + std::to_string(id) + ", " +
         (v == "NULL" ? "NULL" : "'" + v + "'") + ")";
  }
  return "SELECT * FROM (VALUES " + s + ") AS t(id, v)";
}

}  // namespace dls::pipeline::testing
