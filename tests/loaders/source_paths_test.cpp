// Relative source paths resolve against the metadata file's directory at load time, and the YAML
// export writes those under the exported file's directory back relative to it (source_paths.h).
#include "dls/loaders/source_paths.h"

#include <gtest/gtest.h>

#include "dls/loaders/json_loader.h"
#include "dls/loaders/yaml_exporter.h"
#include "dls/loaders/yaml_loader.h"
#include "support/test_support.h"

namespace dls {
namespace {

namespace fs = std::filesystem;

DeltaLiveEntity entity(std::string source, std::string format) {
  DeltaLiveEntity e;
  e.entity_id = "e";
  e.source = std::move(source);
  e.source_format = std::move(format);
  e.destination = "d";
  return e;
}

TEST(SourcePaths, OnlyLocalFileSourcesArePaths) {
  EXPECT_TRUE(source_is_local_path(entity("data/x", "cloudFiles")));
  EXPECT_TRUE(source_is_local_path(entity("x.csv", "csv")));
  EXPECT_TRUE(source_is_local_path(entity("../tables/t", "delta")));
  EXPECT_FALSE(source_is_local_path(entity("main.etl.t", "delta")));
  EXPECT_FALSE(source_is_local_path(entity("bronze", "dlt")));
  EXPECT_FALSE(source_is_local_path(entity("topic", "kafka")));
  EXPECT_FALSE(source_is_local_path(entity("s3://bucket/x", "cloudFiles")));
  EXPECT_FALSE(source_is_local_path(entity("dbfs:/mnt/x", "json")));
}

TEST(SourcePaths, ResolveAndRelativizeAreInverse) {
  std::vector<DeltaLiveEntity> es = {entity("data/orders/", "cloudFiles"),
                                     entity("./x/../y.json", "json"), entity("/abs/z", "csv"),
                                     entity("bronze", "dlt")};
  resolve_source_paths(es, "/proj/meta");
  EXPECT_EQ(es[0].source, "/proj/meta/data/orders");
  EXPECT_EQ(es[1].source, "/proj/meta/y.json");
  EXPECT_EQ(es[2].source, "/abs/z");
  EXPECT_EQ(es[3].source, "bronze");
  relativize_source_paths(es, "/proj/meta");
  EXPECT_EQ(es[0].source, "data/orders");
  EXPECT_EQ(es[1].source, "y.json");
  EXPECT_EQ(es[2].source, "/abs/z");  // not under the directory: stays absolute
  EXPECT_EQ(es[3].source, "bronze");
}

TEST(SourcePaths, LoadersResolveAgainstTheFilesDirectoryNotTheCurrentOne) {
  testing::TempDir dir;
  const fs::path meta = dir / "meta";
  testing::write_file(meta / "p.yml", R"(delta_live_store:
  - {entity_id: y, source: data/y, destination: y, read_options: {cloudFiles.format: csv}}
)");
  testing::write_file(meta / "p.json",
                      R"([{"entity_id": "j", "source": "../data/j.json", "source_format": "json",
                           "destination": "j"}])");
  EXPECT_EQ(YamlLoader(meta / "p.yml").parse().entities.at(0).source, (meta / "data/y").string());
  EXPECT_EQ(YamlLoader(meta / "p.yml").parse().groups.at(0).second.at(0).source,
            (meta / "data/y").string());
  EXPECT_EQ(JsonLoader(meta / "p.json").entities().at(0).source, (dir / "data/j.json").string());
  // Text (stdin) resolves against the current directory.
  EXPECT_EQ(
      YamlLoader::from_text("delta_live_store:\n  - {entity_id: t, source: rel, destination: t, "
                            "read_options: {cloudFiles.format: csv}}\n")
          .parse()
          .entities.at(0)
          .source,
      (fs::current_path() / "rel").string());
}

TEST(SourcePaths, ExportIntoAFileWritesPathsUnderItRelative) {
  testing::TempDir dir;
  DeltaLiveStore store((dir / "control").string(), "tester");
  store.initialize();
  testing::write_file(dir / "proj/p.yml", R"(delta_live_store:
  - {entity_id: in, source: data/in, destination: in_t, read_options: {cloudFiles.format: csv}}
  - {entity_id: out, source: /elsewhere/out, destination: out_t,
     read_options: {cloudFiles.format: csv}}
)");
  YamlLoader(dir / "proj/p.yml").run(store);
  const std::string yaml = export_yaml_file(store, dir / "proj/exported.yml");
  EXPECT_NE(yaml.find("source: data/in"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("source: /elsewhere/out"), std::string::npos) << yaml;
  // Loading the export back from its place changes nothing.
  testing::write_file(dir / "proj/exported.yml", yaml);
  const LoadSummary again = YamlLoader(dir / "proj/exported.yml").run(store);
  EXPECT_FALSE(again.changed()) << again.to_text();
}

}  // namespace
}  // namespace dls
