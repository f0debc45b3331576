// End-to-end tests of how sources behave (docs/sources.md) through the `dls` binary: cloudFiles
// schema evolution per schemaEvolutionMode, malformed CSV/JSON records per `mode`, corrupt and
// unreadable files, empty source directories, and a `delta` source whose upstream table is
// deleted or rewritten. Every failure must exit non-zero (never a signal), name the problem, and
// commit nothing; the run after the input is fixed must read every good row exactly once.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace dls {
namespace {

namespace fs = std::filesystem;
using dls::testing::run_dls;
using dls::testing::shell_quote;
using dls::testing::TempDir;
using dls::testing::write_file;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

class RunSourcesCli : public ::testing::Test {
 protected:
  void SetUp() override {
    wh_ = (dir_.path() / "wh").string();
    data_ = dir_.path() / "data";
    fs::create_directories(data_);
    auto init = dls("store init");
    ASSERT_EQ(init.exit_code, 0) << init.err;
  }

  testing::CommandResult dls(const std::string& args) {
    return run_dls("--warehouse " + shell_quote(wh_) + " " + args, dir_.path(), runner_);
  }

  /// Root reads files whatever their mode: from here on, run dls as user nobody (setpriv) over a
  /// world-writable test directory. False when that is not possible here.
  bool run_as_nobody() {
    const std::string runner =
        "setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=" + shell_quote(dir_.str());
    std::error_code ec;
    for (const auto& e : fs::recursive_directory_iterator(dir_.path(), ec)) {
      fs::permissions(e.path(), fs::perms::all, fs::perm_options::add, ec);
    }
    fs::permissions(dir_.path(), fs::perms::all, fs::perm_options::add, ec);
    if (run_dls("--version", dir_.path(), runner).exit_code != 0) return false;
    runner_ = runner;
    return true;
  }

  /// A directory under data_ (created), as an absolute path string.
  std::string dir(const std::string& name) {
    fs::create_directories(data_ / name);
    return (data_ / name).string();
  }

  /// An entity of group main.src (pipeline main_src, target main.src).
  static nlohmann::json entity(const std::string& id, const std::string& source,
                               const std::string& format, nlohmann::json read_options,
                               const std::string& group = "main.src") {
    nlohmann::json e = {{"entity_id", id},
                        {"group", group},
                        {"source", source},
                        {"source_format", format},
                        {"destination", id}};
    if (!read_options.is_null()) e["read_options"] = std::move(read_options);
    return e;
  }

  void upsert(const nlohmann::json& list) {
    auto up = dls("upsert --json " + shell_quote(list.dump()));
    ASSERT_EQ(up.exit_code, 0) << up.err;
  }

  std::string query(const std::string& sql) {
    auto r = dls("query --format csv " + shell_quote(sql));
    EXPECT_EQ(r.exit_code, 0) << sql << "\n" << r.err;
    return r.out;
  }

  /// The table's `table describe` JSON, or null when it does not exist.
  nlohmann::json describe(const std::string& table) {
    auto r = dls("table describe --format json " + table);
    if (r.exit_code != 0) return nullptr;
    return nlohmann::json::parse(r.out);
  }

  int64_t version(const std::string& table) {
    auto d = describe(table);
    return d.is_null() ? -1 : d["version"].get<int64_t>();
  }

  /// The table's column names, comma-separated.
  std::string columns(const std::string& table) {
    auto d = describe(table);
    if (d.is_null()) return "<no table " + table + ">";
    std::string out;
    for (const auto& f : d["schema"])
      out += (out.empty() ? "" : ",") + f["name"].get<std::string>();
    return out;
  }

  /// `dls run` that must fail as a dataset failure: exit 1 (not a crash, not a usage error).
  testing::CommandResult run_failing(const std::string& args = "run") {
    auto r = dls(args);
    EXPECT_EQ(r.exit_code, 1) << "expected a failed update (exit 1)\n" << r.out << r.err;
    return r;
  }

  testing::CommandResult run_ok(const std::string& args = "run") {
    auto r = dls(args);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    return r;
  }

  /// dataset -> status from the output of `dls run --format json`.
  static std::map<std::string, std::string> statuses(const testing::CommandResult& r) {
    std::map<std::string, std::string> out;
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    if (!j.is_array()) return {{"<not JSON>", r.out}};
    for (const auto& d : j) out[d["dataset"].get<std::string>()] = d["status"].get<std::string>();
    return out;
  }

  /// Writes a parquet file with `select` (a DuckDB SELECT) through `dls query`.
  void write_parquet(const fs::path& path, const std::string& select) {
    fs::create_directories(path.parent_path());
    auto r = dls("query " +
                 shell_quote("COPY (" + select + ") TO '" + path.string() + "' (FORMAT parquet)"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_TRUE(fs::exists(path));
  }

  TempDir dir_;
  std::string wh_;
  fs::path data_;
  std::string runner_;  // shell prefix dls runs under (run_as_nobody)
};

const nlohmann::json kCsvHeader = {{"cloudFiles.format", "csv"}, {"header", "true"}};

nlohmann::json with(nlohmann::json base, const nlohmann::json& more) {
  for (const auto& [k, v] : more.items()) base[k] = v;
  return base;
}

// ---------------------------------------------------------------------------------------------
// 1. Schema evolution (cloudFiles csv, header=true)

TEST_F(RunSourcesCli, AddNewColumnsWidensTheTargetAndOldRowsAreNull) {
  const std::string in = dir("ev");
  write_file(data_ / "ev" / "f1.csv", "a,b\n1,x\n2,y\n");
  upsert({entity("ev", in, "cloudFiles", kCsvHeader)});
  run_ok();
  EXPECT_EQ(columns("main.src.ev"), "a,b,_rescued_data");

  write_file(data_ / "ev" / "f2.csv", "a,b,c\n3,z,c3\n");
  run_ok();
  EXPECT_EQ(columns("main.src.ev"), "a,b,_rescued_data,c");
  EXPECT_EQ(query("SELECT a, b, c, _rescued_data FROM main.src.ev ORDER BY a"),
            "a,b,c,_rescued_data\n1,x,,\n2,y,,\n3,z,c3,\n");

  // A third file with only the old columns: NULL in c, nothing read twice.
  write_file(data_ / "ev" / "f3.csv", "a,b\n4,w\n");
  run_ok();
  EXPECT_EQ(query("SELECT count(*), count(DISTINCT a), count(c) FROM main.src.ev"),
            "count_star(),count(DISTINCT a),count(c)\n4,4,1\n");
}

TEST_F(RunSourcesCli, RescueKeepsTheSchemaAndPutsNewColumnsInRescuedData) {
  const std::string in = dir("ev");
  write_file(data_ / "ev" / "f1.csv", "a,b\n1,x\n2,y\n");
  upsert({entity("ev", in, "cloudFiles",
                 with(kCsvHeader, {{"cloudFiles.schemaEvolutionMode", "rescue"}}))});
  run_ok();
  const int64_t v1 = version("main.src.ev");

  write_file(data_ / "ev" / "f2.csv", "a,b,c\n3,z,c3\n");
  run_ok();
  EXPECT_GT(version("main.src.ev"), v1);
  EXPECT_EQ(columns("main.src.ev"), "a,b,_rescued_data");
  EXPECT_EQ(query("SELECT a, b, json_extract_string(_rescued_data, '$.c') AS c, "
                  "json_extract_string(_rescued_data, '$._file_path') LIKE '%/f2.csv' AS f "
                  "FROM main.src.ev ORDER BY a"),
            "a,b,c,f\n1,x,,\n2,y,,\n3,z,c3,true\n");
}

TEST_F(RunSourcesCli, FailOnNewColumnsFailsEveryRunUntilTheFileIsRemoved) {
  const std::string in = dir("ev");
  write_file(data_ / "ev" / "f1.csv", "a,b\n1,x\n2,y\n");
  write_file(data_ / "other" / "o1.csv", "id\n1\n");
  upsert({entity("ev", in, "cloudFiles",
                 with(kCsvHeader, {{"cloudFiles.schemaEvolutionMode", "failOnNewColumns"}})),
          entity("other", dir("other"), "cloudFiles", kCsvHeader)});
  run_ok();
  const int64_t v1 = version("main.src.ev");

  write_file(data_ / "ev" / "f2.csv", "a,b,c\n3,z,c3\n");
  write_file(data_ / "other" / "o2.csv", "id\n2\n");
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto r = run_failing();
    EXPECT_TRUE(contains(r.err, "main.src.ev: FAILED")) << r.err;
    EXPECT_TRUE(contains(r.err, "[c]")) << "names the new column: " << r.err;
    EXPECT_TRUE(contains(r.err, "f2.csv")) << "names the file: " << r.err;
    EXPECT_TRUE(contains(r.err, "failOnNewColumns")) << r.err;
    EXPECT_EQ(version("main.src.ev"), v1) << "nothing committed";
    EXPECT_EQ(columns("main.src.ev"), "a,b,_rescued_data");
  }
  EXPECT_EQ(query("SELECT count(*) FROM main.src.other"), "count_star()\n2\n")
      << "the independent dataset is still updated";

  fs::remove(data_ / "ev" / "f2.csv");
  write_file(data_ / "ev" / "f3.csv", "a,b\n4,w\n");
  run_ok();
  EXPECT_EQ(query("SELECT a, b FROM main.src.ev ORDER BY a"), "a,b\n1,x\n2,y\n4,w\n");
  EXPECT_EQ(columns("main.src.ev"), "a,b,_rescued_data");
}

TEST_F(RunSourcesCli, FailOnNewColumnsAcceptsColumnsGivenInSchemaHints) {
  const std::string in = dir("ev");
  const nlohmann::json options =
      with(kCsvHeader, {{"cloudFiles.schemaEvolutionMode", "failOnNewColumns"}});
  write_file(data_ / "ev" / "f1.csv", "a,b\n1,x\n2,y\n");
  upsert({entity("ev", in, "cloudFiles", options)});
  run_ok();
  const int64_t v1 = version("main.src.ev");

  write_file(data_ / "ev" / "f2.csv", "a,b,c\n3,z,7\n");
  auto r = run_failing();
  EXPECT_TRUE(contains(r.err, "[c]")) << r.err;
  EXPECT_EQ(version("main.src.ev"), v1);

  // docs/sources.md: the update fails "until the files are removed or the columns are given
  // (cloudFiles.schemaHints)".
  upsert({entity("ev", in, "cloudFiles", with(options, {{"cloudFiles.schemaHints", "c INT"}}))});
  run_ok();
  EXPECT_EQ(query("SELECT a, b, c, typeof(c) AS t FROM main.src.ev ORDER BY a"),
            "a,b,c,t\n1,x,,INTEGER\n2,y,,INTEGER\n3,z,7,INTEGER\n");
  // Still failOnNewColumns for columns nobody gave.
  write_file(data_ / "ev" / "f3.csv", "a,b,c,d\n4,w,8,dd\n");
  auto r2 = run_failing();
  EXPECT_TRUE(contains(r2.err, "[d]")) << r2.err;
}

TEST_F(RunSourcesCli, NoneIgnoresNewColumnsAndAppendsTheRows) {
  const std::string in = dir("ev");
  write_file(data_ / "ev" / "f1.csv", "a,b\n1,x\n2,y\n");
  upsert({entity("ev", in, "cloudFiles",
                 with(kCsvHeader, {{"cloudFiles.schemaEvolutionMode", "none"}}))});
  run_ok();
  EXPECT_EQ(columns("main.src.ev"), "a,b");

  write_file(data_ / "ev" / "f2.csv", "a,b,c\n3,z,c3\n");
  run_ok();
  EXPECT_EQ(columns("main.src.ev"), "a,b");
  EXPECT_EQ(query("SELECT a, b FROM main.src.ev ORDER BY a"), "a,b\n1,x\n2,y\n3,z\n");
}

// ---------------------------------------------------------------------------------------------
// 2. Malformed records (mode)

const std::string kJsonLines =
    "{\"id\": 1, \"name\": \"a\"}\nnot json\n{\"id\": 2, \"name\": \"b\"}\n";
// `id` is hinted INT: "x" does not cast, so that row is malformed.
const std::string kCsvRows = "id,name\n1,a\nx,b\n2,c\n";
const nlohmann::json kJson = {{"cloudFiles.format", "json"}};
const nlohmann::json kTypedCsv = with(kCsvHeader, {{"cloudFiles.schemaHints", "id INT"}});

TEST_F(RunSourcesCli, PermissiveKeepsMalformedRecordsInRescuedData) {
  write_file(data_ / "j" / "bad.json", kJsonLines);
  write_file(data_ / "c" / "bad.csv", kCsvRows);
  upsert(
      {entity("j", dir("j"), "cloudFiles", kJson), entity("c", dir("c"), "cloudFiles", kTypedCsv)});
  run_ok();
  EXPECT_EQ(query("SELECT id, name, json_extract_string(_rescued_data, '$._corrupt_record') AS r, "
                  "json_extract_string(_rescued_data, '$._file_path') LIKE '%/bad.json' AS f "
                  "FROM main.src.j ORDER BY id NULLS LAST"),
            "id,name,r,f\n1,a,,\n2,b,,\n,,not json,true\n");
  EXPECT_EQ(query("SELECT id, name, json_extract_string(_rescued_data, '$.id') AS r, "
                  "json_extract_string(_rescued_data, '$._file_path') LIKE '%/bad.csv' AS f "
                  "FROM main.src.c ORDER BY name"),
            "id,name,r,f\n1,a,,\n,b,x,true\n2,c,,\n");
}

TEST_F(RunSourcesCli, DropMalformedDropsTheRecords) {
  write_file(data_ / "j" / "bad.json", kJsonLines);
  write_file(data_ / "c" / "bad.csv", kCsvRows);
  upsert({entity("j", dir("j"), "cloudFiles", with(kJson, {{"mode", "DROPMALFORMED"}})),
          entity("c", dir("c"), "cloudFiles", with(kTypedCsv, {{"mode", "DROPMALFORMED"}}))});
  run_ok();
  EXPECT_EQ(query("SELECT id, name FROM main.src.j ORDER BY id"), "id,name\n1,a\n2,b\n");
  EXPECT_EQ(query("SELECT id, name FROM main.src.c ORDER BY id"), "id,name\n1,a\n2,c\n");
}

TEST_F(RunSourcesCli, FailFastFailsNamingTheFileAndCommitsNothingUntilFixed) {
  write_file(data_ / "j" / "good.json", "{\"id\": 0, \"name\": \"z\"}\n");
  write_file(data_ / "c" / "good.csv", "id,name\n0,z\n");
  upsert({entity("j", dir("j"), "cloudFiles", with(kJson, {{"mode", "FAILFAST"}})),
          entity("c", dir("c"), "cloudFiles", with(kTypedCsv, {{"mode", "FAILFAST"}}))});
  run_ok();
  const int64_t vj = version("main.src.j"), vc = version("main.src.c");

  write_file(data_ / "j" / "bad.json", kJsonLines);
  write_file(data_ / "c" / "bad.csv", kCsvRows);
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto r = run_failing();
    EXPECT_TRUE(contains(r.err, "main.src.j: FAILED")) << r.err;
    EXPECT_TRUE(contains(r.err, "main.src.c: FAILED")) << r.err;
    EXPECT_TRUE(contains(r.err, "bad.json")) << r.err;
    EXPECT_TRUE(contains(r.err, "bad.csv")) << r.err;
    EXPECT_TRUE(contains(r.err, "FAILFAST")) << r.err;
    EXPECT_EQ(version("main.src.j"), vj) << "nothing committed";
    EXPECT_EQ(version("main.src.c"), vc) << "nothing committed";
  }

  // Fixed in place (json) and removed (csv): the next run reads the good rows exactly once.
  write_file(data_ / "j" / "bad.json",
             "{\"id\": 1, \"name\": \"a\"}\n{\"id\": 2, \"name\": \"b\"}\n");
  fs::remove(data_ / "c" / "bad.csv");
  write_file(data_ / "c" / "more.csv", "id,name\n3,d\n");
  run_ok();
  EXPECT_EQ(query("SELECT id, name FROM main.src.j ORDER BY id"), "id,name\n0,z\n1,a\n2,b\n");
  EXPECT_EQ(query("SELECT id, name FROM main.src.c ORDER BY id"), "id,name\n0,z\n3,d\n");
  auto again = run_ok();
  EXPECT_TRUE(contains(again.out, "UP_TO_DATE")) << again.out;
}

// A batch that failed is planned again from the files that are there on the next run, with the
// schema of those files: here the failed batches brought a column `c` (a new schema version, and
// the first schema) whose file was then removed.
TEST_F(RunSourcesCli, FailedBatchIsPlannedAgainWithTheSchemaOfTheFilesLeft) {
  const nlohmann::json options = with(kTypedCsv, {{"mode", "FAILFAST"}});
  write_file(data_ / "later" / "f1.csv", "id,name\n1,a\n");
  upsert({entity("later", dir("later"), "cloudFiles", options),
          entity("first", dir("first"), "cloudFiles", options)});
  run_ok();
  ASSERT_EQ(version("main.src.first"), -1);
  const int64_t v = version("main.src.later");

  for (const char* d : {"later", "first"}) {
    write_file(data_ / d / "bad.csv", "id,name,c\nx,b,cc\n");
  }
  auto r = run_failing();
  EXPECT_TRUE(contains(r.err, "main.src.later: FAILED")) << r.err;
  EXPECT_TRUE(contains(r.err, "main.src.first: FAILED")) << r.err;
  EXPECT_EQ(version("main.src.later"), v);
  EXPECT_EQ(version("main.src.first"), -1);

  for (const char* d : {"later", "first"}) {
    fs::remove(data_ / d / "bad.csv");
    write_file(data_ / d / "f2.csv", "id,name,d\n3,c,dd\n");
  }
  run_ok();
  EXPECT_EQ(columns("main.src.later"), "id,name,_rescued_data,d");
  EXPECT_EQ(query("SELECT id, name, d FROM main.src.later ORDER BY id"),
            "id,name,d\n1,a,\n3,c,dd\n");
  EXPECT_EQ(columns("main.src.first"), "id,name,d,_rescued_data");
  EXPECT_EQ(query("SELECT id, name, d FROM main.src.first"), "id,name,d\n3,c,dd\n");
}

// ---------------------------------------------------------------------------------------------
// 3. Corrupt and unreadable files

// Good files, then a corrupt one next to a good one: fails naming it, on every run, commits
// nothing; once it is removed the next run reads the good files exactly once.
TEST_F(RunSourcesCli, CorruptParquetFileFailsNamingItAndIsRetriedUntilRemoved) {
  // Inferred schema (schemaEvolutionMode addNewColumns) and a given schema (no inference: the
  // file is first opened when the batch is read).
  const nlohmann::json parquet = {{"cloudFiles.format", "parquet"}};
  nlohmann::json given = entity("p2", dir("p2"), "cloudFiles", parquet);
  given["source_schema"] = "id INT, name STRING";
  upsert({entity("p1", dir("p1"), "cloudFiles", parquet), given});
  for (const char* d : {"p1", "p2"}) {
    write_parquet(data_ / d / "good1.parquet", "SELECT 1::INT AS id, 'a' AS name");
  }
  run_ok();
  const int64_t v1 = version("main.src.p1"), v2 = version("main.src.p2");
  ASSERT_GE(v1, 0);
  ASSERT_GE(v2, 0);

  for (const char* d : {"p1", "p2"}) {
    write_parquet(data_ / d / "good2.parquet",
                  "SELECT 2::INT AS id, 'b' AS name UNION ALL SELECT 3, 'c'");
    write_file(data_ / d / "corrupt.parquet", "this is not a parquet file, just some bytes\n");
  }
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto r = run_failing();
    EXPECT_TRUE(contains(r.err, "main.src.p1: FAILED")) << r.err;
    EXPECT_TRUE(contains(r.err, "main.src.p2: FAILED")) << r.err;
    EXPECT_TRUE(contains(r.err, data_.string() + "/p1/corrupt.parquet")) << r.err;
    EXPECT_TRUE(contains(r.err, data_.string() + "/p2/corrupt.parquet")) << r.err;
    EXPECT_EQ(version("main.src.p1"), v1) << "nothing committed";
    EXPECT_EQ(version("main.src.p2"), v2) << "nothing committed";
  }

  for (const char* d : {"p1", "p2"}) fs::remove(data_ / d / "corrupt.parquet");
  run_ok();
  for (const char* t : {"main.src.p1", "main.src.p2"}) {
    EXPECT_EQ(query(std::string("SELECT id, name FROM ") + t + " ORDER BY id"),
              "id,name\n1,a\n2,b\n3,c\n")
        << t;
  }
  run_ok();
  EXPECT_EQ(version("main.src.p1"), v1 + 1);
  EXPECT_EQ(version("main.src.p2"), v2 + 1);
}

// The file is opened when the schema is inferred (c1: addNewColumns) or when the batch is read
// (c2: rescue, no inference).
TEST_F(RunSourcesCli, UnreadableCsvFileFailsNamingItUntilItIsReadable) {
  upsert({entity("c1", dir("c1"), "cloudFiles", kCsvHeader),
          entity("c2", dir("c2"), "cloudFiles",
                 with(kCsvHeader, {{"cloudFiles.schemaEvolutionMode", "rescue"}}))});
  if (::geteuid() == 0 && !run_as_nobody()) {
    GTEST_SKIP() << "running as root, and dls cannot be run as user nobody (setpriv) here";
  }
  std::map<std::string, int64_t> before;
  for (const char* d : {"c1", "c2"}) write_file(data_ / d / "ok.csv", "id,name\n1,a\n");
  run_ok();
  for (const char* d : {"c1", "c2"}) {
    before[d] = version(std::string("main.src.") + d);
    write_file(data_ / d / "locked.csv", "id,name\n2,b\n");
    ASSERT_EQ(::chmod((data_ / d / "locked.csv").c_str(), 0), 0);
  }
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto r = run_failing();
    for (const char* d : {"c1", "c2"}) {
      EXPECT_TRUE(contains(r.err, (data_ / d / "locked.csv").string())) << r.err;
      EXPECT_EQ(version(std::string("main.src.") + d), before[d]);
    }
  }
  for (const char* d : {"c1", "c2"}) ::chmod((data_ / d / "locked.csv").c_str(), 0644);
  run_ok();
  for (const char* d : {"c1", "c2"}) {
    EXPECT_EQ(query(std::string("SELECT id, name FROM main.src.") + d + " ORDER BY id"),
              "id,name\n1,a\n2,b\n");
  }
}

// ---------------------------------------------------------------------------------------------
// 4. Empty source directories

TEST_F(RunSourcesCli, EmptyDirectories) {
  nlohmann::json typed = entity("typed", dir("typed"), "csv", {{"header", "true"}});
  typed["is_streaming"] = false;
  typed["source_schema"] = "id INT, name STRING";
  nlohmann::json untyped = entity("untyped", dir("untyped"), "csv", {{"header", "true"}});
  untyped["is_streaming"] = false;
  upsert({entity("cf", dir("cf"), "cloudFiles", kCsvHeader), typed, untyped});

  auto r = run_failing("run --format json");
  EXPECT_EQ(statuses(r), (std::map<std::string, std::string>{{"main.src.cf", "UP_TO_DATE"},
                                                             {"main.src.typed", "COMPLETED"},
                                                             {"main.src.untyped", "FAILED"}}));
  // cloudFiles: nothing to do, no table.
  EXPECT_EQ(version("main.src.cf"), -1);
  // batch with source_schema: zero rows with the given columns.
  EXPECT_EQ(query("SELECT count(*) FROM main.src.typed"), "count_star()\n0\n");
  EXPECT_EQ(columns("main.src.typed"), "id,name");
  // batch without a schema: Spark's error.
  EXPECT_TRUE(contains(r.err, "main.src.untyped: FAILED")) << r.err;
  EXPECT_TRUE(contains(r.err, "unable to infer a schema")) << r.err;
  EXPECT_TRUE(contains(r.err, data_.string() + "/untyped")) << r.err;
  EXPECT_EQ(version("main.src.untyped"), -1);

  write_file(data_ / "cf" / "f.csv", "id,name\n1,a\n");
  write_file(data_ / "untyped" / "f.csv", "id,name\n1,a\n");
  run_ok();
  EXPECT_EQ(query("SELECT id, name FROM main.src.cf"), "id,name\n1,a\n");
  EXPECT_EQ(query("SELECT id, name FROM main.src.untyped"), "id,name\n1,a\n");
}

// ---------------------------------------------------------------------------------------------
// 5. delta sources: upstream deleted, upstream rewritten

class DeltaSourceCli : public RunSourcesCli {
 protected:
  /// Upstream pipeline main.up: events (cloudFiles csv). Downstream pipeline main.down: mirror
  /// (streaming delta source by path) -> mirror_count (materialized view), snapshot (batch delta
  /// source by path, a materialized view), and an independent cloudFiles dataset `other`.
  void SetUp() override {
    RunSourcesCli::SetUp();
    write_file(data_ / "up" / "e1.csv", "id\n1\n2\n");
    write_file(data_ / "other" / "o1.csv", "id\n1\n");
    upsert({entity("events", dir("up"), "cloudFiles", kCsvHeader, "main.up")});
    run_ok("run --group main.up");
    auto d = describe("main.up.events");
    ASSERT_FALSE(d.is_null());
    upstream_ = d["location"].get<std::string>();
    ASSERT_TRUE(fs::is_directory(upstream_)) << upstream_;
    nlohmann::json snapshot = entity("snapshot", upstream_, "delta", nullptr, "main.down");
    snapshot["is_streaming"] = false;
    snapshot["select_expr"] = {"count(*) AS n"};
    upsert({mirror(nullptr), mirror_count(), snapshot,
            entity("other", dir("other"), "cloudFiles", kCsvHeader, "main.down")});
    run_ok("run --group main.down");
    ASSERT_EQ(query("SELECT id FROM main.down.mirror ORDER BY id"), "id\n1\n2\n");
  }

  nlohmann::json mirror(const nlohmann::json& read_options) const {
    nlohmann::json e = entity("mirror", upstream_, "delta", read_options, "main.down");
    e["is_streaming"] = true;
    e["select_expr"] = {"id"};
    return e;
  }
  static nlohmann::json mirror_count() {
    nlohmann::json e = entity("mirror_count", "mirror", "dlt", nullptr, "main.down");
    e["is_streaming"] = false;
    e["select_expr"] = {"count(*) AS n"};
    return e;
  }

  std::string upstream_;
};

TEST_F(DeltaSourceCli, StreamingReadsOnlyNewAppends) {
  write_file(data_ / "up" / "e2.csv", "id\n3\n");
  run_ok("run --group main.up");
  run_ok("run --group main.down");
  EXPECT_EQ(query("SELECT id FROM main.down.mirror ORDER BY id"), "id\n1\n2\n3\n");
  EXPECT_EQ(query("SELECT n FROM main.down.mirror_count"), "n\n3\n");
}

TEST_F(DeltaSourceCli, DeletedUpstreamTableFailsTheReaderAndSkipsItsDownstream) {
  const int64_t v_mirror = version("main.down.mirror");
  const int64_t v_count = version("main.down.mirror_count");
  fs::remove_all(upstream_);
  write_file(data_ / "other" / "o2.csv", "id\n2\n");

  const int64_t v_snapshot = version("main.down.snapshot");
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto r = run_failing("run --format json --group main.down");
    EXPECT_EQ(statuses(r), (std::map<std::string, std::string>{
                               {"main.down.mirror", "FAILED"},
                               {"main.down.mirror_count", "SKIPPED"},
                               {"main.down.snapshot", "FAILED"},
                               {"main.down.other", attempt ? "UP_TO_DATE" : "COMPLETED"}}));
    for (const char* entity : {"mirror", "snapshot"}) {
      const std::string line = "main.down." + std::string(entity) + ": FAILED: ";
      const size_t at = r.err.find(line);
      ASSERT_NE(at, std::string::npos) << r.err;
      const std::string message = r.err.substr(at, r.err.find('\n', at) - at);
      EXPECT_TRUE(contains(message, "entity '" + std::string(entity) + "'")) << message;
      EXPECT_TRUE(contains(message, "delta source " + upstream_)) << message;
      EXPECT_TRUE(contains(message, "no Delta table")) << message;
    }
    EXPECT_TRUE(contains(r.err,
                         "main.down.mirror_count: SKIPPED: upstream dataset "
                         "main.down.mirror failed"))
        << r.err;
    EXPECT_EQ(version("main.down.mirror"), v_mirror);
    EXPECT_EQ(version("main.down.mirror_count"), v_count);
    EXPECT_EQ(version("main.down.snapshot"), v_snapshot);
  }
  EXPECT_EQ(query("SELECT id FROM main.down.other ORDER BY id"), "id\n1\n2\n")
      << "the independent dataset is still updated";
}

TEST_F(DeltaSourceCli, UpstreamRewriteFailsNamingTheVersionUnlessSkipChangeCommits) {
  // A full refresh of the upstream truncates it (a commit removing every file) and appends all
  // its files again (a bare --full-refresh: every dataset of the selection).
  write_file(data_ / "up" / "e2.csv", "id\n3\n");
  run_ok("run --full-refresh --group main.up --yes");
  auto history = dls("table history --format json main.up.events");
  ASSERT_EQ(history.exit_code, 0) << history.err;
  int64_t truncate_version = -1;
  for (const auto& h : nlohmann::json::parse(history.out)) {
    if (h.value("operation", "") == "TRUNCATE") truncate_version = h["version"].get<int64_t>();
  }
  ASSERT_GE(truncate_version, 0) << history.out;

  const int64_t v_mirror = version("main.down.mirror");
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto r = run_failing("run --group main.down");
    EXPECT_TRUE(contains(r.err, "main.down.mirror: FAILED")) << r.err;
    EXPECT_TRUE(contains(r.err, "version " + std::to_string(truncate_version) +
                                    " changes existing rows (operation TRUNCATE)"))
        << r.err;
    EXPECT_TRUE(contains(r.err, "skipChangeCommits")) << "says how to proceed: " << r.err;
    EXPECT_TRUE(contains(r.err, "main.down.mirror_count: SKIPPED")) << r.err;
    EXPECT_EQ(version("main.down.mirror"), v_mirror);
  }

  // skipChangeCommits: the truncate is ignored; the rows appended after it (all of them, again,
  // as in Databricks) are read.
  upsert({mirror({{"skipChangeCommits", "true"}})});
  run_ok("run --group main.down");
  EXPECT_EQ(query("SELECT id, count(*) AS c FROM main.down.mirror GROUP BY id ORDER BY id"),
            "id,c\n1,2\n2,2\n3,1\n");
  EXPECT_EQ(query("SELECT n FROM main.down.mirror_count"), "n\n5\n");
  write_file(data_ / "up" / "e3.csv", "id\n4\n");
  run_ok("run --group main.up");
  run_ok("run --group main.down");
  EXPECT_EQ(query("SELECT count(*), count(DISTINCT id) FROM main.down.mirror"),
            "count_star(),count(DISTINCT id)\n6,4\n");
}

// Progress of a run in a log (stderr not a terminal, issue 14): the first committed batch with
// files and rows read, the files still waiting and an ETA; the end line with files and batches.
TEST_F(RunSourcesCli, ProgressLinesNameBatchesFilesBacklogAndEta) {
  const std::string in = dir("progress");
  for (int f = 0; f < 3; ++f) {
    write_file(fs::path(in) / ("f" + std::to_string(f) + ".csv"),
               "id\n" + std::to_string(f) + "\n");
  }
  upsert(nlohmann::json::array({entity("bronze", in, "cloudFiles",
                                       {{"cloudFiles.format", "csv"},
                                        {"header", "true"},
                                        {"cloudFiles.maxFilesPerTrigger", "1"}})}));
  auto r = dls("run");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "main.src.bronze: RUNNING\n")) << r.err;
  EXPECT_TRUE(contains(r.err,
                       "main.src.bronze: 1 batch committed (1 row read from 1 file, 1 "
                       "written; "))
      << r.err;
  EXPECT_TRUE(contains(r.err, "; 2 files waiting, ETA ")) << r.err;
  EXPECT_TRUE(contains(r.err,
                       "main.src.bronze: COMPLETED (3 rows read in 3 batches, 3 rows "
                       "written, 3 files read, "))
      << r.err;
  EXPECT_FALSE(contains(r.err, "\033[K")) << "no terminal codes in a log";

  auto quiet = dls("--quiet run --full-refresh --yes");
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_FALSE(contains(quiet.err, "batch committed")) << quiet.err;
  EXPECT_FALSE(contains(quiet.err, "RUNNING")) << quiet.err;
  EXPECT_TRUE(contains(quiet.err, "main.src.bronze: FULL_REFRESH (")) << quiet.err;
}

}  // namespace
}  // namespace dls
