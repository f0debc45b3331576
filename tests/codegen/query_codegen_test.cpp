// Datasets defined by a query and filtered by where_clause, as generated Lakeflow SQL (Databricks)
// and Spark Declarative Pipelines SQL: the same query and predicates as the metadata.
#include <gtest/gtest.h>

#include <string>

#include "dls/codegen/codegen_error.h"
#include "dls/codegen/pipeline_sources.h"

namespace dls::codegen {
namespace {

DeltaLiveEntity orders() {
  DeltaLiveEntity e;
  e.entity_id = "orders";
  e.group = "shop";
  e.source = "/data/orders";
  e.destination = "orders_silver";
  e.read_options = {{"cloudFiles.format", "json"}};
  e.select_expr = {"id", "customer_id", "amount"};
  e.where_clause = {"amount > 0", "customer_id IS NOT NULL"};
  return normalized(e);
}

DeltaLiveEntity customers() {
  DeltaLiveEntity e;
  e.entity_id = "customers";
  e.group = "shop";
  e.source = "/data/customers";
  e.source_format = "parquet";
  e.destination = "customers";
  return normalized(e);
}

DeltaLiveEntity revenue() {
  DeltaLiveEntity e;
  e.entity_id = "revenue";
  e.group = "shop";
  e.destination = "revenue_gold";
  e.query =
      "WITH big AS (SELECT * FROM orders_silver WHERE amount > 10)\n"
      "SELECT c.country, sum(b.amount) AS revenue FROM big b JOIN customers c ON "
      "b.customer_id = c.id GROUP BY c.country;";
  e.is_streaming = false;
  e.where_clause = {"revenue > 100"};
  e.expectations.expect_all_or_drop = {{"has_country", "country IS NOT NULL"}};
  return normalized(e);
}

DeltaLiveEntity enriched() {
  DeltaLiveEntity e;
  e.entity_id = "enriched";
  e.group = "shop";
  e.destination = "orders_enriched";
  e.query =
      "SELECT o.id, o.amount, c.country FROM STREAM(orders_silver) o LEFT JOIN customers c ON "
      "o.customer_id = c.id";
  e.is_streaming = true;
  return normalized(e);
}

std::string file(const std::vector<SourceFile>& files, const std::string& name) {
  for (const auto& f : files) {
    if (f.name == name) return f.content;
  }
  ADD_FAILURE() << "no generated file " << name;
  return "";
}

std::vector<SourceFile> generate(Target target) {
  PipelinePlan plan{"shop", "shop", {orders(), customers(), revenue(), enriched()}};
  std::vector<CodegenWarning> warnings;
  return generate_pipeline_sources(plan, target, warnings);
}

TEST(QueryCodegenTest, MaterializedViewCarriesTheQueryAndWhereClause) {
  for (Target target : {Target::kDatabricks, Target::kSpark}) {
    const std::string sql = file(generate(target), "revenue.sql");
    EXPECT_NE(sql.find("MATERIALIZED VIEW `revenue_gold`"), std::string::npos) << sql;
    // The query as written (indented by the generator), then where_clause around it.
    const size_t with = sql.find("WITH big AS (SELECT * FROM orders_silver WHERE amount > 10)\n");
    const size_t select = sql.find(
        "SELECT c.country, sum(b.amount) AS revenue FROM big b JOIN customers c ON "
        "b.customer_id = c.id GROUP BY c.country\n");
    const size_t where = sql.find("WHERE (revenue > 100)");
    EXPECT_NE(with, std::string::npos) << sql;
    EXPECT_NE(select, std::string::npos) << sql;
    EXPECT_NE(where, std::string::npos) << sql;
    EXPECT_TRUE(with < select && select < where) << sql;
    EXPECT_EQ(sql.find(";\n", sql.find("GROUP BY")), sql.rfind(";\n")) << "one statement: " << sql;
  }
}

TEST(QueryCodegenTest, StreamingQueryIsAStreamingTableReadingTheStream) {
  const std::string sql = file(generate(Target::kDatabricks), "enriched.sql");
  EXPECT_NE(sql.find("CREATE OR REFRESH STREAMING TABLE"), std::string::npos) << sql;
  EXPECT_NE(sql.find("AS SELECT o.id, o.amount, c.country FROM STREAM(orders_silver) o LEFT JOIN "
                     "customers c ON o.customer_id = c.id;"),
            std::string::npos)
      << sql;
}

TEST(QueryCodegenTest, WhereClauseFiltersAfterSelectExpr) {
  const std::string sql = file(generate(Target::kDatabricks), "orders.sql");
  EXPECT_NE(sql.find("SELECT *\nFROM (\n  SELECT\n    id,\n    customer_id,\n    amount\n"),
            std::string::npos)
      << sql;
  EXPECT_NE(sql.find("WHERE (amount > 0)\n  AND (customer_id IS NOT NULL)"), std::string::npos)
      << sql;
}

TEST(QueryCodegenTest, AQueryThatWouldEndTheStatementIsRejected) {
  DeltaLiveEntity bad = revenue();
  bad.query = "SELECT * FROM orders_silver; DROP TABLE customers";
  PipelinePlan plan{"shop", "shop", {orders(), customers(), bad}};
  std::vector<CodegenWarning> warnings;
  try {
    generate_pipeline_sources(plan, Target::kDatabricks, warnings);
    ADD_FAILURE() << "expected a CodegenError";
  } catch (const CodegenError& e) {
    EXPECT_NE(std::string(e.what()).find("entity 'revenue': query"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace dls::codegen
