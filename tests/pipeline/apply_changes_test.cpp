// apply_changes (CDC into SCD type 1 and 2) against the Databricks documentation's example, a
// reference replay of random change streams, and each ApplyChanges option.
#include "dls/pipeline/apply_changes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "delta/write_test_support.h"
#include "dls/core/error.h"
#include "dls/delta/delta_table.h"
#include "dls/delta/table_scan.h"
#include "dls/sql/connection.h"
#include "dls/sql/database.h"
#include "support/test_support.h"

namespace dls::pipeline {
namespace {

using Rows = std::vector<std::vector<std::string>>;

class ApplyChangesTest : public ::testing::Test {
 protected:
  ApplyChangesTest() : con_(db_) {}

  std::string target() const { return (dir_ / "target").string(); }
  std::string state() const { return (dir_ / "state").string(); }

  /// A batch from VALUES rows "(...)"; columns named by `columns`.
  std::string batch(const std::vector<std::string>& values, const std::string& columns) {
    std::string name = "batch_" + std::to_string(batches_++);
    std::string sql = "CREATE TABLE " + name + " AS SELECT * FROM (VALUES ";
    for (size_t i = 0; i < values.size(); ++i) sql += (i ? ", " : "") + values[i];
    con_.execute(sql + ") AS v(" + columns + ")");
    return "SELECT * FROM " + name;
  }

  ApplyChangesMetrics apply(const std::string& changes_sql, const ApplyChanges& spec,
                            std::vector<std::string> keys = {"userId"},
                            std::optional<int64_t> txn = std::nullopt) {
    ApplyChangesRequest r = request(changes_sql, spec, std::move(keys), txn);
    return apply_changes(con_, r);
  }

  /// As apply, at the clock `now_ms` with a tombstone retention of `threshold_seconds`.
  ApplyChangesMetrics apply_at(const std::string& changes_sql, const ApplyChanges& spec,
                               int64_t now_ms, int64_t threshold_seconds,
                               std::optional<int64_t> txn = std::nullopt) {
    ApplyChangesRequest r = request(changes_sql, spec, {"userId"}, txn);
    r.now_ms = now_ms;
    r.tombstone_gc_threshold_seconds = threshold_seconds;
    return apply_changes(con_, r);
  }

  ApplyChangesRequest request(const std::string& changes_sql, const ApplyChanges& spec,
                              std::vector<std::string> keys, std::optional<int64_t> txn) {
    ApplyChangesRequest r;
    r.target_root = target();
    r.state_root = state();
    r.changes_sql = changes_sql;
    r.keys = std::move(keys);
    r.spec = spec;
    r.entity = "users_cdc";
    if (txn) {
      r.txn_app_id = "flow";
      r.txn_version = txn;
    }
    return r;
  }

  /// The rows of a Delta table's latest version, as text, sorted.
  Rows table_rows(const std::string& root, const std::string& select) {
    delta::TableScan scan(delta::DeltaTable::open(root).snapshot());
    return delta::write_testing::rows_as_text(
        con_, "SELECT " + select + " FROM (" + scan.sql(con_) + ")");
  }

  /// The text of the target's commit file of `version`.
  std::string commit_text(int64_t version) {
    return dls::testing::read_file(std::filesystem::path(target()) / "_delta_log" /
                                   delta::commit_file_name(version));
  }

  /// The target's rows as text ("NULL" for NULL), sorted.
  Rows rows(const std::string& columns = "*", const std::string& where = "true") {
    delta::TableScan scan(delta::DeltaTable::open(target()).snapshot());
    auto result = con_.query("SELECT COLUMNS(*)::VARCHAR FROM (SELECT " + columns + " FROM (" +
                             scan.sql(con_) + ") WHERE " + where + ") AS __t");
    Rows out;
    for (auto& row : result.rows()) {
      std::vector<std::string> r;
      for (auto& v : row) r.push_back(v.is_null() ? "NULL" : v.as_string());
      out.push_back(std::move(r));
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  std::vector<std::string> column_names() {
    std::vector<std::string> out;
    auto snapshot = delta::DeltaTable::open(target()).snapshot();
    for (const auto& f : snapshot.schema().fields) out.push_back(f.name);
    return out;
  }

  dls::testing::TempDir dir_;
  sql::Database db_;
  sql::Connection con_;
  int batches_ = 0;
};

// --- the documentation's example (docs.databricks.com .../ldp/cdc) ------------------------------

const char* kUserColumns = "userId, name, city, operation, sequenceNum";

std::vector<std::string> doc_rows() {
  return {"(124, 'Raul', 'Oaxaca', 'INSERT', 1)",
          "(123, 'Isabel', 'Monterrey', 'INSERT', 1)",
          "(125, 'Mercedes', 'Tijuana', 'INSERT', 2)",
          "(126, 'Lily', 'Cancun', 'INSERT', 2)",
          "(123, NULL, NULL, 'DELETE', 6)",
          "(125, 'Mercedes', 'Guadalajara', 'UPDATE', 6)",
          "(125, 'Mercedes', 'Mexicali', 'UPDATE', 5)",
          "(123, 'Isabel', 'Chihuahua', 'UPDATE', 5)"};
}

ApplyChanges doc_spec(int scd_type) {
  ApplyChanges spec;
  spec.sequence_by = "sequenceNum";
  spec.apply_as_deletes = "operation = \"DELETE\"";
  if (scd_type == 1) spec.apply_as_truncates = "operation = \"TRUNCATE\"";
  spec.except_column_list = {"operation", "sequenceNum"};
  spec.stored_as_scd_type = scd_type;
  return spec;
}

const Rows kDocScd1 = {
    {"124", "Raul", "Oaxaca"},
    {"125", "Mercedes", "Guadalajara"},
    {"126", "Lily", "Cancun"},
};
const Rows kDocScd2 = {
    {"123", "Isabel", "Chihuahua", "5", "6"},  {"123", "Isabel", "Monterrey", "1", "5"},
    {"124", "Raul", "Oaxaca", "1", "NULL"},    {"125", "Mercedes", "Guadalajara", "6", "NULL"},
    {"125", "Mercedes", "Mexicali", "5", "6"}, {"125", "Mercedes", "Tijuana", "2", "5"},
    {"126", "Lily", "Cancun", "2", "NULL"},
};

TEST_F(ApplyChangesTest, DocumentationExampleScd1) {
  auto m = apply(batch(doc_rows(), kUserColumns), doc_spec(1));
  EXPECT_EQ(rows(), kDocScd1);
  EXPECT_EQ(column_names(), (std::vector<std::string>{"userId", "name", "city"}));
  EXPECT_EQ(m.num_input_rows, 8);
  EXPECT_EQ(m.num_upserted_rows, 3);
  EXPECT_EQ(m.num_deleted_rows, 0);
}

TEST_F(ApplyChangesTest, DocumentationExampleScd1WithTruncate) {
  auto input = doc_rows();
  input.push_back("(NULL, NULL, NULL, 'TRUNCATE', 3)");
  apply(batch(input, kUserColumns), doc_spec(1));
  EXPECT_EQ(rows(), (Rows{{"125", "Mercedes", "Guadalajara"}}));
}

TEST_F(ApplyChangesTest, DocumentationExampleScd2) {
  auto m = apply(batch(doc_rows(), kUserColumns), doc_spec(2));
  EXPECT_EQ(rows(), kDocScd2);
  EXPECT_EQ(column_names(),
            (std::vector<std::string>{"userId", "name", "city", "__START_AT", "__END_AT"}));
  // __START_AT / __END_AT are typed like the sequence column (INTEGER -> Delta "integer").
  auto schema = delta::DeltaTable::open(target()).snapshot().schema();
  EXPECT_EQ(schema.find("__START_AT")->type, schema.find("__END_AT")->type);
  EXPECT_EQ(schema.find("__START_AT")->type, delta::DataType::primitive("integer"));
  EXPECT_EQ(m.num_upserted_rows, 7);
  EXPECT_EQ(m.num_versions_closed, 4);
}

TEST_F(ApplyChangesTest, DocumentationExampleScd2TrackHistoryExceptCity) {
  auto spec = doc_spec(2);
  spec.track_history_except_column_list = {"city"};
  apply(batch(doc_rows(), kUserColumns), spec);
  EXPECT_EQ(rows(), (Rows{{"123", "Isabel", "Chihuahua", "1", "6"},
                          {"124", "Raul", "Oaxaca", "1", "NULL"},
                          {"125", "Mercedes", "Guadalajara", "2", "NULL"},
                          {"126", "Lily", "Cancun", "2", "NULL"}}));
}

TEST_F(ApplyChangesTest, DocumentationExampleOneEventPerBatchGivesTheSameTables) {
  for (int scd : {1, 2}) {
    std::filesystem::remove_all(target());
    std::filesystem::remove_all(state());
    int64_t v = 0;
    for (const auto& row : doc_rows())
      apply(batch({row}, kUserColumns), doc_spec(scd), {"userId"}, ++v);
    EXPECT_EQ(rows(), scd == 1 ? kDocScd1 : kDocScd2) << "SCD type " << scd;
  }
}

// --- property test: random change streams against a plain replay --------------------------------

struct Event {
  int key;
  std::optional<int> a;
  std::optional<std::string> b;
  bool is_delete;
  int64_t seq;
};

std::string text(const std::optional<int>& v) {
  return v ? std::to_string(*v) : "NULL";
}
std::string text(const std::optional<std::string>& v) {
  return v ? *v : "NULL";
}

/// SCD1 by replay in sequence order.
Rows replay_scd1(std::vector<Event> events) {
  std::sort(events.begin(), events.end(), [](auto& x, auto& y) { return x.seq < y.seq; });
  std::map<int, Event> rows;
  for (const auto& e : events) {
    if (e.is_delete)
      rows.erase(e.key);
    else
      rows[e.key] = e;
  }
  Rows out;
  for (const auto& [k, e] : rows) out.push_back({std::to_string(k), text(e.a), text(e.b)});
  std::sort(out.begin(), out.end());
  return out;
}

/// SCD2 validity intervals by replay; `track_b` false = b is untracked (updated in place).
/// `ignore_nulls`: NULLs in an update keep the current values (since the key's last delete).
Rows replay_scd2(std::vector<Event> events, bool track_b, bool ignore_nulls) {
  std::sort(events.begin(), events.end(), [](auto& x, auto& y) { return x.seq < y.seq; });
  struct Version {
    std::optional<int> a;
    std::optional<std::string> b;
    int64_t start;
    std::optional<int64_t> end;
  };
  std::map<int, std::vector<Version>> history;
  std::map<int, std::optional<Event>> life;  // the key's effective values since its last delete
  Rows out;
  for (const auto& e : events) {
    auto& versions = history[e.key];
    bool open = !versions.empty() && !versions.back().end;
    if (e.is_delete) {
      if (open) versions.back().end = e.seq;
      life[e.key].reset();
      continue;
    }
    Event eff = e;
    if (ignore_nulls && life[e.key]) {
      if (!eff.a) eff.a = life[e.key]->a;
      if (!eff.b) eff.b = life[e.key]->b;
    }
    life[e.key] = eff;
    if (open && versions.back().a == eff.a && (!track_b || versions.back().b == eff.b)) {
      versions.back().b = eff.b;  // in place
      continue;
    }
    if (open) versions.back().end = e.seq;
    versions.push_back({eff.a, eff.b, e.seq, std::nullopt});
  }
  for (const auto& [k, versions] : history)
    for (const auto& v : versions)
      out.push_back({std::to_string(k), text(v.a), text(v.b), std::to_string(v.start),
                     v.end ? std::to_string(*v.end) : "NULL"});
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<Event> random_stream(std::mt19937& rng, int n_keys, int n_events) {
  std::vector<int64_t> seqs(n_events);
  for (int i = 0; i < n_events; ++i) seqs[i] = 10 * (i + 1);
  std::shuffle(seqs.begin(), seqs.end(), rng);
  const std::vector<std::string> names = {"x", "y", "z"};
  std::vector<Event> events;
  for (int i = 0; i < n_events; ++i) {
    Event e;
    e.key = static_cast<int>(rng() % n_keys);
    e.is_delete = rng() % 5 == 0;
    if (!e.is_delete) {
      int a = static_cast<int>(rng() % 4);
      if (a < 3) e.a = a;
      int b = static_cast<int>(rng() % 4);
      if (b < 3) e.b = names[b];
    }
    e.seq = seqs[i];
    events.push_back(e);
  }
  return events;  // arrival order = shuffled sequence order
}

std::string event_values(const Event& e) {
  return "(" + std::to_string(e.key) + ", " + (e.a ? std::to_string(*e.a) : "NULL") + ", " +
         (e.b ? "'" + *e.b + "'" : "NULL") + ", '" + (e.is_delete ? "D" : "U") + "', " +
         std::to_string(e.seq) + "::BIGINT)";
}

TEST_F(ApplyChangesTest, RandomStreamsMatchReplayInAnyBatching) {
  struct Variant {
    int scd;
    bool track_b;
    bool ignore_nulls;
  };
  const std::vector<Variant> variants = {
      {1, true, false}, {2, true, false}, {2, false, false}, {2, true, true}};
  for (unsigned seed = 1; seed <= 10; ++seed) {
    std::mt19937 rng(seed);
    auto events = random_stream(rng, 5, 24 + static_cast<int>(rng() % 16));
    // Cut the arrival order into 1..6 batches.
    int n_batches = 1 + static_cast<int>(rng() % 6);
    std::vector<size_t> cuts = {0, events.size()};
    for (int i = 1; i < n_batches; ++i) cuts.push_back(rng() % events.size());
    std::sort(cuts.begin(), cuts.end());
    for (const auto& variant : variants) {
      ApplyChanges spec;
      spec.sequence_by = "seq";
      spec.apply_as_deletes = "op = 'D'";
      spec.except_column_list = {"op", "seq"};
      spec.stored_as_scd_type = variant.scd;
      if (!variant.track_b) spec.track_history_column_list = {"a"};
      spec.ignore_null_updates = variant.ignore_nulls;
      Rows expected = variant.scd == 1 ? replay_scd1(events)
                                       : replay_scd2(events, variant.track_b, variant.ignore_nulls);
      for (bool one_batch : {true, false}) {
        std::filesystem::remove_all(target());
        std::filesystem::remove_all(state());
        int64_t version = 0;
        for (size_t c = 0; c + 1 < cuts.size(); ++c) {
          size_t from = one_batch ? 0 : cuts[c], to = one_batch ? events.size() : cuts[c + 1];
          if (from == to) continue;
          std::vector<std::string> values;
          for (size_t i = from; i < to; ++i) values.push_back(event_values(events[i]));
          apply(batch(values, "id, a, b, op, seq"), spec, {"id"}, ++version);
          if (one_batch) break;
        }
        EXPECT_EQ(rows(), expected) << "seed " << seed << " scd " << variant.scd << " track_b "
                                    << variant.track_b << " ignore_nulls " << variant.ignore_nulls
                                    << " one_batch " << one_batch << " batches " << n_batches;
      }
    }
  }
}

// --- options
// ---------------------------------------------------------------------------------------

TEST_F(ApplyChangesTest, ColumnListKeepsOnlyTheListedColumns) {
  ApplyChanges spec = doc_spec(1);
  spec.except_column_list.clear();
  spec.column_list = {"userId", "city"};
  apply(batch(doc_rows(), kUserColumns), spec);
  EXPECT_EQ(column_names(), (std::vector<std::string>{"userId", "city"}));
  EXPECT_EQ(rows(), (Rows{{"124", "Oaxaca"}, {"125", "Guadalajara"}, {"126", "Cancun"}}));
}

TEST_F(ApplyChangesTest, ColumnListWithoutTheKeyIsAnError) {
  ApplyChanges spec = doc_spec(1);
  spec.except_column_list = {"userId"};
  EXPECT_THROW(apply(batch(doc_rows(), kUserColumns), spec), InvalidMetadataError);
}

TEST_F(ApplyChangesTest, UpdateOfUntrackedColumnOnlyCreatesNoNewVersion) {
  auto spec = doc_spec(2);
  spec.track_history_column_list = {"name"};
  apply(batch({"(1, 'Ann', 'Paris', 'INSERT', 1)"}, kUserColumns), spec);
  auto m = apply(batch({"(1, 'Ann', 'Lyon', 'UPDATE', 2)"}, kUserColumns), spec);
  EXPECT_EQ(rows(), (Rows{{"1", "Ann", "Lyon", "1", "NULL"}}));
  EXPECT_EQ(m.num_versions_closed, 0);
  apply(batch({"(1, 'Anna', 'Lyon', 'UPDATE', 3)"}, kUserColumns), spec);
  EXPECT_EQ(rows(), (Rows{{"1", "Ann", "Lyon", "1", "3"}, {"1", "Anna", "Lyon", "3", "NULL"}}));
}

TEST_F(ApplyChangesTest, IgnoreNullUpdatesKeepsOldValues) {
  auto spec = doc_spec(1);
  spec.ignore_null_updates = true;
  apply(batch({"(1, 'Ann', 'Paris', 'INSERT', 1)"}, kUserColumns), spec);
  apply(batch({"(1, NULL, 'Lyon', 'UPDATE', 2)"}, kUserColumns), spec);
  EXPECT_EQ(rows(), (Rows{{"1", "Ann", "Lyon"}}));
  // After a delete the key starts afresh: NULLs of the re-insert are kept.
  apply(batch({"(1, NULL, NULL, 'DELETE', 3)", "(1, NULL, 'Nice', 'INSERT', 4)"}, kUserColumns),
        spec);
  EXPECT_EQ(rows(), (Rows{{"1", "NULL", "Nice"}}));
}

TEST_F(ApplyChangesTest, IgnoreNullUpdatesColumnListVariants) {
  auto spec = doc_spec(1);
  spec.ignore_null_updates_column_list = {"name"};
  apply(batch({"(1, 'Ann', 'Paris', 'INSERT', 1)"}, kUserColumns), spec);
  apply(batch({"(1, NULL, NULL, 'UPDATE', 2)"}, kUserColumns), spec);
  EXPECT_EQ(rows(), (Rows{{"1", "Ann", "NULL"}}));

  std::filesystem::remove_all(target());
  std::filesystem::remove_all(state());
  spec.ignore_null_updates_column_list.clear();
  spec.ignore_null_updates_except_column_list = {"name"};
  apply(batch({"(1, 'Ann', 'Paris', 'INSERT', 1)"}, kUserColumns), spec);
  apply(batch({"(1, NULL, NULL, 'UPDATE', 2)"}, kUserColumns), spec);
  EXPECT_EQ(rows(), (Rows{{"1", "NULL", "Paris"}}));
}

TEST_F(ApplyChangesTest, TruncateRemovesOlderRowsAcrossBatches) {
  apply(
      batch({"(1, 'Ann', 'Paris', 'INSERT', 1)", "(2, 'Bob', 'Rome', 'INSERT', 5)"}, kUserColumns),
      doc_spec(1));
  auto m = apply(batch({"(NULL, NULL, NULL, 'TRUNCATE', 3)"}, kUserColumns), doc_spec(1));
  EXPECT_EQ(rows(), (Rows{{"2", "Bob", "Rome"}}));
  EXPECT_EQ(m.num_deleted_rows, 1);
  // A late event older than the truncate stays truncated; a newer one applies.
  apply(batch({"(3, 'Cy', 'Oslo', 'INSERT', 2)", "(4, 'Di', 'Bern', 'INSERT', 4)"}, kUserColumns),
        doc_spec(1));
  EXPECT_EQ(rows(), (Rows{{"2", "Bob", "Rome"}, {"4", "Di", "Bern"}}));
}

TEST_F(ApplyChangesTest, TruncateWithScd2IsInvalidMetadata) {
  auto spec = doc_spec(2);
  spec.apply_as_truncates = "operation = 'TRUNCATE'";
  EXPECT_THROW(apply(batch(doc_rows(), kUserColumns), spec), InvalidMetadataError);
  EXPECT_THROW(validate_apply_changes({"userId"}, spec), InvalidMetadataError);
}

TEST_F(ApplyChangesTest, DeleteArrivingBeforeItsInsert) {
  for (int scd : {1, 2}) {
    std::filesystem::remove_all(target());
    std::filesystem::remove_all(state());
    apply(batch({"(1, NULL::VARCHAR, NULL::VARCHAR, 'DELETE', 5)"}, kUserColumns), doc_spec(scd));
    apply(batch({"(1, 'Ann', 'Paris', 'INSERT', 3)"}, kUserColumns), doc_spec(scd));
    if (scd == 1)
      EXPECT_TRUE(rows().empty());
    else
      EXPECT_EQ(rows(), (Rows{{"1", "Ann", "Paris", "3", "5"}}));
    // A newer insert after the delete does come back.
    apply(batch({"(1, 'Ann', 'Lyon', 'INSERT', 7)"}, kUserColumns), doc_spec(scd));
    if (scd == 1)
      EXPECT_EQ(rows(), (Rows{{"1", "Ann", "Lyon"}}));
    else
      EXPECT_EQ(rows(), (Rows{{"1", "Ann", "Lyon", "7", "NULL"}, {"1", "Ann", "Paris", "3", "5"}}));
  }
}

TEST_F(ApplyChangesTest, LateOlderUpdateIsDiscardedInScd1) {
  apply(batch({"(1, 'Ann', 'Paris', 'INSERT', 5)"}, kUserColumns), doc_spec(1));
  apply(batch({"(1, 'Ann', 'Rome', 'UPDATE', 4)"}, kUserColumns), doc_spec(1));
  EXPECT_EQ(rows(), (Rows{{"1", "Ann", "Paris"}}));
}

TEST_F(ApplyChangesTest, DuplicateKeyAndSequenceResolvedDeterministically) {
  // Two upserts at one sequence: the same winner whatever the order; a delete beats an upsert.
  apply(batch({"(1, 'Ann', 'B', 'UPDATE', 1)", "(1, 'Ann', 'A', 'UPDATE', 1)"}, kUserColumns),
        doc_spec(1));
  auto first = rows();
  std::filesystem::remove_all(target());
  std::filesystem::remove_all(state());
  apply(batch({"(1, 'Ann', 'A', 'UPDATE', 1)", "(1, 'Ann', 'B', 'UPDATE', 1)"}, kUserColumns),
        doc_spec(1));
  EXPECT_EQ(rows(), first);
  EXPECT_EQ(first, (Rows{{"1", "Ann", "A"}}));
  apply(batch({"(1, 'Ann', 'C', 'UPDATE', 2)", "(1, NULL, NULL, 'DELETE', 2)"}, kUserColumns),
        doc_spec(1));
  EXPECT_TRUE(rows().empty());
}

TEST_F(ApplyChangesTest, SequenceByStructOrdersByFieldsInTurn) {
  auto spec = doc_spec(2);
  spec.sequence_by = "struct(sequenceNum, sub)";
  spec.except_column_list = {"operation", "sequenceNum", "sub"};
  apply(batch({"(1, 'Ann', 'Paris', 'INSERT', 1, 2)", "(1, 'Ann', 'Rome', 'UPDATE', 1, 1)",
               "(1, 'Ann', 'Oslo', 'UPDATE', 0, 9)"},
              "userId, name, city, operation, sequenceNum, sub"),
        spec);
  auto r = rows("userId, city");
  // Oslo (0,9) < Rome (1,1) < Paris (1,2): Paris is current.
  EXPECT_EQ(rows("city", "__END_AT IS NULL"), (Rows{{"Paris"}}));
  EXPECT_EQ(r.size(), 3u);
  auto schema = delta::DeltaTable::open(target()).snapshot().schema();
  EXPECT_EQ(schema.find("__START_AT")->type.kind, "struct");
}

TEST_F(ApplyChangesTest, NullSequenceIsAnError) {
  EXPECT_THROW(
      apply(batch({"(1, 'Ann', 'Paris', 'INSERT', NULL::INT)"}, kUserColumns), doc_spec(1)), Error);
}

TEST_F(ApplyChangesTest, WhereFiltersTheFeed) {
  auto spec = doc_spec(1);
  spec.where = "userId <> 124";
  apply(batch(doc_rows(), kUserColumns), spec);
  EXPECT_EQ(rows(), (Rows{{"125", "Mercedes", "Guadalajara"}, {"126", "Lily", "Cancun"}}));
}

TEST_F(ApplyChangesTest, ABatchRewritesOnlyTheRowsOfItsKeys) {
  // 1,000 keys in one file, then a batch of two keys: the target and the state get a deletion
  // vector on that file and one new file each; nothing else is rewritten (issue 12).
  for (int scd : {1, 2}) {
    std::filesystem::remove_all(target());
    std::filesystem::remove_all(state());
    con_.execute(
        "CREATE OR REPLACE TABLE big AS SELECT i::INTEGER AS userId, 'n' || i AS name, "
        "'c' || i AS city, 'INSERT' AS operation, 1::BIGINT AS sequenceNum "
        "FROM range(1000) t(i)");
    apply("SELECT * FROM big", doc_spec(scd));
    auto m = apply(
        batch({"(5, 'Five', 'Rome', 'UPDATE', 2)", "(7, NULL, NULL, 'DELETE', 2)"}, kUserColumns),
        doc_spec(scd));
    // (An SCD2 state holds only events the history cannot reproduce: none here.)
    std::vector<std::string> roots = {target()};
    if (scd == 1) roots.push_back(state());
    for (const std::string& root : roots) {
      auto table = delta::DeltaTable::open(root);
      const delta::Snapshot snap = table.snapshot();
      EXPECT_TRUE(delta::DeltaTable::writes_deletion_vectors(snap)) << root;
      int with_dv = 0;
      for (const auto& f : snap.files()) with_dv += f.deletion_vector ? 1 : 0;
      EXPECT_EQ(with_dv, 1) << root << " SCD " << scd;
      EXPECT_EQ(snap.files().size(), 2u) << root << " SCD " << scd;
      EXPECT_EQ(table.history(1).at(0).operation, "MERGE");
    }
    EXPECT_EQ(m.num_deleted_rows, 1);
    const std::string open_rows = scd == 2 ? "__END_AT IS NULL" : "true";
    EXPECT_EQ(rows("userId, name, city", open_rows + " AND userId IN (5, 6, 7)"),
              (Rows{{"5", "Five", "Rome"}, {"6", "n6", "c6"}}))
        << "SCD " << scd;
    EXPECT_EQ(rows("count(*)", open_rows), (Rows{{"999"}})) << "SCD " << scd;
  }
}

TEST_F(ApplyChangesTest, SameTxnTwiceIsSkipped) {
  auto m1 = apply(batch(doc_rows(), kUserColumns), doc_spec(2), {"userId"}, 1);
  auto m2 = apply(batch(doc_rows(), kUserColumns), doc_spec(2), {"userId"}, 1);
  EXPECT_FALSE(m1.skipped);
  EXPECT_TRUE(m2.skipped);
  EXPECT_EQ(m2.target_version, m1.target_version);
  EXPECT_EQ(rows(), kDocScd2);
}

TEST_F(ApplyChangesTest, KilledBeforeTheTargetCommitRerunsToTheSameTable) {
  for (int scd : {1, 2}) {
    std::filesystem::remove_all(target());
    std::filesystem::remove_all(state());
    auto rows_in = doc_rows();
    apply(batch({rows_in.begin(), rows_in.begin() + 4}, kUserColumns), doc_spec(scd), {"userId"},
          1);
    std::string second = batch({rows_in.begin() + 4, rows_in.end()}, kUserColumns);
    auto m = apply(second, doc_spec(scd), {"userId"}, 2);
    // Simulate a kill after the state commit: drop the target's last commit.
    std::filesystem::remove(std::filesystem::path(target()) / "_delta_log" /
                            delta::commit_file_name(m.target_version));
    auto again = apply(second, doc_spec(scd), {"userId"}, 2);
    EXPECT_FALSE(again.skipped);
    EXPECT_EQ(rows(), scd == 1 ? kDocScd1 : kDocScd2) << "SCD type " << scd;
  }
}

// --- tombstone garbage collection (pipelines.cdc.tombstoneGCThresholdInSeconds) ----------------

constexpr int64_t kT0 = 1'700'000'000'000;  // a fixed clock, ms since the epoch

TEST_F(ApplyChangesTest, TombstoneWithinTheThresholdStillBlocksALateOlderUpdate) {
  apply_at(batch({"(1, 'Ann', 'Paris', 'INSERT', 5)"}, kUserColumns), doc_spec(1), kT0, 60);
  apply_at(batch({"(1, NULL::VARCHAR, NULL::VARCHAR, 'DELETE', 6)"}, kUserColumns), doc_spec(1),
           kT0, 60);
  EXPECT_EQ(table_rows(state(), "userId, __dls_seq, __dls_op, __dls_tombstone_ms"),
            (Rows{{"1", "6", "D", std::to_string(kT0)}}));
  // 59 s later: the tombstone is kept and the late update (sequence 4) stays discarded.
  auto m = apply_at(batch({"(1, 'Ann', 'Rome', 'UPDATE', 4)"}, kUserColumns), doc_spec(1),
                    kT0 + 59'000, 60);
  EXPECT_EQ(m.num_tombstones_removed, 0);
  EXPECT_TRUE(rows().empty());
  // The tombstone keeps the time it was recorded (the late update did not renew it).
  EXPECT_EQ(table_rows(state(), "userId, __dls_seq, __dls_op, __dls_tombstone_ms"),
            (Rows{{"1", "6", "D", std::to_string(kT0)}}));
}

TEST_F(ApplyChangesTest, ExpiredTombstonesAreRemovedAndTheKeyIsAsNeverSeen) {
  apply_at(
      batch({"(1, 'Ann', 'Paris', 'INSERT', 5)", "(2, 'Bob', 'Oslo', 'INSERT', 5)"}, kUserColumns),
      doc_spec(1), kT0, 1);
  apply_at(batch({"(1, NULL::VARCHAR, NULL::VARCHAR, 'DELETE', 6)"}, kUserColumns), doc_spec(1),
           kT0, 1);
  // 2 s later a batch about another key collects the tombstone of key 1, in the same row-level
  // commit as the batch's state.
  auto m = apply_at(batch({"(2, 'Bob', 'Rome', 'UPDATE', 7)"}, kUserColumns), doc_spec(1),
                    kT0 + 2'000, 1);
  EXPECT_EQ(m.num_tombstones_removed, 1);
  EXPECT_EQ(table_rows(state(), "userId, __dls_seq, __dls_op"), (Rows{{"2", "7", "U"}}));
  auto state_table = delta::DeltaTable::open(state());
  auto last = state_table.history(1).at(0);
  EXPECT_EQ(last.operation, "MERGE");
  EXPECT_EQ(last.operation_parameters["tombstonesRemoved"], "1");
  EXPECT_EQ(rows(), (Rows{{"2", "Bob", "Rome"}}));
  // A late, older update of key 1 now behaves as for a key never seen: it comes back.
  apply_at(batch({"(1, 'Ann', 'Rome', 'UPDATE', 4)"}, kUserColumns), doc_spec(1), kT0 + 3'000, 1);
  EXPECT_EQ(rows(), (Rows{{"1", "Ann", "Rome"}, {"2", "Bob", "Rome"}}));
}

TEST_F(ApplyChangesTest, ExpiredTombstoneOfABatchKeyIsIgnoredByThatBatch) {
  for (int scd : {1, 2}) {
    std::filesystem::remove_all(target());
    std::filesystem::remove_all(state());
    // A delete of a key never inserted: a tombstone (SCD1) / a residual delete (SCD2).
    apply_at(batch({"(1, NULL::VARCHAR, NULL::VARCHAR, 'DELETE', 5)"}, kUserColumns), doc_spec(scd),
             kT0, 0);
    auto m = apply_at(batch({"(1, 'Ann', 'Paris', 'INSERT', 3)"}, kUserColumns), doc_spec(scd),
                      kT0 + 1, 0);
    EXPECT_EQ(m.num_tombstones_removed, 1) << "SCD " << scd;
    if (scd == 1)
      EXPECT_EQ(rows(), (Rows{{"1", "Ann", "Paris"}}));
    else
      EXPECT_EQ(rows(), (Rows{{"1", "Ann", "Paris", "3", "NULL"}}));
  }
}

TEST_F(ApplyChangesTest, TruncatingBatchCollectsTombstonesInItsOverwrite) {
  // The tombstone (sequence 8) is newer than the truncate: only its age removes it.
  apply_at(
      batch({"(1, 'Ann', 'Paris', 'INSERT', 5)", "(2, NULL, NULL, 'DELETE', 8)"}, kUserColumns),
      doc_spec(1), kT0, 1);
  auto m = apply_at(
      batch({"(3, 'Cy', 'Rome', 'INSERT', 7)", "(9, NULL, NULL, 'TRUNCATE', 6)"}, kUserColumns),
      doc_spec(1), kT0 + 5'000, 1);
  EXPECT_EQ(m.num_tombstones_removed, 1);
  EXPECT_EQ(table_rows(state(), "count(*) FILTER (WHERE __dls_op = 'D')"), (Rows{{"0"}}));
  EXPECT_EQ(rows(), (Rows{{"3", "Cy", "Rome"}}));
}

TEST_F(ApplyChangesTest, StateTableWithoutTombstoneTimesIsUpgraded) {
  // A state table as written before tombstones had times: keys, __dls_seq, __dls_op.
  apply_at(
      batch({"(1, 'Ann', 'Paris', 'INSERT', 5)", "(2, NULL, NULL, 'DELETE', 5)"}, kUserColumns),
      doc_spec(1), kT0, 1);
  con_.execute("CREATE TABLE legacy AS SELECT * EXCLUDE (__dls_tombstone_ms) FROM (" +
               delta::TableScan(delta::DeltaTable::open(state()).snapshot()).sql(con_) + ")");
  std::filesystem::remove_all(state());
  delta::CreateOptions options;
  options.properties["delta.enableDeletionVectors"] = "true";
  delta::Schema legacy;
  legacy.fields = {{"userId", delta::DataType::from_duckdb("INTEGER"), true},
                   {"__dls_seq", delta::DataType::from_duckdb("INTEGER"), true},
                   {"__dls_op", delta::DataType::from_duckdb("VARCHAR"), true}};
  delta::DeltaTable::create(state(), legacy, options);
  delta::DeltaTable::open(state()).append(con_, "SELECT * FROM legacy", {});
  // Long after: the old tombstone has no time, so it is kept and still blocks key 2.
  auto m = apply_at(batch({"(2, 'Bob', 'Oslo', 'UPDATE', 4)"}, kUserColumns), doc_spec(1),
                    kT0 + 100'000, 1);
  EXPECT_EQ(m.num_tombstones_removed, 0);
  EXPECT_EQ(rows(), (Rows{{"1", "Ann", "Paris"}}));
  auto snap = delta::DeltaTable::open(state()).snapshot();
  ASSERT_NE(snap.schema().find("__dls_tombstone_ms"), nullptr);
  // Rewritten by that batch, the tombstone got its time: it expires like any other.
  EXPECT_EQ(table_rows(state(), "userId, __dls_op, __dls_tombstone_ms"),
            (Rows{{"1", "U", "NULL"}, {"2", "D", std::to_string(kT0 + 100'000)}}));
  m = apply_at(batch({"(1, 'Ann', 'Rome', 'UPDATE', 6)"}, kUserColumns), doc_spec(1), kT0 + 200'000,
               1);
  EXPECT_EQ(m.num_tombstones_removed, 1);
}

TEST_F(ApplyChangesTest, RerunAfterTheStateCommitCollectsAtTheClockOfThatCommit) {
  apply_at(batch({"(1, 'Ann', 'Paris', 'INSERT', 5)"}, kUserColumns), doc_spec(1), kT0, 10, 1);
  apply_at(batch({"(1, NULL::VARCHAR, NULL::VARCHAR, 'DELETE', 6)"}, kUserColumns), doc_spec(1),
           kT0, 10, 2);
  std::string late = batch({"(1, 'Ann', 'Rome', 'UPDATE', 4)"}, kUserColumns);
  auto m = apply_at(late, doc_spec(1), kT0 + 5'000, 10, 3);
  EXPECT_TRUE(rows().empty());
  // Killed after the state commit: the rerun, much later, must compute what the state says (the
  // tombstone kept, the update discarded), not collect the tombstone at its own clock.
  std::filesystem::remove(std::filesystem::path(target()) / "_delta_log" /
                          delta::commit_file_name(m.target_version));
  auto again = apply_at(late, doc_spec(1), kT0 + 500'000, 10, 3);
  EXPECT_FALSE(again.skipped);
  EXPECT_TRUE(rows().empty());
  EXPECT_EQ(table_rows(state(), "userId, __dls_op"), (Rows{{"1", "D"}}));
}

TEST(TombstoneGcThreshold, ReadFromTablePropertiesWithTheDatabricksDefault) {
  EXPECT_EQ(tombstone_gc_threshold_seconds({}, "e"), 172800);
  EXPECT_EQ(
      tombstone_gc_threshold_seconds({{"pipelines.cdc.tombstoneGCThresholdInSeconds", "60"}}, "e"),
      60);
  EXPECT_EQ(
      tombstone_gc_threshold_seconds({{"PIPELINES.CDC.TOMBSTONEGCTHRESHOLDINSECONDS", "0"}}, "e"),
      0);
  for (const char* bad : {"-1", "2d", "", "1.5", "99999999999999999999"}) {
    try {
      tombstone_gc_threshold_seconds({{"pipelines.cdc.tombstoneGCThresholdInSeconds", bad}},
                                     "users");
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const InvalidMetadataError& e) {
      EXPECT_NE(std::string(e.what()).find("users"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("tombstoneGCThresholdInSeconds"), std::string::npos);
    }
  }
}

// --- what a streaming reader of the target sees (issue 12) --------------------------------------

TEST_F(ApplyChangesTest, ABatchOfNewKeysAndNoOpEventsIsAnAppendOnlyCommit) {
  for (int scd : {1, 2}) {
    std::filesystem::remove_all(target());
    std::filesystem::remove_all(state());
    con_.execute(
        "CREATE OR REPLACE TABLE big AS SELECT i::INTEGER AS userId, 'n' || i AS name, "
        "'c' || i AS city, 'INSERT' AS operation, 5::BIGINT AS sequenceNum "
        "FROM range(0, 1000, 2) t(i)");
    apply("SELECT * FROM big", doc_spec(scd));
    // 501 and 503 fall inside the file's key range; the replayed event of 4 changes nothing.
    auto m = apply(batch({"(501, 'New', 'Rome', 'INSERT', 6)", "(503, 'New', 'Oslo', 'INSERT', 6)",
                          "(4, 'n4', 'c4', 'UPDATE', 5)"},
                         kUserColumns),
                   doc_spec(scd));
    const std::string text = commit_text(m.target_version);
    EXPECT_EQ(text.find("\"remove\""), std::string::npos) << "SCD " << scd << ": " << text;
    EXPECT_EQ(delta::DeltaTable::open(target()).snapshot().files().size(), 2u);
    EXPECT_EQ(rows("count(*)"), (Rows{{"502"}})) << "SCD " << scd;
  }
}

TEST_F(ApplyChangesTest, MixedBatchCommitsItsInsertsFirstAsAnAppend) {
  apply(
      batch({"(1, 'Ann', 'Paris', 'INSERT', 1)", "(2, 'Bob', 'Oslo', 'INSERT', 1)"}, kUserColumns),
      doc_spec(1), {"userId"}, 1);
  auto m = apply(batch({"(1, 'Ann', 'Rome', 'UPDATE', 2)", "(2, NULL, NULL, 'DELETE', 2)",
                        "(3, 'Cy', 'Lima', 'INSERT', 2)"},
                       kUserColumns),
                 doc_spec(1), {"userId"}, 2);
  const std::string inserts = commit_text(m.target_version - 1);
  const std::string changes = commit_text(m.target_version);
  EXPECT_EQ(inserts.find("\"remove\""), std::string::npos) << inserts;
  EXPECT_NE(inserts.find("flow#inserts"), std::string::npos) << inserts;
  EXPECT_NE(changes.find("\"remove\""), std::string::npos) << changes;
  auto snap = delta::DeltaTable::open(target()).snapshot();
  EXPECT_EQ(snap.transaction_version("flow"), 2);
  EXPECT_EQ(snap.transaction_version("flow#inserts"), 2);
  EXPECT_EQ(rows(), (Rows{{"1", "Ann", "Rome"}, {"3", "Cy", "Lima"}}));
}

TEST_F(ApplyChangesTest, KilledBetweenTheInsertsAndTheChangesCommitAddsTheInsertsOnce) {
  for (int scd : {1, 2}) {
    std::filesystem::remove_all(target());
    std::filesystem::remove_all(state());
    auto rows_in = doc_rows();
    apply(batch({rows_in.begin(), rows_in.begin() + 3}, kUserColumns), doc_spec(scd), {"userId"},
          1);
    // The rest: 126 is new, 123 and 125 change.
    std::string second = batch({rows_in.begin() + 3, rows_in.end()}, kUserColumns);
    auto m = apply(second, doc_spec(scd), {"userId"}, 2);
    const int64_t inserts_version = m.target_version - 1;
    ASSERT_EQ(commit_text(inserts_version).find("\"remove\""), std::string::npos);
    std::filesystem::remove(std::filesystem::path(target()) / "_delta_log" /
                            delta::commit_file_name(m.target_version));
    auto again = apply(second, doc_spec(scd), {"userId"}, 2);
    EXPECT_FALSE(again.skipped);
    EXPECT_EQ(again.target_version, inserts_version + 1) << "no second inserts commit";
    EXPECT_EQ(rows(), scd == 1 ? kDocScd1 : kDocScd2) << "SCD type " << scd;
    EXPECT_EQ(rows("count(*)", "userId = 126"), (Rows{{"1"}}));
  }
}

}  // namespace
}  // namespace dls::pipeline
