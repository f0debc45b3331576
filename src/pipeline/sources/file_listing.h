// Listing the input files of a file source: `source` is a file, a directory or a glob pattern.
// Hidden files and directories (names starting with '_' or '.', e.g. _SUCCESS, .crc) are skipped,
// as Spark does. Results are sorted by path, so listings are deterministic.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace dls::pipeline::sources {

struct InputFile {
  std::string path;      // absolute, lexically normal
  int64_t size = 0;      // bytes
  int64_t mtime_us = 0;  // modification time, microseconds since the Unix epoch
  friend bool operator==(const InputFile&, const InputFile&) = default;
};

nlohmann::json to_json(const InputFile& file);
InputFile input_file_from_json(const nlohmann::json& j);

struct ListingOptions {
  bool recursive = false;        // descend into sub-directories of a directory source
  std::string path_glob_filter;  // pathGlobFilter: a glob on file names ("" = all)
};

/// The files of `source`. A directory that does not exist is a NotFoundError naming it; a glob
/// that matches nothing and an empty directory give an empty list.
std::vector<InputFile> list_input_files(const std::string& source, const ListingOptions& options);

/// True if `s` contains glob characters (* ? [).
bool has_glob(const std::string& s);

}  // namespace dls::pipeline::sources
