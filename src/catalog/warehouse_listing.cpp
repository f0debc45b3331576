// Warehouse::list_tables, kept apart from warehouse.cpp because it needs the Delta layer.
#include <algorithm>
#include <system_error>

#include "dls/catalog/warehouse.h"
#include "dls/delta/snapshot.h"
#include "dls/delta/storage.h"

namespace fs = std::filesystem;

namespace dls::catalog {
namespace {

std::vector<std::string> valid_subdirectories(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (it->is_directory(ec) && is_valid_name_part(name)) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

std::vector<TableName> Warehouse::list_tables() const {
  std::vector<TableName> tables;
  auto storage = delta::local_storage();
  for (const auto& catalog : valid_subdirectories(root_)) {
    if (catalog == kPipelinesDir) continue;
    for (const auto& schema : valid_subdirectories(root_ / catalog)) {
      for (const auto& table : valid_subdirectories(root_ / catalog / schema)) {
        TableName name{catalog, schema, table};
        if (delta::is_delta_table(*storage, table_path(name).string())) tables.push_back(name);
      }
    }
  }
  return tables;
}

}  // namespace dls::catalog
