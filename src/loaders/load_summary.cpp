#include "dls/loaders/load_summary.h"

namespace dls {

std::string LoadSummary::to_text() const {
  std::string out = "loaded " + source + ": " + std::to_string(inserted.size()) + " inserted, " +
                    std::to_string(updated.size()) + " updated, " +
                    std::to_string(unchanged.size()) + " unchanged, " +
                    std::to_string(disabled.size()) + " disabled";
  out += changed() ? " (version " + std::to_string(version) + ")"
                   : " (no change, version " + std::to_string(version) + ")";
  for (std::size_t i = 0; i < moved.size(); ++i) {
    out += (i ? ", " : "; moved ") + moved[i].entity_id + " from group " +
           describe_group(moved[i].from_group) + " to " + describe_group(moved[i].to_group);
  }
  return out;
}

nlohmann::json LoadSummary::to_json() const {
  nlohmann::json warning_lines = nlohmann::json::array();
  for (const auto& w : warnings) warning_lines.push_back(w.to_string());
  nlohmann::json moves = nlohmann::json::array();
  for (const auto& m : moved) {
    moves.push_back(
        {{"entity_id", m.entity_id}, {"from_group", m.from_group}, {"to_group", m.to_group}});
  }
  return {
      {"source", source},
      {"version", version},
      {"changed", changed()},
      {"inserted", inserted},
      {"updated", updated},
      {"unchanged", unchanged},
      {"disabled", disabled},
      {"moved", moves},
      {"counts",
       {{"inserted", inserted.size()},
        {"updated", updated.size()},
        {"unchanged", unchanged.size()},
        {"disabled", disabled.size()}}},
      {"warnings", warning_lines},
  };
}

}  // namespace dls
