// Integers in the Delta log (issue 15): a number where the protocol requires an integer must be
// one exactly — integral and within the field's range — or reading fails with a clear error that
// names the field and the file. Casting 1.6e21 or 1e30 to int64 is undefined behaviour and would
// silently produce a wrong size or timestamp.
#include <gtest/gtest.h>

#include <filesystem>
#include <limits>
#include <string>

#include <nlohmann/json.hpp>

#include "dls/delta/action.h"
#include "dls/delta/delta_error.h"
#include "dls/delta/delta_table.h"
#include "dls/delta/snapshot.h"
#include "support/test_support.h"

namespace dls::delta {
namespace {

namespace fs = std::filesystem;

const char* kWhere = "commit /t/_delta_log/00000000000000000007.json (version 7)";

/// Parsing `line` must fail with CorruptTableError naming `field` and the file.
void expect_rejected(const std::string& line, const std::string& field) {
  try {
    parse_commit(line + "\n", kWhere);
    ADD_FAILURE() << "accepted: " << line;
  } catch (const CorruptTableError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(field), std::string::npos) << "no field " << field << " in: " << msg;
    EXPECT_NE(msg.find("00000000000000000007.json"), std::string::npos) << msg;
    EXPECT_NE(msg.find("line 1"), std::string::npos) << msg;
  }
}

std::string add_with(const std::string& field_json) {
  return R"({"add":{"path":"a.parquet","partitionValues":{},"size":10,"modificationTime":1,)"
         R"("dataChange":true,)" +
         field_json + "}}";
}

TEST(LogNumberRange, AddFieldsOutOfRangeOrNonIntegral) {
  expect_rejected(R"({"add":{"path":"a","size":10,"modificationTime":1.6e21,"dataChange":true}})",
                  "add.modificationTime");
  expect_rejected(R"({"add":{"path":"a","size":1e30,"modificationTime":1,"dataChange":true}})",
                  "add.size");
  expect_rejected(R"({"add":{"path":"a","size":12.5,"modificationTime":1,"dataChange":true}})",
                  "add.size");
  expect_rejected(R"({"add":{"path":"a","size":-3,"modificationTime":1,"dataChange":true}})",
                  "add.size");
  // Above INT64_MAX: nlohmann keeps it as an unsigned integer, which must not wrap.
  expect_rejected(
      R"({"add":{"path":"a","size":9223372036854775808,"modificationTime":1,"dataChange":true}})",
      "add.size");
  expect_rejected(R"({"add":{"path":"a","size":"99999999999999999999","modificationTime":1}})",
                  "add.size");
  expect_rejected(add_with(R"("baseRowId":1e19)"), "add.baseRowId");
  expect_rejected(add_with(R"("defaultRowCommitVersion":0.5)"), "add.defaultRowCommitVersion");
}

TEST(LogNumberRange, RemoveFields) {
  expect_rejected(R"({"remove":{"path":"a","deletionTimestamp":1.6e21,"dataChange":true}})",
                  "remove.deletionTimestamp");
  expect_rejected(R"({"remove":{"path":"a","deletionTimestamp":1,"size":1e30}})", "remove.size");
  expect_rejected(R"({"remove":{"path":"a","deletionTimestamp":1,"size":-1}})", "remove.size");
}

TEST(LogNumberRange, DeletionVectorFields) {
  const std::string dv = R"("storageType":"u","pathOrInlineDv":"ab^-aqEH.-t@S}K{vb[*k^",)";
  expect_rejected(
      add_with(R"("deletionVector":{)" + dv + R"("sizeInBytes":2147483648,"cardinality":1})"),
      "deletionVector.sizeInBytes");
  expect_rejected(
      add_with(R"("deletionVector":{)" + dv + R"("offset":-1,"sizeInBytes":36,"cardinality":1})"),
      "deletionVector.offset");
  expect_rejected(
      add_with(R"("deletionVector":{)" + dv + R"("offset":1e10,"sizeInBytes":36,"cardinality":1})"),
      "deletionVector.offset");
  expect_rejected(
      add_with(R"("deletionVector":{)" + dv + R"("sizeInBytes":36,"cardinality":1e20})"),
      "deletionVector.cardinality");
}

TEST(LogNumberRange, ProtocolTxnMetadataAndCommitInfo) {
  expect_rejected(R"({"protocol":{"minReaderVersion":4294967297,"minWriterVersion":2}})",
                  "protocol.minReaderVersion");
  expect_rejected(R"({"protocol":{"minReaderVersion":1,"minWriterVersion":2.5}})",
                  "protocol.minWriterVersion");
  expect_rejected(R"({"txn":{"appId":"x","version":1e300}})", "txn.version");
  expect_rejected(R"({"txn":{"appId":"x","version":1,"lastUpdated":-1e19}})", "txn.lastUpdated");
  expect_rejected(R"({"metaData":{"id":"m","schemaString":"","createdTime":1e25}})",
                  "metaData.createdTime");
  expect_rejected(R"({"commitInfo":{"timestamp":1.6e21,"operation":"WRITE"}})",
                  "commitInfo.timestamp");
  expect_rejected(R"({"commitInfo":{"inCommitTimestamp":9.3e18}})", "commitInfo.inCommitTimestamp");
  expect_rejected(R"({"commitInfo":{"inCommitTimestamp":"soon"}})", "commitInfo.inCommitTimestamp");
}

TEST(LogNumberRange, ExactIntegersInOtherSpellingsAreAccepted) {
  auto actions = parse_commit(
      R"({"add":{"path":"a","size":1024.0,"modificationTime":"1700000000000","dataChange":true}})"
      "\n"
      R"({"remove":{"path":"b","deletionTimestamp":-9223372036854775808,"size":0}})"
      "\n"
      R"({"commitInfo":{"timestamp":"not a number: free-form, ignored"}})"
      "\n",
      kWhere);
  ASSERT_EQ(actions.size(), 3u);
  EXPECT_EQ(std::get<AddFile>(actions[0]).size, 1024);
  EXPECT_EQ(std::get<AddFile>(actions[0]).modification_time, 1700000000000);
  EXPECT_EQ(std::get<RemoveFile>(actions[1]).deletion_timestamp,
            std::numeric_limits<int64_t>::min());
  EXPECT_EQ(std::get<CommitInfo>(actions[2]).timestamp(), std::nullopt);
}

TEST(LogNumberRange, JsonToInt64NeverWraps) {
  using nlohmann::json;
  EXPECT_EQ(json_to_int64(json::parse("9223372036854775807")), INT64_MAX);
  EXPECT_EQ(json_to_int64(json::parse("9223372036854775808")), std::nullopt);
  EXPECT_EQ(json_to_int64(json::parse("18446744073709551615")), std::nullopt);
  EXPECT_EQ(json_to_int64(json::parse("9.223372036854775807e18")), std::nullopt);  // == 2^63
  EXPECT_EQ(json_to_int64(json::parse("-9.223372036854775808e18")), INT64_MIN);
  EXPECT_EQ(json_to_int64(json::parse("1e300")), std::nullopt);
  EXPECT_EQ(json_to_int64(json::parse("3.0")), 3);
  EXPECT_EQ(json_to_int64(json::parse("3.5")), std::nullopt);
  EXPECT_EQ(json_to_int64(json::parse("true")), std::nullopt);
}

const char* kSchema =
    R"({"type":"struct","fields":[{"name":"id","type":"long","nullable":true,"metadata":{}}]})";

TEST(LogNumberRange, ASnapshotWithAnOutOfRangeSizeFailsNamingTheCommitFile) {
  testing::TempDir tmp;
  const std::string root = (tmp.path() / "t").string();
  DeltaTable::create(root, Schema::from_json_string(kSchema));
  const fs::path commit = fs::path(root) / "_delta_log" / commit_file_name(1);
  testing::write_file(commit, R"({"commitInfo":{"operation":"WRITE"}})"
                              "\n"
                              R"({"add":{"path":"x.parquet","partitionValues":{},"size":1e30,)"
                              R"("modificationTime":1,"dataChange":true}})"
                              "\n");
  try {
    Snapshot::load(local_storage(), root);
    ADD_FAILURE() << "a size of 1e30 must not load";
  } catch (const CorruptTableError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(commit.string()), std::string::npos) << msg;
    EXPECT_NE(msg.find("line 2"), std::string::npos) << msg;
    EXPECT_NE(msg.find("add.size"), std::string::npos) << msg;
  }
}

TEST(LogNumberRange, DescribeRejectsAnOutOfRangeNumRecords) {
  testing::TempDir tmp;
  const std::string root = (tmp.path() / "t").string();
  DeltaTable::create(root, Schema::from_json_string(kSchema));
  testing::write_file(fs::path(root) / "_delta_log" / commit_file_name(1),
                      R"({"add":{"path":"x.parquet","partitionValues":{},"size":10,)"
                      R"("modificationTime":1,"dataChange":true,"stats":"{\"numRecords\":1e30}"}})"
                      "\n");
  try {
    DeltaTable::open(root).describe();
    ADD_FAILURE() << "numRecords 1e30 must not be summed";
  } catch (const CorruptTableError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("numRecords"), std::string::npos) << msg;
    EXPECT_NE(msg.find("x.parquet"), std::string::npos) << msg;
  }
}

}  // namespace
}  // namespace dls::delta

namespace dls::delta {
namespace {

TEST(LogNumberRange, ALogFileNameBeyondTheInt64RangeIsCorruption) {
  testing::TempDir tmp;
  const std::string root = (tmp.path() / "t").string();
  DeltaTable::create(root, Schema::from_json_string(kSchema));
  const fs::path bad = fs::path(root) / "_delta_log" / "99999999999999999999.json";
  testing::write_file(bad, R"({"commitInfo":{}})"
                           "\n");
  try {
    Snapshot::load(local_storage(), root);
    ADD_FAILURE() << "a version beyond int64 must not load";
  } catch (const CorruptTableError& e) {
    EXPECT_NE(std::string(e.what()).find(bad.string()), std::string::npos) << e.what();
  }
  // history lists commits by name: such a name is not a commit (no std::out_of_range).
  EXPECT_EQ(DeltaTable::open(root).history().size(), 1u);
}

}  // namespace
}  // namespace dls::delta
