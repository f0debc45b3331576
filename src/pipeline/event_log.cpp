#include "dls/pipeline/event_log.h"

#include <chrono>
#include <cstdio>
#include <random>

#include "dls/delta/delta_table.h"
#include "dls/sql/quote.h"

namespace dls::pipeline {

namespace {

std::string nullable_literal(const std::string& s) {
  return s.empty() ? "CAST(NULL AS VARCHAR)" : sql::quote_literal(s);
}

}  // namespace

std::string random_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t a = rng(), b = rng();
  a = (a & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 10
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xffff),
                static_cast<unsigned>(b >> 48),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

EventLog::EventLog(std::filesystem::path table_root, std::string pipeline, std::string update_id)
    : root_(std::move(table_root)),
      pipeline_(std::move(pipeline)),
      update_id_(std::move(update_id)),
      last_flush_ms_(now_ms()) {}

delta::Schema EventLog::schema() {
  using delta::DataType;
  using delta::StructField;
  auto str = [] { return DataType::primitive("string"); };
  delta::Schema s;
  s.fields = {
      StructField{"id", str()},
      StructField{"sequence", DataType::primitive("long")},
      StructField{"origin",
                  DataType::structure(
                      {StructField{"pipeline_name", str()}, StructField{"update_id", str()},
                       StructField{"flow_name", str()}, StructField{"dataset_name", str()}})},
      StructField{"timestamp", DataType::primitive("timestamp")},
      StructField{"level", str()},
      StructField{"message", str()},
      StructField{"event_type", str()},
      StructField{"details", str()},
  };
  return s;
}

void EventLog::record(PipelineEvent event) {
  std::lock_guard lock(mutex_);
  event.id = random_id();
  event.sequence = next_sequence_++;
  event.timestamp_ms = now_ms();
  pending_.push_back(std::move(event));
}

int64_t EventLog::ms_since_flush() const {
  std::lock_guard lock(mutex_);
  return now_ms() - last_flush_ms_;
}

void EventLog::flush(sql::Connection& con) {
  std::lock_guard lock(mutex_);
  if (pending_.empty()) return;
  std::string values;
  for (const auto& e : pending_) {
    values += values.empty() ? "(" : ", (";
    values += sql::quote_literal(e.id) + ", " + std::to_string(e.sequence) +
              ", {'pipeline_name': " + sql::quote_literal(pipeline_) +
              ", 'update_id': " + sql::quote_literal(update_id_) +
              ", 'flow_name': " + nullable_literal(e.flow_name) +
              ", 'dataset_name': " + nullable_literal(e.dataset_name) + "}, CAST(epoch_ms(" +
              std::to_string(e.timestamp_ms) + ") AS TIMESTAMPTZ), " + sql::quote_literal(e.level) +
              ", " + sql::quote_literal(e.message) + ", " + sql::quote_literal(e.event_type) +
              ", " + sql::quote_literal(e.details.dump()) + ")";
  }
  const std::string select =
      "SELECT * FROM (VALUES " + values +
      ") AS t(id, sequence, origin, timestamp, level, message, event_type, details)";
  const std::string root = root_.string();
  if (!delta::DeltaTable::exists(root)) {
    delta::CreateOptions options;
    options.comment = "dls event log of pipeline " + pipeline_;
    options.name = "event_log";
    delta::DeltaTable::create(root, schema(), options);
  }
  delta::DeltaTable table = delta::DeltaTable::open(root);
  table.append(con, select);
  pending_.clear();
  last_flush_ms_ = now_ms();
}

}  // namespace dls::pipeline
