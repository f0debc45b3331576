// KafkaSource: `source_format: kafka`, read with librdkafka as Databricks' Kafka source reads.
//
// Topics: the read option subscribe (comma-separated topics), subscribePattern (a regular
// expression over topic names) or assign (JSON {"topic":[partitions]}); with none of them, the
// entity's `source` is the subscribe list. Client settings: every `kafka.*` option
// (kafka_settings.h); kafka.bootstrap.servers is required.
//
// Columns (Spark's): key BINARY, value BINARY, topic STRING, partition INT, offset BIGINT,
// timestamp TIMESTAMP, timestampType INT, and headers ARRAY<STRUCT<key STRING, value BINARY>>
// with includeHeaders true (NULL for a record without headers).
//
// Offsets (JSON, written to the flow's offsets log before the batch is read):
//   {"source": "kafka", "start": {"topic": {"0": 5, ...}}, "end": {"topic": {"0": 9, ...}}}
// a batch is exactly the records [start, end) of each partition, so re-running a planned batch
// (after a crash) reads the same records, and the Delta commit's txn makes it exactly once. The
// first plan starts at startingOffsets (default latest; earliest; or JSON with -2 earliest and -1
// latest for every partition) and is logged even when empty, so "latest" is where the stream
// began, not where a later run finds the log. Later plans start at the committed end; partitions
// that appear later start at their earliest offset. maxOffsetsPerTrigger caps a batch's records
// over all partitions, shared in proportion to each partition's backlog, as Spark does.
//
// Data loss: offsets a batch needs that are no longer in Kafka (retention, deleted records or
// topic) fail the batch with failOnDataLoss true (the default); with false the batch reads from
// the earliest offset still there.
//
// A batch read (a once flow) reads [startingOffsets default earliest, endingOffsets default
// latest]; endingOffsets in a streaming read is refused, as in Spark.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>

#include "dls/pipeline/source.h"
#include "pipeline/kafka/kafka_client.h"

namespace dls::pipeline::sources {

class KafkaSource : public Source {
 public:
  KafkaSource(const DeltaLiveEntity& entity, const SourceContext& context);
  ~KafkaSource() override;

  std::optional<nlohmann::json> plan(const nlohmann::json& committed) override;
  SourceBatch batch(sql::Connection& con, const nlohmann::json& planned) override;
  std::string fingerprint() override;
  std::string full_sql(sql::Connection& con) override;
  std::string describe() const override;

 private:
  using Offsets = std::map<kafka::TopicPartition, int64_t>;
  using Watermarks = std::map<kafka::TopicPartition, kafka::Watermarks>;

  kafka::KafkaConsumer& consumer();
  /// The partitions the options select, now.
  std::vector<kafka::TopicPartition> partitions();
  /// The partitions' watermarks now (one query each).
  Watermarks watermarks_of(const std::vector<kafka::TopicPartition>& parts);
  /// The offsets a JSON startingOffsets/endingOffsets or "earliest"/"latest" gives each partition
  /// (earliest/latest from `marks`).
  Offsets resolve(const std::string& option, const std::string& spec,
                  const std::vector<kafka::TopicPartition>& parts, const Watermarks& marks);
  /// Moves a start offset no longer in Kafka to the earliest there, or fails (failOnDataLoss).
  int64_t checked_start(const kafka::TopicPartition& tp, int64_t start, const kafka::Watermarks& w);
  /// Reads the records of the ranges into a temporary table; returns the SELECT of the columns.
  std::string read_into_table(
      sql::Connection& con,
      const std::map<kafka::TopicPartition, std::pair<int64_t, int64_t>>& ranges, int64_t& bytes);

  std::string entity_id_;
  std::string what_;
  kafka::ClientSettings settings_;
  std::vector<std::string> subscribe_;
  std::optional<std::regex> pattern_;
  std::optional<std::string> pattern_text_;
  std::map<std::string, std::vector<int32_t>> assign_;
  std::string starting_offsets_;
  std::optional<std::string> ending_offsets_;
  std::optional<int64_t> max_offsets_;
  bool fail_on_data_loss_ = true;
  bool include_headers_ = false;
  std::chrono::milliseconds timeout_{120000};
  std::string table_;  // the temporary table of the batch's records
  std::unique_ptr<kafka::KafkaConsumer> consumer_;
};

}  // namespace dls::pipeline::sources
