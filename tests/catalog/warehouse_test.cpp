#include "dls/catalog/warehouse.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "dls/core/error.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using dls::catalog::Namespace;
using dls::catalog::parse_namespace;
using dls::catalog::parse_table_name;
using dls::catalog::TableName;
using dls::catalog::Warehouse;

TEST(TableName, ThreePartsNameCatalogSchemaTable) {
  EXPECT_EQ(parse_table_name("sales.raw.orders"), (TableName{"sales", "raw", "orders"}));
}

TEST(TableName, TwoPartsUseCatalogMain) {
  EXPECT_EQ(parse_table_name("raw.orders"), (TableName{"main", "raw", "orders"}));
}

TEST(TableName, BareNameResolvesInDefaultNamespace) {
  EXPECT_EQ(parse_table_name("orders", Namespace{"sales", "silver"}),
            (TableName{"sales", "silver", "orders"}));
}

TEST(TableName, BareNameWithoutDefaultNamespaceIsRejected) {
  EXPECT_THROW(parse_table_name("orders"), dls::InvalidMetadataError);
}

TEST(TableName, UnderscoresAndDigitsAreAllowed) {
  EXPECT_EQ(parse_table_name("_c1.s_2.t_3_"), (TableName{"_c1", "s_2", "t_3_"}));
}

TEST(TableName, UnsafeNamesAreRejectedWithExitCode3) {
  for (const char* bad : {"a..b", "../x", "a.b.c.d", "a-b", "", ".", "a.", ".a", "a b", "1a.b",
                          "a.b/c", "a.'b'", "a.\"b\"", "a.b;c", "..", "main.s.t\n", "é.b"}) {
    SCOPED_TRACE(bad);
    try {
      parse_table_name(bad, Namespace{"main", "s"});
      ADD_FAILURE() << "accepted " << bad;
    } catch (const dls::InvalidMetadataError& e) {
      EXPECT_EQ(e.exit_code(), dls::ExitCode::kInvalidMetadata);
      EXPECT_NE(std::string(e.what()).find("invalid table name"), std::string::npos) << e.what();
    }
  }
}

TEST(TableName, MessageNamesTheBadPartAndTheRule) {
  try {
    parse_table_name("main.my-schema.t");
    FAIL();
  } catch (const dls::InvalidMetadataError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("'my-schema'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("[A-Za-z_][A-Za-z0-9_]*"), std::string::npos) << msg;
  }
}

TEST(TableName, NamespaceNeedsExactlyTwoParts) {
  EXPECT_EQ(parse_namespace("main.silver"), (Namespace{"main", "silver"}));
  EXPECT_THROW(parse_namespace("main"), dls::InvalidMetadataError);
  EXPECT_THROW(parse_namespace("a.b.c"), dls::InvalidMetadataError);
  EXPECT_THROW(parse_namespace("a..b"), dls::InvalidMetadataError);
}

TEST(Warehouse, NamesResolveUnderTheRoot) {
  Warehouse wh("/data/wh");
  auto loc = wh.resolve("sales.raw.orders");
  EXPECT_EQ(loc.root, fs::path("/data/wh/sales/raw/orders"));
  ASSERT_TRUE(loc.name.has_value());
  EXPECT_EQ(loc.display(), "sales.raw.orders");
  EXPECT_EQ(wh.resolve("raw.orders").root, fs::path("/data/wh/main/raw/orders"));
  EXPECT_EQ(wh.resolve("orders", Namespace{"c", "s"}).root, fs::path("/data/wh/c/s/orders"));
}

TEST(Warehouse, NameWithSlashIsAPath) {
  Warehouse wh("/data/wh");
  auto loc = wh.resolve("/tmp/some/table/");
  EXPECT_EQ(loc.root, fs::path("/tmp/some/table"));
  EXPECT_FALSE(loc.name.has_value());
  EXPECT_EQ(loc.display(), "/tmp/some/table");
  auto rel = wh.resolve("./t");
  EXPECT_EQ(rel.root, (fs::current_path() / "t").lexically_normal());
}

TEST(Warehouse, UnsafeNamesNeverEscapeTheWarehouse) {
  Warehouse wh("/data/wh");
  EXPECT_THROW(wh.resolve(".."), dls::InvalidMetadataError);
  EXPECT_THROW(wh.resolve("a..b"), dls::InvalidMetadataError);
  EXPECT_THROW(wh.resolve("a.b.c.d"), dls::InvalidMetadataError);
  EXPECT_THROW(wh.resolve("a-b.c"), dls::InvalidMetadataError);
  EXPECT_THROW(wh.resolve("_pipelines.s.t"), dls::InvalidMetadataError);
}

TEST(Warehouse, ParsedNamesInThePipelinesCatalogAreRefusedToo) {
  // Pipelines parse destinations first; the resolver still refuses pipeline state.
  Warehouse wh("/data/wh");
  EXPECT_TRUE(is_reserved(parse_table_name("_pipelines.p.event_log")));
  EXPECT_FALSE(is_reserved(parse_table_name("_pipelines.event_log")));  // main._pipelines
  try {
    wh.resolve(parse_table_name("_pipelines.p.event_log"));
    FAIL() << "resolved a name in _pipelines";
  } catch (const dls::InvalidMetadataError& e) {
    EXPECT_NE(std::string(e.what()).find("reserved"), std::string::npos) << e.what();
  }
  EXPECT_EQ(wh.resolve(parse_table_name("main.s.t")).root, fs::path("/data/wh/main/s/t"));
}

TEST(Warehouse, PipelineStateDirectory) {
  Warehouse wh("/data/wh");
  EXPECT_EQ(wh.pipeline_dir("daily_etl"), fs::path("/data/wh/_pipelines/daily_etl"));
  EXPECT_THROW(wh.pipeline_dir("../etc"), dls::InvalidMetadataError);
  EXPECT_THROW(wh.pipeline_dir(""), dls::InvalidMetadataError);
}

TEST(Warehouse, RootIsAbsoluteAndNormal) {
  Warehouse wh("rel/../wh/");
  EXPECT_EQ(wh.root(), (fs::current_path() / "wh").lexically_normal());
  EXPECT_TRUE(wh.root().is_absolute());
}

TEST(Warehouse, LocateOrder) {
  const char* saved = std::getenv("DLS_WAREHOUSE");
  std::string saved_value = saved ? saved : "";
  ::setenv("DLS_WAREHOUSE", "/from/env", 1);
  EXPECT_EQ(Warehouse::locate(std::string("/from/option")).root(), fs::path("/from/option"));
  EXPECT_EQ(Warehouse::locate().root(), fs::path("/from/env"));
  ::unsetenv("DLS_WAREHOUSE");
  EXPECT_EQ(Warehouse::locate().root(), fs::current_path() / "warehouse");
  if (saved) ::setenv("DLS_WAREHOUSE", saved_value.c_str(), 1);
}
