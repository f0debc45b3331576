#include "dls/core/entity_list.h"

#include "dls/core/entity_codec.h"
#include "dls/core/yaml_document.h"

namespace dls {
namespace {

// Display width of UTF-8 text: one column per code point (no wide-character handling).
std::size_t width(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

}  // namespace

EntityList EntityList::filter(const Predicate& predicate) const {
  EntityList out;
  for (const auto& e : entities_) {
    if (predicate.matches(e)) out.push_back(e);
  }
  return out;
}

std::optional<DeltaLiveEntity> EntityList::first() const {
  if (entities_.empty()) return std::nullopt;
  return entities_.front();
}

nlohmann::json EntityList::to_json() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& e : entities_) out.push_back(dls::to_json(e));
  return out;
}

std::string EntityList::to_yaml() const {
  return to_yaml_document(entities_);
}

std::string EntityList::to_table() const {
  const std::vector<std::string> header = {"entity_id",   "group",     "source_format", "source",
                                           "destination", "type",      "streaming",     "enabled",
                                           "latest",      "created_ts"};
  std::vector<std::vector<std::string>> rows = {header};
  for (const auto& e : entities_) {
    auto yes_no = [](bool b) { return std::string(b ? "yes" : "no"); };
    rows.push_back({e.entity_id, e.group, e.source_format, e.source, e.destination,
                    e.destination_type, yes_no(e.is_streaming), yes_no(e.is_enabled),
                    yes_no(e.is_latest), e.created_ts ? format_timestamp(*e.created_ts) : ""});
  }
  std::vector<std::size_t> widths(header.size(), 0);
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], width(row[i]));
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& row) {
    std::string text;
    for (std::size_t i = 0; i < row.size(); ++i) {
      text += row[i];
      if (i + 1 < row.size()) text += std::string(widths[i] - width(row[i]) + 2, ' ');
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out += text + "\n";
  };
  line(rows[0]);
  std::vector<std::string> rule;
  for (auto w : widths) rule.push_back(std::string(w, '-'));
  line(rule);
  for (std::size_t r = 1; r < rows.size(); ++r) line(rows[r]);
  out += "(" + std::to_string(entities_.size()) +
         (entities_.size() == 1 ? " entity)" : " entities)") + "\n";
  return out;
}

}  // namespace dls
