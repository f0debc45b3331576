// The C++ side of bench/python_overhead.py: the same two operations the Python benchmark times,
// through the C++ API, so the script can report the Python layer's overhead as a ratio.
//
//   python_overhead_cpp <warehouse> <control table> <data table> <repeats>
//
// 1. find_entities(by_all()) on the control table (the script fills it with 10,000 entities);
// 2. reading every row of <data table> as Arrow (the script writes 1,000,000 rows): the query
//    `dls.read_table` runs, exported with query_arrow_stream and every array consumed.
// Prints one JSON object: the median and the minimum milliseconds of each (wall clock, and CPU
// time of the process, all threads, which a busy shared machine disturbs less) and the counts.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dls/catalog/delta_table_source.h"
#include "dls/catalog/query_rewriter.h"
#include "dls/catalog/warehouse.h"
#include "dls/core/predicate.h"
#include "dls/sql/arrow_stream.h"
#include "dls/sql/connection.h"
#include "dls/sql/database.h"
#include "dls/sql/quote.h"
#include "dls/store/delta_live_store.h"

namespace {

struct Times {
  double wall_ms;
  double cpu_ms;
  double min_wall_ms;
  double min_cpu_ms;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

Times median_ms(int repeats, const std::function<void()>& run) {
  std::vector<double> wall;
  std::vector<double> cpu;
  for (int i = 0; i < repeats; ++i) {
    auto start = std::chrono::steady_clock::now();
    std::clock_t cpu_start = std::clock();
    run();
    cpu.push_back(1000.0 * static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC);
    wall.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
  }
  return {median(wall), median(cpu), *std::min_element(wall.begin(), wall.end()),
          *std::min_element(cpu.begin(), cpu.end())};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s WAREHOUSE CONTROL_TABLE DATA_TABLE REPEATS\n", argv[0]);
    return 2;
  }
  const dls::catalog::Warehouse warehouse(argv[1]);
  const std::string control = warehouse.resolve(argv[2]).root.string();
  const std::string table = argv[3];
  const int repeats = std::stoi(argv[4]);

  size_t entities = 0;
  Times find_ms = median_ms(repeats, [&] {
    dls::DeltaLiveStore store(control);  // a fresh object each time, as Python's find does
    entities = store.find_entities(dls::by_all()).size();
  });

  int64_t rows = 0;
  Times read_ms = median_ms(repeats, [&] {
    struct Session {
      dls::sql::Database db;
      dls::sql::Connection con{db.connect()};
    };
    auto session = std::make_shared<Session>();
    dls::catalog::DeltaTableSource source(session->con);
    dls::catalog::QueryRewriter rewriter(warehouse, source);
    std::string sql =
        rewriter.rewrite("SELECT * FROM delta_scan(" + dls::sql::quote_literal(table) + ")");
    ArrowArrayStream stream{};
    dls::sql::query_arrow_stream(session->con, sql, &stream, session);
    ArrowSchema schema{};
    stream.get_schema(&stream, &schema);
    schema.release(&schema);
    rows = 0;
    for (;;) {
      ArrowArray array{};
      if (stream.get_next(&stream, &array) != 0 || array.release == nullptr) break;
      rows += array.length;
      array.release(&array);
    }
    stream.release(&stream);
  });

  std::printf(
      "{\"find_entities_ms\": %.3f, \"find_entities_cpu_ms\": %.3f, "
      "\"find_entities_min_ms\": %.3f, \"find_entities_min_cpu_ms\": %.3f, \"entities\": %zu, "
      "\"read_table_ms\": %.3f, \"read_table_cpu_ms\": %.3f, \"read_table_min_ms\": %.3f, "
      "\"read_table_min_cpu_ms\": %.3f, \"rows\": %lld}\n",
      find_ms.wall_ms, find_ms.cpu_ms, find_ms.min_wall_ms, find_ms.min_cpu_ms, entities,
      read_ms.wall_ms, read_ms.cpu_ms, read_ms.min_wall_ms, read_ms.min_cpu_ms,
      static_cast<long long>(rows));
  return 0;
}
