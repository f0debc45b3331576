// Ctrl-C and SIGTERM during `dls run` (issue 14): the update stops cleanly — datasets not started
// are skipped, a running one commits nothing of its current batch, the event log ends the update
// CANCELED, the exit code is 130 — and the next run finishes the work with every row exactly once.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace dls {
namespace {

using dls::testing::run_dls;
using dls::testing::shell_quote;
using dls::testing::TempDir;
using dls::testing::write_file;

constexpr int kFiles = 300;  // one file per batch: long enough to be interrupted mid-way

class CancelCli : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    wh_ = (dir_.path() / "wh").string();
    for (int f = 0; f < kFiles; ++f) {
      write_file(dir_.path() / "in" / ("f" + std::to_string(1000 + f) + ".csv"),
                 "id\n" + std::to_string(f) + "\n");
    }
    nlohmann::json entities = nlohmann::json::array({{{"entity_id", "bronze"},
                                                      {"group", "main.c"},
                                                      {"source", (dir_.path() / "in").string()},
                                                      {"source_format", "cloudFiles"},
                                                      {"read_options",
                                                       {{"cloudFiles.format", "csv"},
                                                        {"header", "true"},
                                                        {"cloudFiles.maxFilesPerTrigger", "1"}}},
                                                      {"destination", "bronze"}},
                                                     {{"entity_id", "gold"},
                                                      {"group", "main.c"},
                                                      {"source", "bronze"},
                                                      {"source_format", "dlt"},
                                                      {"is_streaming", false},
                                                      {"select_expr", {"count(*) AS n"}},
                                                      {"destination", "gold"}}});
    ASSERT_EQ(dls("store init").exit_code, 0);
    auto up = dls("upsert --json " + shell_quote(entities.dump()));
    ASSERT_EQ(up.exit_code, 0) << up.err;
  }

  testing::CommandResult dls(const std::string& args) {
    return run_dls("--warehouse " + shell_quote(wh_) + " " + args, dir_.path());
  }

  TempDir dir_;
  std::string wh_;
};

TEST_P(CancelCli, AnInterruptedRunEndsCanceledAndTheNextRunFinishesExactlyOnce) {
  const std::string err_file = (dir_.path() / "run.err").string();
  const int code = testing::run_dls_signalled_after(
      wh_, {}, GetParam(), std::chrono::milliseconds(300), err_file, "main.c.bronze: RUNNING");
  const std::string err = testing::read_file(err_file);
  ASSERT_EQ(code, 130) << err;
  EXPECT_NE(err.find("CANCELED"), std::string::npos) << err;
  EXPECT_NE(err.find("main.c.gold: SKIPPED"), std::string::npos) << err;

  auto updates = dls("--format json updates");
  ASSERT_EQ(updates.exit_code, 0) << updates.err;
  EXPECT_EQ(nlohmann::json::parse(updates.out).back()["status"], "CANCELED") << updates.out;

  // What was committed reads, with no duplicates; the next run completes the rest.
  auto partial =
      dls("--format csv query \"SELECT count(*) = count(DISTINCT id) AS ok, "
          "count(*) < " +
          std::to_string(kFiles) + " AS partial FROM main.c.bronze\"");
  ASSERT_EQ(partial.exit_code, 0) << partial.err;
  EXPECT_EQ(partial.out, "ok,partial\ntrue,true\n");
  auto again = dls("run");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  auto all =
      dls("--format csv query \"SELECT count(*), count(DISTINCT id), "
          "(SELECT n FROM main.c.gold) AS n FROM main.c.bronze\"");
  const std::string n = std::to_string(kFiles);
  EXPECT_EQ(all.out, "count_star(),count(DISTINCT id),n\n" + n + "," + n + "," + n + "\n");
}

INSTANTIATE_TEST_SUITE_P(Signals, CancelCli, ::testing::Values(SIGINT, SIGTERM),
                         [](const auto& info) {
                           return std::string(info.param == SIGINT ? "SIGINT" : "SIGTERM");
                         });

}  // namespace
}  // namespace dls
