// The Kafka client under faults, on librdkafka's mock cluster: a producer whose broker is down
// reports that its records were not acknowledged (the Kafka sink then records no batch). Reads
// under faults: sources_kafka_test.cpp and kafka_run_cli_test.cpp.
#include "pipeline/kafka/kafka_client.h"

#include <gtest/gtest.h>

#include <string>

#include "dls/core/error.h"
#include "support/kafka_mock_cluster.h"

namespace dls::pipeline::kafka {
namespace {

using dls::testing::KafkaMockCluster;

TEST(KafkaClient, AProducerWhoseBrokerIsDownReportsTheRecordsNotAcknowledged) {
  KafkaMockCluster cluster;
  cluster.create_topic("t", 1);
  cluster.broker_down(1);
  KafkaProducer producer(
      {{"bootstrap.servers", cluster.bootstrap()}, {"message.timeout.ms", "1500"}}, "entity 's'",
      std::chrono::seconds(5));
  producer.produce({"t", 0, std::nullopt, std::string("x"), {}});
  try {
    producer.flush();
    FAIL() << "flush succeeded with the broker down";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("entity 's'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace dls::pipeline::kafka
