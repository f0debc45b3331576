// CDC benchmark (issue 4): apply_changes of CHANGES change events (70% updates of existing keys,
// 20% inserts, 10% deletes, one sequence each) into a TARGET-row Delta table, SCD type 1 and 2,
// against a hand-written DuckDB `MERGE INTO` doing the SCD1 upsert of the same changes in the same
// process (latest event per key, then MERGE; alone and followed by writing the table to Parquet).
//
// Then (issue 12) the cost of a small batch as the target grows: SMALL changes (default 15,000)
// into a 150,000-row and a TARGET-row table, SCD1 and SCD2, both created as apply_changes creates
// CDC targets (deletion vectors on); the ratio large / small is what "costs the change" means.
//
// Usage: cdc_bench [TARGET=10000000] [CHANGES=1000000] [WORKDIR=/tmp/dls-cdc-bench] [SMALL=15000]
// (or the environment variables DLS_CDC_BENCH_TARGET / DLS_CDC_BENCH_CHANGES to scale down).
// Prints Markdown table rows for bench/RESULTS.md.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <string>

#include "dls/delta/delta_table.h"
#include "dls/delta/table_scan.h"
#include "dls/pipeline/apply_changes.h"
#include "dls/sql/connection.h"
#include "dls/sql/database.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

int64_t arg_or_env(int argc, char** argv, int index, const char* env, int64_t fallback) {
  if (argc > index) return std::stoll(argv[index]);
  if (const char* v = std::getenv(env)) return std::stoll(v);
  return fallback;
}

void row(const std::string& what, double seconds, const std::string& notes) {
  std::cout << "| " << what << " | " << std::fixed << std::setprecision(2) << seconds << " s | "
            << notes << " |" << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t target_rows = arg_or_env(argc, argv, 1, "DLS_CDC_BENCH_TARGET", 10'000'000);
  const int64_t changes = arg_or_env(argc, argv, 2, "DLS_CDC_BENCH_CHANGES", 1'000'000);
  const fs::path work = argc > 3 ? fs::path(argv[3]) : fs::path("/tmp/dls-cdc-bench");
  fs::remove_all(work);
  fs::create_directories(work);

  dls::sql::Database db;
  auto con = db.connect();
  const std::string n = std::to_string(target_rows);
  con.execute(
      "CREATE TABLE base AS SELECT i::BIGINT AS id, 'name_' || i AS name, "
      "(i % 1000) * 1.5 AS amount FROM range(" +
      n + ") t(i)");
  con.execute("CREATE TABLE changes AS SELECT CASE WHEN i % 10 < 7 THEN hash(i) % " + n +
              " WHEN i % 10 < 9 THEN " + n + " + i ELSE hash(i * 7919) % " + n +
              " END::BIGINT AS id, 'changed_' || i AS name, i * 0.5 AS amount, CASE WHEN i % 10 = "
              "9 THEN 'D' ELSE 'U' END AS op, (i + 1)::BIGINT AS seq FROM range(" +
              std::to_string(changes) + ") t(i)");
  std::cout << "target rows: " << target_rows << ", changes: " << changes << "\n\n";
  std::cout << "| benchmark | time | notes |\n|---|---|---|\n";

  dls::ApplyChanges spec;
  spec.sequence_by = "seq";
  spec.apply_as_deletes = "op = 'D'";
  spec.except_column_list = {"op", "seq"};

  for (int scd : {1, 2}) {
    std::string target = (work / ("scd" + std::to_string(scd))).string();
    std::string select = scd == 1 ? "SELECT * FROM base"
                                  : "SELECT *, 0::BIGINT AS __START_AT, NULL::BIGINT AS __END_AT "
                                    "FROM base";
    auto start = Clock::now();
    auto schema_result = con.query("DESCRIBE " + select);
    dls::delta::Schema schema;
    for (auto& r : schema_result.rows())
      schema.fields.push_back(
          {r[0].as_string(), dls::delta::DataType::from_duckdb(r[1].as_string()), true});
    dls::delta::CreateOptions create;
    create.properties["delta.enableDeletionVectors"] = "true";  // as apply_changes creates targets
    auto table = dls::delta::DeltaTable::create(target, schema, create);
    dls::delta::WriteOptions load;
    load.target_file_rows = 1'000'000;
    table.append(con, select, load);
    row("load the " + n + "-row SCD" + std::to_string(scd) + " target (Delta append)",
        seconds_since(start), "setup, not CDC");

    spec.stored_as_scd_type = scd;
    dls::pipeline::ApplyChangesRequest request;
    request.target_root = target;
    request.state_root = target + "_state";
    request.changes_sql = "SELECT * FROM changes";
    request.keys = {"id"};
    request.spec = spec;
    request.txn_app_id = "bench";
    request.txn_version = 1;
    start = Clock::now();
    auto m = dls::pipeline::apply_changes(con, request);
    row("apply_changes SCD" + std::to_string(scd), seconds_since(start),
        std::to_string(m.num_upserted_rows) + " upserted, " + std::to_string(m.num_deleted_rows) +
            " deleted, " + std::to_string(m.num_versions_closed) + " versions closed; commit v" +
            std::to_string(m.target_version));
  }

  // Hand-written SCD1 upsert with DuckDB's MERGE INTO on an in-memory copy of the same target.
  con.execute("CREATE TABLE merged AS SELECT * FROM base");
  auto start = Clock::now();
  con.execute(
      "MERGE INTO merged AS t USING (SELECT * FROM changes QUALIFY row_number() OVER "
      "(PARTITION BY id ORDER BY seq DESC) = 1) AS c ON t.id = c.id "
      "WHEN MATCHED AND c.op = 'D' THEN DELETE "
      "WHEN MATCHED THEN UPDATE SET name = c.name, amount = c.amount "
      "WHEN NOT MATCHED AND c.op <> 'D' THEN INSERT VALUES (c.id, c.name, c.amount)");
  double merge = seconds_since(start);
  row("DuckDB MERGE INTO (SCD1 upsert, in-memory table)", merge, "baseline");
  start = Clock::now();
  con.execute("COPY merged TO '" + (work / "merged.parquet").string() + "' (FORMAT parquet)");
  row("DuckDB MERGE INTO + COPY to Parquet", merge + seconds_since(start),
      "baseline incl. writing the result");
  // Cross-check: the SCD1 target equals the MERGE result.
  dls::delta::TableScan scan(dls::delta::DeltaTable::open((work / "scd1").string()).snapshot());
  auto diff = con.query("SELECT count(*) FROM ((SELECT * FROM (" + scan.sql(con) +
                        ")) EXCEPT ALL (SELECT * FROM merged))")
                  .scalar()
                  .as_int();
  std::cout << "\nrows of the SCD1 target not in the MERGE result: " << diff << "\n";
  if (diff != 0) return 1;

  // A small batch into a small and a large target: the ratio is the cost of the table's size.
  const int64_t small = argc > 4 ? std::stoll(argv[4]) : 15'000;
  std::cout << "\n| batch of " << small << " changes | into 150,000 rows | into " << n
            << " rows | ratio |\n|---|---|---|---|\n";
  for (int scd : {1, 2}) {
    double seconds[2] = {0, 0};
    int64_t sizes[2] = {150'000, target_rows};
    for (int which = 0; which < 2; ++which) {
      const std::string rows_n = std::to_string(sizes[which]);
      const std::string target =
          (work / ("small_scd" + std::to_string(scd) + "_" + rows_n)).string();
      con.execute(
          "CREATE OR REPLACE TABLE small_changes AS SELECT CASE WHEN i % 10 < 7 THEN "
          "hash(i) % " +
          rows_n + " WHEN i % 10 < 9 THEN " + rows_n + " + i ELSE hash(i * 7919) % " + rows_n +
          " END::BIGINT AS id, 'changed_' || i AS name, i * 0.5 AS amount, CASE WHEN "
          "i % 10 = 9 THEN 'D' ELSE 'U' END AS op, (i + 2)::BIGINT AS seq FROM range(" +
          std::to_string(small) + ") t(i)");
      // The target as a first apply_changes batch creates it (with its state), then the batch.
      spec.stored_as_scd_type = scd;
      dls::pipeline::ApplyChangesRequest request;
      request.target_root = target;
      request.state_root = target + "_state";
      request.changes_sql =
          "SELECT i::BIGINT AS id, 'name_' || i AS name, (i % 1000) * 1.5 AS "
          "amount, 'U' AS op, 1::BIGINT AS seq FROM range(" +
          rows_n + ") t(i)";
      request.keys = {"id"};
      request.spec = spec;
      request.txn_app_id = "bench";
      request.txn_version = 1;
      dls::pipeline::apply_changes(con, request);
      request.changes_sql = "SELECT * FROM small_changes";
      request.txn_version = 2;
      auto start = Clock::now();
      dls::pipeline::apply_changes(con, request);
      seconds[which] = seconds_since(start);
    }
    std::cout << "| SCD" << scd << " | " << std::fixed << std::setprecision(2) << seconds[0]
              << " s | " << seconds[1] << " s | " << seconds[1] / seconds[0] << "x |" << std::endl;
  }

  // Disk: 100 SCD1 batches each changing 1% of a 1M-row target; the table's bytes on disk (data
  // and DV files, before any vacuum) against the bytes of its current rows written afresh.
  {
    const int64_t rows = 1'000'000;
    const std::string target = (work / "disk_scd1").string();
    spec.stored_as_scd_type = 1;
    dls::pipeline::ApplyChangesRequest request;
    request.target_root = target;
    request.state_root = target + "_state";
    request.keys = {"id"};
    request.spec = spec;
    request.txn_app_id = "bench";
    request.changes_sql =
        "SELECT i::BIGINT AS id, 'name_' || i AS name, (i % 1000) * 1.5 AS "
        "amount, 'U' AS op, 0::BIGINT AS seq FROM range(" +
        std::to_string(rows) + ") t(i)";
    request.txn_version = 0;
    dls::pipeline::apply_changes(con, request);
    auto start = Clock::now();
    for (int b = 1; b <= 100; ++b) {
      request.changes_sql = "SELECT (hash(i + " + std::to_string(b * 7919) + ") % " +
                            std::to_string(rows) + ")::BIGINT AS id, 'b" + std::to_string(b) +
                            "_' || i AS name, i * 0.5 AS amount, 'U' AS op, " + std::to_string(b) +
                            "::BIGINT AS seq FROM range(" + std::to_string(rows / 100) + ") t(i)";
      request.txn_version = b;
      dls::pipeline::apply_changes(con, request);
    }
    const double batches = seconds_since(start);
    auto bytes_under = [](const fs::path& dir) {
      int64_t total = 0;
      for (const auto& e : fs::recursive_directory_iterator(dir))
        if (e.is_regular_file() && e.path().string().find("_delta_log") == std::string::npos)
          total += static_cast<int64_t>(e.file_size());
      return total;
    };
    const std::string fresh = (work / "disk_fresh").string();
    dls::delta::TableScan scan(dls::delta::DeltaTable::open(target).snapshot());
    const std::string current = "SELECT * FROM (" + scan.sql(con) + ")";
    auto d = con.query("DESCRIBE " + current);
    dls::delta::Schema schema;
    for (auto& r : d.rows())
      schema.fields.push_back(
          {r[0].as_string(), dls::delta::DataType::from_duckdb(r[1].as_string()), true});
    dls::delta::DeltaTable::create(fresh, schema).append(con, current);
    const int64_t on_disk = bytes_under(target), live = bytes_under(fresh);
    std::cout << "\n100 SCD1 batches of 1% into 1,000,000 rows: " << std::fixed
              << std::setprecision(1) << batches << " s; table on disk " << on_disk / 1e6
              << " MB (data + DV files, before vacuum) vs its rows written afresh " << live / 1e6
              << " MB: " << std::setprecision(2) << static_cast<double>(on_disk) / live << "x"
              << std::endl;
  }
  return 0;
}
