#include "dls/core/yaml_document.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "dls/core/entity_codec.h"
#include "dls/core/error.h"
#include "dls/core/suggest.h"

namespace dls {
namespace {

std::optional<SourceLocation> location_of(const YAML::Node& node, const std::string& file) {
  const YAML::Mark mark = node.Mark();
  if (mark.line < 0) return std::nullopt;
  return SourceLocation{file, mark.line + 1, mark.column + 1};
}

Diagnostic error_at(std::optional<SourceLocation> location, std::string message,
                    std::string entity_id = "", std::string field = "") {
  return {Severity::kError, std::move(entity_id), std::move(field), std::move(message),
          std::move(location)};
}

// Parses and checks; `entities` receives what could be decoded (only meaningful without errors).
Diagnostics check(std::string_view text, const std::string& file,
                  std::vector<DeltaLiveEntity>* entities) {
  Diagnostics out;
  const SourceLocation start{file, 1, 1};
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    std::optional<SourceLocation> loc;
    if (e.mark.line >= 0) loc = SourceLocation{file, e.mark.line + 1, e.mark.column + 1};
    out.push_back(error_at(loc ? loc : start, "malformed YAML: " + e.msg));
    return out;
  }
  const std::string expected =
      "a mapping with the key 'delta_live_store' holding a list of entities";
  if (documents.empty() || documents[0].IsNull()) {
    out.push_back(error_at(start, "the file is empty; expected " + expected));
    return out;
  }
  if (documents.size() > 1) {
    out.push_back(error_at(location_of(documents[1], file),
                           "more than one YAML document ('---'); put all entities under one "
                           "'delta_live_store' list"));
  }
  const YAML::Node& root = documents[0];
  if (!root.IsMap()) {
    out.push_back(error_at(
        location_of(root, file),
        "expected " + expected +
            (root.IsSequence() ? "; put the list under a top-level 'delta_live_store:' key" : "")));
    return out;
  }
  std::optional<YAML::Node> list;
  for (auto it = root.begin(); it != root.end(); ++it) {
    const std::string key = it->first.IsScalar() ? it->first.Scalar() : "<non-scalar key>";
    if (key != kYamlRootKey) {
      out.push_back(
          error_at(location_of(it->first, file), "unknown top-level key '" + key +
                                                     "'; expected only 'delta_live_store'" +
                                                     did_you_mean(key, {kYamlRootKey})));
    } else if (list) {
      out.push_back(error_at(location_of(it->first, file), "duplicate key 'delta_live_store'"));
    } else {
      list = it->second;
      if (!list->IsSequence()) {
        auto loc = location_of(*list, file);
        out.push_back(error_at(loc ? loc : location_of(it->first, file),
                               "'delta_live_store' must be a list of entities (items starting "
                               "with '- entity_id: ...')"));
        list.reset();
        return out;
      }
    }
  }
  if (!list) {
    if (out.empty()) out.push_back(error_at(start, "missing the top-level key 'delta_live_store'"));
    return out;
  }
  std::map<std::string, std::optional<SourceLocation>> first_seen;
  YamlDecodeOptions options{file, /*allow_generated=*/false};
  for (const auto& item : *list) {
    DeltaLiveEntity entity = decode_entity_yaml(item, options, out);
    if (!entity.entity_id.empty() && item.IsMap()) {
      std::optional<SourceLocation> id_loc = location_of(item, file);
      for (auto it = item.begin(); it != item.end(); ++it) {
        if (it->first.IsScalar() && it->first.Scalar() == "entity_id") {
          id_loc = location_of(it->second, file);
        }
      }
      auto [seen, inserted] = first_seen.emplace(entity.entity_id, id_loc);
      if (!inserted) {
        out.push_back(error_at(id_loc,
                               "duplicate entity_id '" + entity.entity_id + "'" +
                                   (seen->second ? " (first defined at line " +
                                                       std::to_string(seen->second->line) + ")"
                                                 : std::string()) +
                                   "; each entity_id may appear once per file",
                               entity.entity_id, "entity_id"));
      }
    }
    if (entities) entities->push_back(std::move(entity));
  }
  return out;
}

}  // namespace

Diagnostics check_yaml_document(std::string_view text, std::string file) {
  return check(text, file, nullptr);
}

YamlDocument parse_yaml_document(std::string_view text, std::string file) {
  YamlDocument doc;
  doc.file = file;
  Diagnostics all = check(text, file, &doc.entities);
  throw_if_errors(all);
  for (auto& d : all) doc.warnings.push_back(std::move(d));
  for (const auto& entity : doc.entities) {
    auto it = std::find_if(doc.groups.begin(), doc.groups.end(),
                           [&](const auto& g) { return g.first == entity.group; });
    if (it == doc.groups.end()) {
      doc.groups.push_back({entity.group, {}});
      it = std::prev(doc.groups.end());
    }
    it->second.push_back(entity);
  }
  return doc;
}

YamlDocument load_yaml_document(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw NotFoundError("cannot read YAML file " + path.string() + ": " + std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_yaml_document(text.str(), path.string());
}

std::string to_yaml_document(const std::vector<DeltaLiveEntity>& entities,
                             std::string_view schema_path) {
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << std::string(kYamlRootKey) << YAML::Value;
  if (entities.empty()) {
    out << YAML::Flow;
  }
  out << YAML::BeginSeq;
  for (const auto& entity : entities) emit_yaml(out, entity);
  out << YAML::EndSeq << YAML::EndMap;
  std::string text;
  if (!schema_path.empty()) {
    text = "# yaml-language-server: $schema=" + std::string(schema_path) + "\n\n";
  }
  return text + out.c_str() + "\n";
}

}  // namespace dls
