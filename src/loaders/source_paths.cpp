#include "dls/loaders/source_paths.h"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace dls {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kFileFormats[] = {"cloudFiles", "csv", "json", "parquet",
                                             "avro",       "orc", "text"};

// "s3://bucket", "dbfs:/mnt", "file:/tmp", "abfss://c@a": a scheme of 2+ letters then ':'
// (one letter would be a Windows drive, which we do not expect but do not rewrite either).
bool has_scheme(std::string_view s) {
  const auto colon = s.find(':');
  if (colon == std::string_view::npos || colon < 1) return false;
  return std::all_of(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(colon), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
  });
}

}  // namespace

bool source_is_local_path(const DeltaLiveEntity& entity) {
  if (entity.source.empty() || has_scheme(entity.source)) return false;
  const bool reads_files = std::find(std::begin(kFileFormats), std::end(kFileFormats),
                                     entity.source_format) != std::end(kFileFormats);
  return reads_files ||
         (entity.source_format == "delta" && entity.source.find('/') != std::string::npos);
}

fs::path base_directory_of(const fs::path& file) {
  return fs::absolute(file).lexically_normal().parent_path();
}

void resolve_source_paths(std::vector<DeltaLiveEntity>& entities, const fs::path& base_dir) {
  const fs::path base = fs::absolute(base_dir).lexically_normal();
  for (auto& e : entities) {
    if (!source_is_local_path(e) || fs::path(e.source).is_absolute()) continue;
    std::string resolved = (base / e.source).lexically_normal().string();
    // "data/orders/" keeps no trailing separator: one spelling per folder, one hash per entity.
    while (resolved.size() > 1 && resolved.back() == '/') resolved.pop_back();
    e.source = std::move(resolved);
  }
}

void relativize_source_paths(std::vector<DeltaLiveEntity>& entities, const fs::path& base_dir) {
  const fs::path base = fs::absolute(base_dir).lexically_normal();
  for (auto& e : entities) {
    if (!source_is_local_path(e) || !fs::path(e.source).is_absolute()) continue;
    const fs::path relative = fs::path(e.source).lexically_normal().lexically_relative(base);
    const std::string text = relative.string();
    if (relative.empty() || text == "." || text.rfind("..", 0) == 0) continue;  // not under it
    e.source = text;
  }
}

}  // namespace dls
