// Two processes appending to one Delta table at the same time (issue 2 acceptance): every commit
// lands exactly once, versions are contiguous, no row is lost or duplicated.
#include <gtest/gtest.h>

#include <fcntl.h>

#include <filesystem>
#include <set>

#include "child_process.h"
#include "dls/sql/database.h"
#include "write_test_support.h"

namespace dls::delta {
namespace {

using namespace write_testing;
using process_testing::ChildProcess;
using process_testing::describe_status;
namespace fs = std::filesystem;

constexpr int kWriters = 2;
constexpr int kCommitsPerWriter = 200;

/// Blocks until the parent closes the write end of the start pipe, so writers start together.
void wait_for_start(int read_fd) {
  char c;
  while (::read(read_fd, &c, 1) < 0 && errno == EINTR) {
  }
}

TEST(DeltaConcurrency, TwoProcessesAppendTwoHundredCommitsEach) {
  testing::TempDir dir;
  const std::string root = (dir / "t").string();
  DeltaTable::create(root, make_schema({{"id", "long"}, {"writer", "string"}}));

  int start[2];
  ASSERT_EQ(::pipe(start), 0);
  std::vector<std::unique_ptr<ChildProcess>> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.push_back(std::make_unique<ChildProcess>([&, w] {
      ::close(start[1]);
      sql::Database db("", {{"threads", "1"}});
      auto con = db.connect();
      auto table = DeltaTable::open(root);
      wait_for_start(start[0]);
      for (int i = 0; i < kCommitsPerWriter; ++i) {
        const int64_t id = static_cast<int64_t>(w) * 100000 + i;
        table.append(con, "SELECT " + std::to_string(id) + "::BIGINT AS id, 'w" +
                              std::to_string(w) + "' AS writer");
      }
      return 0;
    }));
  }
  ::close(start[0]);
  ::close(start[1]);  // go
  for (auto& w : writers) {
    int status = w->wait(std::chrono::seconds(180));
    ASSERT_TRUE(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "writer " << w->pid() << " " << describe_status(status);
  }

  auto table = DeltaTable::open(root);
  const int64_t last = kWriters * kCommitsPerWriter;
  EXPECT_EQ(table.snapshot().version(), last);
  // Versions 0..400, contiguous, each a complete commit with one add.
  for (int64_t v = 0; v <= last; ++v) {
    ASSERT_TRUE(fs::exists(fs::path(root) / "_delta_log" / commit_file_name(v))) << v;
    if (v == 0) continue;
    EXPECT_EQ(actions_of(root, v, "add").size(), 1u) << v;
    EXPECT_EQ(actions_of(root, v, "commitInfo").size(), 1u) << v;
  }
  EXPECT_EQ(count_commits(root), last + 1);
  EXPECT_EQ(table.history().size(), static_cast<size_t>(last + 1));

  // Every row exactly once.
  sql::Database db;
  auto con = db.connect();
  TableScan scan(table.snapshot());
  Rows rows = rows_as_text(con, "SELECT id, writer FROM (" + scan.sql(con) + ")");
  ASSERT_EQ(rows.size(), static_cast<size_t>(last));
  std::set<std::pair<int64_t, std::string>> seen;
  for (const auto& r : rows) seen.emplace(std::stoll(r[0]), r[1]);
  EXPECT_EQ(seen.size(), static_cast<size_t>(last)) << "duplicated rows";
  for (int w = 0; w < kWriters; ++w) {
    for (int i = 0; i < kCommitsPerWriter; ++i) {
      EXPECT_TRUE(seen.count({static_cast<int64_t>(w) * 100000 + i, "w" + std::to_string(w)}))
          << "missing row of writer " << w << " commit " << i;
    }
  }
  // Checkpoints written by racing writers are valid: loading from the newest matches the log.
  EXPECT_EQ(table.snapshot().checkpoint_version(), last);
  EXPECT_EQ(table.snapshot().files().size(), static_cast<size_t>(last));
}

}  // namespace
}  // namespace dls::delta
