#include "delta/log_segment.h"

#include <algorithm>
#include <charconv>
#include <set>

#include <nlohmann/json.hpp>

#include "dls/core/error.h"
#include "dls/delta/delta_error.h"
#include "dls/delta/snapshot.h"

namespace dls::delta {

namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// A run of digits as an int64; nullopt when it does not fit (a file name such as
/// 99999999999999999999.json is not a version we can represent).
std::optional<int64_t> digits_value(std::string_view s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

struct MultiPartKey {
  int64_t version;
  int64_t parts;
  bool operator<(const MultiPartKey& o) const {
    return version != o.version ? version < o.version : parts < o.parts;
  }
};

}  // namespace

std::optional<int64_t> LogListing::latest_version() const {
  std::optional<int64_t> v;
  if (!commits.empty()) v = commits.rbegin()->first;
  if (!checkpoints.empty()) v = std::max(v.value_or(-1), checkpoints.back().version);
  return v;
}

std::optional<int64_t> LogListing::earliest_version() const {
  if (commits.count(0)) return 0;
  if (!checkpoints.empty()) return checkpoints.front().version;
  return std::nullopt;
}

std::optional<int64_t> read_last_checkpoint_version(const Storage& storage,
                                                    const std::string& table_root) {
  try {
    auto j = nlohmann::json::parse(storage.read(log_dir(table_root) + "/_last_checkpoint"));
    if (!j.is_object() || !j.contains("version")) return std::nullopt;
    auto v = json_to_int64(j["version"]);
    if (!v || *v < 0) return std::nullopt;
    return v;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;  // truncated or damaged: list the whole log
  } catch (const NotFoundError&) {
    return std::nullopt;
  }
}

LogListing list_log(const Storage& storage, const std::string& table_root,
                    std::optional<int64_t> from_version) {
  LogListing listing;
  listing.table_root = table_root;
  const std::string dir = log_dir(table_root);
  std::map<MultiPartKey, std::map<int64_t, LogFile>> multipart;
  std::string start;
  if (from_version) {
    start = commit_file_name(*from_version);
    start.resize(20);  // the 20-digit version prefix: every file of that version sorts after it
  }
  for (const FileInfo& f : storage.list_from(dir, start)) {
    if (f.is_directory) continue;
    std::string_view name = f.name;
    if (name.size() < 21 || !all_digits(name.substr(0, 20)) || name[20] != '.') continue;
    LogFile lf;
    auto version = digits_value(name.substr(0, 20));
    if (!version) {
      throw CorruptTableError("table " + table_root + ": the log file " + dir + "/" + f.name +
                              " has a version beyond the 64-bit range");
    }
    lf.version = *version;
    lf.path = dir + "/" + f.name;
    lf.size = f.size;
    lf.modification_time_ms = f.modification_time_ms;
    std::string_view rest = name.substr(21);
    if (rest == "json") {
      listing.commits.emplace(lf.version, std::move(lf));
      continue;
    }
    if (rest.rfind("checkpoint.", 0) != 0) continue;  // .crc, .compacted.json, temp files
    rest.remove_prefix(11);
    if (rest == "parquet") {
      listing.checkpoints.push_back({lf.version, CheckpointFiles::Kind::kClassic, {lf}});
      continue;
    }
    // Multi-part: <part>.<parts>.parquet, both 10 digits.
    if (ends_with(rest, ".parquet")) {
      std::string_view mid = rest.substr(0, rest.size() - 8);
      size_t dot = mid.find('.');
      if (dot != std::string_view::npos && all_digits(mid.substr(0, dot)) &&
          all_digits(mid.substr(dot + 1))) {
        auto part = digits_value(mid.substr(0, dot));
        auto parts = digits_value(mid.substr(dot + 1));
        // Out-of-range part numbers cannot name a complete checkpoint: ignored like a partial one.
        if (part && parts && *part >= 1 && *part <= *parts)
          multipart[{lf.version, *parts}].emplace(*part, lf);
        continue;
      }
      // V2: <uuid>.parquet
      listing.checkpoints.push_back({lf.version, CheckpointFiles::Kind::kV2Parquet, {lf}});
      continue;
    }
    if (ends_with(rest, ".json")) {
      listing.checkpoints.push_back({lf.version, CheckpointFiles::Kind::kV2Json, {lf}});
    }
  }
  for (auto& [key, parts] : multipart) {
    // Incomplete multi-part checkpoints (a writer died midway) are not usable.
    if (static_cast<int64_t>(parts.size()) != key.parts) continue;
    CheckpointFiles cp{key.version, CheckpointFiles::Kind::kMultiPart, {}};
    for (auto& [i, f] : parts) cp.files.push_back(std::move(f));
    listing.checkpoints.push_back(std::move(cp));
  }
  std::stable_sort(
      listing.checkpoints.begin(), listing.checkpoints.end(),
      [](const CheckpointFiles& a, const CheckpointFiles& b) { return a.version < b.version; });
  if (listing.commits.empty() && listing.checkpoints.empty()) {
    throw TableNotFoundError("no Delta table at " + table_root + ": " + dir +
                             " holds no commit or checkpoint");
  }
  return listing;
}

LogSegment build_segment(const LogListing& listing, std::optional<int64_t> version,
                         std::optional<int64_t> checkpoint_below) {
  const std::string& root = listing.table_root;
  const int64_t latest = *listing.latest_version();
  const int64_t target = version.value_or(latest);
  const auto earliest = listing.earliest_version();
  if (target < 0 || target > latest) {
    throw NotFoundError("table " + root + " has no version " + std::to_string(target) +
                        ": available versions are " +
                        (earliest ? std::to_string(*earliest) : std::string("?")) + ".." +
                        std::to_string(latest));
  }
  LogSegment seg;
  seg.table_root = root;
  seg.version = target;
  // The newest complete checkpoint <= target (and below checkpoint_below, when falling back).
  for (auto it = listing.checkpoints.rbegin(); it != listing.checkpoints.rend(); ++it) {
    if (it->version > target) continue;
    if (checkpoint_below && it->version >= *checkpoint_below) continue;
    seg.checkpoint = *it;
    break;
  }
  int64_t first = seg.checkpoint ? seg.checkpoint->version + 1 : 0;
  if (!seg.checkpoint && !listing.commits.count(0)) {
    throw NotFoundError("table " + root + ": version " + std::to_string(target) +
                        " cannot be reconstructed: the commits before it were removed (log "
                        "retention / vacuum) and no checkpoint exists at or before it; the "
                        "earliest readable version is " +
                        (earliest ? std::to_string(*earliest) : std::string("none")));
  }
  seg.commits.reserve(static_cast<size_t>(target - first + 1));
  auto it = listing.commits.lower_bound(first);
  for (int64_t v = first; v <= target; ++v) {
    if (it == listing.commits.end() || it->first != v) {
      throw CorruptTableError("table " + root + ": commit " + commit_file_name(v) +
                              " is missing from " + log_dir(root) + " (versions must be " +
                              "contiguous); cannot read version " + std::to_string(target));
    }
    seg.commits.push_back(it->second);
    ++it;
  }
  auto vc = listing.commits.find(target);
  if (vc != listing.commits.end()) seg.version_commit = vc->second;
  return seg;
}

}  // namespace dls::delta
