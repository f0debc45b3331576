#include "dls/loaders/directory_entry.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <system_error>

#include "dls/core/error.h"

namespace dls {
namespace fs = std::filesystem;
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Extension (lower case, without the dot) → format.
std::optional<std::string> format_of_extension(std::string_view ext) {
  static const std::map<std::string, std::string, std::less<>> kFormats = {
      {"csv", "csv"},         {"json", "json"}, {"jsonl", "json"}, {"ndjson", "json"},
      {"parquet", "parquet"}, {"avro", "avro"}, {"orc", "orc"},    {"xml", "xml"},
      {"txt", "text"},        {"text", "text"}, {"log", "text"},
  };
  auto it = kFormats.find(ext);
  if (it == kFormats.end()) return std::nullopt;
  return it->second;
}

bool is_compression_extension(std::string_view ext) {
  static constexpr std::array<std::string_view, 7> kCompressions = {
      "gz", "gzip", "bz2", "zst", "snappy", "lz4", "deflate"};
  return std::find(kCompressions.begin(), kCompressions.end(), ext) != kCompressions.end();
}

std::size_t format_rank(const std::string& format) {
  for (std::size_t i = 0; i < std::size(kFileFormats); ++i) {
    if (kFileFormats[i] == format) return i;
  }
  return std::size(kFileFormats);
}

}  // namespace

std::optional<std::string> file_format_of(std::string_view file_name) {
  std::string name = lower(file_name);
  for (int round = 0; round < 2; ++round) {
    const auto dot = name.rfind('.');
    if (dot == std::string::npos || dot == 0) return std::nullopt;
    const std::string ext = name.substr(dot + 1);
    if (round == 0 && is_compression_extension(ext)) {
      name.resize(dot);
      continue;
    }
    return format_of_extension(ext);
  }
  return std::nullopt;
}

bool is_hidden_name(std::string_view name) {
  return !name.empty() && (name.front() == '.' || name.front() == '_');
}

DirectoryEntry make_directory_entry(const fs::path& path) {
  DirectoryEntry entry;
  entry.path = fs::absolute(path).lexically_normal();
  if (!entry.path.has_filename() && entry.path.has_parent_path()) {
    entry.path = entry.path.parent_path();  // "/data/orders/" → "/data/orders"
  }
  entry.name = entry.path.filename().string();

  std::map<std::string, std::size_t> counts;
  std::error_code ec;
  fs::recursive_directory_iterator it(entry.path, fs::directory_options::skip_permission_denied,
                                      ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (is_hidden_name(name)) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(ec)) continue;
    if (++entry.file_count >= kMaxScannedFiles) break;
    if (auto format = file_format_of(name)) ++counts[*format];
  }
  std::optional<std::string> best;
  std::size_t best_count = 0;
  for (const auto& [format, count] : counts) {
    if (count > best_count || (count == best_count && format_rank(format) < format_rank(*best))) {
      best = format;
      best_count = count;
    }
  }
  entry.file_format = best;
  return entry;
}

std::vector<DirectoryEntry> list_directory_entries(const fs::path& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    throw NotFoundError("not a directory: " + root.string() +
                        " (dls load dir expects a directory whose sub-directories hold the data "
                        "of one dataset each)");
  }
  std::vector<fs::path> dirs;
  fs::directory_iterator it(root, ec);
  if (ec) throw NotFoundError("cannot list " + root.string() + ": " + ec.message());
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) throw NotFoundError("cannot list " + root.string() + ": " + ec.message());
    std::error_code type_ec;
    if (is_hidden_name(it->path().filename().string()) || !it->is_directory(type_ec)) continue;
    dirs.push_back(it->path());
  }
  if (ec) throw NotFoundError("cannot list " + root.string() + ": " + ec.message());
  std::sort(dirs.begin(), dirs.end());
  std::vector<DirectoryEntry> entries;
  entries.reserve(dirs.size());
  for (const auto& dir : dirs) entries.push_back(make_directory_entry(dir));
  return entries;
}

}  // namespace dls
