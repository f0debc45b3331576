// The Kafka source against librdkafka's mock cluster (in-process brokers): exact offset ranges,
// Spark's columns, maxOffsetsPerTrigger, startingOffsets, new topics, a broker down in the middle
// of a batch, offsets beyond the log (failOnDataLoss) and option errors. The real broker is
// exercised end to end in tests/interop/test_kafka_source.py.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "dls/core/error.h"
#include "dls/pipeline/source.h"
#include "pipeline/kafka/kafka_client.h"
#include "pipeline/sources_test_support.h"
#include "support/kafka_mock_cluster.h"
#include "support/test_support.h"

namespace dls::pipeline {
namespace {

using dls::testing::TempDir;
using testing::columns_of;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::rows_of;

class SourceKafka : public ::testing::Test {
 protected:
  dls::testing::KafkaMockCluster cluster{1};
  TempDir dir;
  sql::Database db;
  sql::Connection con = db.connect();
  std::unique_ptr<kafka::KafkaProducer> producer_;

  void produce(const std::string& topic, int32_t partition, std::optional<std::string> key,
               std::optional<std::string> value,
               std::vector<std::pair<std::string, std::optional<std::string>>> headers = {}) {
    if (!producer_) {
      producer_ = std::make_unique<kafka::KafkaProducer>(
          kafka::ClientSettings{{"bootstrap.servers", cluster.bootstrap()}, {"linger.ms", "0"}},
          "test", std::chrono::seconds(10));
    }
    producer_->produce({topic, partition, std::move(key), std::move(value), std::move(headers)});
    producer_->flush();
  }
  std::unique_ptr<Source> source(StringMap options, const std::string& topic = "events") {
    options.emplace("kafka.bootstrap.servers", cluster.bootstrap());
    options.emplace("kafkaConsumer.pollTimeoutMs", "3000");
    DeltaLiveEntity e = testing::file_entity("kafka", topic, std::move(options));
    return make_source(e, {dir / "state", {}, {}});
  }
  /// (topic, partition, offset, key, value) of a batch, ordered.
  std::vector<std::string> read(Source& s, const nlohmann::json& planned) {
    return rows_of(con,
                   "SELECT topic, \"partition\", \"offset\", CAST(key AS VARCHAR) AS k, "
                   "CAST(value AS VARCHAR) AS v FROM (" +
                       s.batch(con, planned).sql + ")");
  }
};

TEST_F(SourceKafka, ReadsExactlyThePlannedOffsetsWithSparksColumns) {
  cluster.create_topic("events", 2);
  produce("events", 0, "a", "1", {{"h1", "x"}, {"h2", std::nullopt}});
  produce("events", 0, std::nullopt, "2");
  produce("events", 1, "c", std::nullopt);
  auto s = source({{"startingOffsets", "earliest"}, {"includeHeaders", "true"}});
  auto planned = s->plan(nullptr);
  ASSERT_TRUE(planned);
  EXPECT_EQ((*planned)["start"], nlohmann::json::parse(R"({"events":{"0":0,"1":0}})"));
  EXPECT_EQ((*planned)["end"], nlohmann::json::parse(R"({"events":{"0":2,"1":1}})"));
  SourceBatch b = s->batch(con, *planned);
  EXPECT_THAT(
      columns_of(con, b.sql),
      ElementsAre("key BLOB", "value BLOB", "topic VARCHAR", "partition INTEGER", "offset BIGINT",
                  "timestamp TIMESTAMP WITH TIME ZONE", "timestampType INTEGER",
                  "headers STRUCT(\"key\" VARCHAR, \"value\" BLOB)[]"));
  EXPECT_THAT(rows_of(con,
                      "SELECT \"partition\", \"offset\", CAST(key AS VARCHAR), "
                      "CAST(value AS VARCHAR), timestampType, "
                      "CAST(headers AS VARCHAR), \"timestamp\" > TIMESTAMPTZ '2020-01-01' FROM (" +
                          b.sql + ")"),
              ElementsAre("0|0|a|1|0|[{'key': h1, 'value': x}, {'key': h2, 'value': NULL}]|true",
                          "0|1|NULL|2|0|NULL|true", "1|0|c|NULL|0|NULL|true"));
  EXPECT_EQ(b.input_bytes, 4);
  // The same offsets read again give the same records (a batch re-run after a crash).
  produce("events", 0, "late", "3");
  EXPECT_EQ(read(*s, *planned).size(), 3u);
  // The next plan starts where the committed one ended.
  auto next = s->plan(*planned);
  ASSERT_TRUE(next);
  EXPECT_EQ((*next)["start"], (*planned)["end"]);
  EXPECT_THAT(read(*s, *next), ElementsAre("events|0|2|late|3"));
  EXPECT_FALSE(s->plan(*next));
}

TEST_F(SourceKafka, MaxOffsetsPerTriggerSharesTheCapByBacklog) {
  cluster.create_topic("events", 2);
  for (int i = 0; i < 8; ++i) produce("events", 0, std::nullopt, "p0-" + std::to_string(i));
  for (int i = 0; i < 2; ++i) produce("events", 1, std::nullopt, "p1-" + std::to_string(i));
  auto s = source({{"startingOffsets", "earliest"}, {"maxOffsetsPerTrigger", "5"}});
  nlohmann::json committed = nullptr;
  std::vector<std::string> all;
  int batches = 0;
  while (auto planned = s->plan(committed)) {
    auto rows = read(*s, *planned);
    EXPECT_LE(rows.size(), 5u);
    all.insert(all.end(), rows.begin(), rows.end());
    committed = *planned;
    ASSERT_LT(++batches, 10);
  }
  EXPECT_EQ(all.size(), 10u);  // every record once
  std::sort(all.begin(), all.end());
  EXPECT_EQ(std::unique(all.begin(), all.end()), all.end());
  // First batch: 5 * 8/10 = 4 from partition 0, 5 * 2/10 = 1 from partition 1 (Spark's shares).
  EXPECT_EQ(batches, 2);
}

TEST_F(SourceKafka, StartingOffsetsLatestIsFixedByAnEmptyFirstBatch) {
  cluster.create_topic("events", 1);
  produce("events", 0, std::nullopt, "before");
  auto s = source({});
  auto first = s->plan(nullptr);
  ASSERT_TRUE(first);  // logged although empty: "latest" is now, not when the next run looks
  EXPECT_EQ((*first)["start"], (*first)["end"]);
  EXPECT_TRUE(read(*s, *first).empty());
  produce("events", 0, std::nullopt, "after");
  auto next = s->plan(*first);
  ASSERT_TRUE(next);
  EXPECT_THAT(read(*s, *next), ElementsAre("events|0|1|NULL|after"));
}

TEST_F(SourceKafka, JsonStartingOffsetsAndAssign) {
  cluster.create_topic("events", 2);
  for (int i = 0; i < 3; ++i) produce("events", 0, std::nullopt, "a" + std::to_string(i));
  for (int i = 0; i < 3; ++i) produce("events", 1, std::nullopt, "b" + std::to_string(i));
  auto s = source({{"startingOffsets", R"({"events":{"0":2,"1":-2}})"}});
  EXPECT_EQ(read(*s, *s->plan(nullptr)).size(), 4u);
  auto assigned = source({{"assign", R"({"events":[1]})"}, {"startingOffsets", "earliest"}});
  EXPECT_THAT(read(*assigned, *assigned->plan(nullptr)),
              ElementsAre("events|1|0|NULL|b0", "events|1|1|NULL|b1", "events|1|2|NULL|b2"));
  auto partial = source({{"startingOffsets", R"({"events":{"0":1}})"}});
  try {
    partial->plan(nullptr);
    FAIL() << "expected an error";
  } catch (const InvalidMetadataError& e) {
    EXPECT_THAT(e.what(), HasSubstr("not for events-1"));
  }
}

TEST_F(SourceKafka, TopicsMatchingThePatternLaterAreReadFromTheirStart) {
  cluster.create_topic("ev.a", 1);
  produce("ev.a", 0, std::nullopt, "a0");
  auto s = source({{"subscribePattern", "ev\\..*"}, {"startingOffsets", "earliest"}});
  auto first = s->plan(nullptr);
  EXPECT_THAT(read(*s, *first), ElementsAre("ev.a|0|0|NULL|a0"));
  cluster.create_topic("ev.b", 1);
  cluster.create_topic("other", 1);
  produce("ev.b", 0, std::nullopt, "b0");
  produce("other", 0, std::nullopt, "x");
  auto next = s->plan(*first);
  ASSERT_TRUE(next);
  EXPECT_THAT(read(*s, *next), ElementsAre("ev.b|0|0|NULL|b0"));
}

TEST_F(SourceKafka, ABrokerDownFailsThePlannedBatchAndTheRerunReadsTheSameRecords) {
  cluster.create_topic("events", 1);
  for (int i = 0; i < 5; ++i) produce("events", 0, std::nullopt, std::to_string(i));
  auto s = source({{"startingOffsets", "earliest"}});
  auto planned = s->plan(nullptr);
  ASSERT_TRUE(planned);
  cluster.broker_down(1);
  auto fresh = source({{"startingOffsets", "earliest"}});  // a new process after the failure
  try {
    fresh->batch(con, *planned);
    FAIL() << "expected the batch to fail while the broker is down";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("entity 'e1'"));
  }
  cluster.broker_up(1);
  auto again = source({{"startingOffsets", "earliest"}});
  EXPECT_EQ(read(*again, *planned).size(), 5u);
}

TEST_F(SourceKafka, OffsetsNoLongerInTheLogFailOrSkipPerFailOnDataLoss) {
  cluster.create_topic("events", 1);
  for (int i = 0; i < 3; ++i) produce("events", 0, std::nullopt, std::to_string(i));
  // A committed end beyond the log: the topic was recreated (its records are gone).
  nlohmann::json committed = nlohmann::json::parse(
      R"({"source":"kafka","start":{"events":{"0":0}},"end":{"events":{"0":40}}})");
  auto strict = source({});
  try {
    strict->plan(committed);
    FAIL() << "expected a data-loss error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("events-0"));
    EXPECT_THAT(e.what(), HasSubstr("failOnDataLoss"));
  }
  auto lenient = source({{"failOnDataLoss", "false"}});
  auto planned = lenient->plan(committed);
  ASSERT_TRUE(planned);
  EXPECT_EQ(read(*lenient, *planned).size(), 3u);
}

TEST_F(SourceKafka, BadOptionsAreMetadataErrorsNamingTheOption) {
  auto error_of = [&](StringMap options) -> std::string {
    try {
      auto s = source(std::move(options));
      s->plan(nullptr);
    } catch (const InvalidMetadataError& e) {
      return e.what();
    }
    return "no error";
  };
  cluster.create_topic("events", 1);
  EXPECT_THAT(error_of({{"startingOffset", "earliest"}}), HasSubstr("startingOffsets"));
  EXPECT_THAT(error_of({{"subscribe", "a"}, {"assign", R"({"a":[0]})"}}), HasSubstr("only one of"));
  EXPECT_THAT(error_of({{"kafka.auto.offset.reset", "earliest"}}), HasSubstr("startingOffsets"));
  EXPECT_THAT(error_of({{"endingOffsets", "latest"}}), HasSubstr("once flow"));
  EXPECT_THAT(error_of({{"kafka.no.such.setting", "1"}}), HasSubstr("kafka.no.such.setting"));
  EXPECT_THAT(error_of({{"maxOffsetsPerTrigger", "0"}}), HasSubstr("maxOffsetsPerTrigger"));
  EXPECT_THAT(error_of({{"startingOffsets", "{bad"}}), HasSubstr("earliest, latest or JSON"));
}

TEST_F(SourceKafka, ABatchReadGoesFromEarliestToLatestOrTheGivenEnd) {
  cluster.create_topic("events", 1);
  for (int i = 0; i < 4; ++i) produce("events", 0, std::nullopt, std::to_string(i));
  auto all = source({});
  EXPECT_EQ(rows_of(con, all->full_sql(con)).size(), 4u);
  auto upto = source({{"endingOffsets", R"({"events":{"0":2}})"}});
  EXPECT_EQ(rows_of(con, upto->full_sql(con)).size(), 2u);
}

}  // namespace
}  // namespace dls::pipeline
