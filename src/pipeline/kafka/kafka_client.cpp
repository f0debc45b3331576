#include "pipeline/kafka/kafka_client.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <mutex>
#include <set>
#include <thread>

#include "dls/core/error.h"

namespace dls::pipeline::kafka {

namespace {

using Clock = std::chrono::steady_clock;

/// What librdkafka reports through callbacks: kept so that a timeout can say why.
struct ClientLog {
  std::mutex mutex;
  std::string last_error;
  std::string first_delivery_error;
  void error(std::string message) {
    std::lock_guard<std::mutex> lock(mutex);
    last_error = std::move(message);
  }
  std::string last() {
    std::lock_guard<std::mutex> lock(mutex);
    return last_error;
  }
};

void on_error(rd_kafka_t*, int err, const char* reason, void* opaque) {
  static_cast<ClientLog*>(opaque)->error(
      std::string(rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err))) + ": " +
      (reason ? reason : ""));
}

// librdkafka logs to stderr by default; its connection chatter is not the user's business. Its
// errors (level 3 and below: "SASL authentication error", "certificate verify failed") are kept:
// a call that times out says why. (The error callback runs only inside a poll, which metadata
// and watermark calls do not do.)
void on_log(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  if (level > 3) return;
  if (auto* log = static_cast<ClientLog*>(rd_kafka_opaque(rk))) {
    log->error(std::string(facility ? facility : "") + ": " + (message ? message : ""));
  }
}

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  if (!message->err) return;
  auto* log = static_cast<ClientLog*>(opaque);
  std::lock_guard<std::mutex> lock(log->mutex);
  if (log->first_delivery_error.empty()) {
    log->first_delivery_error = std::string(rd_kafka_err2str(message->err)) + " (topic " +
                                rd_kafka_topic_name(message->rkt) + ")";
  }
}

/// Builds the configuration; the caller's settings win over `defaults` except for `forced`.
rd_kafka_conf_t* make_conf(const ClientSettings& settings, const ClientSettings& defaults,
                           const ClientSettings& forced, const std::string& what, ClientLog* log) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  auto set = [&](const std::string& name, const std::string& value, bool user) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      if (user) {
        throw InvalidMetadataError(what + ": Kafka client setting 'kafka." + name + "' = '" +
                                   value + "' is not accepted by librdkafka: " + err);
      }
      throw Error(what + ": cannot configure the Kafka client (" + name + "): " + err);
    }
  };
  for (const auto& [k, v] : defaults) {
    if (!settings.count(k)) set(k, v, false);
  }
  for (const auto& [k, v] : settings) set(k, v, true);
  for (const auto& [k, v] : forced) set(k, v, false);
  rd_kafka_conf_set_opaque(conf, log);
  rd_kafka_conf_set_error_cb(conf, on_error);
  rd_kafka_conf_set_log_cb(conf, on_log);
  return conf;
}

rd_kafka_t* make_client(rd_kafka_type_t type, rd_kafka_conf_t* conf, const std::string& what) {
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof err);
  if (!rk) {
    rd_kafka_conf_destroy(conf);
    throw Error(what + ": cannot create the Kafka client: " + err);
  }
  return rk;
}

std::string with_last_error(const std::string& message, ClientLog& log) {
  std::string last = log.last();
  return last.empty() ? message : message + " (last client error: " + last + ")";
}

}  // namespace

struct KafkaConsumer::Handle {
  ClientLog log;
  rd_kafka_t* rk = nullptr;
  ~Handle() {
    if (rk) {
      rd_kafka_consumer_close(rk);
      rd_kafka_destroy(rk);
    }
  }
};

KafkaConsumer::KafkaConsumer(const ClientSettings& settings, std::string what,
                             std::chrono::milliseconds timeout)
    : handle_(std::make_unique<Handle>()), what_(std::move(what)), timeout_(timeout) {
  // Offsets are the pipeline's (offsets log + Delta txn), never a consumer group's: records are
  // read by assignment, nothing is committed to Kafka, and a missing offset is an error to handle
  // (failOnDataLoss), not a silent reset.
  const ClientSettings defaults = {
      {"client.id", "dls"}, {"group.id", "dls"}, {"fetch.wait.max.ms", "50"}};
  const ClientSettings forced = {{"enable.auto.commit", "false"},
                                 {"enable.auto.offset.store", "false"},
                                 {"enable.partition.eof", "true"},
                                 {"auto.offset.reset", "error"}};
  rd_kafka_conf_t* conf = make_conf(settings, defaults, forced, what_, &handle_->log);
  handle_->rk = make_client(RD_KAFKA_CONSUMER, conf, what_);
}

KafkaConsumer::~KafkaConsumer() = default;

int KafkaConsumer::metadata_timeout_ms() const {
  return static_cast<int>(std::min<int64_t>(timeout_.count(), 30000));
}

std::map<std::string, int32_t> KafkaConsumer::topics() {
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(handle_->rk, 1, nullptr, &md, metadata_timeout_ms());
  if (err) {
    throw Error(with_last_error(what_ + ": cannot list the Kafka topics: " + rd_kafka_err2str(err) +
                                    " after " + std::to_string(metadata_timeout_ms()) +
                                    " ms (are kafka.bootstrap.servers right and reachable?)",
                                handle_->log));
  }
  std::map<std::string, int32_t> out;
  for (int i = 0; i < md->topic_cnt; ++i) {
    const auto& t = md->topics[i];
    if (t.err || std::string_view(t.topic).starts_with("__")) continue;
    out[t.topic] = t.partition_cnt;
  }
  rd_kafka_metadata_destroy(md);
  return out;
}

Watermarks KafkaConsumer::watermarks(const TopicPartition& tp) {
  Watermarks w;
  rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
      handle_->rk, tp.topic.c_str(), tp.partition, &w.low, &w.high, metadata_timeout_ms());
  if (err) {
    throw Error(with_last_error(what_ + ": cannot read the offsets of Kafka partition " +
                                    tp.to_string() + ": " + rd_kafka_err2str(err),
                                handle_->log));
  }
  return w;
}

void KafkaConsumer::read_range(const std::map<TopicPartition, std::pair<int64_t, int64_t>>& ranges,
                               const std::function<void(KafkaRecord&&)>& on_record) {
  std::map<TopicPartition, int64_t> remaining;  // partition -> end offset (exclusive)
  rd_kafka_topic_partition_list_t* list =
      rd_kafka_topic_partition_list_new(static_cast<int>(ranges.size()));
  for (const auto& [tp, range] : ranges) {
    if (range.first >= range.second) continue;
    rd_kafka_topic_partition_list_add(list, tp.topic.c_str(), tp.partition)->offset = range.first;
    remaining[tp] = range.second;
  }
  if (remaining.empty()) {
    rd_kafka_topic_partition_list_destroy(list);
    return;
  }
  rd_kafka_resp_err_t err = rd_kafka_assign(handle_->rk, list);
  rd_kafka_topic_partition_list_destroy(list);
  if (err) throw Error(what_ + ": cannot assign the Kafka partitions: " + rd_kafka_err2str(err));
  struct Unassign {
    rd_kafka_t* rk;
    ~Unassign() { rd_kafka_assign(rk, nullptr); }
  } unassign{handle_->rk};

  Clock::time_point deadline = Clock::now() + timeout_;
  while (!remaining.empty()) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(handle_->rk, 200);
    if (!m) {
      if (Clock::now() > deadline) {
        std::string which;
        for (const auto& [tp, end] : remaining)
          which += (which.empty() ? "" : ", ") + tp.to_string();
        throw Error(with_last_error(what_ + ": Kafka delivered no records of " + which +
                                        " within " + std::to_string(timeout_.count()) +
                                        " ms (kafkaConsumer.pollTimeoutMs)",
                                    handle_->log));
      }
      continue;
    }
    struct Destroy {
      rd_kafka_message_t* m;
      ~Destroy() { rd_kafka_message_destroy(m); }
    } destroy{m};
    if (m->err) {
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF && m->rkt) {
        remaining.erase(TopicPartition{rd_kafka_topic_name(m->rkt), m->partition});
        deadline = Clock::now() + timeout_;
        continue;
      }
      if (m->err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE ||
          m->err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET) {
        std::string where =
            m->rkt ? TopicPartition{rd_kafka_topic_name(m->rkt), m->partition}.to_string() : "?";
        throw OffsetOutOfRange(what_ + ": Kafka partition " + where +
                               " no longer has the records to read (" + rd_kafka_err2str(m->err) +
                               ")");
      }
      if (m->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
          m->err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION ||
          m->err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC) {
        throw OffsetOutOfRange(what_ + ": Kafka topic or partition " +
                               (m->rkt ? std::string(rd_kafka_topic_name(m->rkt)) : "?") +
                               " no longer exists (" + rd_kafka_err2str(m->err) + ")");
      }
      handle_->log.error(rd_kafka_err2str(m->err));  // transient: librdkafka retries
      continue;
    }
    TopicPartition tp{rd_kafka_topic_name(m->rkt), m->partition};
    auto it = remaining.find(tp);
    if (it == remaining.end()) continue;
    if (m->offset >= it->second) {
      remaining.erase(it);
      continue;
    }
    KafkaRecord r;
    if (m->key) r.key.emplace(static_cast<const char*>(m->key), m->key_len);
    if (m->payload) r.value.emplace(static_cast<const char*>(m->payload), m->len);
    r.topic = tp.topic;
    r.partition = tp.partition;
    r.offset = m->offset;
    rd_kafka_timestamp_type_t type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
    r.timestamp_ms = rd_kafka_message_timestamp(m, &type);
    r.timestamp_type = type == RD_KAFKA_TIMESTAMP_CREATE_TIME       ? 0
                       : type == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME ? 1
                                                                    : -1;
    rd_kafka_headers_t* headers = nullptr;
    if (rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR && headers) {
      const char* name = nullptr;
      const void* value = nullptr;
      size_t size = 0;
      for (size_t i = 0;
           rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
           ++i) {
        std::optional<std::string> v;
        if (value) v.emplace(static_cast<const char*>(value), size);
        r.headers.emplace_back(name, std::move(v));
      }
    }
    const bool last = m->offset + 1 >= it->second;
    on_record(std::move(r));
    if (last) remaining.erase(tp);
    deadline = Clock::now() + timeout_;
  }
}

struct KafkaProducer::Handle {
  ClientLog log;
  rd_kafka_t* rk = nullptr;
  ~Handle() {
    if (rk) rd_kafka_destroy(rk);
  }
};

KafkaProducer::KafkaProducer(const ClientSettings& settings, std::string what,
                             std::chrono::milliseconds timeout)
    : handle_(std::make_unique<Handle>()), what_(std::move(what)), timeout_(timeout) {
  const ClientSettings defaults = {{"client.id", "dls"}, {"acks", "all"}};
  rd_kafka_conf_t* conf = make_conf(settings, defaults, {}, what_, &handle_->log);
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  handle_->rk = make_client(RD_KAFKA_PRODUCER, conf, what_);
}

KafkaProducer::~KafkaProducer() = default;

void KafkaProducer::produce(OutgoingRecord&& r) {
  rd_kafka_headers_t* headers = nullptr;
  if (!r.headers.empty()) {
    headers = rd_kafka_headers_new(r.headers.size());
    for (const auto& [name, value] : r.headers) {
      rd_kafka_header_add(headers, name.data(), static_cast<ssize_t>(name.size()),
                          value ? value->data() : nullptr, value ? value->size() : 0);
    }
  }
  Clock::time_point deadline = Clock::now() + timeout_;
  const int32_t partition = r.partition ? *r.partition : RD_KAFKA_PARTITION_UA;
  void* key = r.key ? r.key->data() : nullptr;
  const size_t key_size = r.key ? r.key->size() : 0;
  void* value = r.value ? r.value->data() : nullptr;
  const size_t value_size = r.value ? r.value->size() : 0;
  while (true) {
    rd_kafka_resp_err_t err = rd_kafka_producev(
        handle_->rk, RD_KAFKA_V_TOPIC(r.topic.c_str()), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key, key_size),
        RD_KAFKA_V_VALUE(value, value_size), RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_END);
    if (!err) return;  // librdkafka owns the headers now
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL && Clock::now() < deadline) {
      rd_kafka_poll(handle_->rk, 100);
      continue;
    }
    if (headers) rd_kafka_headers_destroy(headers);
    throw Error(with_last_error(
        what_ + ": cannot send a record to Kafka topic " + r.topic + ": " + rd_kafka_err2str(err),
        handle_->log));
  }
}

void KafkaProducer::flush() {
  rd_kafka_resp_err_t err = rd_kafka_flush(handle_->rk, static_cast<int>(timeout_.count()));
  std::string delivery;
  {
    std::lock_guard<std::mutex> lock(handle_->log.mutex);
    delivery = handle_->log.first_delivery_error;
  }
  if (!delivery.empty()) {
    throw Error(what_ + ": Kafka did not accept every record: " + delivery);
  }
  if (err) {
    throw Error(with_last_error(what_ + ": Kafka did not acknowledge every record within " +
                                    std::to_string(timeout_.count()) + " ms (" +
                                    std::to_string(rd_kafka_outq_len(handle_->rk)) +
                                    " still in flight)",
                                handle_->log));
  }
}

}  // namespace dls::pipeline::kafka
