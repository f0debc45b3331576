#include "delta/tombstones.h"

#include <chrono>
#include <map>
#include <set>

#include "dls/delta/delta_error.h"
#include "dls/sql/quote.h"

namespace dls::delta {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {

/// The Parquet files of the checkpoint at `version` (classic or multi-part).
std::vector<std::string> checkpoint_files(const Snapshot& snapshot, int64_t version) {
  std::string name = commit_file_name(version);
  std::string prefix = name.substr(0, name.size() - 5) + ".checkpoint.";
  std::vector<std::string> files;
  const std::string dir = log_dir(snapshot.table_root());
  for (const auto& f : snapshot.storage().list(dir)) {
    if (f.is_directory || f.name.rfind(prefix, 0) != 0) continue;
    std::string rest = f.name.substr(prefix.size());
    if (rest == "parquet") {
      files = {dir + "/" + f.name};  // a classic checkpoint is complete by itself
      return files;
    }
    // Multi-part: NNNNNNNNNN.NNNNNNNNNN.parquet. UUID-named (V2) ones may keep their files in
    // sidecars, whose tombstones we would miss: refuse rather than under-protect.
    if (rest.size() == 29 && rest[10] == '.' && rest.substr(21) == ".parquet") {
      files.push_back(dir + "/" + f.name);
    }
  }
  if (files.empty()) {
    throw UnsupportedFeatureError("the Delta table at " + snapshot.table_root() +
                                  " uses a V2 checkpoint at version " + std::to_string(version) +
                                  "; dls cannot collect its tombstones (remove actions) yet");
  }
  return files;
}

}  // namespace

std::vector<RemoveFile> collect_tombstones(const Snapshot& snapshot, sql::Connection& con,
                                           int64_t expire_before_ms) {
  std::map<std::string, RemoveFile> removes;  // by decoded path; the newest wins
  int64_t first_commit = 0;
  if (auto cp = snapshot.checkpoint_version()) {
    first_commit = *cp + 1;
    std::string list;
    for (const auto& f : checkpoint_files(snapshot, *cp)) {
      list += (list.empty() ? "" : ", ") + sql::quote_literal(f);
    }
    std::string source = "read_parquet([" + list + "], union_by_name = true)";
    bool has_remove = false;
    for (const auto& row : con.query("DESCRIBE SELECT * FROM " + source).rows()) {
      if (row.at(0).as_string() == "remove") has_remove = true;
    }
    if (has_remove) {
      auto rows = con.query("SELECT remove.path, remove.deletionTimestamp, remove.size FROM " +
                            source + " WHERE remove IS NOT NULL AND remove.path IS NOT NULL")
                      .rows();
      for (const auto& row : rows) {
        RemoveFile r;
        r.path = row.at(0).as_string();
        if (!row.at(1).is_null()) r.deletion_timestamp = row.at(1).as_int();
        if (!row.at(2).is_null()) r.size = row.at(2).as_int();
        r.data_change = false;
        removes[decode_path(r.path)] = std::move(r);
      }
    }
  }
  const std::string dir = log_dir(snapshot.table_root());
  for (int64_t v = first_commit; v <= snapshot.version(); ++v) {
    const std::string path = dir + "/" + commit_file_name(v);
    for (auto& action : parse_commit(snapshot.storage().read(path), path)) {
      if (auto* r = std::get_if<RemoveFile>(&action)) {
        std::string key = decode_path(r->path);
        removes[key] = std::move(*r);
      }
    }
  }
  std::set<std::string> active;
  for (const auto& add : snapshot.files()) active.insert(decode_path(add.path));
  std::vector<RemoveFile> out;
  for (auto& [path, r] : removes) {
    if (active.count(path)) continue;
    if (r.deletion_timestamp && *r.deletion_timestamp <= expire_before_ms) continue;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace dls::delta
