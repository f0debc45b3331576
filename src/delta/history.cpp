// DeltaTable::history: the table's versions, newest first, from each commit's commitInfo.
#include <algorithm>
#include <cctype>
#include <charconv>

#include "dls/core/error.h"
#include "dls/delta/delta_error.h"
#include "dls/delta/delta_table.h"

namespace dls::delta {

namespace {

/// The version of a commit file name (20 digits + ".json"), or -1.
int64_t commit_version(const std::string& name) {
  if (name.size() != 25 || name.compare(20, 5, ".json") != 0) return -1;
  for (size_t i = 0; i < 20; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(name[i]))) return -1;
  }
  int64_t v = -1;
  auto [end, ec] = std::from_chars(name.data(), name.data() + 20, v);
  return ec == std::errc() && end == name.data() + 20 ? v : -1;  // beyond int64: not a commit
}

}  // namespace

std::vector<HistoryEntry> DeltaTable::history(std::optional<int64_t> limit) const {
  std::vector<std::pair<int64_t, FileInfo>> commits;
  for (const auto& f : storage_->list(log_dir(root_))) {
    int64_t v = commit_version(f.name);
    if (v >= 0 && !f.is_directory) commits.emplace_back(v, f);
  }
  // A commit's time is what time travel by timestamp uses (snapshot.h): the commit file's
  // modification time, made strictly increasing over the log as Spark does, or the in-commit
  // timestamp when the commit has one. The writer's commitInfo.timestamp is taken before the
  // file exists, so showing it would make `timestamp => <shown time>` select the previous version.
  std::sort(commits.begin(), commits.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 1; i < commits.size(); ++i) {
    auto& t = commits[i].second.modification_time_ms;
    t = std::max(t, commits[i - 1].second.modification_time_ms + 1);
  }
  std::reverse(commits.begin(), commits.end());
  if (limit && static_cast<int64_t>(commits.size()) > *limit) {
    commits.resize(static_cast<size_t>(std::max<int64_t>(*limit, 0)));
  }
  std::vector<HistoryEntry> out;
  for (const auto& [version, file] : commits) {
    HistoryEntry e;
    e.version = version;
    e.timestamp_ms = file.modification_time_ms;
    e.operation_parameters = nlohmann::json::object();
    e.operation_metrics = nlohmann::json::object();
    e.commit_info = nlohmann::json::object();
    std::string content;
    try {
      content = storage_->read(log_dir(root_) + "/" + file.name);
    } catch (const NotFoundError&) {
      continue;  // removed by a concurrent log cleanup
    }
    // A blank commit file is a damaged commit (parse_commit), not a version without changes.
    if (content.find_first_not_of(" \t\r\n") == std::string::npos) {
      throw CorruptTableError("commit " + log_dir(root_) + "/" + file.name + " (version " +
                              std::to_string(version) +
                              "): the file holds no action; it was truncated or left behind by a "
                              "crashed writer or copy");
    }
    // Only the commitInfo line is parsed: add lines can be large and are not needed here.
    size_t pos = 0;
    while (pos < content.size()) {
      size_t end = content.find('\n', pos);
      if (end == std::string::npos) end = content.size();
      std::string_view line(content.data() + pos, end - pos);
      pos = end + 1;
      if (line.find("\"commitInfo\"") == std::string_view::npos) continue;
      nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (j.is_discarded()) {
        throw CorruptTableError("commit " + log_dir(root_) + "/" + file.name + " (version " +
                                std::to_string(version) +
                                "): invalid JSON (truncated or garbled commit)");
      }
      if (!j.is_object() || !j.contains("commitInfo") || !j["commitInfo"].is_object()) continue;
      e.commit_info = j["commitInfo"];
      const auto& ci = e.commit_info;
      if (ci.contains("inCommitTimestamp")) {
        if (auto ict = json_to_int64(ci["inCommitTimestamp"])) e.timestamp_ms = *ict;
      }
      if (ci.contains("operation") && ci["operation"].is_string()) {
        e.operation = ci["operation"].get<std::string>();
      }
      if (ci.contains("operationParameters")) e.operation_parameters = ci["operationParameters"];
      if (ci.contains("operationMetrics")) e.operation_metrics = ci["operationMetrics"];
      break;
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace dls::delta
