#include "pipeline/sources/schema_store.h"

#include <fstream>
#include <sstream>
#include <system_error>

#include "dls/core/error.h"
#include "pipeline/sources/read_options.h"

namespace fs = std::filesystem;

namespace dls::pipeline::sources {

nlohmann::json schema_to_json(const SourceSchema& schema) {
  nlohmann::json cols = nlohmann::json::array();
  for (const auto& c : schema) cols.push_back({{"name", c.name}, {"type", c.type}});
  return cols;
}

SourceSchema schema_from_json(const nlohmann::json& j) {
  SourceSchema out;
  for (const auto& c : j)
    out.push_back({c.at("name").get<std::string>(), c.at("type").get<std::string>()});
  return out;
}

const SourceColumn* find_column(const SourceSchema& schema, const std::string& name) {
  const std::string lower = to_lower(name);
  for (const auto& c : schema) {
    if (to_lower(c.name) == lower) return &c;
  }
  return nullptr;
}

SchemaStore::SchemaStore(fs::path state_dir) : dir_(std::move(state_dir) / "_schemas") {}

std::optional<SchemaStore::Versioned> SchemaStore::latest() const {
  std::error_code ec;
  if (dir_.empty() || !fs::is_directory(dir_, ec)) return std::nullopt;
  std::optional<int64_t> best;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    const std::string stem = entry.path().stem().string();
    if (entry.path().extension() != ".json" || stem.empty() ||
        stem.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    const int64_t v = std::stoll(stem);
    if (!best || v > *best) best = v;
  }
  if (!best) return std::nullopt;
  const fs::path file = dir_ / (std::to_string(*best) + ".json");
  std::ifstream in(file);
  std::stringstream buf;
  buf << in.rdbuf();
  try {
    const auto j = nlohmann::json::parse(buf.str());
    return Versioned{*best, schema_from_json(j.at("columns"))};
  } catch (const std::exception& e) {
    throw Error("corrupt source schema file " + file.string() + ": " + e.what() +
                " (a full refresh of the dataset re-infers the schema)");
  }
}

void SchemaStore::remove_after(int64_t version) const {
  std::error_code ec;
  if (dir_.empty() || !fs::is_directory(dir_, ec)) return;
  std::vector<fs::path> stale;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    const std::string stem = entry.path().stem().string();
    if (entry.path().extension() != ".json" || stem.empty() || stem.size() > 18 ||
        stem.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    if (std::stoll(stem) > version) stale.push_back(entry.path());
  }
  for (const auto& file : stale) {
    std::error_code rm;
    fs::remove(file, rm);
    if (rm) throw Error("cannot remove the schema version " + file.string() + ": " + rm.message());
  }
}

void SchemaStore::persist(int64_t version, const SourceSchema& schema) const {
  const fs::path file = dir_ / (std::to_string(version) + ".json");
  std::error_code ec;
  if (fs::exists(file, ec)) {
    std::ifstream in(file);
    std::stringstream buf;
    buf << in.rdbuf();
    SourceSchema existing;
    try {
      existing = schema_from_json(nlohmann::json::parse(buf.str()).at("columns"));
    } catch (const std::exception&) {
    }
    if (existing != schema) {
      throw Error("source schema version " + std::to_string(version) + " in " + file.string() +
                  " differs from the schema planned for this batch; the source state was changed "
                  "outside the pipeline (run a full refresh of the dataset)");
    }
    return;
  }
  fs::create_directories(dir_);
  const nlohmann::json doc = {{"version", version}, {"columns", schema_to_json(schema)}};
  const fs::path tmp = dir_ / ("." + std::to_string(version) + ".json.tmp");
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << doc.dump(2) << '\n';
    if (!out) throw Error("cannot write " + tmp.string());
  }
  fs::rename(tmp, file);
}

}  // namespace dls::pipeline::sources
