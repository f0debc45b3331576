#include "dls/catalog/delta_table_source.h"

#include "dls/delta/snapshot.h"
#include "dls/delta/storage.h"
#include "dls/delta/table_scan.h"

namespace dls::catalog {

bool DeltaTableSource::is_table(const std::filesystem::path& root) {
  return delta::is_delta_table(*delta::local_storage(), root.string());
}

std::string DeltaTableSource::scan_sql(const std::filesystem::path& root,
                                       const delta::VersionSpec& spec) {
  auto snapshot = delta::Snapshot::load(delta::local_storage(), root.string(), spec);
  return delta::TableScan(snapshot).sql(con_);
}

}  // namespace dls::catalog
