#include "dls/pipeline/offsets_log.h"

#include <chrono>
#include <fstream>
#include <sstream>

#include "dls/core/error.h"
#include "pipeline/durable_file.h"

namespace dls::pipeline {

namespace {

std::optional<int64_t> batch_of(const std::filesystem::path& file) {
  if (file.extension() != ".json") return std::nullopt;
  std::string stem = file.stem().string();
  if (stem.empty() || stem.size() > 18) return std::nullopt;
  for (char c : stem) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  return std::stoll(stem);
}

}  // namespace

OffsetsLog::OffsetsLog(std::filesystem::path checkpoint_dir)
    : dir_(std::move(checkpoint_dir) / "offsets") {}

std::optional<OffsetsLog::Entry> OffsetsLog::read(int64_t batch) const {
  std::filesystem::path file = dir_ / (std::to_string(batch) + ".json");
  std::ifstream in(file);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  nlohmann::json j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("offsets") || !j.contains("batch") ||
      j["batch"] != batch) {
    throw Error("the offsets log entry " + file.string() +
                " is damaged (not the JSON dls wrote); run a full refresh of this dataset "
                "(dls run --full-refresh DATASET) to rebuild it");
  }
  return Entry{batch, j["offsets"]};
}

std::optional<OffsetsLog::Entry> OffsetsLog::latest() const {
  std::optional<int64_t> best;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir_, ec)) return std::nullopt;
  for (const auto& e : std::filesystem::directory_iterator(dir_)) {
    auto b = batch_of(e.path().filename());
    if (b && (!best || *b > *best)) best = b;
  }
  if (!best) return std::nullopt;
  return read(*best);
}

void OffsetsLog::write(int64_t batch, const nlohmann::json& offsets) {
  std::filesystem::path file = dir_ / (std::to_string(batch) + ".json");
  if (std::filesystem::exists(file)) {
    throw Error("the offsets log entry " + file.string() +
                " already exists; another update of this pipeline may be running");
  }
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  nlohmann::json j = {{"batch", batch}, {"offsets", offsets}, {"written_at_ms", now}};
  write_file_durably(file, j.dump() + "\n");
}

void OffsetsLog::forget(int64_t batch) {
  remove_durably(dir_ / (std::to_string(batch) + ".json"));
}

void OffsetsLog::purge_before(int64_t batch) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir_, ec)) return;
  for (const auto& e : std::filesystem::directory_iterator(dir_)) {
    auto b = batch_of(e.path().filename());
    if (b && *b < batch) std::filesystem::remove(e.path(), ec);
  }
}

}  // namespace dls::pipeline
