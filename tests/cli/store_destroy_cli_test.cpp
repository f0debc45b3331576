// `dls store destroy` (issue 15, item 4), through the binary: it deletes only a dls control table
// (exit 3 and nothing deleted for any other Delta table) and only when confirmed (--yes, or y on a
// terminal; exit 2 without either).
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace dls {
namespace {

using nlohmann::json;
using testing::CommandResult;
using testing::run_dls;
using testing::shell_quote;
using testing::TempDir;
using testing::write_file;

class StoreDestroyCli : public ::testing::Test {
 protected:
  void SetUp() override {
    wh_ = (dir_.path() / "wh").string();
    ASSERT_EQ(dls("store init").exit_code, 0);
    ASSERT_EQ(dls("upsert --json " +
                  shell_quote(R"({"entity_id": "e", "source": "/in", "destination": "t",
                                  "source_format": "csv"})"))
                  .exit_code,
              0);
  }

  CommandResult dls(const std::string& args) {
    return run_dls("--warehouse " + shell_quote(wh_) + " " + args, dir_.path());
  }

  bool exists(const std::string& relative) {
    return std::filesystem::exists(std::filesystem::path(wh_) / relative / "_delta_log");
  }

  TempDir dir_;
  std::string wh_;
};

TEST_F(StoreDestroyCli, WithoutATerminalItNeedsYes) {
  CommandResult r = dls("store destroy");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("pass --yes"), std::string::npos) << r.err;
  EXPECT_TRUE(exists("main/dls/control_table"));
  EXPECT_EQ(dls("list").exit_code, 0);

  CommandResult yes = dls("store destroy --yes");
  EXPECT_EQ(yes.exit_code, 0) << yes.err;
  EXPECT_FALSE(exists("main/dls/control_table"));
  EXPECT_EQ(dls("store destroy").exit_code, 0) << "nothing to delete: nothing to confirm";
}

TEST_F(StoreDestroyCli, OnATerminalItAsks) {
  auto on_terminal = [&](const std::string& answer) {
    std::string command =
        shell_quote(DLS_BINARY) + " --warehouse " + shell_quote(wh_) + " store destroy";
    std::string sh = "printf " + shell_quote(answer) + " | script -qec " + shell_quote(command) +
                     " /dev/null > " + shell_quote((dir_.path() / "tty.out").string()) + " 2>&1";
    int status = std::system(sh.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  EXPECT_EQ(on_terminal("\n"), 1) << "the default answer is no";
  EXPECT_NE(testing::read_file(dir_.path() / "tty.out").find("[y/N]"), std::string::npos);
  EXPECT_TRUE(exists("main/dls/control_table"));
  EXPECT_EQ(on_terminal("yes\n"), 0) << testing::read_file(dir_.path() / "tty.out");
  EXPECT_FALSE(exists("main/dls/control_table"));
}

TEST_F(StoreDestroyCli, ATableThatIsNotAControlTableIsNotDeleted) {
  // A data table written by a pipeline.
  write_file(dir_.path() / "in" / "a.csv", "id\n1\n");
  write_file(dir_.path() / "p.yml",
             "delta_live_store:\n"
             "  - entity_id: data\n"
             "    group: main.sales\n"
             "    source: " +
                 (dir_.path() / "in").string() +
                 "\n"
                 "    source_format: csv\n"
                 "    read_options: {header: 'true'}\n"
                 "    destination: data\n");
  ASSERT_EQ(dls("load yaml p.yml").exit_code, 0);
  CommandResult run = dls("run --group main.sales");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_TRUE(exists("main/sales/data"));
  for (const char* args :
       {"--store main.sales.data store destroy --yes", "--store main.sales.data store destroy"}) {
    CommandResult r = dls(args);
    EXPECT_EQ(r.exit_code, 3) << args << ": " << r.err;
    EXPECT_NE(r.err.find("not a dls control table"), std::string::npos) << r.err;
    EXPECT_TRUE(exists("main/sales/data")) << args;
  }
  CommandResult q = dls("query --format csv 'SELECT count(*) AS n FROM main.sales.data'");
  EXPECT_EQ(q.out, "n\n1\n") << q.err;
}

TEST_F(StoreDestroyCli, HelpExplainsYes) {
  CommandResult help = dls("store destroy --help");
  ASSERT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--yes"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("dls.controlTable"), std::string::npos) << help.out;
}

}  // namespace
}  // namespace dls
