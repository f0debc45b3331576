#include "dls/loaders/yaml_exporter.h"

#include <algorithm>
#include <cctype>

#include "dls/core/yaml_document.h"
#include "dls/loaders/group_sync.h"
#include "dls/loaders/loader_support.h"
#include "dls/loaders/source_paths.h"

namespace dls {
namespace fs = std::filesystem;
namespace {

bool is_digit(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

// Natural order: runs of digits compare by value ("2" < "10"), everything else byte-wise; ties
// (e.g. "01" and "1") fall back to plain comparison so that the order is total.
bool natural_less(const std::string& a, const std::string& b) {
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() && j < b.size()) {
    if (is_digit(a[i]) && is_digit(b[j])) {
      std::size_t i_end = i;
      std::size_t j_end = j;
      while (i_end < a.size() && is_digit(a[i_end])) ++i_end;
      while (j_end < b.size() && is_digit(b[j_end])) ++j_end;
      // Compare the numbers without leading zeros: by length, then digit by digit.
      std::size_t i_start = i;
      std::size_t j_start = j;
      while (i_start + 1 < i_end && a[i_start] == '0') ++i_start;
      while (j_start + 1 < j_end && b[j_start] == '0') ++j_start;
      const std::size_t i_len = i_end - i_start;
      const std::size_t j_len = j_end - j_start;
      if (i_len != j_len) return i_len < j_len;
      const int cmp = a.compare(i_start, i_len, b, j_start, j_len);
      if (cmp != 0) return cmp < 0;
      i = i_end;
      j = j_end;
      continue;
    }
    if (a[i] != b[j]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
    ++i;
    ++j;
  }
  if ((i < a.size()) != (j < b.size())) return j < b.size();
  return a < b;
}

}  // namespace

std::vector<DeltaLiveEntity> in_export_order(std::vector<DeltaLiveEntity> entities) {
  std::stable_sort(entities.begin(), entities.end(),
                   [](const DeltaLiveEntity& a, const DeltaLiveEntity& b) {
                     if (a.group != b.group) {
                       if (a.group.empty() || b.group.empty()) return b.group.empty();
                       return a.group < b.group;
                     }
                     return natural_less(a.entity_id, b.entity_id);
                   });
  return entities;
}

std::string export_yaml(std::vector<DeltaLiveEntity> entities, std::string_view schema_ref) {
  entities = in_export_order(std::move(entities));
  for (auto& e : entities) e = without_generated_columns(std::move(e));
  return to_yaml_document(entities, schema_ref);
}

std::string export_yaml(const DeltaLiveStore& store, std::string_view schema_ref) {
  require_initialized(store);
  return export_yaml(store.find_entities(by_all()).entities(), schema_ref);
}

std::string export_yaml_file(const DeltaLiveStore& store, const fs::path& output_file,
                             std::string_view schema_ref) {
  require_initialized(store);
  std::vector<DeltaLiveEntity> entities = store.find_entities(by_all()).entities();
  relativize_source_paths(entities, base_directory_of(output_file));
  return export_yaml(std::move(entities), schema_ref);
}

fs::path default_schema_path() {
  return fs::path(DLS_SOURCE_DIR) / "schemas" / "config_schema.json";
}

std::string schema_reference(const fs::path& schema, const fs::path& output_file) {
  const std::string text = schema.string();
  if (text.empty() || text.find("://") != std::string::npos) return text;
  const fs::path target = fs::absolute(schema).lexically_normal();
  const fs::path dir = fs::absolute(output_file).lexically_normal().parent_path();
  fs::path relative = target.lexically_relative(dir);
  if (relative.empty()) return target.string();
  return relative.generic_string();
}

}  // namespace dls
