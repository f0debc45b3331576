// dls.loaders' C++ half: the YAML and JSON loaders, the YAML export, directory listing and the
// directory factories (loaders/*.h). The directory loader itself is in Python, because its
// factory may be any Python callable; it uses list_directory_entries and, for the default
// factories, directory_factory_entities from here.
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <set>

#include <nlohmann/json.hpp>

#include "bindings.h"
#include "dls/core/entity_codec.h"
#include "dls/core/error.h"
#include "dls/loaders/directory_entry.h"
#include "dls/loaders/entity_factories.h"
#include "dls/loaders/entity_id.h"
#include "dls/loaders/json_loader.h"
#include "dls/loaders/yaml_exporter.h"
#include "dls/loaders/yaml_loader.h"
#include "dls/store/delta_live_store.h"

namespace dls::python {
namespace {

using nlohmann::json;

nb::dict entry_to_dict(const DirectoryEntry& e) {
  nb::dict d;
  d["name"] = e.name;
  d["path"] = e.path.string();
  d["file_format"] = e.file_format ? nb::cast(*e.file_format) : nb::none();
  d["file_count"] = e.file_count;
  return d;
}

StringMap string_map(const json& j, const std::string& what) {
  StringMap out;
  if (j.is_null()) return out;
  if (!j.is_object()) throw InvalidMetadataError(what + ": expected a mapping of strings");
  for (const auto& [k, v] : j.items()) {
    if (!v.is_string()) throw InvalidMetadataError(what + "." + k + ": expected a string");
    out[k] = v.get<std::string>();
  }
  return out;
}

StringList string_list(const json& j, const std::string& what) {
  StringList out;
  if (j.is_null()) return out;
  if (!j.is_array()) throw InvalidMetadataError(what + ": expected a list of strings");
  for (const auto& v : j) {
    if (!v.is_string()) throw InvalidMetadataError(what + ": expected a list of strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

std::optional<std::string> optional_string(const json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  if (!j[key].is_string()) throw InvalidMetadataError(std::string(key) + ": expected a string");
  return j[key].get<std::string>();
}

// A layer's options from {"prefix", "suffix", "tags", "expectations", "apply_changes", ...}.
// Expectations and apply_changes are decoded by the entity codec (same checks, same messages).
void read_layer(const json& j, const std::string& what, LayerOptions& layer) {
  if (j.is_null()) return;
  if (!j.is_object()) throw InvalidMetadataError(what + ": expected a mapping");
  static const std::set<std::string> known = {"prefix",        "suffix",           "tags",
                                              "expectations",  "is_quarantined",   "primary_keys",
                                              "select_expr",   "table_properties", "partition_cols",
                                              "apply_changes", "comment"};
  for (const auto& [k, v] : j.items()) {
    if (!known.count(k)) throw InvalidMetadataError(what + ": unknown option '" + k + "'");
  }
  if (auto s = optional_string(j, "prefix")) layer.prefix = *s;
  if (auto s = optional_string(j, "suffix")) layer.suffix = *s;
  if (j.contains("tags")) layer.tags = string_map(j["tags"], what + ".tags");
  if (j.contains("table_properties"))
    layer.table_properties = string_map(j["table_properties"], what + ".table_properties");
  if (j.contains("primary_keys"))
    layer.primary_keys = string_list(j["primary_keys"], what + ".primary_keys");
  if (j.contains("select_expr"))
    layer.select_expr = string_list(j["select_expr"], what + ".select_expr");
  if (j.contains("partition_cols"))
    layer.partition_cols = string_list(j["partition_cols"], what + ".partition_cols");
  if (j.contains("is_quarantined")) {
    if (!j["is_quarantined"].is_boolean())
      throw InvalidMetadataError(what + ".is_quarantined: expected true or false");
    layer.is_quarantined = j["is_quarantined"].get<bool>();
  }
  layer.comment = optional_string(j, "comment");
  if (j.contains("expectations") || j.contains("apply_changes")) {
    json carrier = {{"entity_id", what}, {"source", "s"}, {"destination", "d"}};
    if (j.contains("expectations")) carrier["expectations"] = j["expectations"];
    if (j.contains("apply_changes")) carrier["apply_changes"] = j["apply_changes"];
    DeltaLiveEntity decoded = entity_from_json(carrier);
    layer.expectations = decoded.expectations;
    layer.apply_changes = decoded.apply_changes;
  }
}

DirectoryFactoryOptions factory_options(const std::string& options_json) {
  json j = json::parse(options_json);
  DirectoryFactoryOptions o;
  if (auto s = optional_string(j, "group")) o.group = *s;
  if (auto s = optional_string(j, "source_format")) o.source_format = *s;
  o.file_format = optional_string(j, "file_format");
  o.source_schema = optional_string(j, "source_schema");
  if (j.contains("read_options")) o.read_options = string_map(j["read_options"], "read_options");
  if (j.contains("bronze")) read_layer(j["bronze"], "bronze", o.bronze);
  if (j.contains("silver")) read_layer(j["silver"], "silver", o.silver);
  return o;
}

std::string summary_json(const LoadSummary& s) {
  return s.to_json().dump();
}

}  // namespace

void register_loaders(nb::module_& m) {
  m.def(
      "yaml_load",
      [](DeltaLiveStore& store, const std::string& path) {
        nb::gil_scoped_release release;
        return summary_json(YamlLoader(path).run(store));
      },
      nb::arg("store"), nb::arg("path"), "Loads a YAML file; returns the LoadSummary as JSON.");
  m.def(
      "yaml_load_text",
      [](DeltaLiveStore& store, const std::string& text, const std::string& name) {
        nb::gil_scoped_release release;
        return summary_json(YamlLoader::from_text(text, name).run(store));
      },
      nb::arg("store"), nb::arg("text"), nb::arg("name"),
      "Loads YAML text (`name` says where it came from in messages); returns the LoadSummary as "
      "JSON.");
  m.def(
      "yaml_check",
      [](const std::string& path) {
        nb::gil_scoped_release release;
        return YamlLoader(path).parse().entities.size();
      },
      nb::arg("path"), "Parses and validates a YAML file without a store; the entity count.");
  m.def(
      "json_load_text",
      [](DeltaLiveStore& store, const std::string& text, const std::string& name) {
        nb::gil_scoped_release release;
        return summary_json(JsonLoader::from_text(text, name).run(store));
      },
      nb::arg("store"), nb::arg("text"), nb::arg("name"),
      "Loads JSON text (an array of entity objects); returns the LoadSummary as JSON.");
  m.def(
      "export_yaml",
      [](const DeltaLiveStore& store, const std::string& schema_ref) {
        nb::gil_scoped_release release;
        return export_yaml(store, schema_ref);
      },
      nb::arg("store"), nb::arg("schema_ref") = "",
      "The store's latest versions in the YAML file format (`dls export yaml`); `schema_ref`: "
      "the JSON Schema to reference in the file's first line, if any.");
  m.def(
      "schema_reference",
      [](const std::string& schema, const std::string& output_file) {
        return schema_reference(schema, output_file);
      },
      nb::arg("schema"), nb::arg("output_file"),
      "How a YAML file written to `output_file` refers to `schema`: the relative path from the "
      "file's directory when both are local paths, else `schema` as given.");
  m.def(
      "list_directory_entries",
      [](const std::string& root) {
        std::vector<DirectoryEntry> entries;
        {
          nb::gil_scoped_release release;
          entries = list_directory_entries(root);
        }
        nb::list out;
        for (const auto& e : entries) out.append(entry_to_dict(e));
        return out;
      },
      nb::arg("root"),
      "The directories under `root` as the directory loaders see them: dicts of name, path, "
      "file_format (by the files' extension, or None) and file_count.");
  m.def(
      "directory_factory_entities",
      [](bool medallion, const std::string& options_json, const std::string& name,
         const std::string& path, std::optional<std::string> file_format, size_t file_count) {
        DirectoryEntry entry{name, path, std::move(file_format), file_count};
        DirectoryFactoryOptions options = factory_options(options_json);
        EntityFactory factory = medallion ? medallion_from_directory_entry(options)
                                          : entity_from_directory_entry(options);
        nb::list out;
        for (const auto& e : factory(entry)) out.append(entity_to_object(e));
        return out;
      },
      nb::arg("medallion"), nb::arg("options_json"), nb::arg("name"), nb::arg("path"),
      nb::arg("file_format").none(), nb::arg("file_count"),
      "The entities the C++ directory factory (medallion or not) makes for one directory entry, "
      "with the factory options given as a JSON object.");
  m.def(
      "deterministic_entity_id",
      [](const std::string& group, const std::string& destination) {
        return deterministic_entity_id(group, destination);
      },
      nb::arg("group"), nb::arg("destination"),
      "The entity_id the directory loaders give: a name-based UUID of (group, destination), the "
      "same on every load.");
  m.def(
      "table_part", [](const std::string& name) { return table_part(name); }, nb::arg("name"),
      "The table-name part the directory loaders make of a directory name: lower-cased, every "
      "character outside [a-z0-9_] as '_' (a leading digit prefixed with '_').");
}

}  // namespace dls::python
