#include "dls/catalog/warehouse.h"

#include <cstdlib>

#include "dls/core/error.h"

namespace fs = std::filesystem;

namespace dls::catalog {

bool is_reserved(const TableName& name) noexcept {
  return name.catalog == kPipelinesDir;
}

std::string TableLocation::display() const {
  return name ? name->to_string() : root.string();
}

Warehouse::Warehouse(const fs::path& root) : root_(fs::absolute(root).lexically_normal()) {
  // "dir/" normalizes to "dir/" with an empty filename; drop it so paths print cleanly.
  if (!root_.has_filename() && root_.has_parent_path() && root_ != root_.root_path()) {
    root_ = root_.parent_path();
  }
}

Warehouse Warehouse::locate(const std::optional<std::string>& dir_option) {
  if (dir_option && !dir_option->empty()) return Warehouse(*dir_option);
  if (const char* env = std::getenv(kWarehouseEnv); env && *env) return Warehouse(env);
  return Warehouse("warehouse");
}

fs::path Warehouse::table_path(const TableName& name) const {
  return root_ / name.catalog / name.schema / name.table;
}

TableLocation Warehouse::resolve(std::string_view name_or_path,
                                 const std::optional<Namespace>& default_ns) const {
  if (name_or_path.find('/') != std::string_view::npos) {
    fs::path path = fs::absolute(fs::path(std::string(name_or_path))).lexically_normal();
    if (!path.has_filename() && path.has_parent_path() && path != path.root_path()) {
      path = path.parent_path();
    }
    return {path, std::nullopt};
  }
  return resolve(parse_table_name(name_or_path, default_ns));
}

TableLocation Warehouse::resolve(const TableName& name) const {
  if (is_reserved(name)) {
    throw InvalidMetadataError("invalid table name '" + name.to_string() + "': the catalog '" +
                               std::string(kPipelinesDir) +
                               "' is reserved for pipeline state in the warehouse");
  }
  return {table_path(name), name};
}

fs::path Warehouse::pipeline_dir(std::string_view pipeline) const {
  validate_name_part(pipeline, "pipeline name");
  return root_ / kPipelinesDir / std::string(pipeline);
}

}  // namespace dls::catalog
