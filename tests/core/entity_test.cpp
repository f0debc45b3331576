#include "dls/core/entity.h"

#include <gtest/gtest.h>

#include "dls/core/timestamp.h"

namespace dls {
namespace {

TEST(Entity, DefaultsAreTheSeeds) {
  DeltaLiveEntity e;
  EXPECT_EQ(e.destination_type, "table");
  EXPECT_EQ(e.source_format, "cloudFiles");
  EXPECT_TRUE(e.is_streaming);
  EXPECT_TRUE(e.is_enabled);
  EXPECT_FALSE(e.is_quarantined);
  EXPECT_TRUE(e.is_latest);
  EXPECT_EQ(e.group, "");
  EXPECT_FALSE(e.source_schema);
  EXPECT_FALSE(e.comment);
  EXPECT_FALSE(e.apply_changes);
  EXPECT_TRUE(e.expectations.empty());
  EXPECT_TRUE(e.select_expr.empty() && e.primary_keys.empty() && e.partition_cols.empty());
  EXPECT_TRUE(e.read_options.empty() && e.table_properties.empty() && e.tags.empty() &&
              e.spark_conf.empty());
  EXPECT_FALSE(e.id || e.created_ts || e.expired_ts || e.created_by || e.modified_by || e.hash);
  EXPECT_EQ(ApplyChanges{}.stored_as_scd_type, 1);
  EXPECT_FALSE(ApplyChanges{}.ignore_null_updates);
}

TEST(Entity, StreamingIsForcedBySourceFormat) {
  for (const char* format : {"cloudFiles", "kafka"}) {
    DeltaLiveEntity e;
    e.source_format = format;
    e.is_streaming = false;
    EXPECT_TRUE(normalized(e).is_streaming) << format;
  }
  for (const char* format : {"csv", "json", "parquet", "avro", "orc", "text"}) {
    DeltaLiveEntity e;
    e.source_format = format;
    e.is_streaming = true;
    EXPECT_FALSE(normalized(e).is_streaming) << format;
  }
  for (const char* format : {"delta", "dlt"}) {
    DeltaLiveEntity e;
    e.source_format = format;
    EXPECT_TRUE(normalized(e).is_streaming) << format;
    e.is_streaming = false;
    EXPECT_FALSE(normalized(e).is_streaming) << format;
  }
}

TEST(Entity, EnumsAreChecked) {
  EXPECT_TRUE(is_valid_source_format("cloudFiles"));
  EXPECT_FALSE(is_valid_source_format("cloudfiles"));
  EXPECT_TRUE(is_valid_destination_type("view"));
  EXPECT_FALSE(is_valid_destination_type("materialized_view"));
}

TEST(Timestamp, FormatsIsoUtcWithMicroseconds) {
  EXPECT_EQ(format_timestamp(0), "1970-01-01T00:00:00.000000Z");
  const Timestamp t = *parse_timestamp("2024-01-02T03:04:05.000006Z");
  EXPECT_EQ(format_timestamp(t), "2024-01-02T03:04:05.000006Z");
  EXPECT_EQ(t, 1704164645000006LL);
  EXPECT_EQ(format_timestamp(-1), "1969-12-31T23:59:59.999999Z");
}

TEST(Timestamp, ParsesCommonVariants) {
  EXPECT_EQ(parse_timestamp("2024-01-02"), parse_timestamp("2024-01-02T00:00:00Z"));
  EXPECT_EQ(parse_timestamp("2024-01-02 03:04:05"), parse_timestamp("2024-01-02T03:04:05Z"));
  EXPECT_EQ(parse_timestamp("2024-01-02T05:04:05+02:00"), parse_timestamp("2024-01-02T03:04:05Z"));
  EXPECT_EQ(parse_timestamp("2024-01-02T03:04:05.123456789Z"),
            parse_timestamp("2024-01-02T03:04:05.123456Z"));
  EXPECT_EQ(parse_timestamp("2024-02-29T00:00Z"), parse_timestamp("2024-02-29"));
}

TEST(Timestamp, RejectsNonsense) {
  for (const char* bad : {"", "yesterday", "2024-13-01", "2023-02-29", "2024-01-02T25:00:00Z",
                          "2024-01-02T03:04:05Q", "2024-01-02T03:04:05.Z"}) {
    EXPECT_FALSE(parse_timestamp(bad)) << bad;
  }
}

}  // namespace
}  // namespace dls
