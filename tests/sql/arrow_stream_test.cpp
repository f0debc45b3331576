#include "dls/sql/arrow_stream.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "dls/sql/connection.h"
#include "dls/sql/database.h"
#include "dls/sql/sql_error.h"

namespace dls::sql {
namespace {

TEST(ArrowStream, ExportsSchemaAndEveryChunkOfAResult) {
  auto db = std::make_shared<Database>();
  auto con = std::make_shared<Connection>(db->connect());
  ArrowArrayStream stream{};
  query_arrow_stream(*con, "SELECT i::BIGINT AS i, 'v' || i AS s FROM range(5000) t(i)", &stream,
                     db);

  ArrowSchema schema{};
  ASSERT_EQ(stream.get_schema(&stream, &schema), 0);
  ASSERT_EQ(schema.n_children, 2);
  EXPECT_STREQ(schema.children[0]->name, "i");
  EXPECT_STREQ(schema.children[0]->format, "l");  // int64
  EXPECT_STREQ(schema.children[1]->name, "s");
  schema.release(&schema);

  int64_t rows = 0;
  int arrays = 0;
  int64_t last_value = -1;
  for (;;) {
    ArrowArray array{};
    ASSERT_EQ(stream.get_next(&stream, &array), 0);
    if (array.release == nullptr) break;
    ASSERT_EQ(array.n_children, 2);
    const auto* values = static_cast<const int64_t*>(array.children[0]->buffers[1]);
    last_value = values[array.children[0]->offset + array.length - 1];
    rows += array.length;
    ++arrays;
    array.release(&array);
  }
  EXPECT_EQ(rows, 5000);
  EXPECT_EQ(last_value, 4999);
  EXPECT_GE(arrays, 3);  // one array per DuckDB chunk of at most 2048 rows
  EXPECT_EQ(stream.get_last_error(&stream), nullptr);
  stream.release(&stream);
  EXPECT_EQ(stream.release, nullptr);
}

TEST(ArrowStream, FailingStatementThrowsSqlError) {
  Database db;
  auto con = db.connect();
  ArrowArrayStream stream{};
  EXPECT_THROW(query_arrow_stream(con, "SELECT * FROM no_such_table", &stream), SqlError);
  EXPECT_EQ(stream.release, nullptr);
}

TEST(ArrowStream, KeepsItsDatabaseAliveUntilReleased) {
  ArrowArrayStream stream{};
  {
    auto db = std::make_shared<Database>();
    auto con = std::make_shared<Connection>(db->connect());
    query_arrow_stream(
        *con, "SELECT 7 AS x", &stream,
        std::make_shared<std::pair<std::shared_ptr<Database>, std::shared_ptr<Connection>>>(db,
                                                                                            con));
  }
  ArrowArray array{};
  ASSERT_EQ(stream.get_next(&stream, &array), 0);
  ASSERT_NE(array.release, nullptr);
  EXPECT_EQ(array.length, 1);
  array.release(&array);
  stream.release(&stream);
}

}  // namespace
}  // namespace dls::sql
