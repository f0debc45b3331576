// The warehouse (DESIGN §4): a local directory holding Delta tables by name and pipeline state.
//
//   <warehouse>/<catalog>/<schema>/<table>/     the Delta table `catalog.schema.table`
//   <warehouse>/_pipelines/<pipeline>/          a pipeline's checkpoints, schemas and event log
//
// A Warehouse only computes locations; it creates nothing on disk. Names are validated by
// table_name.h, so a resolved location is always inside the warehouse root; paths (anything
// containing '/') are taken as given, relative to the current directory. A Warehouse is an
// immutable value, safe to share between threads.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dls/catalog/table_name.h"

namespace dls::catalog {

/// The directory under the warehouse root that holds pipeline state; not a catalog.
inline constexpr std::string_view kPipelinesDir = "_pipelines";

/// True when `name` lies in a part of the warehouse reserved for dls itself (the catalog
/// `_pipelines`, pipeline state): no name may resolve there.
bool is_reserved(const TableName& name) noexcept;

/// The environment variable naming the warehouse when --warehouse is not given.
inline constexpr const char* kWarehouseEnv = "DLS_WAREHOUSE";

/// Where a table name or path points.
struct TableLocation {
  std::filesystem::path root;     // absolute and lexically normal
  std::optional<TableName> name;  // set when the input was a name
  /// The name when there is one, else the path: what messages should show.
  std::string display() const;
};

class Warehouse {
 public:
  /// `root` is made absolute (against the current directory) and lexically normal. It need not
  /// exist.
  explicit Warehouse(const std::filesystem::path& root);

  /// The warehouse chosen by the rules of DESIGN §4: `dir_option` (--warehouse) when given, else
  /// $DLS_WAREHOUSE when set and non-empty, else ./warehouse.
  static Warehouse locate(const std::optional<std::string>& dir_option = std::nullopt);

  const std::filesystem::path& root() const { return root_; }

  /// <root>/<catalog>/<schema>/<table>, without the reservation check: for listing and reading
  /// only. Everything that writes a table by name gets its path from resolve().
  std::filesystem::path table_path(const TableName& name) const;

  /// Resolves a name (see parse_table_name; bare names need `default_ns`) or a path (contains
  /// '/'). Throws InvalidMetadataError for an unsafe name (and for the reserved catalog
  /// `_pipelines`). Does not check that a table exists there.
  TableLocation resolve(std::string_view name_or_path,
                        const std::optional<Namespace>& default_ns = std::nullopt) const;

  /// The location of a parsed name; throws InvalidMetadataError for a reserved name (is_reserved),
  /// naming it. The one resolver writers use (pipelines resolve every destination here).
  TableLocation resolve(const TableName& name) const;

  /// <root>/_pipelines/<pipeline>; throws InvalidMetadataError for an unsafe pipeline name.
  std::filesystem::path pipeline_dir(std::string_view pipeline) const;

  /// Every Delta table stored by name (<catalog>/<schema>/<table> directories holding a Delta log),
  /// sorted by name. Directories whose names are not valid name parts are ignored. Empty when the
  /// warehouse does not exist.
  std::vector<TableName> list_tables() const;

 private:
  std::filesystem::path root_;
};

}  // namespace dls::catalog
