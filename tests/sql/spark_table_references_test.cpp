// analyze_table_references: the tables a dataset query reads, its STREAM reads and the streaming
// shapes the local engine refuses.
#include "dls/sql/spark/table_references.h"

#include <gtest/gtest.h>

#include "dls/sql/spark/dialect.h"
#include "dls/sql/spark/spark_error.h"

namespace dls::sql::spark {
namespace {

std::vector<std::string> names(const TableReferences& refs) {
  std::vector<std::string> out;
  for (const auto& t : refs.tables) {
    out.push_back((t.streaming ? "stream:" : "") + joined_name(t.names) + "@" +
                  std::to_string(t.position));
  }
  return out;
}

TEST(TableReferences, TablesInJoinsSubqueriesAndCtesButNotCteNames) {
  const std::string q =
      "WITH big AS (SELECT * FROM main.shop.orders WHERE amount > 10) "
      "SELECT c.name, (SELECT max(x) FROM limits) AS m FROM big b JOIN customers c ON b.id = c.id "
      "WHERE c.id IN (1, 2) UNION ALL SELECT name, 0, 0 FROM (SELECT * FROM archive) AS a";
  TableReferences refs = analyze_table_references(q);
  EXPECT_EQ(names(refs), (std::vector<std::string>{"main.shop.orders@27", "customers@127",
                                                   "limits@98", "archive@223"}));
  EXPECT_FALSE(refs.streaming());
  EXPECT_TRUE(refs.problems.empty());
  EXPECT_EQ(refs.text, q);
}

TEST(TableReferences, StreamWithAndWithoutParenthesesIsBlankedKeepingPositions) {
  const std::string q =
      "SELECT * FROM STREAM(orders) o LEFT JOIN customers c ON o.id = c.id "
      "UNION ALL SELECT * FROM STREAM main.shop.returns r LEFT JOIN customers c ON r.id = c.id";
  TableReferences refs = analyze_table_references(q);
  EXPECT_EQ(names(refs),
            (std::vector<std::string>{"stream:orders@21", "customers@41",
                                      "stream:main.shop.returns@99", "customers@129"}));
  EXPECT_EQ(refs.text.size(), q.size());
  EXPECT_EQ(refs.text.substr(14, 16), "       orders  o");
  EXPECT_TRUE(refs.problems.empty()) << refs.problems.front().message;
  // The blanked text translates; STREAM left in place would not (a table function).
  EXPECT_NO_THROW(translate_query(refs.text));
}

TEST(TableReferences, ATableNamedStreamIsATable) {
  TableReferences refs = analyze_table_references("SELECT * FROM stream WHERE x > 1");
  EXPECT_EQ(names(refs), (std::vector<std::string>{"stream@14"}));
}

TEST(TableReferences, StreamingShapesTheLocalEngineRefuses) {
  auto first_problem = [](const std::string& q) {
    TableReferences refs = analyze_table_references(q);
    return refs.problems.empty() ? std::string()
                                 : refs.problems.front().message + "@" +
                                       std::to_string(refs.problems.front().position);
  };
  EXPECT_NE(first_problem("SELECT * FROM STREAM(a) JOIN STREAM(b) ON a.id = b.id")
                .find("stream-stream join"),
            std::string::npos);
  EXPECT_NE(first_problem("SELECT * FROM STREAM(a), STREAM(b)").find("stream-stream join"),
            std::string::npos);
  EXPECT_NE(first_problem("SELECT k, sum(v) FROM STREAM(a) GROUP BY k").find("aggregation"),
            std::string::npos);
  EXPECT_NE(first_problem("SELECT DISTINCT k FROM STREAM(a)").find("DISTINCT"), std::string::npos);
  EXPECT_EQ(first_problem("SELECT * FROM STREAM(a) UNION ALL SELECT * FROM STREAM(b)"), "");
  EXPECT_EQ(first_problem("SELECT k, count(*) FROM a GROUP BY k"), "");
}

TEST(TableReferences, MalformedQueryIsASyntaxErrorWithItsPosition) {
  try {
    analyze_table_references("SELECT * FROM orders WHERE");
    FAIL() << "expected a SparkSyntaxError";
  } catch (const SparkSyntaxError& e) {
    EXPECT_EQ(e.position(), 26u);
  }
}

}  // namespace
}  // namespace dls::sql::spark
