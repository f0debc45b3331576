// The entity fields flow_name and once in the model: decoding, validation naming entity and
// field, round trips through JSON and YAML, a hash that does not change for entities that do not
// use them, and the rule of which entities may share a destination (core/flow_sharing.h).
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "dls/core/content_hash.h"
#include "dls/core/entity_codec.h"
#include "dls/core/error.h"
#include "dls/core/flow_sharing.h"
#include "dls/core/validation.h"

namespace dls {
namespace {

std::string errors_of(const std::string& yaml) {
  try {
    entity_from_yaml(YAML::Load(yaml), {"e.yml"});
  } catch (const MetadataErrors& e) {
    return e.what();
  }
  return "";
}

DeltaLiveEntity streaming(const std::string& id, const std::string& destination) {
  DeltaLiveEntity e;
  e.entity_id = id;
  e.source = "/in/" + id;
  e.destination = destination;
  e.read_options = {{"cloudFiles.format", "csv"}};
  return normalized(e);
}

TEST(FlowEntity, FlowNameAndOnceDecodeAndRoundTrip) {
  DeltaLiveEntity e =
      entity_from_yaml(YAML::Load("entity_id: backfill\nsource: /hist\nsource_format: parquet\n"
                                  "destination: orders\nflow_name: orders_backfill\nonce: true\n"));
  EXPECT_EQ(e.flow_name, "orders_backfill");
  EXPECT_TRUE(e.once);
  EXPECT_FALSE(e.is_streaming);
  EXPECT_TRUE(validate(e).empty());
  EXPECT_EQ(entity_from_json(to_json(e)), e);
  EXPECT_EQ(entity_from_yaml(YAML::Load(to_yaml(e))), e) << to_yaml(e);
  EXPECT_EQ(effective_flow_name(e), "orders_backfill");
  e.flow_name.reset();
  EXPECT_EQ(effective_flow_name(e), "backfill");
}

TEST(FlowEntity, InvalidFlowFieldsAreErrorsNamingEntityAndField) {
  EXPECT_NE(errors_of("entity_id: g\nsource: /s\nsource_format: csv\ndestination: d\n"
                      "flow_name: \"a.b\"\n")
                .find("entity 'g': flow_name: 'a.b' is not a flow name"),
            std::string::npos)
      << errors_of(
             "entity_id: g\nsource: /s\nsource_format: csv\ndestination: d\n"
             "flow_name: \"a.b\"\n");
  EXPECT_NE(errors_of("entity_id: g\nsource: /s\nsource_format: csv\ndestination: d\n"
                      "flow_name: \"my flow\"\n")
                .find("flow_name: 'my flow' is not a flow name"),
            std::string::npos);
  EXPECT_NE(errors_of("entity_id: g\nsource: /s\nsource_format: csv\ndestination: d\n"
                      "destination_type: view\nonce: true\n")
                .find("once: cannot write into a view"),
            std::string::npos);
  EXPECT_NE(errors_of("entity_id: g\ndestination: d\nquery: SELECT 1\nonce: true\n")
                .find("once: cannot be combined with query"),
            std::string::npos);
  EXPECT_NE(errors_of("entity_id: g\nsource: /s\nsource_format: csv\ndestination: d\n"
                      "once: yes please\n")
                .find("once"),
            std::string::npos);
}

TEST(FlowEntity, HashOfAnEntityWithoutTheNewFieldsIsUnchanged) {
  const DeltaLiveEntity e = streaming("e", "t");
  const std::string canonical = canonical_content(e);
  EXPECT_EQ(canonical.find("flow_name"), std::string::npos);
  EXPECT_EQ(canonical.find("once"), std::string::npos);
  DeltaLiveEntity named = e;
  named.flow_name = "f";
  EXPECT_NE(content_hash(named), content_hash(e));
  DeltaLiveEntity once = e;
  once.once = true;
  EXPECT_NE(content_hash(once), content_hash(e));
  EXPECT_NE(content_hash(once), content_hash(named));
}

TEST(FlowSharingRule, StreamingAppendsAndOnceFlowsMayShareATable) {
  const DeltaLiveEntity a = streaming("a", "t");
  const DeltaLiveEntity b = streaming("b", "t");
  EXPECT_EQ(shared_destination_problem(a, b), "");
  DeltaLiveEntity backfill = b;
  backfill.source_format = "parquet";
  backfill.read_options.clear();
  normalize(backfill);
  ASSERT_FALSE(backfill.is_streaming);
  EXPECT_NE(shared_destination_problem(a, backfill).find("'b': it is not streaming"),
            std::string::npos);
  backfill.once = true;
  EXPECT_EQ(shared_destination_problem(a, backfill), "");
}

TEST(FlowSharingRule, EveryOtherWriterIsRefusedWithTheReason) {
  const DeltaLiveEntity a = streaming("a", "t");
  DeltaLiveEntity cdc = streaming("cdc", "t");
  cdc.primary_keys = {"id"};
  cdc.apply_changes = ApplyChanges{};
  cdc.apply_changes->sequence_by = "seq";
  EXPECT_NE(shared_destination_problem(a, cdc).find("'cdc': it has apply_changes"),
            std::string::npos);
  DeltaLiveEntity view = streaming("v", "t");
  view.destination_type = "view";
  EXPECT_NE(shared_destination_problem(view, a).find("'v': it is a view"), std::string::npos);
  DeltaLiveEntity partitioned = streaming("p", "t");
  partitioned.partition_cols = {"day"};
  EXPECT_NE(shared_destination_problem(a, partitioned).find("partition_cols differ"),
            std::string::npos);
  DeltaLiveEntity same_name = streaming("s", "t");
  same_name.flow_name = "a";
  EXPECT_NE(shared_destination_problem(a, same_name).find("flow name 'a'"), std::string::npos);
}

}  // namespace
}  // namespace dls
