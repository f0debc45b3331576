// The sample files under tests/core/samples: every valid/*.yml loads, every invalid/*.yml is
// rejected, and so is every invalid_cpp_only/*.yml (defects JSON Schema cannot express). The
// valid and invalid samples are meant to be run through schemas/config_schema.json by a JSON Schema
// validator, so that the schema and the C++ validator stay in agreement.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "dls/core/error.h"
#include "dls/core/yaml_document.h"

namespace dls {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> samples(const std::string& kind) {
  std::vector<fs::path> out;
  for (const auto& entry :
       fs::directory_iterator(fs::path(DLS_SOURCE_DIR) / "tests/core/samples" / kind)) {
    if (entry.path().extension() == ".yml") out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(Samples, ValidSamplesLoad) {
  const auto files = samples("valid");
  ASSERT_GE(files.size(), 3u);
  for (const auto& file : files) {
    EXPECT_NO_THROW(load_yaml_document(file)) << file;
    try {
      load_yaml_document(file);
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
    }
  }
}

TEST(Samples, InvalidSamplesAreRejectedWithOneLocatedError) {
  auto files = samples("invalid");
  ASSERT_GE(files.size(), 10u);
  for (const auto& file : samples("invalid_cpp_only")) files.push_back(file);
  for (const auto& file : files) {
    try {
      load_yaml_document(file);
      ADD_FAILURE() << file << " was accepted";
    } catch (const MetadataErrors& e) {
      ASSERT_EQ(e.errors().size(), 1u) << file << ": each invalid sample has a single defect\n"
                                       << e.what();
      EXPECT_EQ(e.errors()[0].rfind(file.string() + ":", 0), 0u) << e.errors()[0];
    }
  }
}

}  // namespace
}  // namespace dls
