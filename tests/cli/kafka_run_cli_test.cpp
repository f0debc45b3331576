// `dls run` of a Kafka pipeline through the binary, against librdkafka's mock cluster: Kafka ->
// bronze (kafka source) -> silver (dlt), incremental runs, and kill -9 at random moments losing
// and duplicating nothing; a broker that is down fails the dataset and the next run catches up.
#include <chrono>
#include <random>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "pipeline/kafka/kafka_client.h"
#include "support/kafka_mock_cluster.h"
#include "support/test_support.h"

namespace dls {
namespace {

using dls::testing::run_dls;
using dls::testing::shell_quote;
using dls::testing::TempDir;

class KafkaRunCli : public ::testing::Test {
 protected:
  void SetUp() override {
    wh_ = (dir_.path() / "wh").string();
    cluster_.create_topic("events", 3);
    producer_ = std::make_unique<pipeline::kafka::KafkaProducer>(
        pipeline::kafka::ClientSettings{{"bootstrap.servers", cluster_.bootstrap()}}, "test",
        std::chrono::seconds(10));
    ASSERT_EQ(dls("store init").exit_code, 0);
    auto up = dls("upsert --json " + shell_quote(entities().dump()));
    ASSERT_EQ(up.exit_code, 0) << up.err;
  }

  testing::CommandResult dls(const std::string& args) {
    return run_dls("--warehouse " + shell_quote(wh_) + " " + args, dir_.path());
  }

  nlohmann::json entities() const {
    return nlohmann::json::array(
        {{{"entity_id", "events_bronze"},
          {"group", "main.k"},
          {"source", "events"},
          {"source_format", "kafka"},
          {"read_options",
           {{"kafka.bootstrap.servers", cluster_.bootstrap()},
            {"startingOffsets", "earliest"},
            {"maxOffsetsPerTrigger", "25"},
            {"kafkaConsumer.pollTimeoutMs", "4000"}}},
          {"destination", "events_bronze"}},
         {{"entity_id", "events_silver"},
          {"group", "main.k"},
          {"source", "events_bronze"},
          {"source_format", "dlt"},
          {"is_streaming", true},
          {"select_expr",
           {"CAST(key AS STRING) AS k", "CAST(value AS STRING) AS v", "partition", "offset"}},
          {"destination", "events_silver"}}});
  }

  void produce(int n) {
    for (int i = 0; i < n; ++i, ++next_) {
      producer_->produce({"events",
                          static_cast<int32_t>(next_ % 3),
                          "k" + std::to_string(next_),
                          "v" + std::to_string(next_),
                          {}});
    }
    producer_->flush();
  }

  /// "rows|distinct (partition, offset)|distinct values" of a table.
  std::string counts(const std::string& table, const std::string& value) {
    auto r =
        dls("query --format csv " +
            shell_quote("SELECT count(*) || '|' || count(DISTINCT (\"partition\", \"offset\")) "
                        "|| '|' || count(DISTINCT " +
                        value + ") FROM main.k." + table));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }

  TempDir dir_;
  std::string wh_;
  dls::testing::KafkaMockCluster cluster_;
  std::unique_ptr<pipeline::kafka::KafkaProducer> producer_;
  int next_ = 0;
};

TEST_F(KafkaRunCli, RecordsFlowIntoBronzeAndSilverIncrementally) {
  produce(60);
  auto r1 = dls("run");
  ASSERT_EQ(r1.exit_code, 0) << r1.out << r1.err;
  EXPECT_NE(counts("events_bronze", "value").find("60|60|60"), std::string::npos);
  EXPECT_NE(counts("events_silver", "v").find("60|60|60"), std::string::npos);
  // Nothing new: nothing committed.
  auto before = dls("table history main.k.events_bronze --format json");
  ASSERT_EQ(dls("run").exit_code, 0);
  EXPECT_EQ(dls("table history main.k.events_bronze --format json").out, before.out);
  produce(7);
  ASSERT_EQ(dls("run").exit_code, 0);
  EXPECT_NE(counts("events_silver", "v").find("67|67|67"), std::string::npos);
  auto q = dls("query --format csv " +
               shell_quote("SELECT topic, typeof(\"timestamp\"), typeof(key) FROM "
                           "main.k.events_bronze LIMIT 1"));
  EXPECT_NE(q.out.find("events,TIMESTAMP WITH TIME ZONE,BLOB"), std::string::npos) << q.out;
}

TEST_F(KafkaRunCli, KillMinus9AtRandomMomentsLosesAndDuplicatesNothing) {
  std::mt19937 rng(20261208);
  produce(150);
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(dls("run").exit_code, 0);
  const int64_t full_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  int killed = 0;
  for (int k = 0; k < 10; ++k) {
    produce(40);
    // An update of 40 new records is shorter than the first one: kill within its first half.
    std::uniform_int_distribution<int64_t> delay(0, std::max<int64_t>(full_ms / 2, 50));
    if (testing::run_dls_killed_after(wh_, std::chrono::milliseconds(delay(rng)))) ++killed;
  }
  EXPECT_GE(killed, 5) << "too few runs were killed to test anything: " << killed << " (full run "
                       << full_ms << " ms)";
  auto done = dls("run");
  ASSERT_EQ(done.exit_code, 0) << done.err;
  const std::string all = std::to_string(next_);
  EXPECT_NE(counts("events_bronze", "value").find(all + "|" + all + "|" + all), std::string::npos)
      << counts("events_bronze", "value") << " after " << killed << " kills";
  EXPECT_NE(counts("events_silver", "v").find(all + "|" + all + "|" + all), std::string::npos)
      << counts("events_silver", "v") << " after " << killed << " kills";
}

TEST_F(KafkaRunCli, ABrokerDownFailsTheDatasetAndTheNextRunCatchesUp) {
  produce(10);
  ASSERT_EQ(dls("run").exit_code, 0);
  produce(10);
  cluster_.broker_down(1);
  auto failed = dls("run");
  EXPECT_NE(failed.exit_code, 0);
  EXPECT_NE((failed.out + failed.err).find("events_bronze"), std::string::npos)
      << failed.out << failed.err;
  cluster_.broker_up(1);
  auto r = dls("run");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(counts("events_silver", "v").find("20|20|20"), std::string::npos);
}

}  // namespace
}  // namespace dls
