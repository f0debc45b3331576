#include "pipeline/sources/file_listing.h"

#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "dls/core/error.h"

namespace fs = std::filesystem;

namespace dls::pipeline::sources {

nlohmann::json to_json(const InputFile& file) {
  return {{"path", file.path}, {"size", file.size}, {"mtime_us", file.mtime_us}};
}

InputFile input_file_from_json(const nlohmann::json& j) {
  return {j.at("path").get<std::string>(), j.at("size").get<int64_t>(),
          j.at("mtime_us").get<int64_t>()};
}

bool has_glob(const std::string& s) {
  return s.find_first_of("*?[") != std::string::npos;
}

namespace {

bool hidden(const std::string& name) {
  return !name.empty() && (name[0] == '_' || name[0] == '.');
}

bool stat_file(const fs::path& p, InputFile& out) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  out.path = p.lexically_normal().string();
  out.size = static_cast<int64_t>(st.st_size);
  out.mtime_us = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000 + st.st_mtim.tv_nsec / 1000;
  return true;
}

bool name_matches(const std::string& name, const std::string& glob) {
  return glob.empty() || ::fnmatch(glob.c_str(), name.c_str(), 0) == 0;
}

void walk(const fs::path& dir, bool recursive, const std::string& name_glob,
          const std::string& path_glob, std::vector<InputFile>& out) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path p = it->path();
    const std::string name = p.filename().string();
    if (hidden(name)) continue;
    std::error_code type_ec;
    if (it->is_directory(type_ec)) {
      if (recursive) walk(p, recursive, name_glob, path_glob, out);
      continue;
    }
    if (!name_matches(name, name_glob)) continue;
    if (!path_glob.empty() &&
        ::fnmatch(path_glob.c_str(), p.lexically_normal().c_str(), FNM_PATHNAME) != 0) {
      continue;
    }
    InputFile f;
    if (stat_file(p, f)) out.push_back(f);
  }
  if (ec) throw Error("cannot list directory " + dir.string() + ": " + ec.message());
}

}  // namespace

std::vector<InputFile> list_input_files(const std::string& source, const ListingOptions& options) {
  std::vector<InputFile> out;
  if (source.empty()) throw InvalidMetadataError("the source path is empty");
  const fs::path abs = fs::absolute(fs::path(source)).lexically_normal();
  if (has_glob(source)) {
    // List from the longest directory prefix without glob characters, matching full paths.
    fs::path base;
    for (const auto& part : abs) {
      if (has_glob(part.string())) break;
      base /= part;
    }
    if (fs::is_directory(base)) walk(base, true, options.path_glob_filter, abs.string(), out);
  } else if (fs::is_directory(abs)) {
    walk(abs, options.recursive, options.path_glob_filter, "", out);
  } else if (fs::exists(abs)) {
    InputFile f;
    if (!stat_file(abs, f)) throw Error("source " + source + " is not a regular file or directory");
    if (name_matches(abs.filename().string(), options.path_glob_filter)) out.push_back(f);
  } else {
    throw NotFoundError("source path " + abs.string() +
                        " does not exist (the source of a file source must be a file, a directory "
                        "or a glob pattern)");
  }
  std::sort(out.begin(), out.end(),
            [](const InputFile& a, const InputFile& b) { return a.path < b.path; });
  return out;
}

}  // namespace dls::pipeline::sources
