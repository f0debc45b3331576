// DeltaTableSource: the TableSource (query_rewriter.h) backed by the Delta layer: a table is a
// directory with a Delta log; its rows come from delta::TableScan on one DuckDB connection.
#pragma once

#include "dls/catalog/query_rewriter.h"
#include "dls/sql/connection.h"

namespace dls::catalog {

class DeltaTableSource : public TableSource {
 public:
  /// `con` must outlive this object; TableScan may create TEMP tables on it.
  explicit DeltaTableSource(sql::Connection& con) : con_(con) {}

  bool is_table(const std::filesystem::path& root) override;
  std::string scan_sql(const std::filesystem::path& root, const delta::VersionSpec& spec) override;

 private:
  sql::Connection& con_;
};

}  // namespace dls::catalog
