// Helpers shared by the source tests (tests/pipeline/sources_*_test.cpp).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "dls/core/entity.h"
#include "dls/pipeline/source.h"
#include "dls/sql/connection.h"
#include "dls/sql/database.h"

namespace dls::pipeline::testing {

inline DeltaLiveEntity file_entity(const std::string& format, const std::string& source,
                                   StringMap options = {}) {
  DeltaLiveEntity e;
  e.entity_id = "e1";
  e.source = source;
  e.source_format = format;
  e.destination = "t";
  e.read_options = std::move(options);
  normalize(e);
  return e;
}

/// Rows of `sql` ordered by all columns, each rendered as "v1|v2|...".
inline std::vector<std::string> rows_of(sql::Connection& con, const std::string& sql) {
  std::vector<std::string> out;
  auto result = con.query("SELECT * FROM (" + sql + ") ORDER BY ALL");
  for (const auto& row : result.rows()) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) line += (i ? "|" : "") + row[i].to_string();
    out.push_back(line);
  }
  return out;
}

inline std::vector<std::string> columns_of(sql::Connection& con, const std::string& sql) {
  std::vector<std::string> out;
  for (const auto& row : con.query("DESCRIBE " + sql).rows()) {
    out.push_back(row[0].as_string() + " " + row[1].as_string());
  }
  return out;
}

}  // namespace dls::pipeline::testing
