// KafkaClient: the small part of librdkafka (Debian's librdkafka, C API) the Kafka source and
// sink use — configuration with errors in the user's terms, topic metadata, partition
// watermarks, reading an exact offset range, and producing with delivery confirmed.
//
// Invariants: every call is bounded by the client's timeout (a broker that is down makes a call
// fail with an Error naming what it waited for, never hang); read_range() delivers each record of
// [start, end) at most once, in offset order per partition, and stops at `end` even when more
// records follow.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dls/core/error.h"

namespace dls::pipeline::kafka {

/// Records a read needs are no longer in the log (retention, deleted records or topic): the
/// source decides with failOnDataLoss whether that fails the batch.
struct OffsetOutOfRange : Error {
  using Error::Error;
};

/// librdkafka settings (the part after `kafka.` of Databricks' options), e.g.
/// {"bootstrap.servers", "host:9092"}, {"security.protocol", "SASL_SSL"}.
using ClientSettings = std::map<std::string, std::string>;

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;
  friend bool operator<(const TopicPartition& a, const TopicPartition& b) {
    return a.topic != b.topic ? a.topic < b.topic : a.partition < b.partition;
  }
  friend bool operator==(const TopicPartition&, const TopicPartition&) = default;
  /// "topic-partition", as Kafka names a partition in messages.
  std::string to_string() const { return topic + "-" + std::to_string(partition); }
};

struct Watermarks {
  int64_t low = 0;   // the earliest offset still in the log
  int64_t high = 0;  // the offset the next record will get
};

/// One record, as the Kafka source's columns carry it.
struct KafkaRecord {
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = 0;
  int32_t timestamp_type = 0;  // as Spark: 0 CreateTime, 1 LogAppendTime (-1 not available)
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;
};

/// A record to produce; `partition` unset lets the partitioner choose (by key).
struct OutgoingRecord {
  std::string topic;
  std::optional<int32_t> partition;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;
};

class KafkaConsumer {
 public:
  /// `what` names the user's object in errors ("entity 'events_bronze'"). `settings` hold
  /// bootstrap.servers (the callers check it, naming their option). Throws InvalidMetadataError
  /// for settings librdkafka does not accept.
  KafkaConsumer(const ClientSettings& settings, std::string what,
                std::chrono::milliseconds timeout);
  ~KafkaConsumer();
  KafkaConsumer(const KafkaConsumer&) = delete;
  KafkaConsumer& operator=(const KafkaConsumer&) = delete;

  /// Every topic of the cluster (internal ones such as __consumer_offsets excluded) with its
  /// number of partitions.
  std::map<std::string, int32_t> topics();
  Watermarks watermarks(const TopicPartition& tp);

  /// Calls `on_record` for every record of [start, end) of each partition, in offset order per
  /// partition. A partition whose log ends before `end` (control records of transactions, or a
  /// truncated log) ends there. Throws when a record is no longer in the log (its offset is out
  /// of range: retention or deletion) — the caller checks watermarks first — or when the records
  /// do not arrive within the timeout.
  void read_range(const std::map<TopicPartition, std::pair<int64_t, int64_t>>& ranges,
                  const std::function<void(KafkaRecord&&)>& on_record);

 private:
  /// Topic lists and watermarks wait at most 30 s (or the timeout, when shorter): brokers that
  /// cannot be reached fail the plan soon, while a batch's records may take the whole timeout.
  int metadata_timeout_ms() const;

  struct Handle;
  std::unique_ptr<Handle> handle_;
  std::string what_;
  std::chrono::milliseconds timeout_;
};

class KafkaProducer {
 public:
  KafkaProducer(const ClientSettings& settings, std::string what,
                std::chrono::milliseconds timeout);
  ~KafkaProducer();
  KafkaProducer(const KafkaProducer&) = delete;
  KafkaProducer& operator=(const KafkaProducer&) = delete;

  /// Queues one record (waits while librdkafka's queue is full).
  void produce(OutgoingRecord&& record);
  /// Waits until every queued record is acknowledged by the broker; throws naming the first
  /// delivery error or when the timeout passes. After it returns, every record produced so far
  /// is in the topic (at least once: a retried send may have written a record twice).
  void flush();

 private:
  struct Handle;
  std::unique_ptr<Handle> handle_;
  std::string what_;
  std::chrono::milliseconds timeout_;
};

}  // namespace dls::pipeline::kafka
