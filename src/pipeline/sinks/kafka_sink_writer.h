// The Kafka sink (sink_format kafka): each batch's rows are produced to a Kafka topic, at least
// once. Internal to the pipeline layer; see sink_writer.h.
//
// Columns, as Spark's Kafka sink reads them: `value` (STRING or BINARY, required), `key` (STRING
// or BINARY), `topic` (STRING; the sink option `topic`, when given, overrides it, as in Spark),
// `partition` (INT; else librdkafka's partitioner chooses by key) and `headers`
// (ARRAY<STRUCT<key: STRING, value: BINARY>>). Other columns are an error naming them, so that a
// forgotten to_json(struct(*)) does not silently drop data.
//
// Delivery: write() produces every row, waits until the brokers acknowledged all of them, and only
// then records the batch in <checkpoint>/kafka_sink_commits.json. A process killed in between
// produces the batch again on the next run: at least once, as Databricks documents for Kafka
// sinks.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>

#include "pipeline/kafka/kafka_client.h"
#include "pipeline/sinks/sink_writer.h"

namespace dls::pipeline {

class KafkaSinkWriter : public SinkWriter {
 public:
  /// Throws InvalidMetadataError for bad sink_options (kafka.bootstrap.servers missing, a refused
  /// client setting).
  explicit KafkaSinkWriter(const SinkContext& context);

  std::string describe() const override;
  bool has_committed(const std::string& app_id, int64_t batch) override;
  int64_t next_batch(const std::string& app_id) override;
  int64_t write(sql::Connection& con, const std::string& select_sql, const std::string& app_id,
                int64_t batch) override;
  std::optional<int64_t> row_count(sql::Connection& con) const override { return std::nullopt; }

 private:
  std::optional<int64_t> last_committed(const std::string& app_id) const;
  void record_committed(const std::string& app_id, int64_t batch);

  std::string entity_id_;
  std::string what_;
  kafka::ClientSettings settings_;
  std::optional<std::string> topic_;
  std::chrono::milliseconds timeout_{120000};
  std::filesystem::path commits_;
  std::unique_ptr<kafka::KafkaProducer> producer_;  // created by the first write
};

}  // namespace dls::pipeline
