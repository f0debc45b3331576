// Helpers shared by the Delta writer tests: reading a table back through the reader and through
// plain read_parquet, and listing its log.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dls/delta/delta_table.h"
#include "dls/delta/table_scan.h"
#include "dls/sql/connection.h"
#include "dls/sql/quote.h"
#include "support/test_support.h"

namespace dls::delta::write_testing {

using Rows = std::vector<std::vector<std::string>>;

/// The rows of `sql`, every column rendered as VARCHAR ("NULL" for NULL), sorted.
inline Rows rows_as_text(sql::Connection& con, const std::string& sql) {
  auto result = con.query("SELECT COLUMNS(*)::VARCHAR FROM (" + sql + ") AS __t");
  Rows out;
  for (auto& row : result.rows()) {
    std::vector<std::string> r;
    for (auto& v : row) r.push_back(v.is_null() ? "NULL" : v.as_string());
    out.push_back(std::move(r));
  }
  std::sort(out.begin(), out.end());
  return out;
}

/// The table's rows through Snapshot + TableScan.
inline Rows table_rows(sql::Connection& con, const DeltaTable& table, std::string columns = "*") {
  TableScan scan(table.snapshot());
  return rows_as_text(con, "SELECT " + columns + " FROM (" + scan.sql(con) + ")");
}

/// Parsed lines of one commit file.
inline std::vector<nlohmann::json> commit_lines(const std::string& root, int64_t version) {
  std::string content = dls::testing::read_file(std::filesystem::path(root) / "_delta_log" /
                                                commit_file_name(version));
  std::vector<nlohmann::json> out;
  size_t pos = 0;
  while (pos < content.size()) {
    size_t end = content.find('\n', pos);
    if (end == std::string::npos) end = content.size();
    if (end > pos) out.push_back(nlohmann::json::parse(content.substr(pos, end - pos)));
    pos = end + 1;
  }
  return out;
}

/// The actions of one kind ("add", "remove", ...) in one commit.
inline std::vector<nlohmann::json> actions_of(const std::string& root, int64_t version,
                                              const std::string& kind) {
  std::vector<nlohmann::json> out;
  for (auto& line : commit_lines(root, version)) {
    if (line.contains(kind)) out.push_back(line[kind]);
  }
  return out;
}

/// Number of commit files in the log.
inline int count_commits(const std::string& root) {
  int n = 0;
  for (auto& e : std::filesystem::directory_iterator(std::filesystem::path(root) / "_delta_log")) {
    std::string name = e.path().filename().string();
    if (name.size() == 25 && name.ends_with(".json")) ++n;
  }
  return n;
}

/// Every regular file under the table root outside _delta_log (relative paths).
inline std::vector<std::string> data_files_on_disk(const std::string& root) {
  std::vector<std::string> out;
  for (auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    std::string rel = std::filesystem::relative(e.path(), root).string();
    if (rel.rfind("_delta_log", 0) == 0) continue;
    out.push_back(rel);
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline Schema schema_of(const std::string& json) {
  return Schema::from_json_string(json);
}

/// A one-column-per-field schema from (name, Delta type JSON) pairs.
inline Schema make_schema(const std::vector<std::pair<std::string, nlohmann::json>>& fields) {
  nlohmann::json j = {{"type", "struct"}, {"fields", nlohmann::json::array()}};
  for (const auto& [name, type] : fields) {
    j["fields"].push_back({{"name", name},
                           {"type", type},
                           {"nullable", true},
                           {"metadata", nlohmann::json::object()}});
  }
  return Schema::from_json_string(j.dump());
}

}  // namespace dls::delta::write_testing
