// The live progress of `dls run` (issue 14): plain lines when stderr is not a terminal (a dataset
// starting, its batches with files, rows, backlog and ETA, a long query's percentage, its end), a
// redrawn status line on a terminal, nothing with --quiet. Driven by hand-made DatasetProgress
// events and a fake clock; tests/cli/run_cli_test.cpp sees the same lines from a real run.
#include <gtest/gtest.h>

#include <sstream>

#include "cli/context.h"
#include "cli/run_progress.h"

namespace dls::cli {
namespace {

using Kind = pipeline::DatasetProgress::Kind;

class RunProgress : public ::testing::Test {
 protected:
  pipeline::DatasetProgress event(Kind kind) {
    pipeline::DatasetProgress p;
    p.name = "main.s.orders";
    p.kind = kind;
    p.finished = kind == Kind::kFinished;
    p.result = &totals_;
    return p;
  }
  ProgressDisplay display(bool tty, bool quiet = false) {
    GlobalOptions o;
    o.quiet = quiet;
    ctx_ = std::make_unique<Context>(o, out_, err_);
    return ProgressDisplay(*ctx_, 2, tty, [this] { return now_; });
  }
  void batch(int64_t batches, int64_t files, int64_t rows, int64_t waiting) {
    totals_.num_batches = batches;
    totals_.num_input_files = files;
    totals_.num_input_rows = rows;
    totals_.num_output_rows = rows;
    totals_.backlog_files = waiting;
  }

  std::ostringstream out_, err_;
  std::unique_ptr<Context> ctx_;
  std::chrono::steady_clock::time_point now_{};
  pipeline::DatasetUpdate totals_{.name = "main.s.orders"};
};

TEST_F(RunProgress, PlainLinesShowBatchesFilesRowsBacklogAndEta) {
  ProgressDisplay d = display(false);
  d.update(event(Kind::kStarted));
  batch(1, 2, 200, 4);
  auto b = event(Kind::kBatchCommitted);
  b.elapsed_ms = 1500;
  b.eta_ms = 3000;
  d.update(b);
  // A second batch within a second of the first prints nothing; one later than that does.
  now_ += std::chrono::milliseconds(300);
  batch(2, 4, 400, 2);
  d.update(event(Kind::kBatchCommitted));
  now_ += std::chrono::seconds(2);
  batch(3, 6, 600, 0);
  auto last = event(Kind::kBatchCommitted);
  last.elapsed_ms = 4000;
  last.eta_ms = 0;
  d.update(last);
  totals_.status = pipeline::DatasetStatus::kCompleted;
  totals_.duration_ms = 4100;
  d.update(event(Kind::kFinished));
  d.finish();
  EXPECT_EQ(err_.str(),
            "main.s.orders: RUNNING\n"
            "main.s.orders: 1 batch committed (200 rows read from 2 files, 200 written; 1.5 s; "
            "4 files waiting, ETA 3.0 s)\n"
            "main.s.orders: 3 batches committed (600 rows read from 6 files, 600 written; 4.0 s)\n"
            "main.s.orders: COMPLETED (600 rows read in 3 batches, 600 rows written, 6 files "
            "read, 4.10 s)\n");
  EXPECT_EQ(out_.str(), "");
}

TEST_F(RunProgress, PlainLinesShowALongQueryEveryTenSeconds) {
  ProgressDisplay d = display(false);
  d.update(event(Kind::kStarted));
  auto q = event(Kind::kQueryProgress);
  q.result = nullptr;
  q.query_percent = 12.7;
  q.elapsed_ms = 5000;
  now_ += std::chrono::seconds(5);
  d.update(q);  // under 10 s since the start: nothing
  now_ += std::chrono::seconds(6);
  q.query_percent = 42.2;
  q.elapsed_ms = 11000;
  q.eta_ms = 75000;
  d.update(q);
  now_ += std::chrono::seconds(1);
  d.update(q);  // a second later: nothing
  EXPECT_EQ(err_.str(),
            "main.s.orders: RUNNING\n"
            "main.s.orders: 42% of the current query (11.0 s, ETA 1m 15s)\n");
}

TEST_F(RunProgress, ATerminalGetsOneRedrawnStatusLine) {
  ProgressDisplay d = display(true);
  d.update(event(Kind::kStarted));
  batch(2, 5, 1000, 3);
  auto b = event(Kind::kBatchCommitted);
  b.elapsed_ms = 2000;
  b.eta_ms = 1200;
  d.update(b);
  const std::string err = err_.str();
  EXPECT_EQ(err.find("RUNNING\n"), std::string::npos) << err;
  EXPECT_NE(
      err.find("\r\033[K[0/2] main.s.orders: 2 batches, 5 files, 1000 rows, 2.0 s, ETA 1.2 s"),
      std::string::npos)
      << err;
  auto q = event(Kind::kQueryProgress);
  q.query_percent = 61;
  q.elapsed_ms = 2500;
  d.update(q);
  EXPECT_NE(err_.str().find("1000 rows, 61%, 2.5 s"), std::string::npos) << err_.str();
  totals_.status = pipeline::DatasetStatus::kFailed;
  totals_.error = "boom";
  d.update(event(Kind::kFinished));
  d.finish();
  EXPECT_NE(err_.str().find("main.s.orders: FAILED: boom\n"), std::string::npos) << err_.str();
  EXPECT_EQ(err_.str().substr(err_.str().size() - 4), "\r\033[K");
}

TEST_F(RunProgress, QuietKeepsOnlyThePlainLineOfEachFinishedDataset) {
  for (bool tty : {false, true}) {
    err_.str("");
    ProgressDisplay d = display(tty, true);
    d.update(event(Kind::kStarted));
    batch(1, 1, 1, 0);
    d.update(event(Kind::kBatchCommitted));
    totals_.status = pipeline::DatasetStatus::kCompleted;
    totals_.duration_ms = 10;
    d.update(event(Kind::kFinished));
    d.finish();
    EXPECT_EQ(err_.str(),
              "main.s.orders: COMPLETED (1 rows read in 1 batch, 1 rows written, 1 file read, "
              "0.01 s)\n")
        << tty;
  }
}

}  // namespace
}  // namespace dls::cli
