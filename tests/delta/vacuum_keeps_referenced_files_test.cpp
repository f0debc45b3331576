// Vacuum keeps every file a retained version references (issue 15, "Nothing lost, nothing wrong"):
// the deletion vector files of active files and of unexpired tombstones, next to the data files.
// Every table of shared/testdata/delta that stores deletion vectors in files is vacuumed (in a
// private copy) with retention 0, with the default retention on files older than 7 days, and with
// a retention covering every removal; afterwards it must read exactly as the manifest says.
// Vacuum also refuses, deleting nothing, a table whose writer protocol it does not know.
#include <fcntl.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "delta/tombstones.h"
#include "dls/delta/delta_error.h"
#include "dls/delta/delta_table.h"
#include "dls/delta/table_scan.h"
#include "dls/sql/database.h"
#include "dls/sql/quote.h"
#include "support/test_support.h"

namespace dls::delta {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int64_t kDayMs = 24LL * 3600 * 1000;

fs::path delta_testdata() {
  return testing::testdata_dir() / "delta";
}

bool has_deletion_vector_file(const fs::path& root) {
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    const std::string name = e.path().filename().string();
    if (e.is_regular_file() && name.rfind("deletion_vector_", 0) == 0 && name.ends_with(".bin"))
      return true;
  }
  return false;
}

/// The manifest cases whose tables keep deletion vectors in files (storage type 'u' or 'p').
std::vector<json> dv_cases() {
  std::vector<json> out;
  std::ifstream in(delta_testdata() / "MANIFEST.json");
  if (!in) return out;
  const json manifest = json::parse(in);  // alive for the whole loop
  for (const auto& c : manifest.at("cases")) {
    if (c.value("must_fail", false)) continue;
    if (has_deletion_vector_file(delta_testdata() / c.at("name").get<std::string>()))
      out.push_back(c);
  }
  return out;
}

std::string case_name(const ::testing::TestParamInfo<json>& info) {
  std::string name = info.param.at("name").get<std::string>();
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

/// Sets the modification time of every file under `root` to `ms` (ms since the epoch).
void set_mtimes(const fs::path& root, int64_t ms) {
  struct timespec times[2];
  times[0].tv_sec = times[1].tv_sec = ms / 1000;
  times[0].tv_nsec = times[1].tv_nsec = (ms % 1000) * 1000000;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    ASSERT_EQ(::utimensat(AT_FDCWD, e.path().c_str(), times, 0), 0) << e.path();
  }
}

int count_dv_files(const fs::path& root) {
  int n = 0;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.path().filename().string().rfind("deletion_vector_", 0) == 0) ++n;
  }
  return n;
}

class VacuumDvTable : public ::testing::TestWithParam<json> {
 protected:
  void SetUp() override {
    name_ = GetParam().at("name").get<std::string>();
    root_ = (tmp_.path() / "table").string();
    fs::copy(delta_testdata() / name_, root_, fs::copy_options::recursive);
    con_.execute("SET TimeZone = 'UTC'");
  }

  /// The table reads version `v` as the manifest says: every row (DV files are read), the row
  /// count, the checksum and, at the latest version, the expected contents.
  void expect_reads(const json& v, const std::string& when) {
    const int64_t version = v.at("version").get<int64_t>();
    const std::string label = name_ + " @ v" + std::to_string(version) + " " + when;
    if (!v.value("readable", true) || !v.contains("rows") || !v["rows"].is_number()) return;
    try {
      Snapshot snap = Snapshot::load(local_storage(), root_, VersionSpec{version, {}});
      const std::string scan = TableScan(snap).sql(con_);
      // Materialises every column of every row: a missing DV or data file fails here.
      con_.query("SELECT * FROM (" + scan + ")").rows();
      EXPECT_EQ(con_.query("SELECT count(*) FROM (" + scan + ")").scalar().as_int(),
                v["rows"].get<int64_t>())
          << label;
      if (v.contains("checksum") && v["checksum"].is_object()) {
        const std::string col = v["checksum"].at("sum_of").get<std::string>();
        auto sum =
            con_.query("SELECT sum(" + sql::quote_identifier(col) + ")::BIGINT FROM (" + scan + ")")
                .scalar();
        EXPECT_EQ(sum.is_null() ? 0 : sum.as_int(), v["checksum"].at("value").get<int64_t>())
            << label << ": sum(" << col << ")";
      }
      const json& c = GetParam();
      if (version == c.at("latest_version").get<int64_t>() && c.contains("expected_latest") &&
          c["expected_latest"].is_string()) {
        const std::string expected =
            "read_parquet(" +
            sql::quote_literal(
                (delta_testdata() / c["expected_latest"].get<std::string>()).string()) +
            ")";
        std::set<std::string> ignore;
        if (c.contains("expected_ignore_columns"))
          for (const auto& i : c["expected_ignore_columns"]) ignore.insert(i.get<std::string>());
        std::string cols;
        for (const auto& row : con_.query("DESCRIBE SELECT * FROM " + expected).rows()) {
          if (ignore.count(row.at(0).as_string())) continue;
          cols += (cols.empty() ? "" : ", ") + sql::quote_identifier(row.at(0).as_string());
        }
        const std::string ours = "(SELECT " + cols + " FROM (" + scan + "))";
        const std::string theirs = "(SELECT " + cols + " FROM " + expected + ")";
        EXPECT_EQ(con_.query("SELECT count(*) FROM (" + ours + " EXCEPT ALL " + theirs + ")")
                      .scalar()
                      .as_int(),
                  0)
            << label;
        EXPECT_EQ(con_.query("SELECT count(*) FROM (" + theirs + " EXCEPT ALL " + ours + ")")
                      .scalar()
                      .as_int(),
                  0)
            << label;
      }
    } catch (const std::exception& e) {
      ADD_FAILURE() << label << ": " << e.what();
    }
  }

  const json& latest() const { return GetParam().at("versions").back(); }

  testing::TempDir tmp_;
  std::string name_, root_;
  sql::Database db_;
  sql::Connection con_{db_};
};

TEST_P(VacuumDvTable, RetentionZeroKeepsTheLatestVersionReadable) {
  const int dv_files = count_dv_files(root_);
  DeltaTable::open(root_).vacuum(0, /*dry_run=*/false, /*force=*/true);
  expect_reads(latest(), "after vacuum --retain 0 --force");
  // Sanity: vacuum did run (the check above is not vacuous when the table holds garbage).
  EXPECT_LE(count_dv_files(root_), dv_files);
}

TEST_P(VacuumDvTable, DefaultRetentionOnFilesOlderThanSevenDays) {
  set_mtimes(root_, now_ms() - 8 * kDayMs);
  DeltaTable::open(root_).vacuum();
  expect_reads(latest(), "after vacuum with the default retention, files 8 days old");
}

TEST_P(VacuumDvTable, RetentionCoveringEveryRemovalKeepsEveryVersionReadable) {
  // The oldest removal of the log: with a retention reaching back before it, every tombstone is
  // unexpired, so every version must stay readable — including the DV files of tombstones.
  Snapshot snap = Snapshot::load(local_storage(), root_);
  int64_t oldest = now_ms();
  for (const auto& r : collect_tombstones(snap, std::numeric_limits<int64_t>::min())) {
    if (r.deletion_timestamp) oldest = std::min(oldest, *r.deletion_timestamp);
  }
  // Files older than the cutoff, so that only the references protect them (not their age).
  set_mtimes(root_, oldest - 2 * kDayMs);
  const int64_t hours = (now_ms() - oldest) / (3600 * 1000) + 1;
  DeltaTable::open(root_).vacuum(hours, /*dry_run=*/false, /*force=*/true);
  for (const auto& v : GetParam().at("versions")) {
    // Versions before the oldest checkpoint's tombstones may be gone from the log's view; those
    // the manifest can read from the copy must read after vacuum too.
    expect_reads(v, "after vacuum with a retention covering every removal");
  }
}

INSTANTIATE_TEST_SUITE_P(Manifest, VacuumDvTable, ::testing::ValuesIn(dv_cases()), case_name);

TEST(VacuumDvTables, TheManifestHasDeletionVectorTables) {
  // Guards the parameterized suite against silently testing nothing.
  EXPECT_GE(dv_cases().size(), 6u);
}

// ---- protocol checks ----

const char* kSchema =
    R"({"type":"struct","fields":[{"name":"id","type":"long","nullable":true,"metadata":{}}]})";

/// A table with one orphan data file, eight days old, that vacuum would delete.
struct TableWithOrphan {
  testing::TempDir tmp;
  std::string root = (tmp.path() / "t").string();
  fs::path orphan = fs::path(root) / "part-00000-orphan.c000.snappy.parquet";
  TableWithOrphan() {
    DeltaTable::create(root, Schema::from_json_string(kSchema));
    testing::write_file(orphan, "not referenced");
    set_mtimes(root, now_ms() - 8 * kDayMs);
  }
  /// Commits version 1 with `protocol` (a JSON protocol action body).
  void set_protocol(const json& protocol) {
    json line = {{"protocol", protocol}};
    testing::write_file(fs::path(root) / "_delta_log" / commit_file_name(1), line.dump() + "\n");
  }
};

TEST(VacuumProtocol, RefusesAnUnknownWriterFeatureAndDeletesNothing) {
  TableWithOrphan t;
  t.set_protocol({{"minReaderVersion", 3},
                  {"minWriterVersion", 7},
                  {"readerFeatures", json::array({"vacuumProtocolCheck"})},
                  {"writerFeatures", json::array({"vacuumProtocolCheck", "someFutureFeature"})}});
  try {
    DeltaTable::open(t.root).vacuum(0, false, true);
    ADD_FAILURE() << "vacuum must refuse a table with an unknown writer feature";
  } catch (const UnsupportedFeatureError& e) {
    EXPECT_NE(std::string(e.what()).find("someFutureFeature"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(t.root), std::string::npos) << e.what();
  }
  EXPECT_TRUE(fs::exists(t.orphan));
}

TEST(VacuumProtocol, RefusesAnUnknownWriterVersion) {
  TableWithOrphan t;
  t.set_protocol({{"minReaderVersion", 1}, {"minWriterVersion", 8}});
  EXPECT_THROW(DeltaTable::open(t.root).vacuum(0, false, true), UnsupportedFeatureError);
  EXPECT_TRUE(fs::exists(t.orphan));
}

TEST(VacuumProtocol, KnownFeaturesWithVacuumProtocolCheckAreVacuumed) {
  TableWithOrphan t;
  t.set_protocol({{"minReaderVersion", 3},
                  {"minWriterVersion", 7},
                  {"readerFeatures", json::array({"deletionVectors", "vacuumProtocolCheck"})},
                  {"writerFeatures", json::array({"deletionVectors", "vacuumProtocolCheck"})}});
  VacuumResult r = DeltaTable::open(t.root).vacuum(0, false, true);
  EXPECT_EQ(r.files, std::vector<std::string>{t.orphan.filename().string()});
  EXPECT_FALSE(fs::exists(t.orphan));
}

}  // namespace
}  // namespace dls::delta
