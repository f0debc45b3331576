// Delta layer benchmarks (issue 2):
//  1. append throughput of DeltaTable::append (Parquet + per-file stats + commit) against DuckDB's
//     own `COPY ... TO ... (FORMAT parquet)` of the same rows, in the same process;
//  2. snapshot load time of a 10,000-commit table, without and with checkpoints;
//  3. (issue 12) checkpoint write of a table of 10,000 active files, snapshot load of that table
//     behind its checkpoint, and 1,000 consecutive one-row appends to one table (time per 100
//     commits, first and last hundred).
//
// Usage: delta_bench [ROWS=2000000] [COMMITS=10000] [WORKDIR=/tmp/dls-bench] [ONLY=all|log]
// (ONLY=log runs part 3 alone, ONLY=load only its snapshot load.)
// Prints figures as Markdown table rows for bench/RESULTS.md.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <string>

#include "dls/delta/delta_table.h"
#include "dls/delta/snapshot.h"
#include "dls/delta/transaction.h"
#include "dls/sql/connection.h"
#include "dls/sql/database.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

int64_t dir_bytes(const fs::path& dir) {
  int64_t total = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".parquet") total += e.file_size();
  return total;
}

dls::delta::Schema bench_schema() {
  using dls::delta::DataType;
  using dls::delta::StructField;
  return dls::delta::Schema{{
      StructField{"id", DataType::primitive("long"), true},
      StructField{"name", DataType::primitive("string"), true},
      StructField{"amount", DataType::primitive("double"), true},
      StructField{"qty", DataType::primitive("integer"), true},
      StructField{"ts", DataType::primitive("timestamp"), true},
      StructField{"flag", DataType::primitive("boolean"), true},
  }};
}

void bench_append(const fs::path& work, int64_t rows) {
  dls::sql::Database db;
  auto con = db.connect();
  con.execute(
      "CREATE TABLE src AS SELECT range::BIGINT AS id, 'name-' || (range % 1000) AS name, "
      "(range * 1.5)::DOUBLE AS amount, (range % 100)::INTEGER AS qty, "
      "TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_seconds(range) AS ts, "
      "range % 2 = 0 AS flag FROM range(" +
      std::to_string(rows) + ")");
  // Warm-up both paths once on a small slice so neither pays first-use costs.
  fs::create_directories(work / "copy");
  con.execute("COPY (SELECT * FROM src LIMIT 1000) TO '" + (work / "copy/warm.parquet").string() +
              "' (FORMAT parquet)");

  const int reps = 3;
  double copy_best = 1e100, append_best = 1e100;
  int64_t copy_bytes = 0, append_bytes = 0;
  for (int r = 0; r < reps; ++r) {
    fs::path out = work / "copy" / ("out" + std::to_string(r) + ".parquet");
    auto t0 = Clock::now();
    con.execute("COPY (SELECT * FROM src) TO '" + out.string() + "' (FORMAT parquet)");
    copy_best = std::min(copy_best, seconds_since(t0));
    copy_bytes = static_cast<int64_t>(fs::file_size(out));

    fs::path table_root = work / ("delta" + std::to_string(r));
    fs::remove_all(table_root);
    auto table = dls::delta::DeltaTable::create(table_root.string(), bench_schema());
    auto t1 = Clock::now();
    table.append(con, "SELECT * FROM src");
    append_best = std::min(append_best, seconds_since(t1));
    append_bytes = dir_bytes(table_root);
  }
  auto mb = [](int64_t b) { return static_cast<double>(b) / (1024.0 * 1024.0); };
  std::cout << std::fixed << std::setprecision(2);
  std::cout << "| append " << rows << " rows: DuckDB COPY to parquet | " << copy_best << " s | "
            << rows / copy_best / 1e6 << " M rows/s | " << mb(copy_bytes) / copy_best
            << " MB/s |\n";
  std::cout << "| append " << rows << " rows: DeltaTable::append (parquet + stats + commit) | "
            << append_best << " s | " << rows / append_best / 1e6 << " M rows/s | "
            << mb(append_bytes) / append_best << " MB/s |\n";
  std::cout << "| ratio append / COPY | " << append_best / copy_best << "x | | |\n";
}

// Builds a table of `commits` commits, each adding one (metadata-only) file entry, through the
// real Transaction API, so checkpoints (every 10 commits) are written exactly as in production.
void build_log(const fs::path& root, int64_t commits) {
  dls::delta::CreateOptions options;
  options.properties["delta.checkpointInterval"] = "10";
  auto table = dls::delta::DeltaTable::create(root.string(), bench_schema(), options);
  for (int64_t v = 1; v < commits; ++v) {
    dls::delta::Transaction txn(table.snapshot());
    dls::delta::AddFile add;
    add.path = "part-" + std::to_string(v) + ".parquet";
    add.size = 1000;
    add.modification_time = 1700000000000 + v;
    add.stats = R"({"numRecords":10})";
    txn.add_file(add);
    txn.commit();
  }
}

/// The same log without checkpoints: the JSON commits only (building it through Transaction
/// would replay the whole log for every commit, O(n^2)).
void copy_commits_only(const fs::path& from, const fs::path& to) {
  fs::create_directories(to / "_delta_log");
  for (const auto& e : fs::directory_iterator(from / "_delta_log")) {
    const std::string name = e.path().filename().string();
    if (name.size() == 25 && name.ends_with(".json")) {
      fs::copy_file(e.path(), to / "_delta_log" / name);
    }
  }
}

void bench_snapshot(const fs::path& work, int64_t commits) {
  const fs::path with = work / "log_with_checkpoints";
  const fs::path without = work / "log_without_checkpoints";
  fs::remove_all(with);
  fs::remove_all(without);
  auto t0 = Clock::now();
  build_log(with, commits);
  const double build = seconds_since(t0);
  copy_commits_only(with, without);
  for (bool checkpoints : {false, true}) {
    const fs::path root = checkpoints ? with : without;
    double best = 1e100;
    size_t files = 0;
    for (int r = 0; r < 5; ++r) {
      auto t1 = Clock::now();
      auto snap = dls::delta::Snapshot::load(dls::delta::local_storage(), root.string());
      best = std::min(best, seconds_since(t1));
      files = snap.files().size();
    }
    std::cout << "| snapshot load, " << commits << " commits, "
              << (checkpoints ? "checkpoint every 10" : "no checkpoint") << " | " << best * 1000
              << " ms | " << files << " active files | ";
    if (checkpoints) std::cout << "log built through Transaction in " << build << " s";
    std::cout << " |\n";
  }
}

// A table whose version 1 adds `files` (empty placeholder) data files in one commit, without a
// checkpoint: the shape of a large table.
dls::delta::DeltaTable table_of_files(const fs::path& root, int64_t files) {
  fs::remove_all(root);
  dls::delta::CreateOptions options;
  options.properties["delta.checkpointInterval"] = "1000000";
  auto table = dls::delta::DeltaTable::create(root.string(), bench_schema(), options);
  dls::delta::Transaction txn(table.snapshot());
  for (int64_t i = 0; i < files; ++i) {
    const std::string name = "part-" + std::to_string(i) + ".parquet";
    std::ofstream(root / name).put('x');
    dls::delta::AddFile add;
    add.path = name;
    add.size = 1000 + i;
    add.modification_time = 1700000000000 + i;
    add.stats = R"({"numRecords":10,"minValues":{"id":)" + std::to_string(i * 10) +
                R"(},"maxValues":{"id":)" + std::to_string(i * 10 + 9) +
                R"(},"nullCount":{"id":0}})";
    txn.add_file(add);
  }
  txn.commit();
  return table;
}

// The time of one metadata-only commit that sets delta.checkpointInterval to `interval`: with
// "1" the commit writes a checkpoint of every active file, with a large one it writes none.
double metadata_commit(const dls::delta::DeltaTable& table, const std::string& interval) {
  auto snap = table.snapshot();
  dls::delta::Transaction txn(snap);
  auto metadata = snap.metadata();
  metadata.configuration["delta.checkpointInterval"] = interval;
  txn.set_metadata(metadata);
  auto t0 = Clock::now();
  auto result = txn.commit();
  const double elapsed = seconds_since(t0);
  if (result.checkpoint_error)
    std::cerr << "checkpoint failed: " << *result.checkpoint_error << "\n";
  return elapsed;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// The checkpoint write of a table of `files` active files (a small commit with a checkpoint minus
// one without, medians of 9), then the snapshot load of the checkpointed table.
void bench_checkpointed_files(const fs::path& work, int64_t files) {
  const fs::path root = work / "checkpointed_files";
  auto table = table_of_files(root, files);
  std::vector<double> with, without;
  for (int r = 0; r < 9; ++r) {
    without.push_back(metadata_commit(table, "1000000"));
    with.push_back(metadata_commit(table, "1"));
  }
  std::cout << "| checkpoint write, " << files << " active files (median of 9) | "
            << (median(with) - median(without)) * 1000 << " ms | commit with checkpoint "
            << median(with) * 1000 << " ms, without " << median(without) * 1000 << " ms |  |\n";
  std::vector<double> times;
  size_t active = 0;
  for (int r = 0; r < 21; ++r) {
    auto t0 = Clock::now();
    auto snap = dls::delta::Snapshot::load(dls::delta::local_storage(), root.string());
    times.push_back(seconds_since(t0));
    active = snap.files().size();
  }
  std::sort(times.begin(), times.end());
  std::cout << "| snapshot load, " << active << " active files, checkpointed (median of 21) | "
            << times[times.size() / 2] * 1000 << " ms | best " << times.front() * 1000
            << " ms | goal <= 30 ms |\n";
}

// 1,000 consecutive one-row appends through DeltaTable::append (Parquet file + stats + commit,
// checkpoint every 10 commits by default): the time of each hundred.
void bench_consecutive_commits(const fs::path& work, int64_t commits) {
  const fs::path root = work / "consecutive_commits";
  fs::remove_all(root);
  dls::sql::Database db;
  auto con = db.connect();
  auto table = dls::delta::DeltaTable::create(root.string(), bench_schema());
  std::vector<double> per_hundred;
  auto t0 = Clock::now();
  for (int64_t i = 1; i <= commits; ++i) {
    table.append(con, "SELECT " + std::to_string(i) +
                          "::BIGINT AS id, 'n' AS name, 1.5::DOUBLE AS amount, 1 AS qty, "
                          "TIMESTAMPTZ '2026-01-01 00:00:00+00' AS ts, true AS flag");
    if (i % 100 == 0) {
      per_hundred.push_back(seconds_since(t0));
      t0 = Clock::now();
    }
  }
  if (per_hundred.empty()) return;
  double total = 0;
  for (double t : per_hundred) total += t;
  std::cout << "| " << commits << " consecutive one-row appends | " << total
            << " s total | first 100: " << per_hundred.front()
            << " s, last 100: " << per_hundred.back() << " s (ratio "
            << per_hundred.back() / per_hundred.front() << ") | per hundred:";
  for (double t : per_hundred) std::cout << " " << t;
  std::cout << " |\n";
}

}  // namespace

int main(int argc, char** argv) {
  int64_t rows = argc > 1 ? std::stoll(argv[1]) : 2000000;
  int64_t commits = argc > 2 ? std::stoll(argv[2]) : 10000;
  fs::path work = argc > 3 ? fs::path(argv[3]) : fs::temp_directory_path() / "dls-bench-delta";
  fs::remove_all(work);
  fs::create_directories(work);
  const std::string only = argc > 4 ? argv[4] : "all";
  std::cout << "| benchmark | time | throughput | notes |\n|---|---|---|---|\n";
  if (only != "log") {
    bench_append(work, rows);
    bench_snapshot(work, commits);
  }
  bench_checkpointed_files(work, 10000);
  if (only != "load") bench_consecutive_commits(work, 1000);
  fs::remove_all(work);
  return 0;
}
