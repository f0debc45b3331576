// End-to-end tests of `dls run` with apply_changes (CDC): the Databricks documentation's example
// (userId, name, city, operation, sequenceNum) fed as CSV files to cloudFiles in two updates, into
// an SCD type 1 and an SCD type 2 target; expectations (drop and quarantine) before the merge;
// no-op reruns, full refresh, the event log's counts and plan-time errors; kill -9 at random
// moments of CDC updates (the state and the target are two commits).
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace dls {
namespace {

using dls::testing::run_dls;
using dls::testing::shell_quote;
using dls::testing::TempDir;
using dls::testing::write_file;

const char* kHeader = "userId,name,city,operation,sequenceNum\n";

// The documentation's change feed, split over two files (one per update); each file also has
// rows the expectations keep away from the merge.
const char* kPart1 =
    "124,Raul,Oaxaca,INSERT,1\n"
    "123,Isabel,Monterrey,INSERT,1\n"
    "125,Mercedes,Tijuana,INSERT,2\n"
    "126,Lily,Cancun,INSERT,2\n"
    "124,Raul,Nowhere,BOGUS,9\n";  // dropped: unknown operation (would move Raul)
const char* kPart2 =
    "123,,,DELETE,6\n"
    "125,Mercedes,Guadalajara,UPDATE,6\n"
    "125,Mercedes,Mexicali,UPDATE,5\n"
    "123,Isabel,Chihuahua,UPDATE,5\n"
    "127,Zed,,INSERT,3\n";  // no city: dropped (SCD1) / quarantined (SCD2)

// The documented tables.
const char* kScd1 =
    "userId,name,city\n"
    "124,Raul,Oaxaca\n"
    "125,Mercedes,Guadalajara\n"
    "126,Lily,Cancun\n";
const char* kScd2 =
    "userId,name,city,__START_AT,__END_AT\n"
    "123,Isabel,Monterrey,1,5\n"
    "123,Isabel,Chihuahua,5,6\n"
    "124,Raul,Oaxaca,1,\n"
    "125,Mercedes,Tijuana,2,5\n"
    "125,Mercedes,Mexicali,5,6\n"
    "125,Mercedes,Guadalajara,6,\n"
    "126,Lily,Cancun,2,\n";

class CdcRun : public ::testing::Test {
 protected:
  void SetUp() override {
    wh_ = (dir_.path() / "wh").string();
    data_ = dir_.path() / "data";
    std::filesystem::create_directories(data_ / "users");
  }

  testing::CommandResult dls(const std::string& args) {
    return run_dls("--warehouse " + shell_quote(wh_) + " " + args, dir_.path());
  }

  void users_file(const std::string& name, const std::string& rows) {
    write_file(data_ / "users" / name, kHeader + rows);
  }

  nlohmann::json entity(const std::string& id, int scd) const {
    nlohmann::json apply = {{"sequence_by", "sequenceNum"},
                            {"apply_as_deletes", "operation = 'DELETE'"},
                            {"except_column_list", {"operation", "sequenceNum"}},
                            {"stored_as_scd_type", scd}};
    if (scd == 1) apply["apply_as_truncates"] = "operation = 'TRUNCATE'";
    nlohmann::json expectations = {
        {"expect_all_or_drop",
         {{"known_operation", "operation IN ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE')"}}}};
    const char* has_city = "city IS NOT NULL OR operation <> 'INSERT'";
    if (scd == 1) {
      expectations["expect_all_or_drop"]["has_city"] = has_city;
    } else {
      expectations["expect_all"] = {{"has_city", has_city}};
    }
    nlohmann::json e = {{"entity_id", id},
                        {"group", "main.cdc"},
                        {"source", (data_ / "users").string()},
                        {"source_format", "cloudFiles"},
                        {"read_options", {{"cloudFiles.format", "csv"}, {"header", "true"}}},
                        {"is_streaming", true},
                        {"select_expr",
                         {"CAST(userId AS INT) AS userId", "name", "city", "operation",
                          "CAST(sequenceNum AS INT) AS sequenceNum"}},
                        {"primary_keys", {"userId"}},
                        {"apply_changes", apply},
                        {"expectations", expectations},
                        {"destination", id}};
    if (scd == 2) e["is_quarantined"] = true;
    return e;
  }

  nlohmann::json entities() const {
    return nlohmann::json::array({entity("users_scd1", 1), entity("users_scd2", 2)});
  }

  void load(const nlohmann::json& list) {
    auto init = dls("store init");
    ASSERT_EQ(init.exit_code, 0) << init.err;
    auto up = dls("upsert --json " + shell_quote(list.dump()));
    ASSERT_EQ(up.exit_code, 0) << up.err;
  }

  std::string query(const std::string& sql) {
    auto r = dls("query --format csv " + shell_quote(sql));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }

  std::string scd1() {
    return query("SELECT userId, name, city FROM main.cdc.users_scd1 ORDER BY userId");
  }
  std::string scd2() {
    return query(
        "SELECT userId, name, city, __START_AT, __END_AT FROM main.cdc.users_scd2 "
        "ORDER BY userId, __START_AT");
  }

  int64_t version(const std::string& table) {
    auto r = dls("table describe --format json " + table);
    if (r.exit_code != 0) return -1;
    return nlohmann::json::parse(r.out)["version"].get<int64_t>();
  }

  std::map<std::string, int64_t> versions() {
    std::map<std::string, int64_t> v;
    for (const char* t : {"users_scd1", "users_scd2", "users_scd2_invalid"}) {
      v[t] = version(std::string("main.cdc.") + t);
    }
    return v;
  }

  std::filesystem::path cdc_state(const std::string& table) const {
    return std::filesystem::path(wh_) / "_pipelines" / "main_cdc" / "checkpoints" /
           ("main.cdc." + table) / "cdc_state";
  }

  TempDir dir_;
  std::string wh_;
  std::filesystem::path data_;
};

TEST_F(CdcRun, DocumentationExampleInTwoUpdatesGivesTheDocumentedTables) {
  load(entities());
  users_file("part1.csv", kPart1);
  auto r1 = dls("run");
  ASSERT_EQ(r1.exit_code, 0) << r1.err << r1.out;
  EXPECT_EQ(scd1(),
            "userId,name,city\n123,Isabel,Monterrey\n124,Raul,Oaxaca\n125,Mercedes,Tijuana\n"
            "126,Lily,Cancun\n");

  users_file("part2.csv", kPart2);
  auto r2 = dls("run");
  ASSERT_EQ(r2.exit_code, 0) << r2.err << r2.out;
  EXPECT_EQ(scd1(), kScd1);
  EXPECT_EQ(scd2(), kScd2);
  // The row without a city went to the quarantine table, never to the merge.
  EXPECT_EQ(query("SELECT userId, _errors FROM main.cdc.users_scd2_invalid"),
            "userId,_errors\n127,[has_city]\n");
  EXPECT_TRUE(std::filesystem::exists(cdc_state("users_scd1")));
  EXPECT_TRUE(std::filesystem::exists(cdc_state("users_scd2")));

  // No new files: nothing is committed.
  auto before = versions();
  auto r3 = dls("run");
  ASSERT_EQ(r3.exit_code, 0) << r3.err;
  EXPECT_EQ(versions(), before) << "a run with no new input commits nothing";
  EXPECT_NE(r3.out.find("UP_TO_DATE"), std::string::npos) << r3.out;
  EXPECT_EQ(scd1(), kScd1);
  EXPECT_EQ(scd2(), kScd2);

  // The event log counts the merge and the expectations.
  auto log = std::string("delta_scan('") + wh_ + "/_pipelines/main_cdc/event_log')";
  auto details =
      query("SELECT details FROM " + log +
            " WHERE event_type = 'flow_progress' AND origin.flow_name = 'main.cdc.users_scd1'"
            " AND details LIKE '%COMPLETED%' ORDER BY timestamp, sequence");
  EXPECT_NE(details.find("num_upserted_rows"), std::string::npos) << details;
  EXPECT_NE(details.find("num_deleted_rows"), std::string::npos) << details;
  auto counts = query(
      "SELECT sum(CAST(json_extract(details, '$.flow_progress.metrics.num_upserted_rows') AS "
      "BIGINT)) AS upserted, sum(CAST(json_extract(details, "
      "'$.flow_progress.metrics.num_deleted_rows') AS BIGINT)) AS deleted, "
      "sum(CAST(json_extract(details, '$.flow_progress.metrics.dropped_records') AS BIGINT)) AS "
      "dropped FROM " +
      log +
      " WHERE event_type = 'flow_progress' AND origin.flow_name = 'main.cdc.users_scd1' AND "
      "json_extract_string(details, '$.flow_progress.status') = 'COMPLETED'");
  // Update 1: 4 inserts; update 2: 123 deleted, 125 updated; 2 rows dropped in all.
  EXPECT_EQ(counts, "upserted,deleted,dropped\n5,1,2\n");
}

TEST_F(CdcRun, ExpectOrDropKeepsABadChangeAwayFromTheMerge) {
  // Without the rule the BOGUS row (sequence 9) would be the latest event of 124 and move Raul.
  load(entities());
  users_file("part1.csv", kPart1);
  users_file("part2.csv", kPart2);
  auto r = dls("run");
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(scd1(), kScd1);
  EXPECT_EQ(scd2(), kScd2);
  EXPECT_EQ(query("SELECT count(*) FROM main.cdc.users_scd1 WHERE city = 'Nowhere'"),
            "count_star()\n0\n");

  auto without_rule = entities();
  without_rule[0]["expectations"]["expect_all_or_drop"].erase("known_operation");
  auto up = dls("upsert --json " + shell_quote(without_rule.dump()));
  ASSERT_EQ(up.exit_code, 0) << up.err;
  auto again = dls("run --full-refresh users_scd1");
  ASSERT_EQ(again.exit_code, 0) << again.err << again.out;
  EXPECT_EQ(query("SELECT city FROM main.cdc.users_scd1 WHERE userId = 124"), "city\nNowhere\n");
}

TEST_F(CdcRun, FullRefreshRebuildsTheTargetAndItsState) {
  load(entities());
  users_file("part1.csv", kPart1);
  ASSERT_EQ(dls("run").exit_code, 0);
  users_file("part2.csv", kPart2);
  ASSERT_EQ(dls("run").exit_code, 0);
  auto r = dls("run --full-refresh users_scd1 users_scd2");
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(scd1(), kScd1);
  EXPECT_EQ(scd2(), kScd2);
  EXPECT_EQ(query("SELECT count(*) FROM main.cdc.users_scd2_invalid"), "count_star()\n1\n");
  // The state was rebuilt from scratch: one update's worth of commits.
  auto state_log = cdc_state("users_scd1") / "_delta_log";
  ASSERT_TRUE(std::filesystem::exists(state_log));
  int commits = 0;
  for (const auto& f : std::filesystem::directory_iterator(state_log)) {
    if (f.path().extension() == ".json") ++commits;
  }
  EXPECT_LE(commits, 2) << "the CDC state was not deleted by the full refresh";
}

TEST_F(CdcRun, ApplyChangesWithoutPrimaryKeysIsRefusedBeforeItIsStored) {
  // Issue 15: what the run would refuse, storing refuses (it used to fail `dls run` only).
  auto list = entities();
  list[0].erase("primary_keys");
  ASSERT_EQ(dls("store init").exit_code, 0);
  auto up = dls("upsert --json " + shell_quote(list.dump()));
  EXPECT_EQ(up.exit_code, 3) << up.err << up.out;
  EXPECT_NE(up.err.find("users_scd1"), std::string::npos) << up.err;
  EXPECT_NE(up.err.find("primary_keys"), std::string::npos) << up.err;
  auto r = dls("run");
  EXPECT_NE(r.exit_code, 0) << "nothing was stored, so nothing can run";
  EXPECT_EQ(version("main.cdc.users_scd2"), -1);
}

TEST_F(CdcRun, BadSpecIsInvalidMetadataAtPlanTime) {
  auto list = entities();
  list[1]["apply_changes"]["column_list"] = {"userId"};
  list[1]["apply_changes"]["except_column_list"] = {"name"};  // both lists: mutually exclusive
  auto init = dls("store init");
  ASSERT_EQ(init.exit_code, 0) << init.err;
  auto up = dls("upsert --json " + shell_quote(list.dump()));
  if (up.exit_code != 0) GTEST_SKIP() << "the store already rejects this spec: " << up.err;
  auto r = dls("run");
  EXPECT_EQ(r.exit_code, 3) << r.err << r.out;
  EXPECT_NE((r.err + r.out).find("users_scd2"), std::string::npos) << r.err << r.out;
}

// The state table and the target are two commits per batch: a run killed between them (or
// anywhere else) must leave, after a final run, exactly the tables of a clean run.
TEST_F(CdcRun, KilledUpdatesEndWithTheTablesOfACleanRun) {
  load(entities());
  std::mt19937 rng(std::random_device{}());
  std::map<int, bool> alive;  // key -> inserted and not deleted (as the generator sees it)
  int seq = 0;
  auto add_file = [&](int n) {
    std::vector<std::string> rows;
    for (int i = 0; i < 6; ++i) {
      int key = 1 + static_cast<int>(rng() % 8);
      std::string op = !alive[key] ? "INSERT" : (rng() % 3 == 0 ? "DELETE" : "UPDATE");
      alive[key] = op != "DELETE";
      std::string city = op == "DELETE" ? "" : "c" + std::to_string(rng() % 100);
      rows.push_back(std::to_string(key) + ",n" + std::to_string(key) + "," + city + "," + op +
                     "," + std::to_string(++seq) + "\n");
    }
    if (n % 3 == 0) {  // an INSERT without a city: dropped (SCD1), quarantined (SCD2)
      rows.push_back("9" + std::to_string(n) + ",bad,,INSERT," + std::to_string(++seq) + "\n");
    }
    std::shuffle(rows.begin(), rows.end(), rng);  // events arrive out of order within a file
    std::string text;
    for (const auto& r : rows) text += r;
    users_file("part" + std::to_string(n) + ".csv", text);
  };
  add_file(0);
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(dls("run").exit_code, 0);
  const int64_t full_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  int killed = 0;
  for (int k = 1; k <= 12; ++k) {
    if (k % 2) add_file(k);
    std::uniform_int_distribution<int64_t> delay(0, std::max<int64_t>(full_ms * 3 / 2, 50));
    if (testing::run_dls_killed_after(wh_, std::chrono::milliseconds(delay(rng)))) ++killed;
  }
  auto done = dls("run");
  ASSERT_EQ(done.exit_code, 0) << done.err;
  const std::string invalid = "SELECT * FROM main.cdc.users_scd2_invalid ORDER BY ALL";
  const std::string killed_scd1 = scd1(), killed_scd2 = scd2(), killed_invalid = query(invalid);

  wh_ = (dir_.path() / "clean").string();  // a clean run over the same files
  load(entities());
  ASSERT_EQ(dls("run").exit_code, 0);
  EXPECT_EQ(killed_scd1, scd1()) << "SCD1 differs after " << killed << " kills";
  EXPECT_EQ(killed_scd2, scd2()) << "SCD2 differs after " << killed << " kills";
  EXPECT_EQ(killed_invalid, query(invalid)) << "quarantine differs after " << killed << " kills";
  EXPECT_NE(scd2().find('\n'), scd2().rfind('\n')) << "the clean run has rows";
}

// Issue 12: a streaming reader of an SCD1 target with skipChangeCommits gets every inserted row
// exactly once over updates mixing inserts, updates and deletes (the inserts are append-only
// commits of their own; the updates and deletes are change commits it skips).
TEST_F(CdcRun, StreamingReaderOfATargetGetsEachInsertOnceWithSkipChangeCommits) {
  nlohmann::json reader = {{"entity_id", "new_users"},
                           {"group", "main.cdc"},
                           {"source", "users_scd1"},
                           {"source_format", "dlt"},
                           {"read_options", {{"skipChangeCommits", "true"}}},
                           {"is_streaming", true},
                           {"destination", "new_users"}};
  load(nlohmann::json::array({entity("users_scd1", 1), reader}));
  const std::vector<std::string> updates = {
      "1,a,c1,INSERT,1\n2,b,c2,INSERT,1\n3,c,c3,INSERT,1\n",
      "4,d,c4,INSERT,2\n5,e,c5,INSERT,2\n1,a,x1,UPDATE,2\n2,,,DELETE,2\n",
      "4,d,x4,UPDATE,3\n6,f,c6,INSERT,3\n3,,,DELETE,3\n",
      "7,g,c7,INSERT,4\n",
      "5,e,x5,UPDATE,5\n6,,,DELETE,5\n8,h,c8,INSERT,5\n8,h,x8,UPDATE,6\n",
  };
  for (size_t i = 0; i < updates.size(); ++i) {
    users_file("u" + std::to_string(i) + ".csv", updates[i]);
    auto r = dls("run");
    ASSERT_EQ(r.exit_code, 0) << "update " << i << ": " << r.err << r.out;
  }
  EXPECT_EQ(scd1(), "userId,name,city\n1,a,x1\n4,d,x4\n5,e,x5\n7,g,c7\n8,h,x8\n");
  // Each key once, as it was when it was inserted (8 was inserted and updated in one batch).
  EXPECT_EQ(query("SELECT userId, name, city FROM main.cdc.new_users ORDER BY ALL"),
            "userId,name,city\n1,a,c1\n2,b,c2\n3,c,c3\n4,d,c4\n5,e,c5\n6,f,c6\n7,g,c7\n8,h,x8\n");
}

// The same with kill -9 at random moments: the reader never gets a key twice and gets every key
// the target holds.
TEST_F(CdcRun, KilledUpdatesGiveTheStreamingReaderEachInsertOnce) {
  nlohmann::json reader = {{"entity_id", "new_users"},
                           {"group", "main.cdc"},
                           {"source", "users_scd1"},
                           {"source_format", "dlt"},
                           {"read_options", {{"skipChangeCommits", "true"}}},
                           {"is_streaming", true},
                           {"destination", "new_users"}};
  load(nlohmann::json::array({entity("users_scd1", 1), reader}));
  std::mt19937 rng(std::random_device{}());
  int next_key = 1, seq = 0;
  std::vector<int> alive;
  auto add_file = [&](int n) {
    std::string text;
    for (int i = 0; i < 6; ++i) {
      const int pick = static_cast<int>(rng() % 3);
      if (pick == 0 || alive.empty()) {  // keys are never inserted again after a delete
        alive.push_back(next_key);
        text += std::to_string(next_key++) + ",n,c,INSERT," + std::to_string(++seq) + "\n";
      } else {
        const size_t at = rng() % alive.size();
        const int key = alive[at];
        if (pick == 1) {
          ++seq;
          text += std::to_string(key) + ",n,u" + std::to_string(seq) + ",UPDATE," +
                  std::to_string(seq) + "\n";
        } else {
          text += std::to_string(key) + ",,,DELETE," + std::to_string(++seq) + "\n";
          alive.erase(alive.begin() + static_cast<std::ptrdiff_t>(at));
        }
      }
    }
    users_file("part" + std::to_string(n) + ".csv", text);
  };
  add_file(0);
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(dls("run").exit_code, 0);
  const int64_t full_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  int killed = 0;
  for (int k = 1; k <= 10; ++k) {
    add_file(k);
    std::uniform_int_distribution<int64_t> delay(0, std::max<int64_t>(full_ms * 3 / 2, 50));
    if (testing::run_dls_killed_after(wh_, std::chrono::milliseconds(delay(rng)))) ++killed;
  }
  auto done = dls("run");
  ASSERT_EQ(done.exit_code, 0) << done.err;
  EXPECT_EQ(query("SELECT count(*) FROM (SELECT userId FROM main.cdc.new_users GROUP BY userId "
                  "HAVING count(*) > 1)"),
            "count_star()\n0\n")
      << "a key reached the reader twice after " << killed << " kills";
  EXPECT_EQ(query("SELECT count(*) FROM main.cdc.users_scd1 ANTI JOIN main.cdc.new_users USING "
                  "(userId)"),
            "count_star()\n0\n")
      << "a key of the target never reached the reader after " << killed << " kills";
}

// pipelines.cdc.tombstoneGCThresholdInSeconds from the entity's table_properties: with 0, the
// tombstone of 123 (deleted in update 2) is gone by update 3, so a late, older update of 123 is
// applied as for a key never seen; a bad value is refused at plan time, naming the property.
TEST_F(CdcRun, TombstoneThresholdFromTablePropertiesLetsALateUpdateBack) {
  auto scd1_entity = entity("users_scd1", 1);
  scd1_entity["table_properties"] = {{"pipelines.cdc.tombstoneGCThresholdInSeconds", "0"}};
  load(nlohmann::json::array({scd1_entity}));
  users_file("part1.csv", kPart1);
  ASSERT_EQ(dls("run").exit_code, 0);
  users_file("part2.csv", kPart2);
  ASSERT_EQ(dls("run").exit_code, 0);
  EXPECT_EQ(scd1(), kScd1);
  users_file("part3.csv", "123,Isabel,Puebla,UPDATE,4\n");
  auto r = dls("run");
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(query("SELECT city FROM main.cdc.users_scd1 WHERE userId = 123"), "city\nPuebla\n");

  scd1_entity["table_properties"] = {{"pipelines.cdc.tombstoneGCThresholdInSeconds", "-5"}};
  auto up = dls("upsert --json " + shell_quote(nlohmann::json::array({scd1_entity}).dump()));
  if (up.exit_code != 0) {
    EXPECT_NE(up.err.find("tombstoneGCThresholdInSeconds"), std::string::npos) << up.err;
    return;
  }
  auto bad = dls("run");
  EXPECT_EQ(bad.exit_code, 3) << bad.err << bad.out;
  EXPECT_NE((bad.err + bad.out).find("tombstoneGCThresholdInSeconds"), std::string::npos)
      << bad.err << bad.out;
}

}  // namespace
}  // namespace dls
