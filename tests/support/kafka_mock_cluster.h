// An in-process Kafka cluster for tests: librdkafka's mock brokers listen on 127.0.0.1, so the
// test's own clients and a `dls` child process both reach it. Fault injection (a broker down)
// goes through librdkafka's mock API. Real-broker tests are in tests/interop (test_kafka_*.py).
#pragma once

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <stdexcept>
#include <string>

namespace dls::testing {

class KafkaMockCluster {
 public:
  explicit KafkaMockCluster(int brokers = 1) {
    char err[256];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "0", err, sizeof err);
    owner_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!owner_) throw std::runtime_error(std::string("rd_kafka_new: ") + err);
    cluster_ = rd_kafka_mock_cluster_new(owner_, brokers);
    if (!cluster_) throw std::runtime_error("rd_kafka_mock_cluster_new failed");
  }
  ~KafkaMockCluster() {
    rd_kafka_mock_cluster_destroy(cluster_);
    rd_kafka_destroy(owner_);
  }
  KafkaMockCluster(const KafkaMockCluster&) = delete;
  KafkaMockCluster& operator=(const KafkaMockCluster&) = delete;

  /// "127.0.0.1:port,..." for kafka.bootstrap.servers.
  std::string bootstrap() const { return rd_kafka_mock_cluster_bootstraps(cluster_); }
  void create_topic(const std::string& topic, int partitions) {
    if (rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, 1) !=
        RD_KAFKA_RESP_ERR_NO_ERROR) {
      throw std::runtime_error("cannot create mock topic " + topic);
    }
  }
  void broker_down(int id) { rd_kafka_mock_broker_set_down(cluster_, id); }
  void broker_up(int id) { rd_kafka_mock_broker_set_up(cluster_, id); }

 private:
  rd_kafka_t* owner_ = nullptr;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
};

}  // namespace dls::testing
