// Pasted expressions are parsed with the Spark SQL parser before a generator writes them
// (expression_check.h): a lexically harmless text that is more than one expression — `a FROM t
// UNION SELECT b` — never reaches generated Lakeflow or Spark SQL.
#include "dls/codegen/expression_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "dls/codegen/codegen_error.h"
#include "dls/codegen/databricks_bundle.h"
#include "dls/codegen/spark_project.h"
#include "dls/core/entity_list.h"

namespace dls::codegen {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

std::string error_of(std::string_view text, SparkTextKind kind) {
  try {
    check_pasted_expression(text, kind, "e", "field");
  } catch (const CodegenError& e) {
    return e.what();
  }
  return "";
}

TEST(ExpressionCheck, OneExpressionOrSelectItemPasses) {
  for (const char* ok : {"id", "a + 1 AS b", "*", "`odd name` AS x", "CASE WHEN a THEN 1 END",
                         "count(DISTINCT x)", "struct(a, b).a"}) {
    EXPECT_EQ(error_of(ok, SparkTextKind::kSelectItem), "") << ok;
  }
  for (const char* ok : {"id > 0", "op IN ('D', 'X')", "coalesce(a, b) IS NOT NULL"}) {
    EXPECT_EQ(error_of(ok, SparkTextKind::kExpression), "") << ok;
  }
}

TEST(ExpressionCheck, QueriesAndListsInsideOneTextAreRefusedWithThePosition) {
  EXPECT_THAT(error_of("a FROM t UNION SELECT b", SparkTextKind::kSelectItem),
              AllOf(HasSubstr("entity 'e': field:"), HasSubstr("`a FROM t UNION SELECT b`"),
                    HasSubstr("not one select item"), HasSubstr("at position 2")));
  EXPECT_THAT(error_of("a, b", SparkTextKind::kSelectItem), HasSubstr("at position 1"));  // the ,
  EXPECT_THAT(error_of("id > 0 UNION SELECT 1", SparkTextKind::kExpression),
              AllOf(HasSubstr("not one Spark SQL expression"), HasSubstr("at position 7")));
  EXPECT_THAT(error_of("a AS b", SparkTextKind::kExpression), HasSubstr("position 2"));
  EXPECT_THAT(error_of("id >", SparkTextKind::kExpression), HasSubstr("position 4"));
}

TEST(ExpressionCheck, SparkTheLocalParserDoesNotSupportIsCheckedForClauses) {
  // A window function is valid on Databricks: accepted; a query after it is not.
  EXPECT_EQ(
      error_of("row_number() OVER (PARTITION BY a ORDER BY b) AS n", SparkTextKind::kSelectItem),
      "");
  EXPECT_THAT(error_of("row_number() OVER (ORDER BY b) AS n FROM t UNION SELECT 1",
                       SparkTextKind::kSelectItem),
              AllOf(HasSubstr("not one select item"), HasSubstr("at position 36")));  // FROM
}

DeltaLiveEntity entity(std::string id, std::string source, std::string format,
                       std::string destination) {
  DeltaLiveEntity e;
  e.entity_id = std::move(id);
  e.group = "g";
  e.source = std::move(source);
  e.source_format = std::move(format);
  e.destination = std::move(destination);
  if (e.source_format == "cloudFiles") e.read_options = {{"cloudFiles.format", "json"}};
  return normalized(e);
}

TEST(ExpressionCheck, GeneratorsRefuseASelectExprThatIsAQuery) {
  DeltaLiveEntity silver = entity("silver", "bronze", "dlt", "silver");
  silver.select_expr = {"a FROM t UNION SELECT b"};
  const EntityList entities{entity("bronze", "/data/in", "cloudFiles", "bronze"), silver};
  for (int target = 0; target < 2; ++target) {
    try {
      if (target == 0) {
        generate_databricks_bundle(entities);
      } else {
        generate_spark_project(entities);
      }
      ADD_FAILURE() << "generated " << target;
    } catch (const CodegenError& e) {
      EXPECT_THAT(e.what(), AllOf(HasSubstr("entity 'silver'"), HasSubstr("select_expr[0]")));
    }
  }
}

TEST(ExpressionCheck, GeneratorsRefuseAnApplyChangesConditionThatIsNotOneExpression) {
  DeltaLiveEntity cdc = entity("cdc", "bronze", "dlt", "cdc");
  cdc.primary_keys = {"id"};
  cdc.apply_changes = ApplyChanges{};
  cdc.apply_changes->sequence_by = "seq";
  cdc.apply_changes->where = "op <> 'X' UNION SELECT 1";
  try {
    generate_databricks_bundle(
        EntityList{entity("bronze", "/data/in", "cloudFiles", "bronze"), cdc});
    ADD_FAILURE() << "generated";
  } catch (const CodegenError& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr("entity 'cdc'"), HasSubstr("apply_changes.where")));
  }
}

}  // namespace
}  // namespace dls::codegen
