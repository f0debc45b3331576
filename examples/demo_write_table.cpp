// The first part of `make demo`: writes a small partitioned Delta table into a warehouse through
// the library, then appends to it, so that `dls table history` and `dls query` have real commits
// to show.
//
// Usage: demo_write_table WAREHOUSE_DIR
#include <filesystem>
#include <iostream>

#include "dls/core/error.h"
#include "dls/delta/delta_table.h"
#include "dls/sql/connection.h"
#include "dls/sql/database.h"

namespace fs = std::filesystem;
using dls::delta::DataType;
using dls::delta::DeltaTable;
using dls::delta::Schema;
using dls::delta::StructField;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: demo_write_table WAREHOUSE_DIR\n";
    return 2;
  }
  try {
    fs::path root = fs::absolute(argv[1]) / "main" / "demo" / "trips";
    fs::remove_all(root);  // the demo starts from scratch each time
    Schema schema{{
        StructField{"trip_id", DataType::primitive("long"), false},
        StructField{"city", DataType::primitive("string"), true},
        StructField{"pickup_ts", DataType::primitive("timestamp"), true},
        StructField{"distance_km", DataType::primitive("double"), true},
        StructField{"fare", DataType::decimal(10, 2), true},
    }};
    dls::delta::CreateOptions options;
    options.partition_columns = {"city"};
    options.comment = "Taxi trips: the dls demo table";
    options.properties = {{"delta.checkpointInterval", "10"}};
    auto table = DeltaTable::create(root.string(), schema, options);
    std::cout << "created " << root.string() << " (version 0)\n";

    dls::sql::Database db;
    auto con = db.connect();
    const char* batch = R"(
      SELECT i::BIGINT AS trip_id,
             ['Lisbon', 'Porto', 'Faro'][1 + (i % 3)::INTEGER] AS city,
             (TIMESTAMPTZ '2026-11-01 00:00:00+00' + to_minutes(i * 7)) AS pickup_ts,
             round(1 + (i * 37 % 200) / 10.0, 1)::DOUBLE AS distance_km,
             (3.25 + (i * 37 % 200) / 10.0 * 0.85)::DECIMAL(10,2) AS fare
      FROM range(%FROM%, %TO%) t(i))";
    auto sql_for = [&](int from, int to) {
      std::string s = batch;
      s.replace(s.find("%FROM%"), 6, std::to_string(from));
      s.replace(s.find("%TO%"), 4, std::to_string(to));
      return s;
    };
    auto first = table.append(con, sql_for(0, 600));
    std::cout << "appended 600 trips (version " << first.version << ")\n";
    auto second = table.append(con, sql_for(600, 1000));
    std::cout << "appended 400 trips (version " << second.version << ")\n";
    auto deleted = table.delete_where(con, "distance_km > 20");
    std::cout << "deleted trips longer than 20 km (version " << deleted.version << ")\n";
    return 0;
  } catch (const dls::Error& e) {
    std::cerr << "demo_write_table: " << e.what() << "\n";
    return static_cast<int>(e.exit_code());
  }
}
