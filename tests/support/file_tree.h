// Every file under a directory with its content: a test that says "nothing was written" compares
// this before and after.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "support/test_support.h"

namespace dls::testing {

/// Relative path -> content of every regular file under `root` (empty when `root` is missing).
inline std::map<std::string, std::string> file_tree(const std::filesystem::path& root) {
  std::map<std::string, std::string> out;
  if (!std::filesystem::exists(root)) return out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (e.is_regular_file())
      out[std::filesystem::relative(e.path(), root).string()] = read_file(e.path());
  }
  return out;
}

}  // namespace dls::testing
