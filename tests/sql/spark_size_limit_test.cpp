// Results beyond Spark's size limit (2,147,483,632 elements of an array or bytes of a string,
// ByteArrayMethods.MAX_ROUNDED_ARRAY_LENGTH) fail the query as in Spark 4.2, which refuses
// `sequence(2147483647, 1)` and `repeat('ab', 1500000000)`, instead of allocating gigabytes;
// results within the limit are unchanged.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "spark_query_fixture.h"

namespace dls::sql::spark {
namespace {

using ::testing::HasSubstr;

using SparkSizeLimit = SparkQueryTest;

TEST_F(SparkSizeLimit, HugeArraysAndStringsFailLikeSpark) {
  for (const char* sql :
       {"SELECT sequence(2147483647, 1)", "SELECT sequence(0, 4294967296)",
        "SELECT concat(space(2147483647), '1')", "SELECT repeat('ab', 1500000000)",
        "SELECT lpad('x', 2147483647, 'ab')", "SELECT rpad('x', 2147483640, 'éé')"}) {
    EXPECT_THAT(error_of(sql), HasSubstr("COLLECTION_SIZE_LIMIT_EXCEEDED")) << sql;
  }
}

TEST_F(SparkSizeLimit, ResultsWithinTheLimitAreUnchanged) {
  EXPECT_EQ(run("SELECT sequence(1, 10, 3), sequence(5, 1), size(sequence(1, 100000))"),
            "[1,4,7,10]\t[5,4,3,2,1]\t100000");
  EXPECT_EQ(run("SELECT concat('[', space(3), ']'), repeat('ab', 2), repeat('a', -1)"),
            "[   ]\tabab\t");
  EXPECT_EQ(run("SELECT lpad('x', 4, 'ab'), rpad('x', 3, '-'), lpad('hello', 2), lpad('x', 3, '')"),
            "abax\tx--\the\tx");
  EXPECT_EQ(run("SELECT length(space(1000000))"), "1000000");
}

}  // namespace
}  // namespace dls::sql::spark
