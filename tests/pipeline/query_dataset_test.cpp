// Datasets defined by a Spark SQL query (entity field `query`) and filtered by where_clause: graph
// edges from the query's tables, materialized views recomputed when an input changed, streaming
// tables over STREAM(x) processing each input row once, stream-static joins.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "dls/core/error.h"
#include "dls/pipeline/pipeline_graph.h"
#include "dls/pipeline/pipeline_runner.h"
#include "pipeline/pipeline_test_support.h"

namespace dls::pipeline {
namespace {

using testing::PipelineHarness;
using testing::rows_sql;
using Rows = std::vector<std::string>;

/// The harness's fake sources for bronze inputs, the real readers for query datasets.
PipelineOptions query_options(PipelineHarness& h) {
  PipelineOptions o = h.options();
  auto fake = o.source_factory;
  o.source_factory = [fake](const DeltaLiveEntity& e,
                            const SourceContext& c) -> std::unique_ptr<Source> {
    if (e.query) return make_source(e, c);
    return fake(e, c);
  };
  return o;
}

DeltaLiveEntity& add_query(PipelineHarness& h, const std::string& id,
                           const std::string& destination, const std::string& query,
                           bool streaming) {
  DeltaLiveEntity e;
  e.entity_id = id;
  e.destination = destination;
  e.query = query;
  e.is_streaming = streaming;
  normalize(e);
  h.entities.push_back(e);
  return h.entities.back();
}

std::string graph_error(const std::vector<DeltaLiveEntity>& entities) {
  try {
    PipelineGraph::build(entities, "main", "default");
  } catch (const InvalidMetadataError& e) {
    return e.what();
  }
  return "";
}

TEST(QueryDataset, JoinAndGroupByMaterializedViewRecomputesOnlyWhenAnInputChanged) {
  PipelineHarness h;
  h.add("orders", "orders_in", "orders");
  h.add("customers", "customers_in", "customers");
  add_query(h, "revenue", "revenue",
            "WITH o AS (SELECT id AS customer, CAST(v AS INT) AS amount FROM orders) "
            "SELECT c.v AS name, sum(o.amount) AS total FROM o JOIN customers c ON o.customer = "
            "c.id GROUP BY c.v HAVING sum(o.amount) > 0",
            false);
  h.input("orders_in")
      ->batches.push_back(
          "SELECT * FROM (VALUES (1, '10'), (1, '5'), (2, '7'), (3, '1')) AS t(id, v)");
  h.input("customers_in")->batches.push_back(rows_sql({{1, "ann"}, {2, "bob"}}));
  auto u1 = h.run(query_options(h));
  ASSERT_TRUE(u1.ok()) << u1.failure_summary();
  EXPECT_EQ(h.rows("revenue", "name, total"), (Rows{"ann|15", "bob|7"}));
  const PipelineGraph graph = PipelineGraph::build(h.entities, "main", "default");
  const DatasetNode* node = graph.find("main.default.revenue");
  ASSERT_NE(node, nullptr);
  std::vector<std::string> upstream = node->upstream;
  std::sort(upstream.begin(), upstream.end());
  EXPECT_EQ(upstream, (std::vector<std::string>{"main.default.customers", "main.default.orders"}));

  const int64_t v = h.version("revenue");
  auto u2 = h.run(query_options(h));
  ASSERT_TRUE(u2.ok()) << u2.failure_summary();
  EXPECT_EQ(u2.find("main.default.revenue")->status, DatasetStatus::kUpToDate);
  EXPECT_EQ(h.version("revenue"), v);

  h.input("customers_in")->batches.push_back(rows_sql({{3, "cy"}}));
  auto u3 = h.run(query_options(h));
  ASSERT_TRUE(u3.ok()) << u3.failure_summary();
  EXPECT_EQ(h.rows("revenue", "name, total"), (Rows{"ann|15", "bob|7", "cy|1"}));
}

TEST(QueryDataset, StreamStaticJoinProcessesEachStreamRowOnceAgainstTheCurrentDimension) {
  PipelineHarness h;
  h.add("orders", "orders_in", "orders");
  h.add("customers", "customers_in", "customers");
  add_query(h, "enriched", "enriched",
            "SELECT o.id, o.v AS item, c.v AS name FROM STREAM(orders) AS o LEFT JOIN customers c "
            "ON o.id = c.id",
            true);
  h.input("orders_in")->batches.push_back(rows_sql({{1, "apple"}, {2, "pear"}}));
  h.input("customers_in")->batches.push_back(rows_sql({{1, "ann"}}));
  auto u1 = h.run(query_options(h));
  ASSERT_TRUE(u1.ok()) << u1.failure_summary();
  EXPECT_EQ(h.rows("enriched", "id, item, coalesce(name, '-')"), (Rows{"1|apple|ann", "2|pear|-"}));

  // New customer only: the streaming table has no new stream rows, so nothing changes.
  h.input("customers_in")->batches.push_back(rows_sql({{2, "bob"}}));
  auto u2 = h.run(query_options(h));
  ASSERT_TRUE(u2.ok()) << u2.failure_summary();
  EXPECT_EQ(u2.find("main.default.enriched")->status, DatasetStatus::kUpToDate);
  // A new order joins the dimension's current version; the old rows are not reprocessed.
  h.input("orders_in")->batches.push_back(rows_sql({{2, "plum"}}));
  auto u3 = h.run(query_options(h));
  ASSERT_TRUE(u3.ok()) << u3.failure_summary();
  EXPECT_EQ(u3.find("main.default.enriched")->num_output_rows, 1);
  EXPECT_EQ(h.rows("enriched", "id, item, coalesce(name, '-')"),
            (Rows{"1|apple|ann", "2|pear|-", "2|plum|bob"}));
}

TEST(QueryDataset, WhereClauseFiltersAfterSelectExprAndExpectationsStillApply) {
  PipelineHarness h;
  h.add("orders", "orders_in", "orders");
  auto& big = add_query(h, "big", "big", "SELECT id, v FROM orders", false);
  big.select_expr = {"id * 10 AS tenfold", "v"};
  big.where_clause = {"tenfold > 10", "v <> 'skip'"};
  big.expectations.expect_all_or_drop = {{"not_z", "v <> 'z'"}};
  h.input("orders_in")
      ->batches.push_back(rows_sql({{1, "a"}, {2, "b"}, {3, "skip"}, {4, "z"}, {5, "e"}}));
  auto u = h.run(query_options(h));
  ASSERT_TRUE(u.ok()) << u.failure_summary();
  EXPECT_EQ(h.rows("big", "tenfold, v"), (Rows{"20|b", "50|e"}));
}

TEST(QueryDataset, UnknownTableIsAnErrorNamingEntityFieldAndPosition) {
  PipelineHarness h;
  h.add("orders", "orders_in", "orders");
  add_query(h, "gold", "gold", "SELECT * FROM orders JOIN customerz USING (id)", false);
  const std::string message = graph_error(h.entities);
  EXPECT_NE(message.find("entity 'gold': query names 'customerz' at position 26"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("not a dataset of this pipeline"), std::string::npos) << message;
}

TEST(QueryDataset, CteNamesAreNotTablesAndCyclesAreErrors) {
  PipelineHarness h;
  add_query(h, "a", "a", "WITH x AS (SELECT * FROM b) SELECT * FROM x", false);
  add_query(h, "b", "b", "SELECT * FROM (SELECT * FROM a) AS s", false);
  const std::string message = graph_error(h.entities);
  EXPECT_NE(message.find("the pipeline has a cycle"), std::string::npos) << message;
  EXPECT_EQ(message.find("'x'"), std::string::npos) << message;
}

TEST(QueryDataset, StreamStreamJoinAndStreamingTableWithoutStreamAreRefused) {
  PipelineHarness h;
  h.add("orders", "orders_in", "orders");
  h.add("payments", "payments_in", "payments");
  add_query(h, "both", "both",
            "SELECT * FROM STREAM(orders) o JOIN STREAM payments p ON o.id = p.id", true);
  std::string message = graph_error(h.entities);
  EXPECT_NE(message.find("entity 'both': query at position"), std::string::npos) << message;
  EXPECT_NE(message.find("stream-stream join) is not supported by the local engine"),
            std::string::npos)
      << message;

  h.entities.pop_back();
  add_query(h, "plain", "plain", "SELECT * FROM orders", true);
  message = graph_error(h.entities);
  EXPECT_NE(message.find("reads no table with STREAM(name), but is_streaming is true"),
            std::string::npos)
      << message;

  h.entities.pop_back();
  add_query(h, "agg", "agg", "SELECT id, count(*) FROM STREAM(orders) GROUP BY id", true);
  message = graph_error(h.entities);
  EXPECT_NE(message.find("aggregation over a stream is not supported"), std::string::npos)
      << message;
}

}  // namespace
}  // namespace dls::pipeline
