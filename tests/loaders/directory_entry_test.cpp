// Directory entries: immediate, non-hidden sub-directories, sorted, with a detected file format.
#include "dls/loaders/directory_entry.h"

#include <gtest/gtest.h>

#include "dls/core/error.h"
#include "support/test_support.h"

namespace dls {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;
using testing::write_file;

TEST(DirectoryEntry, FileFormatOfKnownExtensions) {
  EXPECT_EQ(file_format_of("a.csv"), "csv");
  EXPECT_EQ(file_format_of("part-0.CSV.gz"), "csv");
  EXPECT_EQ(file_format_of("a.jsonl"), "json");
  EXPECT_EQ(file_format_of("a.ndjson.zst"), "json");
  EXPECT_EQ(file_format_of("a.snappy.parquet"), "parquet");
  EXPECT_EQ(file_format_of("a.txt"), "text");
  EXPECT_EQ(file_format_of("a.gz"), std::nullopt);
  EXPECT_EQ(file_format_of("README"), std::nullopt);
  EXPECT_EQ(file_format_of(".csv"), std::nullopt);
  EXPECT_EQ(file_format_of("a.xlsx"), std::nullopt);
}

TEST(DirectoryEntry, HiddenNamesStartWithDotOrUnderscore) {
  EXPECT_TRUE(is_hidden_name(".staging"));
  EXPECT_TRUE(is_hidden_name("_checkpoint"));
  EXPECT_FALSE(is_hidden_name("orders"));
  EXPECT_FALSE(is_hidden_name(""));
}

TEST(DirectoryEntry, ListsImmediateSubdirectoriesSortedSkippingHiddenAndFiles) {
  TempDir dir;
  write_file(dir / "orders/2024/a.csv", "id\n1\n");
  write_file(dir / "customers/c.json", "{}\n");
  write_file(dir / "readme.txt", "top-level files are ignored\n");
  write_file(dir / ".staging/x.csv", "id\n");
  write_file(dir / "_checkpoint/x.csv", "id\n");
  fs::create_directories(dir / "empty");

  const auto entries = list_directory_entries(dir.path());
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].name, "customers");
  EXPECT_EQ(entries[0].file_format, "json");
  EXPECT_EQ(entries[1].name, "empty");
  EXPECT_EQ(entries[1].file_format, std::nullopt);
  EXPECT_EQ(entries[1].file_count, 0u);
  EXPECT_EQ(entries[2].name, "orders");
  EXPECT_EQ(entries[2].path, fs::absolute(dir / "orders").lexically_normal());
  EXPECT_EQ(entries[2].file_format, "csv");  // found below a nested directory
  EXPECT_EQ(entries[2].file_count, 1u);
}

TEST(DirectoryEntry, MostFrequentFormatWinsAndTiesFollowFormatOrder) {
  TempDir dir;
  write_file(dir / "mixed/a.json", "{}");
  write_file(dir / "mixed/b.json.gz", "");
  write_file(dir / "mixed/c.csv", "");
  write_file(dir / "mixed/_SUCCESS", "");
  write_file(dir / "mixed/.hidden/d.csv", "");
  write_file(dir / "mixed/.e.csv", "");
  EXPECT_EQ(make_directory_entry(dir / "mixed").file_format, "json");

  write_file(dir / "tie/a.parquet", "");
  write_file(dir / "tie/b.csv", "");
  EXPECT_EQ(make_directory_entry(dir / "tie").file_format, "csv");
}

TEST(DirectoryEntry, TrailingSlashGivesTheDirectoryName) {
  TempDir dir;
  write_file(dir / "orders/a.csv", "");
  const auto entry = make_directory_entry(dir.str() + "/orders/");
  EXPECT_EQ(entry.name, "orders");
  EXPECT_EQ(entry.path, fs::absolute(dir / "orders").lexically_normal());
}

TEST(DirectoryEntry, SymlinkToDirectoryIsListed) {
  TempDir dir;
  TempDir elsewhere;
  write_file(elsewhere / "data/a.avro", "");
  fs::create_directories(dir / "root");
  fs::create_directory_symlink(elsewhere / "data", dir / "root/linked");
  const auto entries = list_directory_entries(dir / "root");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].name, "linked");
  EXPECT_EQ(entries[0].file_format, "avro");
}

TEST(DirectoryEntry, MissingRootIsNotFound) {
  TempDir dir;
  EXPECT_THROW(list_directory_entries(dir / "nope"), NotFoundError);
  write_file(dir / "file.csv", "");
  EXPECT_THROW(list_directory_entries(dir / "file.csv"), NotFoundError);
}

}  // namespace
}  // namespace dls
