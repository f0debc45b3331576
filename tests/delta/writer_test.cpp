// Writing Delta tables: what we write reads back identically (through our reader and through plain
// read_parquet), and the _delta_log follows the protocol.
#include <gtest/gtest.h>

#include <filesystem>

#include "delta/stats.h"
#include "dls/core/error.h"
#include "dls/delta/delta_error.h"
#include "dls/sql/database.h"
#include "write_test_support.h"

namespace dls::delta {
namespace {

using namespace write_testing;
namespace fs = std::filesystem;
using nlohmann::json;

Schema all_types_schema() {
  return make_schema({
      {"id", "long"},
      {"s", "string"},
      {"i", "integer"},
      {"sh", "short"},
      {"b", "byte"},
      {"f", "float"},
      {"d", "double"},
      {"dec", "decimal(10,2)"},
      {"bigdec", "decimal(30,5)"},
      {"flag", "boolean"},
      {"bin", "binary"},
      {"dt", "date"},
      {"ts", "timestamp"},
      {"tsn", "timestamp_ntz"},
      {"st",
       {{"type", "struct"},
        {"fields",
         {{{"name", "a"}, {"type", "integer"}, {"nullable", true}, {"metadata", json::object()}},
          {{"name", "b"}, {"type", "string"}, {"nullable", true}, {"metadata", json::object()}}}}}},
      {"arr", {{"type", "array"}, {"elementType", "long"}, {"containsNull", true}}},
      {"m",
       {{"type", "map"},
        {"keyType", "string"},
        {"valueType", "long"},
        {"valueContainsNull", true}}},
  });
}

const char* kAllTypesRows = R"(
SELECT * FROM (VALUES
  (1::BIGINT, 'hello', 42::INTEGER, 7::SMALLINT, -3::TINYINT, 1.5::FLOAT, 2.25::DOUBLE,
   12.34::DECIMAL(10,2), 1234567890123456789012.12345::DECIMAL(30,5), true, '\x01\x02'::BLOB,
   DATE '2024-02-29', TIMESTAMPTZ '2024-01-02 03:04:05.123456+00',
   TIMESTAMP '2024-01-02 03:04:05.654321', {'a': 1, 'b': 'x'}, [1, 2, 3]::BIGINT[],
   MAP {'k': 1::BIGINT, 'z': NULL}),
  (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL),
  (3, 'ünïcødé 日本 🎉', -2147483648, -32768, 127, -0.0, 1e300, -99999999.99,
   -0.00001, false, ''::BLOB, DATE '1900-01-01', TIMESTAMPTZ '1969-12-31 23:59:59.999999+00',
   TIMESTAMP '2262-04-11 23:47:16', {'a': NULL, 'b': NULL}, []::BIGINT[], MAP {}::MAP(VARCHAR, BIGINT))
) AS t(id, s, i, sh, b, f, d, dec, bigdec, flag, bin, dt, ts, tsn, st, arr, m))";

TEST(Writer, EveryTypeReadsBackThroughReaderAndReadParquet) {
  testing::TempDir dir;
  sql::Database db;
  auto con = db.connect();
  auto table = DeltaTable::create((dir / "t").string(), all_types_schema());
  auto r = table.append(con, kAllTypesRows);
  EXPECT_EQ(r.version, 1);
  Rows expected = rows_as_text(con, kAllTypesRows);
  EXPECT_EQ(table_rows(con, table), expected);

  // Plain DuckDB over the snapshot's files, without our reader.
  std::string files;
  for (const auto& p : TableScan(table.snapshot()).data_file_paths()) {
    files += (files.empty() ? "" : ", ") + sql::quote_literal(p);
  }
  EXPECT_EQ(rows_as_text(con, "SELECT * FROM read_parquet([" + files + "])"), expected);

  // Parquet physical types Spark expects.
  auto schema = con.query("SELECT name, type, logical_type FROM parquet_schema([" + files +
                          "]) WHERE name IN ('ts', 'tsn', 'dec')")
                    .rows();
  for (const auto& row : schema) {
    if (row[0].as_string() == "ts" || row[0].as_string() == "tsn") {
      EXPECT_EQ(row[1].as_string(), "INT64");
      EXPECT_NE(row[2].as_string().find("MICROS"), std::string::npos);
      EXPECT_NE(row[2].as_string().find(row[0].as_string() == "ts" ? "isAdjustedToUTC=1"
                                                                   : "isAdjustedToUTC=0"),
                std::string::npos);
    }
  }
  // timestamp_ntz needs the table feature (reader 3 / writer 7).
  auto protocol = actions_of(table.root(), 0, "protocol").at(0);
  EXPECT_EQ(protocol["minReaderVersion"], 3);
  EXPECT_EQ(protocol["readerFeatures"], json::array({"timestampNtz"}));
}

TEST(Writer, PartitionValuesWithSpecialCharactersAndNullRoundTrip) {
  testing::TempDir dir;
  sql::Database db;
  auto con = db.connect();
  CreateOptions options;
  options.partition_columns = {"p", "q"};
  auto table =
      DeltaTable::create((dir / "t").string(),
                         make_schema({{"id", "long"}, {"p", "string"}, {"q", "integer"}}), options);
  const std::string rows = R"(
    SELECT * FROM (VALUES (1::BIGINT, 'a/b', 1), (2, '100%', 1), (3, 'x y', 2), (4, 'k=v', 2),
                          (5, NULL, 3), (6, 'ünï', NULL), (7, 'a/b', 1)) AS t(id, p, q))";
  table.append(con, rows);
  EXPECT_EQ(table_rows(con, table), rows_as_text(con, rows));

  auto adds = actions_of(table.root(), 1, "add");
  ASSERT_EQ(adds.size(), 6u);  // one file per partition
  std::map<std::string, json> by_partition;
  for (const auto& add : adds) {
    std::string path = add["path"];
    EXPECT_NE(path.front(), '/') << path;
    EXPECT_EQ(path.find("://"), std::string::npos) << path;
    EXPECT_EQ(encode_path(decode_path(path)), path) << "log paths are URL-encoded";
    EXPECT_TRUE(fs::exists(fs::path(table.root()) / decode_path(path))) << path;
    for (const auto& [k, v] : add["partitionValues"].items()) {
      EXPECT_TRUE(v.is_string() || v.is_null()) << "partition values are strings";
    }
    by_partition[add["partitionValues"]["p"].is_null()
                     ? "<null>"
                     : add["partitionValues"]["p"].get<std::string>()] = add;
    // The partition columns live in the log only, not in the Parquet files.
    auto cols = con.query("DESCRIBE SELECT * FROM read_parquet(" +
                          sql::quote_literal(table.root() + "/" + decode_path(path)) +
                          ", hive_partitioning = false)")
                    .rows();
    ASSERT_EQ(cols.size(), 1u);
    EXPECT_EQ(cols[0][0].as_string(), "id");
  }
  EXPECT_EQ(by_partition.at("a/b")["partitionValues"]["q"], "1");
  EXPECT_EQ(std::string(by_partition.at("a/b")["path"]).rfind("p=a%252Fb/q=1/part-", 0), 0u);
  EXPECT_EQ(std::string(by_partition.at("100%")["path"]).rfind("p=100%2525/q=1/", 0), 0u);
  EXPECT_EQ(std::string(by_partition.at("x y")["path"]).rfind("p=x%20y/q=2/", 0), 0u);
  EXPECT_EQ(std::string(by_partition.at("k=v")["path"]).rfind("p=k%253Dv/q=2/", 0), 0u);
  EXPECT_EQ(
      std::string(by_partition.at("<null>")["path"]).rfind("p=__HIVE_DEFAULT_PARTITION__/q=3/", 0),
      0u);
  EXPECT_TRUE(by_partition.at("ünï")["partitionValues"]["q"].is_null());
  EXPECT_TRUE(fs::exists(fs::path(table.root()) / "p=k%3Dv" / "q=2"));
  EXPECT_TRUE(fs::exists(fs::path(table.root()) / "p=ünï" / "q=__HIVE_DEFAULT_PARTITION__"));
}

TEST(Writer, LogActionsCarryTheProtocolsRequiredFields) {
  testing::TempDir dir;
  sql::Database db;
  auto con = db.connect();
  CreateOptions options;
  options.properties = {{"delta.appendOnly", "false"}, {"owner", "etl"}};
  options.comment = "a test table";
  auto table = DeltaTable::create((dir / "t").string(),
                                  make_schema({{"id", "long"}, {"s", "string"}}), options);
  table.append(con, "SELECT range AS id, 'v' || range AS s FROM range(5)");

  auto v0 = commit_lines(table.root(), 0);
  ASSERT_TRUE(v0.at(0).contains("commitInfo")) << "commitInfo comes first";
  const auto& ci0 = v0[0]["commitInfo"];
  EXPECT_EQ(ci0["operation"], "CREATE TABLE");
  EXPECT_TRUE(ci0["timestamp"].is_number_integer());
  EXPECT_EQ(ci0["engineInfo"], std::string("dls/") + DLS_VERSION);
  auto protocol = actions_of(table.root(), 0, "protocol").at(0);
  EXPECT_EQ(protocol, json({{"minReaderVersion", 1}, {"minWriterVersion", 2}}));
  auto meta = actions_of(table.root(), 0, "metaData").at(0);
  for (const char* field :
       {"id", "format", "schemaString", "partitionColumns", "configuration", "createdTime"}) {
    EXPECT_TRUE(meta.contains(field)) << field;
  }
  EXPECT_EQ(meta["format"]["provider"], "parquet");
  EXPECT_EQ(meta["description"], "a test table");
  EXPECT_EQ(meta["configuration"]["owner"], "etl");
  EXPECT_EQ(json::parse(std::string(meta["schemaString"]))["type"], "struct");

  auto ci1 = actions_of(table.root(), 1, "commitInfo").at(0);
  EXPECT_EQ(ci1["operation"], "WRITE");
  EXPECT_EQ(ci1["operationParameters"]["mode"], "Append");
  EXPECT_EQ(ci1["operationMetrics"]["numOutputRows"], "5");
  EXPECT_EQ(ci1["operationMetrics"]["numFiles"], "1");
  EXPECT_EQ(ci1["readVersion"], 0);
  EXPECT_EQ(ci1["isBlindAppend"], true);
  auto add = actions_of(table.root(), 1, "add").at(0);
  for (const char* field : {"path", "partitionValues", "size", "modificationTime", "dataChange"}) {
    EXPECT_TRUE(add.contains(field)) << field;
  }
  EXPECT_EQ(add["size"].get<int64_t>(),
            static_cast<int64_t>(fs::file_size(fs::path(table.root()) / decode_path(add["path"]))));
  ASSERT_TRUE(add["stats"].is_string()) << "stats is a JSON document inside a string";
  auto stats = json::parse(std::string(add["stats"]));
  EXPECT_EQ(stats["numRecords"], 5);
  EXPECT_EQ(stats["minValues"]["id"], 0);
  EXPECT_EQ(stats["maxValues"]["id"], 4);
  EXPECT_EQ(stats["minValues"]["s"], "v0");
  EXPECT_EQ(stats["maxValues"]["s"], "v4");
  EXPECT_EQ(stats["nullCount"], json({{"id", 0}, {"s", 0}}));
}

TEST(Writer, StatsNestStructsAndSkipUnorderedTypes) {
  testing::TempDir dir;
  sql::Database db;
  auto con = db.connect();
  json st = {
      {"type", "struct"},
      {"fields",
       {{{"name", "a"}, {"type", "integer"}, {"nullable", true}, {"metadata", json::object()}},
        {{"name", "b"}, {"type", "string"}, {"nullable", true}, {"metadata", json::object()}}}}};
  auto table = DeltaTable::create(
      (dir / "t").string(),
      make_schema({{"id", "long"},
                   {"name", "string"},
                   {"st", st},
                   {"flag", "boolean"},
                   {"arr", {{"type", "array"}, {"elementType", "long"}, {"containsNull", true}}},
                   {"ts", "timestamp"},
                   {"dec", "decimal(10,2)"},
                   {"dbl", "double"}}));
  table.append(con, R"(
    SELECT * FROM (VALUES
      (1::BIGINT, 'apple', {'a': 5, 'b': 'z'}, true, [1]::BIGINT[],
       TIMESTAMPTZ '2024-01-02 03:04:05.123999+00', 1.10::DECIMAL(10,2), 1.5::DOUBLE),
      (2, repeat('x', 40), {'a': NULL, 'b': 'a'}, NULL, [2], NULL, NULL, -0.5),
      (3, NULL, NULL, false, NULL, TIMESTAMPTZ '2024-03-01 00:00:00+00', 9.99, 0.25)
    ) AS t(id, name, st, flag, arr, ts, dec, dbl))");
  auto stats = json::parse(std::string(actions_of(table.root(), 1, "add").at(0)["stats"]));
  EXPECT_EQ(stats["numRecords"], 3);
  EXPECT_EQ(stats["minValues"]["name"], "apple");
  EXPECT_EQ(stats["maxValues"]["name"], std::string(31, 'x') + "y") << "truncated upper bound";
  EXPECT_EQ(stats["minValues"]["st"], json({{"a", 5}, {"b", "a"}}));
  EXPECT_EQ(stats["maxValues"]["st"], json({{"a", 5}, {"b", "z"}}));
  EXPECT_EQ(stats["nullCount"]["st"], json({{"a", 2}, {"b", 1}}));
  EXPECT_FALSE(stats["minValues"].contains("flag"));
  EXPECT_FALSE(stats["minValues"].contains("arr"));
  EXPECT_EQ(stats["nullCount"]["flag"], 1);
  EXPECT_EQ(stats["nullCount"]["arr"], 1);
  EXPECT_EQ(stats["minValues"]["ts"], "2024-01-02T03:04:05.123Z") << "truncated to millis";
  EXPECT_EQ(stats["maxValues"]["ts"], "2024-03-01T00:00:00.000Z");
  EXPECT_DOUBLE_EQ(stats["minValues"]["dec"].get<double>(), 1.10);
  EXPECT_DOUBLE_EQ(stats["maxValues"]["dec"].get<double>(), 9.99);
  EXPECT_DOUBLE_EQ(stats["minValues"]["dbl"].get<double>(), -0.5);
  EXPECT_DOUBLE_EQ(stats["maxValues"]["dbl"].get<double>(), 1.5);
}

// The writer takes per-file stats from DuckDB's own report of each written file (RETURN_STATS)
// instead of reading the file again; they must equal the stats of a read of the file, for every
// type, NULLs, NaN and infinities, long strings, odd column names, several row groups and a
// session time zone that is not UTC.
TEST(Writer, StatsFromTheWritersReportEqualTheStatsOfTheFilesRows) {
  testing::TempDir dir;
  sql::Database db;
  auto con = db.connect();
  con.execute("SET TimeZone = 'America/New_York'");
  json st = {
      {"type", "struct"},
      {"fields",
       {{{"name", "a"}, {"type", "integer"}, {"nullable", true}, {"metadata", json::object()}},
        {{"name", "b.c"}, {"type", "string"}, {"nullable", true}, {"metadata", json::object()}}}}};
  Schema schema = make_schema({{"id", "long"},
                               {"s", "string"},
                               {"we\"ird.na me", "integer"},
                               {"sh", "short"},
                               {"b", "byte"},
                               {"f", "float"},
                               {"d", "double"},
                               {"nan", "double"},
                               {"dec", "decimal(10,2)"},
                               {"flag", "boolean"},
                               {"bin", "binary"},
                               {"dt", "date"},
                               {"ts", "timestamp"},
                               {"tsn", "timestamp_ntz"},
                               {"st", st},
                               {"none", "string"}});
  auto table = DeltaTable::create((dir / "t").string(), schema);
  const std::string rows_sql = R"(
    SELECT range AS id,
           CASE WHEN range % 7 = 0 THEN NULL WHEN range = 5 THEN repeat('z', 400) || 'q'
                ELSE repeat('ab', range % 50) || range END AS s,
           (range * 37 % 1001 - 500)::INTEGER AS "we""ird.na me",
           (range % 300)::SMALLINT AS sh, (range % 100 - 50)::TINYINT AS b,
           CASE WHEN range = 3 THEN 'infinity'::FLOAT ELSE range / 7.0 END::FLOAT AS f,
           CASE WHEN range % 11 = 0 THEN NULL ELSE range * 1.5 - 1000 END::DOUBLE AS d,
           CASE WHEN range = 9 THEN 'NaN'::DOUBLE ELSE range END AS nan,
           (range % 10000 / 100.0)::DECIMAL(10,2) AS dec,
           range % 2 = 0 AS flag, 'x'::BLOB AS bin,
           DATE '1950-01-01' + (range % 40000)::INTEGER AS dt,
           TIMESTAMPTZ '1969-12-31 23:59:59.999999+00' + to_microseconds(range * 3600000001)
               AS ts,
           TIMESTAMP '2001-02-03 04:05:06.789' - to_microseconds(range * 1000001) AS tsn,
           CASE WHEN range % 5 = 0 THEN NULL ELSE {'a': range::INTEGER, 'b.c': 'v' || range} END
               AS st,
           NULL::VARCHAR AS none
    FROM range(300000))";
  table.append(con, rows_sql);
  auto add = actions_of(table.root(), 1, "add").at(0);
  auto written = json::parse(std::string(add["stats"]));

  StatsCollector collector(schema, {}, {});
  std::string select;
  for (const auto& e : collector.aggregate_expressions())
    select += (select.empty() ? "" : ", ") + e;
  std::string file = (dir / "t").string() + "/" + std::string(add["path"]);
  auto rows = con.query("SELECT " + select + " FROM read_parquet('" + file + "')").rows();
  auto expected = json::parse(collector.to_json(rows.at(0)));
  EXPECT_EQ(written, expected);
  EXPECT_EQ(written["numRecords"], 300000);
  EXPECT_FALSE(written["minValues"].contains("f")) << "infinity: no bounds";
  EXPECT_FALSE(written["minValues"].contains("nan")) << "NaN: no bounds";
  EXPECT_FALSE(written["minValues"].contains("none")) << "all NULL: no bounds";
  EXPECT_EQ(written["nullCount"]["none"], 300000);
  EXPECT_EQ(written["maxValues"]["s"], std::string(31, 'z') + "{") << "truncated upper bound";
  EXPECT_EQ(written["minValues"]["ts"], "1969-12-31T23:59:59.999Z");

  // The same from the collector directly: the report alone is enough for this schema.
  std::string copy = (dir / "copy.parquet").string();
  auto report =
      con.query("COPY (" + rows_sql + ") TO '" + copy + "' (FORMAT parquet, RETURN_STATS)");
  auto chunk = report.next_chunk();
  ASSERT_TRUE(chunk);
  std::vector<int64_t> unbounded;
  for (const auto& row : con.query(collector.unbounded_columns_query(copy)).rows())
    unbounded.push_back(row.at(0).as_int());
  EXPECT_EQ(unbounded, (std::vector<int64_t>{5, 7}))
      << "the infinity and NaN columns have a row group without bounds";
  auto from_report =
      collector.from_parquet_stats(300000, chunk->map_of_string_maps(4, 0), unbounded);
  ASSERT_TRUE(from_report) << "no read of the file needed";
  EXPECT_EQ(json::parse(*from_report), expected);
}

TEST(Writer, WideDecimalsHaveNoBoundsInTheReportSoTheFileIsRead) {
  testing::TempDir dir;
  sql::Database db;
  auto con = db.connect();
  Schema schema = make_schema({{"bigdec", "decimal(30,5)"}});
  auto table = DeltaTable::create((dir / "t").string(), schema);
  table.append(con, "SELECT (range * 1234567.12345 - 10)::DECIMAL(30,5) AS bigdec FROM range(5)");
  auto stats = json::parse(std::string(actions_of(table.root(), 1, "add").at(0)["stats"]));
  EXPECT_DOUBLE_EQ(stats["minValues"]["bigdec"].get<double>(), -10.0);
  EXPECT_DOUBLE_EQ(stats["maxValues"]["bigdec"].get<double>(), 4938258.4938);

  StatsCollector collector(schema, {}, {});
  std::string copy = (dir / "copy.parquet").string();
  auto report = con.query("COPY (SELECT 1.5::DECIMAL(30,5) AS bigdec) TO '" + copy +
                          "' (FORMAT parquet, RETURN_STATS)");
  auto chunk = report.next_chunk();
  ASSERT_TRUE(chunk);
  EXPECT_FALSE(collector.from_parquet_stats(1, chunk->map_of_string_maps(4, 0), {}));
}

TEST(Writer, ParsesDuckDbTimestampTextForStats) {
  EXPECT_EQ(parse_stats_timestamp("1970-01-01 00:00:00"), 0);
  EXPECT_EQ(parse_stats_timestamp("1970-01-01 00:00:00.5"), 500000);
  EXPECT_EQ(parse_stats_timestamp("1969-12-31 23:59:59.999999+00"), -1);
  EXPECT_EQ(parse_stats_timestamp("1970-01-01 01:00:00+01"), 0);
  EXPECT_EQ(parse_stats_timestamp("1969-12-31 19:00:00-05:00"), 0);
  EXPECT_EQ(parse_stats_timestamp("1970-01-01 05:30:00+05:30"), 0);
  EXPECT_EQ(parse_stats_timestamp("2024-02-29 12:00:00.123456789"), 1709208000123456);
  EXPECT_EQ(parse_stats_timestamp("0044-03-15 (BC) 10:00:00+00"), std::nullopt);
  EXPECT_EQ(parse_stats_timestamp("infinity"), std::nullopt);
  EXPECT_EQ(parse_stats_timestamp("2024-13-01 00:00:00"), std::nullopt);
  EXPECT_EQ(parse_stats_timestamp("2024-01-01 00:00:00+"), std::nullopt);
}

TEST(Writer, StringBoundsStayValidAfterTruncation) {
  EXPECT_EQ(truncate_min_string("abc", 2), "ab");
  EXPECT_EQ(truncate_max_string("abc", 2), "ac");
  EXPECT_EQ(truncate_max_string("ab", 2), "ab");
  EXPECT_EQ(truncate_min_string("日本語", 2), "日本");
  EXPECT_EQ(truncate_max_string("a\xF4\x8F\xBF\xBFz", 2), "b") << "U+10FFFF cannot grow";
  EXPECT_EQ(format_stats_timestamp(-1, true), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_stats_timestamp(0, false), "1970-01-01T00:00:00.000");
}

TEST(Writer, CheckpointHasTheProtocolSchemaAndLastCheckpoint) {
  testing::TempDir dir;
  sql::Database db;
  auto con = db.connect();
  CreateOptions options;
  options.partition_columns = {"p"};
  options.properties = {{"delta.checkpointInterval", "3"}};
  auto table = DeltaTable::create((dir / "t").string(),
                                  make_schema({{"id", "long"}, {"p", "string"}}), options);
  table.append(con, "SELECT 1::BIGINT AS id, 'a' AS p");
  WriteOptions txn;
  txn.txn_app_id = "app";
  txn.txn_version = 7;
  table.append(con, "SELECT 2::BIGINT AS id, 'b' AS p", txn);
  auto v3 = table.delete_where(con, "id = 1");
  ASSERT_EQ(v3.version, 3);

  const fs::path log = fs::path(table.root()) / "_delta_log";
  const std::string cp = (log / "00000000000000000003.checkpoint.parquet").string();
  ASSERT_TRUE(fs::exists(cp));
  std::map<std::string, std::string> columns;
  for (auto& row :
       con.query("DESCRIBE SELECT * FROM read_parquet(" + sql::quote_literal(cp) + ")").rows()) {
    columns[row[0].as_string()] = row[1].as_string();
  }
  EXPECT_EQ(columns.size(), 6u);
  EXPECT_EQ(columns.at("protocol"),
            "STRUCT(minReaderVersion INTEGER, minWriterVersion INTEGER, readerFeatures VARCHAR[], "
            "writerFeatures VARCHAR[])");
  EXPECT_EQ(columns.at("txn"), "STRUCT(appId VARCHAR, \"version\" BIGINT, lastUpdated BIGINT)");
  for (const char* part :
       {"path VARCHAR", "partitionValues MAP(VARCHAR, VARCHAR)", "size BIGINT",
        "modificationTime BIGINT", "dataChange BOOLEAN", "stats VARCHAR",
        "tags MAP(VARCHAR, VARCHAR)", "deletionVector STRUCT(storageType VARCHAR"}) {
    EXPECT_NE(columns.at("add").find(part), std::string::npos) << part;
  }
  EXPECT_NE(columns.at("remove").find("deletionTimestamp BIGINT"), std::string::npos);
  EXPECT_NE(columns.at("metaData").find("\"configuration\" MAP(VARCHAR, VARCHAR)"),
            std::string::npos)
      << columns.at("metaData");
  EXPECT_NE(columns.at("domainMetadata").find("\"domain\" VARCHAR"), std::string::npos)
      << columns.at("domainMetadata");

  auto counts = con.query(
                       "SELECT count(protocol), count(metaData), count(txn), count(add), "
                       "count(remove), count(*), max(add.partitionValues['p']), "
                       "max(remove.path), max(txn.version) FROM read_parquet(" +
                       sql::quote_literal(cp) + ")")
                    .rows();
  EXPECT_EQ(counts[0][0].as_int(), 1);
  EXPECT_EQ(counts[0][1].as_int(), 1);
  EXPECT_EQ(counts[0][2].as_int(), 1);
  EXPECT_EQ(counts[0][3].as_int(), 1);
  EXPECT_EQ(counts[0][4].as_int(), 1) << "the deleted file stays as a tombstone";
  EXPECT_EQ(counts[0][6].as_string(), "b");
  EXPECT_EQ(counts[0][7].as_string(), actions_of(table.root(), 3, "remove").at(0)["path"]);
  EXPECT_EQ(counts[0][8].as_int(), 7);

  auto last = json::parse(testing::read_file(log / "_last_checkpoint"));
  EXPECT_EQ(last["version"], 3);
  EXPECT_EQ(last["size"], counts[0][5].as_int());
  EXPECT_EQ(last["sizeInBytes"], static_cast<int64_t>(fs::file_size(cp)));
  EXPECT_EQ(last["numOfAddFiles"], 1);

  table.append(con, "SELECT 3::BIGINT AS id, NULL::VARCHAR AS p");
  auto snap = table.snapshot();
  EXPECT_EQ(snap.checkpoint_version(), 3);
  EXPECT_EQ(snap.transaction_version("app"), 7);
  EXPECT_EQ(table_rows(con, table), (Rows{{"2", "b"}, {"3", "NULL"}}));
}

TEST(Writer, AppendWithUnknownColumnFailsAndLeavesTableUnchanged) {
  testing::TempDir dir;
  sql::Database db;
  auto con = db.connect();
  auto table =
      DeltaTable::create((dir / "t").string(), make_schema({{"id", "long"}, {"s", "string"}}));
  table.append(con, "SELECT 1::BIGINT AS id, 'a' AS s");
  auto files_before = data_files_on_disk(table.root());
  try {
    table.append(con, "SELECT 2::BIGINT AS id, 'b' AS s, 3 AS nope");
    FAIL() << "expected InvalidMetadataError";
  } catch (const InvalidMetadataError& e) {
    EXPECT_NE(std::string(e.what()).find("'nope'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(table.root()), std::string::npos) << e.what();
  }
  try {
    table.append(con, "SELECT 'two' AS id");
    FAIL() << "expected InvalidMetadataError";
  } catch (const InvalidMetadataError& e) {
    EXPECT_NE(std::string(e.what()).find("'id'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("VARCHAR"), std::string::npos) << e.what();
  }
  EXPECT_EQ(table.snapshot().version(), 1);
  EXPECT_EQ(count_commits(table.root()), 2);
  EXPECT_EQ(data_files_on_disk(table.root()), files_before);
}

TEST(Writer, MissingNullableColumnsAreNullAndNarrowTypesWiden) {
  testing::TempDir dir;
  sql::Database db;
  auto con = db.connect();
  auto table = DeltaTable::create(
      (dir / "t").string(),
      make_schema({{"id", "long"}, {"s", "string"}, {"d", "double"}, {"ts", "timestamp"}}));
  table.append(con,
               "SELECT 1::INTEGER AS ID, 2::INTEGER AS d, TIMESTAMP '2024-01-01 00:00:00' AS ts");
  EXPECT_EQ(table_rows(con, table, "id, s, d, epoch_us(ts)"),
            (Rows{{"1", "NULL", "2.0", "1704067200000000"}}));
}

TEST(Writer, NotNullColumnRejectsNullsAndMissingValues) {
  testing::TempDir dir;
  sql::Database db;
  auto con = db.connect();
  auto table = DeltaTable::create(
      (dir / "t").string(),
      schema_of(
          R"({"type":"struct","fields":[{"name":"id","type":"long","nullable":false,"metadata":{}},
                  {"name":"s","type":"string","nullable":true,"metadata":{}}]})"));
  EXPECT_THROW(table.append(con, "SELECT 'x' AS s"), InvalidMetadataError);
  EXPECT_THROW(table.append(con, "SELECT * FROM (VALUES (1::BIGINT), (NULL)) AS t(id)"), Error);
  EXPECT_EQ(table.snapshot().version(), 0);
  EXPECT_TRUE(data_files_on_disk(table.root()).empty());
}

TEST(Writer, CreateRefusesBadSchemasAndExistingTables) {
  testing::TempDir dir;
  auto schema = make_schema({{"id", "long"}, {"ID", "string"}});
  EXPECT_THROW(DeltaTable::create((dir / "a").string(), schema), InvalidMetadataError);
  CreateOptions bad_partition;
  bad_partition.partition_columns = {"nope"};
  EXPECT_THROW(
      DeltaTable::create((dir / "b").string(), make_schema({{"id", "long"}}), bad_partition),
      InvalidMetadataError);
  DeltaTable::create((dir / "c").string(), make_schema({{"id", "long"}}));
  EXPECT_THROW(DeltaTable::create((dir / "c").string(), make_schema({{"id", "long"}})), Error);
}

TEST(Writer, ChangeDataFeedTablesGetWriterVersionFourAndTakeAppends) {
  testing::TempDir dir;
  sql::Database db;
  auto con = db.connect();
  CreateOptions cdf;
  cdf.properties = {{"delta.enableChangeDataFeed", "true"}};
  auto table = DeltaTable::create((dir / "d").string(), make_schema({{"id", "long"}}), cdf);
  EXPECT_EQ(table.snapshot().protocol().min_writer_version, 4);
  // Appends need no change data files: readers take the inserts from the added files.
  auto commit = table.append(con, "SELECT range AS id FROM range(3)");
  EXPECT_TRUE(actions_of((dir / "d").string(), commit.version, "cdc").empty());
  EXPECT_EQ(table_rows(con, table, "count(*)"), (Rows{{"3"}}));
}

TEST(Writer, SplitsLargeWritesIntoFilesOfTargetSize) {
  testing::TempDir dir;
  sql::Database db;
  auto con = db.connect();
  auto table = DeltaTable::create((dir / "t").string(), make_schema({{"id", "long"}}));
  WriteOptions options;
  options.target_file_rows = 40;
  table.append(con, "SELECT range AS id FROM range(100)", options);
  EXPECT_EQ(table.snapshot().files().size(), 3u);
  EXPECT_EQ(table_rows(con, table, "count(*), sum(id)"), (Rows{{"100", "4950"}}));
}

}  // namespace
}  // namespace dls::delta
