#include "pipeline/sources/kafka_source.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "dls/core/error.h"
#include "dls/core/read_option_names.h"
#include "dls/sql/connection.h"
#include "dls/sql/quote.h"
#include "pipeline/kafka/kafka_settings.h"
#include "pipeline/sources/read_options.h"

namespace dls::pipeline::sources {

namespace {

using kafka::TopicPartition;

std::vector<std::string> split_topics(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string t = text.substr(start, comma - start);
    t.erase(0, t.find_first_not_of(" \t"));
    t.erase(t.find_last_not_of(" \t") + 1);
    if (!t.empty()) out.push_back(t);
    start = comma + 1;
  }
  return out;
}

nlohmann::json offsets_json(const std::map<TopicPartition, int64_t>& offsets) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [tp, o] : offsets) j[tp.topic][std::to_string(tp.partition)] = o;
  return j;
}

std::map<TopicPartition, int64_t> offsets_from(const nlohmann::json& j) {
  std::map<TopicPartition, int64_t> out;
  if (!j.is_object()) return out;
  for (const auto& [topic, parts] : j.items()) {
    for (const auto& [p, o] : parts.items()) {
      out[TopicPartition{topic, static_cast<int32_t>(std::stol(p))}] = o.get<int64_t>();
    }
  }
  return out;
}

}  // namespace

KafkaSource::KafkaSource(const DeltaLiveEntity& entity, const SourceContext&)
    : entity_id_(entity.entity_id), what_("entity '" + entity.entity_id + "'") {
  DeltaLiveEntity plain = entity;  // kafka.* settings are checked by kafka_settings/librdkafka
  std::erase_if(plain.read_options,
                [](const auto& kv) { return to_lower(kv.first.substr(0, 6)) == "kafka."; });
  ReadOptions options(plain, "kafka", kafka_read_options());
  settings_ = kafka::client_settings(entity.read_options, what_ + ": read option",
                                     kafka::ClientRole::kSource);
  if (!settings_.count("bootstrap.servers")) {
    throw InvalidMetadataError(what_ +
                               ": a kafka source needs the read option kafka.bootstrap.servers "
                               "(host:port,...)");
  }
  for (auto unsupported :
       {"minOffsetsPerTrigger", "maxTriggerDelay", "startingTimestamp",
        "startingOffsetsByTimestamp", "endingTimestamp", "endingOffsetsByTimestamp"}) {
    if (options.has(unsupported)) {
      options.fail(unsupported,
                   "is not supported by the local engine (use startingOffsets, "
                   "endingOffsets and maxOffsetsPerTrigger)");
    }
  }
  int chosen = 0;
  if (auto s = options.get("subscribe")) {
    ++chosen;
    subscribe_ = split_topics(*s);
    if (subscribe_.empty()) options.fail("subscribe", "names no topic");
  }
  if (auto p = options.get("subscribePattern")) {
    ++chosen;
    try {
      pattern_.emplace(*p);
      pattern_text_ = *p;
    } catch (const std::regex_error& e) {
      options.fail("subscribePattern", "'" + *p + "' is not a regular expression: " + e.what());
    }
  }
  if (auto a = options.get("assign")) {
    ++chosen;
    nlohmann::json j = nlohmann::json::parse(*a, nullptr, false);
    bool ok = j.is_object() && !j.empty();
    if (ok) {
      for (const auto& [topic, parts] : j.items()) {
        if (!parts.is_array()) ok = false;
        for (const auto& p : parts) {
          if (!p.is_number_integer() || p.get<int64_t>() < 0) {
            ok = false;
          } else {
            assign_[topic].push_back(p.get<int32_t>());
          }
        }
      }
    }
    if (!ok) {
      options.fail("assign",
                   "expected JSON such as {\"topicA\":[0,1],\"topicB\":[2]}, got '" + *a + "'");
    }
  }
  if (chosen > 1) {
    throw InvalidMetadataError(what_ +
                               ": give only one of the read options subscribe, "
                               "subscribePattern and assign");
  }
  if (chosen == 0) {
    subscribe_ = split_topics(entity.source);
    if (subscribe_.empty()) {
      throw InvalidMetadataError(what_ +
                                 ": a kafka source needs its topics: the read option subscribe, "
                                 "subscribePattern or assign, or the topic as `source`");
    }
  }
  starting_offsets_ = options.get_or("startingOffsets", "");
  ending_offsets_ = options.get("endingOffsets");
  if (options.has("maxOffsetsPerTrigger")) {
    max_offsets_ = options.get_positive_int("maxOffsetsPerTrigger", 1);
  }
  fail_on_data_loss_ = options.get_bool("failOnDataLoss", true);
  include_headers_ = options.get_bool("includeHeaders", false);
  timeout_ =
      std::chrono::milliseconds(options.get_positive_int("kafkaConsumer.pollTimeoutMs", 120000));
  table_ = "__dls_kafka_" + entity.entity_id;
}

KafkaSource::~KafkaSource() = default;

kafka::KafkaConsumer& KafkaSource::consumer() {
  if (!consumer_) consumer_ = std::make_unique<kafka::KafkaConsumer>(settings_, what_, timeout_);
  return *consumer_;
}

std::vector<TopicPartition> KafkaSource::partitions() {
  std::vector<TopicPartition> out;
  std::map<std::string, int32_t> topics = consumer().topics();
  auto add_topic = [&](const std::string& topic, int32_t count) {
    for (int32_t p = 0; p < count; ++p) out.push_back({topic, p});
  };
  if (!assign_.empty()) {
    for (const auto& [topic, parts] : assign_) {
      auto it = topics.find(topic);
      for (int32_t p : parts) {
        if (it == topics.end() || p >= it->second) {
          throw Error(what_ + ": read option assign names Kafka partition " +
                      TopicPartition{topic, p}.to_string() + ", which does not exist");
        }
        out.push_back({topic, p});
      }
    }
  } else if (pattern_) {
    for (const auto& [topic, count] : topics) {
      if (std::regex_match(topic, *pattern_)) add_topic(topic, count);
    }
  } else {
    for (const auto& topic : subscribe_) {
      auto it = topics.find(topic);
      if (it != topics.end()) add_topic(topic, it->second);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

KafkaSource::Watermarks KafkaSource::watermarks_of(const std::vector<TopicPartition>& parts) {
  Watermarks out;
  for (const auto& tp : parts) out[tp] = consumer().watermarks(tp);
  return out;
}

KafkaSource::Offsets KafkaSource::resolve(const std::string& option, const std::string& spec,
                                          const std::vector<TopicPartition>& parts,
                                          const Watermarks& marks) {
  Offsets out;
  const std::string lower = to_lower(spec);
  if (lower == "earliest" || lower == "latest") {
    for (const auto& tp : parts) {
      out[tp] = lower == "earliest" ? marks.at(tp).low : marks.at(tp).high;
    }
    return out;
  }
  nlohmann::json j = nlohmann::json::parse(spec, nullptr, false);
  const std::string expected =
      "expected earliest, latest or JSON such as {\"topicA\":{\"0\":23,\"1\":-2}} (-2: earliest, "
      "-1: latest)";
  if (!j.is_object()) {
    throw InvalidMetadataError(what_ + ": read option " + option + ": '" + spec + "': " + expected);
  }
  std::map<TopicPartition, int64_t> given;
  try {
    given = offsets_from(j);
  } catch (const std::exception&) {
    throw InvalidMetadataError(what_ + ": read option " + option + ": '" + spec + "': " + expected);
  }
  for (const auto& tp : parts) {
    auto it = given.find(tp);
    if (it == given.end()) {
      throw InvalidMetadataError(
          what_ + ": read option " + option + " gives offsets for some partitions but not for " +
          tp.to_string() + "; JSON offsets must name every partition the source reads");
    }
    if (it->second == -2 || it->second == -1) {
      out[tp] = it->second == -2 ? marks.at(tp).low : marks.at(tp).high;
    } else if (it->second < 0) {
      throw InvalidMetadataError(what_ + ": read option " + option + ": offset " +
                                 std::to_string(it->second) + " of " + tp.to_string() +
                                 " is not an offset (-2 earliest, -1 latest, or >= 0)");
    } else {
      out[tp] = it->second;
    }
  }
  return out;
}

int64_t KafkaSource::checked_start(const TopicPartition& tp, int64_t start,
                                   const kafka::Watermarks& w) {
  if (start >= w.low && start <= w.high) return start;
  if (fail_on_data_loss_) {
    const std::string why =
        start < w.low
            ? "offsets " + std::to_string(start) + " to " + std::to_string(w.low - 1) +
                  " are no longer in Kafka (the earliest is " + std::to_string(w.low) +
                  "): aged out by retention, deleted, or the topic was recreated"
            : "offset " + std::to_string(start) + " is beyond the end of the partition (" +
                  std::to_string(w.high) + "): the topic was recreated or truncated";
    throw Error(what_ + ": Kafka partition " + tp.to_string() + ": " + why +
                "; some data may have been lost. Set the read option failOnDataLoss to \"false\" "
                "to continue from the earliest offset still there");
  }
  return w.low;
}

std::optional<nlohmann::json> KafkaSource::plan(const nlohmann::json& committed) {
  if (ending_offsets_) {
    throw InvalidMetadataError(what_ +
                               ": read option endingOffsets is not valid in a streaming read (as "
                               "in Spark); it applies to a batch read, a once flow");
  }
  const std::vector<TopicPartition> parts = partitions();
  const Watermarks marks = watermarks_of(parts);  // one query per partition per plan
  const bool first = !committed.is_object() || !committed.contains("end");
  Offsets start;
  if (first) {
    start = resolve("startingOffsets",
                    starting_offsets_.empty() ? std::string("latest") : starting_offsets_, parts,
                    marks);
  } else {
    Offsets done = offsets_from(committed.at("end"));
    std::set<TopicPartition> now(parts.begin(), parts.end());
    for (const auto& [tp, o] : done) {
      if (!now.count(tp) && fail_on_data_loss_) {
        throw Error(what_ + ": Kafka partition " + tp.to_string() +
                    " is gone (the topic was deleted or is no longer selected); some data may "
                    "have been lost. Set the read option failOnDataLoss to \"false\" to go on "
                    "without it");
      }
    }
    for (const auto& tp : parts) {
      auto it = done.find(tp);
      // A partition that appeared since the last batch starts at its earliest offset (Spark).
      start[tp] = it != done.end() ? it->second : marks.at(tp).low;
    }
  }
  Offsets end;
  int64_t total = 0;
  std::map<TopicPartition, int64_t> backlog;
  for (const auto& tp : parts) {
    const kafka::Watermarks& w = marks.at(tp);
    start[tp] = checked_start(tp, start[tp], w);
    end[tp] = w.high;
    backlog[tp] = w.high - start[tp];
    total += backlog[tp];
  }
  if (max_offsets_ && total > *max_offsets_) {
    // Spark's rate limit: each partition's share of the cap in proportion to its backlog, rounded
    // down, but at least one record for a partition with any backlog.
    for (const auto& tp : parts) {
      const double share = static_cast<double>(*max_offsets_) *
                           (static_cast<double>(backlog[tp]) / static_cast<double>(total));
      const int64_t take = static_cast<int64_t>(share < 1 ? std::ceil(share) : std::floor(share));
      end[tp] = start[tp] + std::min(backlog[tp], take);
    }
  }
  int64_t planned = 0;
  for (const auto& tp : parts) planned += end[tp] - start[tp];
  if (planned == 0 && !first) return std::nullopt;
  // The first plan is logged even when empty: it fixes where the stream starts (latest is now).
  return nlohmann::json{
      {"source", "kafka"}, {"start", offsets_json(start)}, {"end", offsets_json(end)}};
}

std::string KafkaSource::read_into_table(
    sql::Connection& con, const std::map<TopicPartition, std::pair<int64_t, int64_t>>& ranges,
    int64_t& bytes) {
  const std::string records = sql::quote_identifier(table_);
  const std::string headers = sql::quote_identifier(table_ + "_headers");
  con.execute("CREATE OR REPLACE TEMP TABLE " + records +
              " (seq BIGINT, key BLOB, value BLOB, topic VARCHAR, \"partition\" INTEGER, "
              "\"offset\" BIGINT, ts_ms BIGINT, \"timestampType\" INTEGER)");
  if (include_headers_) {
    con.execute("CREATE OR REPLACE TEMP TABLE " + headers +
                " (seq BIGINT, idx INTEGER, key VARCHAR, value BLOB)");
  }
  {
    sql::Appender rows = con.appender(table_);
    std::optional<sql::Appender> header_rows;
    if (include_headers_) header_rows.emplace(con.appender(table_ + "_headers"));
    int64_t seq = 0;
    consumer().read_range(ranges, [&](kafka::KafkaRecord&& r) {
      rows.append(seq);
      if (r.key) {
        rows.append_blob(*r.key);
        bytes += static_cast<int64_t>(r.key->size());
      } else {
        rows.append_null();
      }
      if (r.value) {
        rows.append_blob(*r.value);
        bytes += static_cast<int64_t>(r.value->size());
      } else {
        rows.append_null();
      }
      rows.append(r.topic).append(static_cast<int64_t>(r.partition)).append(r.offset);
      rows.append(r.timestamp_ms).append(static_cast<int64_t>(r.timestamp_type));
      rows.end_row();
      if (header_rows) {
        int64_t idx = 0;
        for (const auto& [name, value] : r.headers) {
          header_rows->append(seq).append(idx++).append(name);
          if (value) {
            header_rows->append_blob(*value);
          } else {
            header_rows->append_null();
          }
          header_rows->end_row();
        }
      }
      ++seq;
    });
    rows.close();
    if (header_rows) header_rows->close();
  }
  std::string select =
      "SELECT r.key, r.value, r.topic, r.\"partition\", r.\"offset\", "
      "timezone('UTC', epoch_ms(r.ts_ms)) AS \"timestamp\", r.\"timestampType\"";
  if (include_headers_) {
    return select + ", h.headers FROM " + records + " r LEFT JOIN (SELECT seq, list(struct_pack(" +
           "key := key, value := value) ORDER BY idx) AS headers FROM " + headers +
           " GROUP BY seq) h ON h.seq = r.seq";
  }
  return select + " FROM " + records + " r";
}

SourceBatch KafkaSource::batch(sql::Connection& con, const nlohmann::json& planned) {
  Offsets start = offsets_from(planned.at("start"));
  Offsets end = offsets_from(planned.at("end"));
  std::map<TopicPartition, std::pair<int64_t, int64_t>> ranges;
  for (const auto& [tp, e] : end) {
    int64_t s = start.count(tp) ? start[tp] : 0;
    if (s >= e) continue;
    // Planned records may have gone since (a batch re-run after a crash, retention meanwhile).
    kafka::Watermarks w = consumer().watermarks(tp);
    if (s < w.low) s = checked_start(tp, s, w);
    if (s < e) ranges[tp] = {s, e};
  }
  SourceBatch out;
  out.offsets = planned;
  try {
    out.sql = read_into_table(con, ranges, out.input_bytes);
  } catch (const kafka::OffsetOutOfRange& e) {
    if (fail_on_data_loss_) {
      throw Error(std::string(e.what()) +
                  "; some data may have been lost. Set the read option failOnDataLoss to "
                  "\"false\" to continue from the earliest offset still there");
    }
    // Deleted while reading: read again from what is there now.
    for (auto& [tp, range] : ranges) {
      range.first = std::max(range.first, consumer().watermarks(tp).low);
    }
    out.input_bytes = 0;
    out.sql = read_into_table(con, ranges, out.input_bytes);
  }
  return out;
}

std::string KafkaSource::fingerprint() {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& tp : partitions()) {
    kafka::Watermarks w = consumer().watermarks(tp);
    j[tp.to_string()] = {w.low, w.high};
  }
  return j.dump();
}

std::string KafkaSource::full_sql(sql::Connection& con) {
  const std::vector<TopicPartition> parts = partitions();
  const Watermarks marks = watermarks_of(parts);
  Offsets start = resolve("startingOffsets",
                          starting_offsets_.empty() ? std::string("earliest") : starting_offsets_,
                          parts, marks);
  Offsets end =
      resolve("endingOffsets", ending_offsets_ ? *ending_offsets_ : "latest", parts, marks);
  std::map<TopicPartition, std::pair<int64_t, int64_t>> ranges;
  for (const auto& tp : parts) {
    const int64_t s = checked_start(tp, start[tp], marks.at(tp));
    if (s < end[tp]) ranges[tp] = {s, end[tp]};
  }
  int64_t bytes = 0;
  return read_into_table(con, ranges, bytes);
}

std::string KafkaSource::describe() const {
  std::string topics;
  if (pattern_text_) {
    topics = "topics matching " + *pattern_text_;
  } else if (!assign_.empty()) {
    for (const auto& [t, parts] : assign_) topics += (topics.empty() ? "" : ", ") + t;
  } else {
    for (const auto& t : subscribe_) topics += (topics.empty() ? "" : ", ") + t;
  }
  return "Kafka (" + topics + "): key, value, topic, partition, offset, timestamp, timestampType" +
         (include_headers_ ? ", headers" : "");
}

}  // namespace dls::pipeline::sources
