#include "dls/core/entity_diff.h"

#include <set>
#include <string>

#include "dls/core/entity_codec.h"

namespace dls {
namespace {

using ojson = nlohmann::ordered_json;

/// Columns the store generates: not part of a version-to-version diff.
const std::set<std::string> kGeneratedColumns = {
    "id", "created_ts", "expired_ts", "created_by", "modified_by", "is_latest", "hash"};

ojson ordered(const nlohmann::json& j) {
  return ojson::parse(j.dump());
}

void diff_json(const nlohmann::json& older, const nlohmann::json& newer, const std::string& path,
               ojson& out) {
  if (older == newer) return;
  if (older.is_object() && newer.is_object()) {
    std::set<std::string> keys;
    for (const auto& [k, v] : older.items()) keys.insert(k);
    for (const auto& [k, v] : newer.items()) keys.insert(k);
    for (const auto& k : keys) {
      if (path.empty() && kGeneratedColumns.count(k)) continue;
      auto o = older.find(k);
      auto n = newer.find(k);
      diff_json(o == older.end() ? nlohmann::json() : *o, n == newer.end() ? nlohmann::json() : *n,
                path.empty() ? k : path + "." + k, out);
    }
    return;
  }
  out.push_back({{"field", path}, {"from", ordered(older)}, {"to", ordered(newer)}});
}

}  // namespace

nlohmann::ordered_json entity_diff(const DeltaLiveEntity& older, const DeltaLiveEntity& newer) {
  ojson out = ojson::array();
  diff_json(to_json(older), to_json(newer), "", out);
  return out;
}

}  // namespace dls
