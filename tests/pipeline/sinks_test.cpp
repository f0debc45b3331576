// Sinks (destination_type sink): a streaming flow's rows appended to a Delta table outside the
// pipeline exactly once (write-ahead offsets log + txn, as streaming tables), several append
// flows into one sink, a full refresh that restarts the flow but never clears the sink, a sink
// is never read, and a kafka sink producing each batch's key/value/headers to a topic (librdkafka's
// mock cluster; the real broker is in tests/interop/test_kafka_sinks.py).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "dls/core/error.h"
#include "dls/pipeline/offsets_log.h"
#include "dls/pipeline/pipeline_graph.h"
#include "dls/pipeline/pipeline_runner.h"
#include "dls/pipeline/pipeline_state.h"
#include "pipeline/kafka/kafka_client.h"
#include "pipeline/pipeline_test_support.h"
#include "support/kafka_mock_cluster.h"

namespace dls::pipeline {
namespace {

using testing::PipelineHarness;
using testing::rows_sql;
using Rows = std::vector<std::string>;

const char* kSinkFlow = "main.default.export";
const std::string kAppId = std::string("test/") + kSinkFlow;

/// A Delta sink `export` at <tmp>/exports/orders fed by the streaming source `in`.
struct SinkPipeline {
  PipelineHarness h;
  dls::testing::TempDir out;
  std::string path = (out.path() / "exports" / "orders").string();

  SinkPipeline() {
    DeltaLiveEntity& sink = h.add("export", "in", "export");
    sink.destination_type = "sink";
    sink.sink_format = "delta";
    sink.sink_options = {{"path", path}};
    sink.select_expr = {"id", "upper(v) AS v"};
  }
  const DatasetUpdate& sink_update(const PipelineUpdate& u) { return *u.find(kSinkFlow); }
};

TEST(DeltaSink, BatchesAreAppendedToTheSinkTableExactlyOnce) {
  SinkPipeline p;
  auto in = p.h.input("in");
  in->batches.push_back(rows_sql({{1, "a"}, {2, "b"}}));
  auto u1 = p.h.run();
  ASSERT_TRUE(u1.ok()) << u1.failure_summary();
  const DatasetUpdate& d = p.sink_update(u1);
  EXPECT_EQ(d.kind, DatasetKind::kSink);
  EXPECT_EQ(d.status, DatasetStatus::kCompleted);
  EXPECT_EQ(d.num_output_rows, 2);
  EXPECT_EQ(p.h.rows(p.path, "id, v"), (Rows{"1|A", "2|B"}));
  // Created by the first batch, appended with the flow's txn, owned by no pipeline.
  auto snap = delta::DeltaTable::open(p.path).snapshot();
  EXPECT_EQ(snap.transaction_version(kAppId), 0);
  EXPECT_EQ(snap.metadata().configuration.count("pipelines.pipelineId"), 0u);
  auto history = delta::DeltaTable::open(p.path).history();
  EXPECT_TRUE(std::any_of(history.begin(), history.end(), [](const delta::HistoryEntry& h) {
    return h.operation == std::optional<std::string>("STREAMING UPDATE");
  }));
  // The sink is not a table of the warehouse.
  EXPECT_FALSE(p.h.exists("export"));

  // A second update with no new input writes nothing.
  const int64_t version = snap.version();
  auto u2 = p.h.run();
  ASSERT_TRUE(u2.ok()) << u2.failure_summary();
  EXPECT_EQ(p.sink_update(u2).status, DatasetStatus::kUpToDate);
  EXPECT_EQ(delta::DeltaTable::open(p.path).snapshot().version(), version);

  // New input: only the new rows.
  in->batches.push_back(rows_sql({{3, "c"}}));
  auto u3 = p.h.run();
  ASSERT_TRUE(u3.ok()) << u3.failure_summary();
  EXPECT_EQ(p.sink_update(u3).num_output_rows, 1);
  EXPECT_EQ(p.h.rows(p.path, "id, v"), (Rows{"1|A", "2|B", "3|C"}));
}

TEST(DeltaSink, ABatchLoggedBeforeAKillIsWrittenOnceByTheNextUpdate) {
  SinkPipeline p;
  auto in = p.h.input("in");
  in->batches.push_back(rows_sql({{1, "a"}}));
  ASSERT_TRUE(p.h.run().ok());
  // Killed between two batches: batch 1's offsets were logged, nothing of it was written.
  in->batches.push_back(rows_sql({{2, "b"}}));
  in->batches.push_back(rows_sql({{3, "c"}}));
  PipelineState state(p.h.warehouse().pipeline_dir("test"));
  OffsetsLog(state.checkpoint_dir(kSinkFlow)).write(1, {{"from", 1}, {"next", 2}});
  auto u = p.h.run();
  ASSERT_TRUE(u.ok()) << u.failure_summary();
  EXPECT_EQ(p.sink_update(u).num_batches, 2);
  EXPECT_EQ(p.h.rows(p.path, "id"), (Rows{"1", "2", "3"}));
  EXPECT_EQ(delta::DeltaTable::open(p.path).snapshot().transaction_version(kAppId), 2);
}

TEST(DeltaSink, ALoggedBatchTheSinkAlreadyHoldsIsNotWrittenAgain) {
  // Killed after the sink's commit of batch 1 (its txn is in the table), before anything else:
  // the next update finds the txn and plans batch 2 from batch 1's offsets.
  SinkPipeline p;
  auto in = p.h.input("in");
  in->batches.push_back(rows_sql({{1, "a"}}));
  ASSERT_TRUE(p.h.run().ok());
  in->batches.push_back(rows_sql({{2, "b"}}));
  PipelineState state(p.h.warehouse().pipeline_dir("test"));
  OffsetsLog(state.checkpoint_dir(kSinkFlow)).write(1, {{"from", 1}, {"next", 2}});
  delta::WriteOptions w;
  w.txn_app_id = kAppId;
  w.txn_version = 1;
  delta::DeltaTable::open(p.path).append(p.h.con(), "SELECT 2 AS id, 'B' AS v", w);
  auto u = p.h.run();
  ASSERT_TRUE(u.ok()) << u.failure_summary();
  EXPECT_EQ(p.sink_update(u).status, DatasetStatus::kUpToDate);
  EXPECT_EQ(p.h.rows(p.path, "id"), (Rows{"1", "2"}));
}

TEST(DeltaSink, FullRefreshRestartsTheFlowButKeepsTheSinksRows) {
  SinkPipeline p;
  auto in = p.h.input("in");
  in->batches.push_back(rows_sql({{1, "a"}, {2, "b"}}));
  ASSERT_TRUE(p.h.run().ok());
  auto o = p.h.options();
  o.full_refresh_all = true;
  auto u = p.h.run(o);
  ASSERT_TRUE(u.ok()) << u.failure_summary();
  const DatasetUpdate& d = p.sink_update(u);
  EXPECT_EQ(d.status, DatasetStatus::kFullRefresh);
  EXPECT_EQ(d.rows_before, 2);
  EXPECT_EQ(d.rows_after, 4);
  ASSERT_EQ(d.warnings.size(), 1u);
  EXPECT_NE(d.warnings[0].find("did not clear the sink export"), std::string::npos)
      << d.warnings[0];
  // The sink kept its rows; the restarted flow wrote bronze's rows again after them, with new
  // batch numbers of the same appId.
  EXPECT_EQ(p.h.rows(p.path, "id"), (Rows{"1", "1", "2", "2"}));
  EXPECT_EQ(delta::DeltaTable::open(p.path).snapshot().transaction_version(kAppId), 1);
}

TEST(DeltaSink, SeveralAppendFlowsWriteOneSink) {
  PipelineHarness h;
  dls::testing::TempDir out;
  const std::string path = (out.path() / "sink").string();
  for (const char* id : {"from_a", "from_b"}) {
    DeltaLiveEntity& e = h.add(id, std::string(id) + "_in", "export");
    e.destination_type = "sink";
    e.sink_format = "delta";
    e.sink_options = {{"path", path}};
  }
  h.input("from_a_in")->batches.push_back(rows_sql({{1, "a"}}));
  h.input("from_b_in")->batches.push_back(rows_sql({{2, "b"}}));
  auto u = h.run();
  ASSERT_TRUE(u.ok()) << u.failure_summary();
  EXPECT_EQ(h.rows(path, "id"), (Rows{"1", "2"}));
  auto snap = delta::DeltaTable::open(path).snapshot();
  EXPECT_EQ(snap.transaction_version("test/main.default.export"), 0);
  EXPECT_EQ(snap.transaction_version("test/main.default.export@from_b"), 0);
}

TEST(DeltaSink, ATableNameResolvesInTheWarehouse) {
  PipelineHarness h;
  DeltaLiveEntity& e = h.add("export", "in", "export");
  e.destination_type = "sink";
  e.sink_format = "delta";
  e.sink_options = {{"tableName", "exports.orders"}};
  h.input("in")->batches.push_back(rows_sql({{1, "a"}}));
  auto u = h.run();
  ASSERT_TRUE(u.ok()) << u.failure_summary();
  EXPECT_EQ(h.rows((h.warehouse().root() / "main" / "exports" / "orders").string(), "id"),
            (Rows{"1"}));
}

TEST(Sinks, ASinkIsALeafThatNoEntityReads) {
  std::vector<DeltaLiveEntity> entities(2);
  entities[0].entity_id = "export";
  entities[0].source = "in";
  entities[0].destination = "export";
  entities[0].destination_type = "sink";
  entities[0].sink_format = "delta";
  entities[0].sink_options = {{"path", "/tmp/x"}};
  entities[1].entity_id = "reader";
  entities[1].source = "export";
  entities[1].source_format = "dlt";
  entities[1].destination = "silver";
  try {
    PipelineGraph::build(entities, "main", "default");
    FAIL() << "a reader of a sink was accepted";
  } catch (const InvalidMetadataError& e) {
    EXPECT_NE(std::string(e.what()).find("entity 'reader' reads main.default.export, the sink "
                                         "written by entity 'export', but sinks cannot be read"),
              std::string::npos)
        << e.what();
  }
  Diagnostics problems;
  EXPECT_FALSE(PipelineGraph::check(entities, "main", "default", problems));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].entity_id, "reader");
}

TEST(Sinks, TheGraphShowsASink) {
  SinkPipeline p;
  p.h.entities.front().source = "bronze";
  p.h.entities.front().source_format = "dlt";
  p.h.add("bronze", "in", "bronze");
  auto graph = PipelineGraph::build(p.h.entities, "main", "default");
  const std::string text = graph.render("text");
  EXPECT_NE(text.find("main.default.export  [sink delta path=" + p.path + "]"), std::string::npos)
      << text;
  EXPECT_EQ(to_string(DatasetKind::kSink), "sink");
}

/// Every record of `topic` (one partition) as "key|value|headers".
std::vector<std::string> topic_records(const std::string& bootstrap, const std::string& topic) {
  kafka::KafkaConsumer consumer({{"bootstrap.servers", bootstrap}}, "test",
                                std::chrono::seconds(5));
  const kafka::TopicPartition tp{topic, 0};
  const kafka::Watermarks w = consumer.watermarks(tp);
  std::vector<std::string> out;
  consumer.read_range({{tp, {w.low, w.high}}}, [&](kafka::KafkaRecord&& r) {
    std::string headers;
    for (const auto& [k, v] : r.headers) headers += k + "=" + v.value_or("NULL") + ";";
    out.push_back(r.key.value_or("NULL") + "|" + r.value.value_or("NULL") + "|" + headers);
  });
  return out;
}

TEST(Sinks, AKafkaSinkProducesEachBatchOnceWithKeysValuesAndHeaders) {
  dls::testing::KafkaMockCluster cluster;
  cluster.create_topic("orders", 1);
  PipelineHarness h;
  DeltaLiveEntity& e = h.add("to_kafka", "in", "orders_topic");
  e.destination_type = "sink";
  e.sink_format = "kafka";
  e.sink_options = {{"kafka.bootstrap.servers", cluster.bootstrap()}, {"topic", "orders"}};
  e.select_expr = {"CAST(id AS STRING) AS key", "v AS value",
                   "array(named_struct('key', 'src', 'value', CAST('in' AS BINARY))) AS headers"};
  h.input("in")->batches.push_back(rows_sql({{1, "a"}, {2, "NULL"}}));
  auto u = h.run();
  ASSERT_TRUE(u.ok()) << u.failure_summary();
  const DatasetUpdate* d = u.find("main.default.orders_topic");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->num_output_rows, 2);
  auto records = topic_records(cluster.bootstrap(), "orders");
  std::sort(records.begin(), records.end());
  EXPECT_EQ(records, (std::vector<std::string>{"1|a|src=in;", "2|NULL|src=in;"}));
  // The batch is recorded: a second run produces nothing again; a new batch only its rows.
  ASSERT_TRUE(h.run().ok());
  EXPECT_EQ(topic_records(cluster.bootstrap(), "orders").size(), 2u);
  h.input("in")->batches.push_back(rows_sql({{3, "c"}}));
  ASSERT_TRUE(h.run().ok());
  EXPECT_EQ(topic_records(cluster.bootstrap(), "orders").size(), 3u);
}

TEST(Sinks, AKafkaSinkRefusesRowsWithoutValueOrWithOtherColumns) {
  dls::testing::KafkaMockCluster cluster;
  cluster.create_topic("orders", 1);
  for (const auto& [select, message] : std::vector<std::pair<StringList, std::string>>{
           {{"id", "v"}, "needs a column named value"},
           {{"v AS value", "id"}, "the rows also have [id]"},
           {{"id AS value"}, "column value is INTEGER; it must be STRING or BINARY"}}) {
    PipelineHarness h;
    DeltaLiveEntity& e = h.add("to_kafka", "in", "orders_topic");
    e.destination_type = "sink";
    e.sink_format = "kafka";
    e.sink_options = {{"kafka.bootstrap.servers", cluster.bootstrap()}, {"topic", "orders"}};
    e.select_expr = select;
    h.input("in")->batches.push_back(rows_sql({{1, "a"}}));
    auto u = h.run();
    const DatasetUpdate* d = u.find("main.default.orders_topic");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->status, DatasetStatus::kFailed);
    EXPECT_NE(d->error.value_or("").find(message), std::string::npos) << d->error.value_or("");
  }
  EXPECT_TRUE(topic_records(cluster.bootstrap(), "orders").empty());
}

}  // namespace
}  // namespace dls::pipeline
