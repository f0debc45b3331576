#include "dls/core/content_hash.h"

#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "core/test_entities.h"

namespace dls {
namespace {

using testing::full_entity;
using testing::simple_entity;

TEST(ContentHash, IsPinnedAcrossMachines) {
  // If this changes, every stored hash changes and every entity gets a new version on reload:
  // bump the hash version deliberately, never by accident.
  EXPECT_EQ(canonical_content(simple_entity()),
            R"({"apply_changes":null,"comment":null,"destination":"dataset1_bronze",)"
            R"("destination_type":"table","entity_id":"1","expectations":{"expect_all":{},)"
            R"("expect_all_or_drop":{},"expect_all_or_fail":{}},"group":null,"is_enabled":true,)"
            R"("is_quarantined":false,"is_streaming":true,"partition_cols":[],"primary_keys":[],)"
            R"("read_options":{"cloudFiles.format":"csv"},"select_expr":[],"source":"/data/in",)"
            R"("source_format":"cloudFiles","source_schema":null,"spark_conf":{},)"
            R"("table_properties":{},"tags":{}})");
  EXPECT_EQ(content_hash(simple_entity()),
            "6364a757d96a2dc1f0e0e01e1c17235f842e84802f36c8a3dbb88be09590c296");
  // The entity this value was pinned for (content_hash does not validate).
  DeltaLiveEntity pinned = full_entity();
  pinned.read_options = {{"header", "true"}};
  EXPECT_EQ(content_hash(pinned),
            "654c8542f6733bb1d4408c23fecdc25b55f211394f9f6efe9a0223ca5879e214");
}

TEST(ContentHash, Sha256MatchesKnownVector) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ContentHash, IgnoresGeneratedColumns) {
  DeltaLiveEntity a = full_entity();
  DeltaLiveEntity b = a;
  b.id = "uuid";
  b.created_ts = 1;
  b.expired_ts = 2;
  b.created_by = "me";
  b.modified_by = "you";
  b.is_latest = false;
  b.hash = "abc";
  EXPECT_EQ(content_hash(a), content_hash(b));
}

TEST(ContentHash, UsesForcedStreaming) {
  DeltaLiveEntity a = simple_entity();
  a.source_format = "csv";
  DeltaLiveEntity b = a;
  b.is_streaming = !a.is_streaming;
  EXPECT_EQ(content_hash(a), content_hash(b));
}

TEST(ContentHash, ChangesWithEveryUserField) {
  using Mutator = std::function<void(DeltaLiveEntity&)>;
  const std::vector<std::pair<const char*, Mutator>> mutators = {
      {"entity_id", [](auto& e) { e.entity_id = "x"; }},
      {"group", [](auto& e) { e.group = "other"; }},
      {"source", [](auto& e) { e.source = "x"; }},
      {"source_format", [](auto& e) { e.source_format = "delta"; }},
      {"destination", [](auto& e) { e.destination = "x"; }},
      {"destination_type", [](auto& e) { e.destination_type = "view"; }},
      {"source_schema", [](auto& e) { e.source_schema.reset(); }},
      {"select_expr", [](auto& e) { e.select_expr.push_back("y"); }},
      {"is_streaming", [](auto& e) { e.is_streaming = false; }},
      {"primary_keys",
       [](auto& e) {
         e.primary_keys = {"id", "k"};
       }},
      {"read_options", [](auto& e) { e.read_options["header"] = "false"; }},
      {"table_properties", [](auto& e) { e.table_properties.clear(); }},
      {"tags", [](auto& e) { e.tags["pii"] = "yes"; }},
      {"spark_conf", [](auto& e) { e.spark_conf["a"] = "b"; }},
      {"partition_cols", [](auto& e) { e.partition_cols.clear(); }},
      {"comment", [](auto& e) { e.comment = "other"; }},
      {"expect_all", [](auto& e) { e.expectations.expect_all["r"] = "x > 1"; }},
      {"expect_all_or_drop", [](auto& e) { e.expectations.expect_all_or_drop.clear(); }},
      {"expect_all_or_fail", [](auto& e) { e.expectations.expect_all_or_fail["r"] = "1 = 1"; }},
      {"apply_changes", [](auto& e) { e.apply_changes.reset(); }},
      {"sequence_by", [](auto& e) { e.apply_changes->sequence_by = "ts"; }},
      {"where", [](auto& e) { e.apply_changes->where.reset(); }},
      {"ignore_null_updates", [](auto& e) { e.apply_changes->ignore_null_updates = true; }},
      {"apply_as_deletes", [](auto& e) { e.apply_changes->apply_as_deletes = "d"; }},
      {"apply_as_truncates", [](auto& e) { e.apply_changes->apply_as_truncates = "t"; }},
      {"column_list", [](auto& e) { e.apply_changes->column_list = {"a"}; }},
      {"except_column_list", [](auto& e) { e.apply_changes->except_column_list.clear(); }},
      {"stored_as_scd_type", [](auto& e) { e.apply_changes->stored_as_scd_type = 1; }},
      {"track_history_column_list",
       [](auto& e) { e.apply_changes->track_history_column_list.clear(); }},
      {"track_history_except_column_list",
       [](auto& e) { e.apply_changes->track_history_except_column_list = {"a"}; }},
      {"flow_name", [](auto& e) { e.apply_changes->flow_name = "f"; }},
      {"ignore_null_updates_column_list",
       [](auto& e) { e.apply_changes->ignore_null_updates_column_list = {"a"}; }},
      {"ignore_null_updates_except_column_list",
       [](auto& e) { e.apply_changes->ignore_null_updates_except_column_list.clear(); }},
      {"is_quarantined", [](auto& e) { e.is_quarantined = true; }},
      {"is_enabled", [](auto& e) { e.is_enabled = false; }},
  };
  std::set<std::string> hashes = {content_hash(full_entity())};
  for (const auto& [name, mutate] : mutators) {
    DeltaLiveEntity e = full_entity();
    mutate(e);
    EXPECT_TRUE(hashes.insert(content_hash(e)).second) << "hash ignores " << name;
  }
}

}  // namespace
}  // namespace dls
