#include "dls/pipeline/pipeline_selection.h"

#include <cctype>
#include <map>
#include <sstream>

#include "dls/core/error.h"
#include "dls/core/predicate_parser.h"

namespace dls::pipeline {
namespace {

std::string sanitize(const std::string& s) {
  std::string out;
  for (char c : s) out += std::isalnum(static_cast<unsigned char>(c)) || c == '_' ? c : '_';
  if (!out.empty() && std::isdigit(static_cast<unsigned char>(out[0]))) out = "_" + out;
  return out;
}

std::optional<std::string> qualify(const std::string& name, const catalog::Namespace& ns) {
  if (name.empty() || name.find('/') != std::string::npos) return std::nullopt;
  try {
    return catalog::parse_table_name(name, ns).to_string();
  } catch (const Error&) {
    return std::nullopt;
  }
}

/// Upstream and downstream entity indexes of `entities` (source -> destination, in `ns`).
struct Edges {
  std::vector<std::vector<size_t>> up, down;
};

Edges edges_of(const std::vector<DeltaLiveEntity>& entities, const catalog::Namespace& ns) {
  std::map<std::string, size_t> writer;  // qualified destination (and its _invalid) -> entity
  for (size_t i = 0; i < entities.size(); ++i) {
    if (auto q = qualify(entities[i].destination, ns)) {
      writer.emplace(*q, i);
      if (entities[i].is_quarantined) writer.emplace(*q + "_invalid", i);
    }
  }
  Edges edges{std::vector<std::vector<size_t>>(entities.size()),
              std::vector<std::vector<size_t>>(entities.size())};
  for (size_t i = 0; i < entities.size(); ++i) {
    auto src = qualify(entities[i].source, ns);
    if (!src) continue;
    auto it = writer.find(*src);
    if (it == writer.end() || it->second == i) continue;
    edges.up[i].push_back(it->second);
    edges.down[it->second].push_back(i);
  }
  return edges;
}

void reach(size_t from, const std::vector<std::vector<size_t>>& next, std::set<size_t>& into) {
  std::vector<size_t> stack{from};
  while (!stack.empty()) {
    size_t n = stack.back();
    stack.pop_back();
    for (size_t m : next[n]) {
      if (into.insert(m).second) stack.push_back(m);
    }
  }
}

/// The entity indexes one selector picks.
std::set<size_t> apply_selector(const std::string& selector,
                                const std::vector<DeltaLiveEntity>& entities, const Edges& edges,
                                const catalog::Namespace& ns) {
  std::string body = selector;
  const bool up = !body.empty() && body.front() == '+';
  if (up) body.erase(0, 1);
  const bool down = !body.empty() && body.back() == '+';
  if (down) body.pop_back();
  if (body.empty()) throw UsageError("--select '" + selector + "': no dataset named");
  std::set<size_t> roots;
  if (body.rfind("tag:", 0) == 0) {
    const std::string tag = body.substr(4);
    const auto eq = tag.find('=');
    const std::string key = tag.substr(0, eq);
    if (key.empty()) {
      throw UsageError("--select '" + selector + "': expected tag:KEY or tag:KEY=VALUE");
    }
    for (size_t i = 0; i < entities.size(); ++i) {
      auto it = entities[i].tags.find(key);
      if (it == entities[i].tags.end()) continue;
      if (eq == std::string::npos || it->second == tag.substr(eq + 1)) roots.insert(i);
    }
  } else {
    const auto q = qualify(body, ns);
    for (size_t i = 0; i < entities.size(); ++i) {
      const auto& e = entities[i];
      if (e.entity_id == body || e.destination == body || (q && qualify(e.destination, ns) == q)) {
        roots.insert(i);
      }
    }
    if (roots.empty()) {
      std::string names;
      for (const auto& e : entities) names += (names.empty() ? "" : ", ") + e.destination;
      throw UsageError(
          "--select '" + selector + "': no dataset '" + body +
          "' among the selected entities (datasets: " + (names.empty() ? "none" : names) +
          "); name a destination, catalog.schema.table or entity_id, or use "
          "tag:KEY=VALUE");
    }
  }
  std::set<size_t> out = roots;
  for (size_t r : roots) {
    if (up) reach(r, edges.up, out);
    if (down) reach(r, edges.down, out);
  }
  return out;
}

}  // namespace

std::vector<DeltaLiveEntity> Selection::picked(bool with_upstream) const {
  if (selected.empty()) return entities;
  std::set<size_t> keep;
  for (size_t i = 0; i < entities.size(); ++i) {
    if (selected.count(entities[i].entity_id)) keep.insert(i);
  }
  if (with_upstream) {
    const Edges edges = edges_of(entities, target);
    for (size_t i : std::set<size_t>(keep)) reach(i, edges.up, keep);
  }
  std::vector<DeltaLiveEntity> out;
  for (size_t i : keep) out.push_back(entities[i]);
  return out;
}

std::string pipeline_name_for_group(const std::string& group) {
  return group.empty() ? "default" : sanitize(group);
}

Selection select_entities(const DeltaLiveStore& store, const SelectionSpec& args,
                          const std::string& where_origin) {
  Predicate predicate = by_is_enabled();
  if (args.where) predicate = parse_predicate(*args.where, where_origin) & predicate;
  if (args.group) predicate = by_group(*args.group) & predicate;
  Selection s;
  s.entities = store.find_entities(predicate).entities();
  std::set<std::string> groups;
  for (const auto& e : s.entities) groups.insert(e.group);
  if (!args.group && !args.where && groups.size() > 1) {
    std::string list;
    for (const auto& g : groups) list += (list.empty() ? "" : ", ") + (g.empty() ? "(none)" : g);
    throw UsageError("the control table holds enabled entities of several groups (" + list +
                     "); a pipeline runs one: choose it with --group G (or select with --where)");
  }
  std::string group = args.group ? *args.group : groups.size() == 1 ? *groups.begin() : "";
  s.pipeline = args.pipeline ? *args.pipeline : group.empty() ? "default" : sanitize(group);
  catalog::validate_name_part(s.pipeline, "pipeline name");
  if (args.target) {
    s.target = catalog::parse_namespace(*args.target);
  } else {
    s.target = {"main", "default"};
    if (!group.empty()) {
      try {
        s.target = catalog::parse_namespace(group);
      } catch (const Error&) {
      }
    }
  }
  if (!args.select.empty()) {
    const Edges edges = edges_of(s.entities, s.target);
    for (const auto& value : args.select) {
      std::istringstream words(value);
      std::string selector;
      bool any = false;
      while (words >> selector) {
        any = true;
        for (size_t i : apply_selector(selector, s.entities, edges, s.target)) {
          s.selected.insert(s.entities[i].entity_id);
        }
      }
      if (!any) throw UsageError("--select: empty selector");
    }
    if (s.selected.empty()) {
      throw NotFoundError(
          "--select picked no dataset (no entity has the tag asked for); see "
          "'dls list'");
    }
  }
  return s;
}

std::vector<DeltaLiveEntity> entities_to_run(const Selection& s, bool no_deps,
                                             const std::function<void(const std::string&)>& note) {
  if (!no_deps) return s.picked(true);
  if (!s.has_select()) {
    throw UsageError("--no-deps needs --select: it runs only the selected datasets");
  }
  std::vector<DeltaLiveEntity> picked = s.picked(false);
  auto qualified = [&](const std::string& name) -> std::optional<std::string> {
    if (name.empty() || name.find('/') != std::string::npos) return std::nullopt;
    try {
      return catalog::parse_table_name(name, s.target).to_string();
    } catch (const Error&) {
      return std::nullopt;
    }
  };
  // Unselected upstream views (transitively through views) join the update.
  for (bool added = true; added;) {
    added = false;
    std::set<std::string> have;
    for (const auto& e : picked) have.insert(e.entity_id);
    for (size_t i = 0; i < picked.size(); ++i) {
      const auto src = qualified(picked[i].source);
      if (!src) continue;
      for (const auto& up : s.entities) {
        if (up.destination_type != "view" || have.count(up.entity_id) ||
            qualified(up.destination) != src) {
          continue;
        }
        picked.push_back(up);
        have.insert(up.entity_id);
        added = true;
      }
    }
  }
  std::set<std::string> written;
  for (const auto& e : picked) {
    if (auto q = qualified(e.destination)) {
      written.insert(*q);
      if (e.is_quarantined) written.insert(*q + "_invalid");
    }
  }
  for (auto& e : picked) {
    const auto src = qualified(e.source);
    if (e.source_format != "dlt" || !src || written.count(*src)) continue;
    if (note) note("--no-deps: " + e.entity_id + " reads the table " + *src + " as it is");
    e.source_format = "delta";
  }
  return picked;
}

}  // namespace dls::pipeline
