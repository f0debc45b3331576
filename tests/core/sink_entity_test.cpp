// Sinks in the model (destination_type sink, sink_format, sink_options; Databricks' create_sink):
// decoding, round trips through JSON and YAML, a hash that does not change for entities that do
// not use the fields, validation naming entity and field, and the flow-sharing rule for sinks.
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

const std::string kSinkHead =
    "entity_id: out\nsource: orders\nsource_format: dlt\ndestination: orders_export\n"
    "destination_type: sink\n";

DeltaLiveEntity delta_sink(const std::string& id, const std::string& path) {
  DeltaLiveEntity e;
  e.entity_id = id;
  e.source = "orders";
  e.source_format = "dlt";
  e.destination = "orders_export";
  e.destination_type = "sink";
  e.sink_format = "delta";
  e.sink_options = {{"path", path}};
  return normalized(e);
}

TEST(SinkEntity, SinkFieldsDecodeAndRoundTrip) {
  DeltaLiveEntity e =
      entity_from_yaml(YAML::Load(
          kSinkHead + "sink_format: kafka\n"
                      "sink_options: {kafka.bootstrap.servers: \"b:9092\", topic: orders}\n"));
  EXPECT_EQ(e.destination_type, "sink");
  EXPECT_EQ(e.sink_format, "kafka");
  EXPECT_EQ(e.sink_options.at("kafka.bootstrap.servers"), "b:9092");
  EXPECT_TRUE(validate(e).empty());
  EXPECT_EQ(entity_from_json(to_json(e)), e);
  EXPECT_EQ(entity_from_yaml(YAML::Load(to_yaml(e))), e) << to_yaml(e);
  EXPECT_NE(to_yaml(e).find("sink_format: kafka"), std::string::npos);
}

TEST(SinkEntity, HashOfAnEntityWithoutSinkFieldsIsUnchanged) {
  DeltaLiveEntity table = delta_sink("out", "/x");
  table.destination_type = "table";
  table.sink_format.reset();
  table.sink_options.clear();
  const std::string canonical = canonical_content(table);
  EXPECT_EQ(canonical.find("sink_format"), std::string::npos);
  EXPECT_EQ(canonical.find("sink_options"), std::string::npos);
  const DeltaLiveEntity sink = delta_sink("out", "/x");
  EXPECT_NE(content_hash(sink), content_hash(table));
  EXPECT_NE(content_hash(sink), content_hash(delta_sink("out", "/y")));
}

TEST(SinkEntity, SinkFormatIsRequiredForASinkAndRefusedElsewhere) {
  EXPECT_NE(errors_of(kSinkHead + "sink_options: {path: /x}\n")
                .find("entity 'out': sink_format: is required with destination_type sink"),
            std::string::npos);
  EXPECT_NE(errors_of(kSinkHead + "sink_format: parquet\nsink_options: {path: /x}\n")
                .find("sink_format: 'parquet' is not a sink format"),
            std::string::npos);
  EXPECT_NE(errors_of("entity_id: t\nsource: orders\nsource_format: dlt\ndestination: t\n"
                      "sink_format: delta\n")
                .find("entity 't': sink_format: 'delta' is only for destination_type sink"),
            std::string::npos);
  EXPECT_NE(errors_of("entity_id: t\nsource: orders\nsource_format: dlt\ndestination: t\n"
                      "sink_options: {path: /x}\n")
                .find("entity 't': sink_options: are only for destination_type sink"),
            std::string::npos);
  EXPECT_NE(errors_of("entity_id: t\nsource: orders\nsource_format: dlt\ndestination: t\n"
                      "destination_type: sinks\n")
                .find("expected table, view or sink"),
            std::string::npos);
}

TEST(SinkEntity, SinkOptionsAreCheckedPerFormat) {
  EXPECT_NE(errors_of(kSinkHead + "sink_format: kafka\nsink_options: {topic: t}\n")
                .find("sink_options: a kafka sink needs 'kafka.bootstrap.servers'"),
            std::string::npos);
  // topic is optional: rows may carry a topic column.
  EXPECT_EQ(errors_of(kSinkHead +
                      "sink_format: kafka\nsink_options: {kafka.bootstrap.servers: \"b:1\"}\n"),
            "");
  const std::string kafka =
      kSinkHead + "sink_format: kafka\nsink_options:\n  kafka.bootstrap.servers: \"b:1\"\n";
  EXPECT_NE(errors_of(kafka + "  kafka.ssl.truststore.location: /t.jks\n")
                .find("sink_options.kafka.ssl.truststore.location: is not supported"),
            std::string::npos);
  EXPECT_NE(errors_of(kafka + "  topc: t\n").find("sink_options.topc: is not an option"),
            std::string::npos);
  EXPECT_EQ(errors_of(kafka + "  kafka.security.protocol: SASL_SSL\n  topic: t\n"), "");
  EXPECT_NE(errors_of(kSinkHead + "sink_format: delta\n")
                .find("a delta sink needs exactly one of 'path'"),
            std::string::npos);
  EXPECT_NE(errors_of(kSinkHead + "sink_format: delta\nsink_options: {path: /x, tableName: a.b}\n")
                .find("not both"),
            std::string::npos);
  EXPECT_EQ(errors_of(kSinkHead + "sink_format: delta\nsink_options: {tableName: main.ex.o}\n"),
            "");
  EXPECT_NE(errors_of(kSinkHead + "sink_format: delta\nsink_options: {tableName: \"a/b\"}\n")
                .find("sink_options.tableName: 'a/b' is not a safe table name"),
            std::string::npos);
  EXPECT_NE(errors_of("entity_id: out\nsource: orders\nsource_format: dlt\n"
                      "destination: main.x.orders_export\ndestination_type: sink\n"
                      "sink_format: delta\nsink_options: {path: /x}\n")
                .find("is not a sink name"),
            std::string::npos);
}

TEST(SinkEntity, ASinkIsAStreamingAppendTargetWithoutExpectations) {
  const std::string delta = kSinkHead + "sink_format: delta\nsink_options: {path: /x}\n";
  EXPECT_NE(errors_of(delta + "is_streaming: false\n").find("out': is_streaming: a sink"),
            std::string::npos);
  EXPECT_NE(errors_of(delta + "expectations: {expect_all: {a: \"id > 0\"}}\n")
                .find("expectations: a sink takes no expectations"),
            std::string::npos);
  EXPECT_NE(errors_of(delta + "is_quarantined: true\n").find("is_quarantined: a sink"),
            std::string::npos);
  EXPECT_NE(errors_of(delta + "primary_keys: [id]\napply_changes: {sequence_by: ts}\n")
                .find("apply_changes: a sink is written by append flows only"),
            std::string::npos);
  EXPECT_NE(errors_of(delta + "partition_cols: [day]\n").find("partition_cols: a sink"),
            std::string::npos);
  EXPECT_NE(errors_of(delta + "once: true\n").find("once: a sink"), std::string::npos);
  EXPECT_NE(errors_of(delta + "table_properties: {a: b}\n").find("table_properties: a sink"),
            std::string::npos);
}

TEST(FlowSharingRule, SinksShareOnlyWithSinksOfTheSameFormatAndOptions) {
  const DeltaLiveEntity a = delta_sink("a", "/x");
  DeltaLiveEntity b = delta_sink("b", "/x");
  EXPECT_EQ(shared_destination_problem(a, b), "");
  EXPECT_NE(shared_destination_problem(a, delta_sink("c", "/y")).find("sink_options differ"),
            std::string::npos);
  DeltaLiveEntity table = delta_sink("t", "/x");
  table.destination_type = "table";
  table.sink_format.reset();
  table.sink_options.clear();
  EXPECT_NE(shared_destination_problem(a, table).find("one writes it as a sink, the other as a "
                                                      "table"),
            std::string::npos);
  b.flow_name = "a";
  EXPECT_NE(shared_destination_problem(a, b).find("flow name 'a'"), std::string::npos);
}

}  // namespace
}  // namespace dls
