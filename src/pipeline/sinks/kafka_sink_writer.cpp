#include "pipeline/sinks/kafka_sink_writer.h"

#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "dls/core/error.h"
#include "dls/core/read_option_names.h"
#include "dls/sql/quote.h"
#include "pipeline/durable_file.h"
#include "pipeline/kafka/kafka_settings.h"

namespace dls::pipeline {

KafkaSinkWriter::KafkaSinkWriter(const SinkContext& context)
    : entity_id_(context.entity.entity_id),
      what_("entity '" + context.entity.entity_id + "'"),
      commits_(context.checkpoint_dir / "kafka_sink_commits.json") {
  settings_ = kafka::client_settings(context.entity.sink_options, what_ + ": sink option",
                                     kafka::ClientRole::kSink);
  if (!settings_.count("bootstrap.servers")) {
    throw InvalidMetadataError(what_ +
                               ": a kafka sink needs the sink option kafka.bootstrap.servers "
                               "(host:port,...)");
  }
  topic_ = sink_option(context.entity, "topic");
}

std::string KafkaSinkWriter::describe() const {
  return "kafka topic " + (topic_ ? *topic_ : std::string("(from the topic column)")) + " at " +
         settings_.at("bootstrap.servers");
}

std::optional<int64_t> KafkaSinkWriter::last_committed(const std::string& app_id) const {
  std::ifstream in(commits_);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  nlohmann::json j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    throw Error("the Kafka sink's commit record " + commits_.string() +
                " is damaged; run a full refresh of this flow to start it over");
  }
  if (!j.contains(app_id) || !j[app_id].is_number_integer()) return std::nullopt;
  return j[app_id].get<int64_t>();
}

void KafkaSinkWriter::record_committed(const std::string& app_id, int64_t batch) {
  nlohmann::json j = nlohmann::json::object();
  {
    std::ifstream in(commits_);
    if (in) {
      std::stringstream ss;
      ss << in.rdbuf();
      nlohmann::json old = nlohmann::json::parse(ss.str(), nullptr, false);
      if (old.is_object()) j = old;
    }
  }
  j[app_id] = batch;
  write_file_durably(commits_, j.dump() + "\n");
}

bool KafkaSinkWriter::has_committed(const std::string& app_id, int64_t batch) {
  auto last = last_committed(app_id);
  return last && *last >= batch;
}

int64_t KafkaSinkWriter::next_batch(const std::string& app_id) {
  auto last = last_committed(app_id);
  return last ? *last + 1 : 0;
}

int64_t KafkaSinkWriter::write(sql::Connection& con, const std::string& select_sql,
                               const std::string& app_id, int64_t batch) {
  // The columns Spark's Kafka sink reads, by lower-case name -> (name as written, DuckDB type).
  std::map<std::string, std::pair<std::string, std::string>> columns;
  std::string others;
  for (const auto& row : con.query("DESCRIBE SELECT * FROM (" + select_sql + ") AS s").rows()) {
    const std::string name = row.at(0).as_string();
    const std::string lower = lower_ascii(name);
    if (lower == "value" || lower == "key" || lower == "topic" || lower == "partition" ||
        lower == "headers") {
      columns[lower] = {name, row.at(1).as_string()};
    } else {
      others += (others.empty() ? "" : ", ") + name;
    }
  }
  const std::string prefix = what_ + ": the kafka sink ";
  if (!columns.count("value")) {
    throw Error(prefix +
                "needs a column named value (STRING or BINARY), e.g. to_json(struct(*)) "
                "AS value in select_expr");
  }
  if (!others.empty()) {
    throw Error(prefix +
                "writes only the columns key, value, topic, partition and headers; "
                "the rows also have [" +
                others + "]: put them into value (e.g. to_json(struct(*)) AS value)");
  }
  auto bytes_column = [&](const std::string& name) -> std::string {
    auto it = columns.find(name);
    if (it == columns.end()) return "NULL::BLOB";
    const std::string& type = it->second.second;
    const std::string col = "s." + sql::quote_identifier(it->second.first);
    if (type == "BLOB") return col;
    if (type == "VARCHAR") return "encode(" + col + ")";
    throw Error(prefix + "column " + it->second.first + " is " + type +
                "; it must be STRING or BINARY (cast it, or to_json(...))");
  };
  if (columns.count("topic") && columns["topic"].second != "VARCHAR") {
    throw Error(prefix + "column topic must be STRING, not " + columns["topic"].second);
  }
  if (columns.count("partition") && columns["partition"].second != "INTEGER") {
    throw Error(prefix + "column partition must be INT, not " + columns["partition"].second);
  }
  const std::string temp = "__dls_kafka_sink";
  con.execute("CREATE OR REPLACE TEMP TABLE " + sql::quote_identifier(temp) +
              " AS SELECT row_number() OVER () AS __rn, " + bytes_column("key") + " AS k, " +
              bytes_column("value") + " AS v, " +
              (columns.count("topic") ? "s." + sql::quote_identifier(columns["topic"].first)
                                      : std::string("NULL::VARCHAR")) +
              " AS t, " +
              (columns.count("partition") ? "s." + sql::quote_identifier(columns["partition"].first)
                                          : std::string("NULL::INTEGER")) +
              " AS p" +
              (columns.count("headers")
                   ? ", s." + sql::quote_identifier(columns["headers"].first) + " AS h"
                   : std::string()) +
              " FROM (" + select_sql + ") AS s");
  struct DropTemp {
    sql::Connection& con;
    std::string name;
    ~DropTemp() {
      try {
        con.execute("DROP TABLE IF EXISTS " + sql::quote_identifier(name));
      } catch (const std::exception&) {
      }
    }
  } drop{con, temp};
  std::map<int64_t, std::vector<std::pair<std::string, std::optional<std::string>>>> headers;
  if (columns.count("headers")) {
    auto rows =
        con.query("SELECT __rn, u.h.key, u.h.value FROM (SELECT __rn, unnest(h) AS h FROM " +
                  sql::quote_identifier(temp) + ") AS u ORDER BY __rn")
            .rows();
    for (const auto& r : rows) {
      headers[r.at(0).as_int()].emplace_back(r.at(1).is_null() ? "" : r.at(1).as_string(),
                                             r.at(2).to_optional_string());
    }
  }
  // One producer (its connections) for the flow's batches.
  if (!producer_) producer_ = std::make_unique<kafka::KafkaProducer>(settings_, what_, timeout_);
  kafka::KafkaProducer& producer = *producer_;
  int64_t written = 0;
  for (const auto& r :
       con.query("SELECT __rn, k, v, t, p FROM " + sql::quote_identifier(temp) + " ORDER BY __rn")
           .rows()) {
    kafka::OutgoingRecord out;
    if (topic_) {
      out.topic = *topic_;
    } else if (!r.at(3).is_null()) {
      out.topic = r.at(3).as_string();
    } else {
      throw Error(prefix + "has no topic for a row: give the sink option topic or a topic column");
    }
    out.key = r.at(1).to_optional_string();
    out.value = r.at(2).to_optional_string();
    if (!r.at(4).is_null()) out.partition = static_cast<int32_t>(r.at(4).as_int());
    auto h = headers.find(r.at(0).as_int());
    if (h != headers.end()) out.headers = std::move(h->second);
    producer.produce(std::move(out));
    ++written;
  }
  try {
    producer.flush();
  } catch (...) {
    producer_.reset();  // its delivery errors are this batch's; a later batch starts clean
    throw;
  }
  record_committed(app_id, batch);
  return written;
}

}  // namespace dls::pipeline
