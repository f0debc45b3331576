// Store layer benchmarks (issue 3):
//  1. DeltaLiveStore::upsert of N new entities in one call, the same N again (nothing changed:
//     hash comparison only, no commit), and N changed entities (N new versions + N expired);
//  2. find_entities / find_history with a compound filter over N latest and 5·N history rows
//     (pushed down into SQL, and a by_predicate variant evaluated in C++ only);
//  3. enable/disable cascades along a chain of CHAIN entities (t0 → t1 → ... ).
//
// Usage: store_bench [N=10000] [CHAIN=1000] [WORKDIR=/tmp/dls-store-bench]
// The N-entity control table is left at WORKDIR/main/dls/control_table, so that
// `dls --warehouse WORKDIR list ...` can be timed afterwards. Prints Markdown table rows.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <string>

#include "dls/store/delta_live_store.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

dls::DeltaLiveEntity bench_entity(int i, int revision) {
  dls::DeltaLiveEntity e;
  e.entity_id = "e" + std::to_string(i);
  e.group = "g" + std::to_string(i % 10);
  e.source = "/data/in/" + std::to_string(i);
  e.source_format = "csv";
  e.destination = "t" + std::to_string(i);
  e.read_options = {{"header", "true"}};
  e.comment = "revision " + std::to_string(revision);
  if (i % 3 == 0) e.tags = {{"pii", "yes"}};
  e.select_expr = {"id", "name", "amount * 2 AS double_amount"};
  e.expectations.expect_all = {{"valid_id", "id IS NOT NULL"}};
  return dls::normalized(e);
}

std::vector<dls::DeltaLiveEntity> bench_entities(int n, int revision) {
  std::vector<dls::DeltaLiveEntity> out;
  out.reserve(n);
  for (int i = 0; i < n; ++i) out.push_back(bench_entity(i, revision));
  return out;
}

void row(const std::string& what, double seconds, const std::string& notes) {
  std::cout << "| " << what << " | " << std::fixed << std::setprecision(3) << seconds << " s | "
            << notes << " |\n";
}

template <typename F>
double best_of(int runs, F f) {
  double best = 1e100;
  for (int i = 0; i < runs; ++i) {
    auto start = Clock::now();
    f();
    best = std::min(best, seconds_since(start));
  }
  return best;
}

void bench_upsert_and_find(const fs::path& work, int n) {
  const fs::path root = work / "main" / "dls" / "control_table";
  dls::DeltaLiveStore store(root.string(), "bench");
  store.destroy();
  store.initialize();

  auto start = Clock::now();
  auto change = store.upsert(bench_entities(n, 0));
  row("upsert " + std::to_string(n) + " new entities (one call, one commit)", seconds_since(start),
      std::to_string(change.inserted.size()) + " inserted");

  start = Clock::now();
  change = store.upsert(bench_entities(n, 0));
  row("upsert the same " + std::to_string(n) + " entities again (no change, no commit)",
      seconds_since(start), std::to_string(change.unchanged.size()) + " unchanged");

  double changed = 0;
  for (int revision = 1; revision <= 4; ++revision) {
    start = Clock::now();
    store.upsert(bench_entities(n, revision));
    changed += seconds_since(start);
  }
  row("upsert " + std::to_string(n) + " changed entities (mean of 4 calls)", changed / 4,
      "table grows to " + std::to_string(5 * n) + " history rows");

  start = Clock::now();
  for (int i = 0; i < 20; ++i) store.upsert(bench_entity(i, 100));
  row("upsert 1 changed entity into " + std::to_string(n) + " latest / " + std::to_string(5 * n) +
          " rows (mean of 20 calls)",
      seconds_since(start) / 20,
      "row-level change (deletion vector + new versions), one commit each");

  const dls::Predicate filter =
      dls::by_group("g3") & dls::by_is_enabled() & ~dls::by_has_tag("pii");
  size_t found = 0;
  double t = best_of(3, [&] { found = store.find_entities(filter).size(); });
  row("find_entities(" + filter.to_string() + ") over " + std::to_string(n) + " latest", t,
      std::to_string(found) + " found; filter pushed down to SQL");
  t = best_of(3, [&] { found = store.find_history(filter).size(); });
  row("find_history(same filter) over " + std::to_string(n * 5 + 20) + " rows", t,
      std::to_string(found) + " found");
  const dls::Predicate opaque =
      dls::by_predicate([](const dls::DeltaLiveEntity& e) { return e.group == "g3"; }, "g3") &
      ~dls::by_has_tag("pii");
  t = best_of(3, [&] { found = store.find_entities(opaque).size(); });
  row("find_entities(by_predicate(C++) & ~by_has_tag) over " + std::to_string(n) + " latest", t,
      std::to_string(found) + " found; every latest row converted to an entity");
  t = best_of(3, [&] { found = store.find_history(dls::by_all()).size(); });
  row("find_history(by_all()) — all rows as entities", t, std::to_string(found) + " rows");
}

void bench_cascade(const fs::path& work, int chain) {
  dls::DeltaLiveStore store((work / "chain").string(), "bench");
  store.destroy();
  store.initialize();
  std::vector<dls::DeltaLiveEntity> entities;
  for (int i = 0; i < chain; ++i) {
    dls::DeltaLiveEntity e;
    e.entity_id = "c" + std::to_string(i);
    e.source = i == 0 ? "/data/in" : "t" + std::to_string(i - 1);
    e.source_format = i == 0 ? "csv" : "dlt";
    e.destination = "t" + std::to_string(i);
    entities.push_back(e);
  }
  store.upsert(entities);
  auto start = Clock::now();
  auto change = store.disable(dls::by_entity_id("c0"));
  row("disable(c0) cascading down a " + std::to_string(chain) + "-long chain", seconds_since(start),
      std::to_string(change.updated.size()) + " disabled, one commit");
  start = Clock::now();
  change = store.enable(dls::by_entity_id("c" + std::to_string(chain - 1)));
  row("enable(c" + std::to_string(chain - 1) + ") cascading up a " + std::to_string(chain) +
          "-long chain",
      seconds_since(start), std::to_string(change.updated.size()) + " enabled, one commit");
}

/// Issue 12: one changed entity upserted into a store of `small` and of `large` entities (3
/// versions each), the mean of 20 calls each, and their ratio (the cost of the store's size).
void bench_one_change_by_store_size(const fs::path& work, int small, int large) {
  double mean[2] = {0, 0};
  int sizes[2] = {small, large};
  for (int which = 0; which < 2; ++which) {
    // A warehouse per size (WORKDIR/sizeN), so that `dls --warehouse WORKDIR/sizeN list` can be
    // timed on it afterwards.
    dls::DeltaLiveStore store(
        (work / ("size" + std::to_string(sizes[which])) / "main" / "dls" / "control_table")
            .string(),
        "bench");
    store.destroy();
    store.initialize();
    for (int revision = 0; revision < 3; ++revision)
      store.upsert(bench_entities(sizes[which], revision));
    auto start = Clock::now();
    for (int i = 0; i < 20; ++i) store.upsert(bench_entity(i, 100 + i));
    mean[which] = seconds_since(start) / 20;
  }
  row("upsert 1 changed entity, " + std::to_string(small) + " entities x 3 versions (mean of 20)",
      mean[0], "row-level: a deletion vector and one new file per commit");
  row("upsert 1 changed entity, " + std::to_string(large) + " entities x 3 versions (mean of 20)",
      mean[1], "ratio large / small " + std::to_string(mean[1] / mean[0]).substr(0, 4) + "x");
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::stoi(argv[1]) : 10000;
  const int chain = argc > 2 ? std::stoi(argv[2]) : 1000;
  const fs::path work = argc > 3 ? fs::path(argv[3]) : fs::path("/tmp/dls-store-bench");
  fs::create_directories(work);
  std::cout << "| benchmark | time | notes |\n|---|---|---|\n";
  // DLS_STORE_BENCH_SIZE_ONLY=1: only the store-size comparison (for profiling it).
  if (!std::getenv("DLS_STORE_BENCH_SIZE_ONLY")) {
    bench_upsert_and_find(work, n);
    bench_cascade(work, chain);
  }
  bench_one_change_by_store_size(work, 20, 2 * n);
  return 0;
}
