// The schema of a file source (cloudFiles): its columns with DuckDB types, and its persistence as
// versioned files `<state_dir>/_schemas/<N>.json` (N = 0, 1, ...), the local equivalent of Auto
// Loader's cloudFiles.schemaLocation. A version file is written once (atomically) and never
// changed; the newest version is the current schema.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace dls::pipeline::sources {

struct SourceColumn {
  std::string name;
  std::string type;  // DuckDB type, e.g. VARCHAR, BIGINT, STRUCT(a INTEGER)
  friend bool operator==(const SourceColumn&, const SourceColumn&) = default;
};

using SourceSchema = std::vector<SourceColumn>;

nlohmann::json schema_to_json(const SourceSchema& schema);
SourceSchema schema_from_json(const nlohmann::json& j);
/// The column named `name` (case-insensitive, as Spark resolves columns), or nullptr.
const SourceColumn* find_column(const SourceSchema& schema, const std::string& name);

class SchemaStore {
 public:
  explicit SchemaStore(std::filesystem::path state_dir);

  struct Versioned {
    int64_t version = 0;
    SourceSchema schema;
  };
  /// The newest persisted schema, or nullopt when none was persisted yet.
  std::optional<Versioned> latest() const;
  /// Writes version `version` unless it exists. An existing version with a different schema is an
  /// Error (the state directory was changed by someone else).
  void persist(int64_t version, const SourceSchema& schema) const;
  /// Removes the versions newer than `version` (-1: every version): the schemas of batches that
  /// failed before their commit and were taken out of the offsets log, so that the next plan
  /// reuses their numbers with the schema of the files that are there then.
  void remove_after(int64_t version) const;

 private:
  std::filesystem::path dir_;
};

}  // namespace dls::pipeline::sources
