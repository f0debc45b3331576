// DuckDB's progress of a running query, as the runner samples it for progress displays
// (issue 14): a long query reports a percentage while it runs, and an ETA once it has advanced;
// no query, no sample.
#include "pipeline/query_progress_poller.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "dls/sql/database.h"

namespace dls::pipeline {
namespace {

TEST(QueryProgressPoller, SamplesALongQueryWhileItRuns) {
  sql::Database db("", {});
  sql::Connection con(db);
  con.enable_query_progress();
  con.execute("CREATE TABLE t AS SELECT range AS i, hash(range) AS h FROM range(12000000)");
  QueryProgressPoller poller(1, std::chrono::milliseconds(0));
  EXPECT_FALSE(poller.poll(0, con)) << "no query runs";

  std::atomic<bool> done{false};
  std::thread query([&] {
    con.query("SELECT count(DISTINCT h % 1000003), sum(i * (h % 7)) FROM t");
    done = true;
  });
  std::vector<QueryProgressPoller::Sample> samples;
  while (!done) {
    ASSERT_TRUE(poller.due());
    if (auto s = poller.poll(0, con)) samples.push_back(*s);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  query.join();
  ASSERT_FALSE(samples.empty()) << "DuckDB reported no progress for a multi-second query";
  bool eta = false;
  for (const auto& s : samples) {
    EXPECT_GE(s.percent, 0.0);
    EXPECT_LE(s.percent, 100.0);
    if (s.eta_ms) {
      eta = true;
      EXPECT_GE(*s.eta_ms, 0);
    }
  }
  EXPECT_TRUE(eta || samples.size() < 3) << samples.size() << " samples and no ETA";
  EXPECT_FALSE(poller.poll(0, con)) << "the query ended";
}

TEST(QueryProgressPoller, IsDueOncePerInterval) {
  QueryProgressPoller poller(1, std::chrono::hours(1));
  EXPECT_FALSE(poller.due());
  QueryProgressPoller always(1, std::chrono::milliseconds(0));
  EXPECT_TRUE(always.due());
  EXPECT_TRUE(always.due());
}

}  // namespace
}  // namespace dls::pipeline
