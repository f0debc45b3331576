#include "dls/pipeline/pipeline_graph.h"

#include <gtest/gtest.h>

#include "dls/core/error.h"

namespace dls::pipeline {
namespace {

DeltaLiveEntity entity(const std::string& id, const std::string& source, const std::string& format,
                       const std::string& destination, bool streaming = true) {
  DeltaLiveEntity e;
  e.entity_id = id;
  e.source = source;
  e.source_format = format;
  e.destination = destination;
  e.is_streaming = streaming;
  return e;
}

std::vector<std::string> order(const PipelineGraph& g) {
  std::vector<std::string> out;
  for (const auto& n : g.datasets()) out.push_back(n.qualified_name);
  return out;
}

TEST(PipelineGraph, OrdersUpstreamFirstAndResolvesNamesInTheTarget) {
  auto g = PipelineGraph::build({entity("gold", "silver", "dlt", "gold", false),
                                 entity("silver", "etl.bronze", "dlt", "silver"),
                                 entity("bronze", "/data/in", "cloudFiles", "main.etl.bronze")},
                                "main", "etl");
  EXPECT_EQ(order(g),
            (std::vector<std::string>{"main.etl.bronze", "main.etl.silver", "main.etl.gold"}));
  EXPECT_EQ(g.find("main.etl.silver")->upstream, std::vector<std::string>{"main.etl.bronze"});
  EXPECT_EQ(g.find("main.etl.gold")->kind, DatasetKind::kMaterializedView);
  EXPECT_EQ(g.find("main.etl.bronze")->kind, DatasetKind::kStreamingTable);
  EXPECT_EQ(g.downstream_of("main.etl.bronze"),
            (std::vector<std::string>{"main.etl.silver", "main.etl.gold"}));
}

TEST(PipelineGraph, DeltaSourceNamingADatasetIsAnEdge) {
  auto g = PipelineGraph::build(
      {entity("b", "main.default.a", "delta", "b"), entity("a", "/x", "cloudFiles", "a")}, "main",
      "default");
  EXPECT_EQ(order(g), (std::vector<std::string>{"main.default.a", "main.default.b"}));
}

TEST(PipelineGraph, ReadingTheQuarantineTableDependsOnItsEntity) {
  auto silver = entity("silver", "/x", "cloudFiles", "silver");
  silver.is_quarantined = true;
  auto g = PipelineGraph::build({entity("audit", "silver_invalid", "dlt", "audit"), silver}, "main",
                                "default");
  EXPECT_EQ(order(g), (std::vector<std::string>{"main.default.silver", "main.default.audit"}));
}

TEST(PipelineGraph, IndependentDatasetsAreOrderedByName) {
  auto g = PipelineGraph::build(
      {entity("z", "/z", "cloudFiles", "z"), entity("a", "/a", "cloudFiles", "a"),
       entity("m", "/m", "cloudFiles", "m")},
      "main", "default");
  EXPECT_EQ(order(g),
            (std::vector<std::string>{"main.default.a", "main.default.m", "main.default.z"}));
}

TEST(PipelineGraph, CycleIsAnErrorNamingTheEntities) {
  try {
    PipelineGraph::build({entity("e_a", "b", "dlt", "a"), entity("e_b", "c", "dlt", "b"),
                          entity("e_c", "a", "dlt", "c"), entity("e_d", "/x", "csv", "d")},
                         "main", "default");
    FAIL() << "expected a cycle error";
  } catch (const InvalidMetadataError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("cycle"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'e_a'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'e_b'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'e_c'"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("'e_d'"), std::string::npos) << msg;
    EXPECT_EQ(e.exit_code(), ExitCode::kInvalidMetadata);
  }
}

TEST(PipelineGraph, SelfReferenceIsACycle) {
  EXPECT_THROW(PipelineGraph::build({entity("loop", "t", "dlt", "t")}, "main", "default"),
               InvalidMetadataError);
}

TEST(PipelineGraph, MissingDltUpstreamNamesTheEntityAndTheSource) {
  try {
    PipelineGraph::build({entity("silver_orders", "bronze_orders", "dlt", "silver")}, "main",
                         "default");
    FAIL() << "expected an error";
  } catch (const InvalidMetadataError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("'silver_orders'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("bronze_orders"), std::string::npos) << msg;
  }
}

TEST(PipelineGraph, TwoEntitiesWithOneDestinationIsAnErrorUnlessBothAreAppendFlows) {
  try {
    PipelineGraph::build(
        {entity("one", "/a", "csv", "t"), entity("two", "/b", "csv", "main.default.t", false)},
        "main", "default");
    FAIL();
  } catch (const InvalidMetadataError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("'one'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'two'"), std::string::npos) << msg;
  }
  // Two streaming entities are two append flows of one table.
  auto g = PipelineGraph::build(
      {entity("one", "/a", "cloudFiles", "t"), entity("two", "/b", "cloudFiles", "main.default.t")},
      "main", "default");
  ASSERT_EQ(g.datasets().size(), 2u);
  EXPECT_EQ(g.datasets()[0].qualified_name, g.datasets()[1].qualified_name);
  EXPECT_EQ(g.datasets()[0].flow_name, "one");
  EXPECT_EQ(g.datasets()[1].flow_name, "two");
  EXPECT_EQ(g.datasets()[1].flows_of_table, 2);
}

TEST(PipelineGraph, UnsafeDestinationIsRejected) {
  EXPECT_THROW(PipelineGraph::build({entity("x", "/a", "csv", "../etc")}, "main", "default"),
               InvalidMetadataError);
}

TEST(PipelineGraph, RendersTextDotAndMermaid) {
  auto view = entity("v", "silver", "dlt", "v", false);
  view.destination_type = "view";
  auto g = PipelineGraph::build({entity("bronze", "/data/in", "cloudFiles", "bronze"),
                                 entity("silver", "bronze", "dlt", "silver"), view},
                                "main", "default");
  std::string text = g.render("text");
  EXPECT_NE(text.find("main.default.bronze  [streaming table]  <- cloudFiles: /data/in"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("└── main.default.silver"), std::string::npos) << text;
  EXPECT_NE(text.find("main.default.v  [view]"), std::string::npos) << text;
  std::string dot = g.render("dot");
  EXPECT_NE(dot.find("digraph pipeline"), std::string::npos);
  EXPECT_NE(dot.find("n0 -> n1"), std::string::npos) << dot;
  std::string mermaid = g.render("mermaid");
  EXPECT_NE(mermaid.find("flowchart LR"), std::string::npos);
  EXPECT_NE(mermaid.find("n1 --> n2"), std::string::npos) << mermaid;
  EXPECT_THROW(g.render("svg"), UsageError);
}

}  // namespace
}  // namespace dls::pipeline
