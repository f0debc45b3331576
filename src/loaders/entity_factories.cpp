#include "dls/loaders/entity_factories.h"

#include <cctype>

#include "dls/core/error.h"
#include "dls/loaders/entity_id.h"

namespace dls {
namespace {

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (std::size_t pos = text.find(from); pos != std::string::npos;
       pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

// The entity of one layer: naming, ids and the per-layer options.
DeltaLiveEntity layer_entity(const DirectoryEntry& entry, const std::string& group,
                             const LayerOptions& layer) {
  DeltaLiveEntity e;
  e.group = group;
  e.destination = layer.prefix + table_part(entry.name) + layer.suffix;
  e.entity_id = deterministic_entity_id(group, e.destination);
  e.tags = layer.tags;
  e.expectations = layer.expectations;
  e.is_quarantined = layer.is_quarantined;
  e.primary_keys = layer.primary_keys;
  e.select_expr = layer.select_expr;
  e.table_properties = layer.table_properties;
  e.partition_cols = layer.partition_cols;
  e.apply_changes = layer.apply_changes;
  if (layer.comment) e.comment = replace_all(*layer.comment, "{name}", entry.name);
  return e;
}

DeltaLiveEntity bronze_entity(const DirectoryEntry& entry, const DirectoryFactoryOptions& o) {
  DeltaLiveEntity e = layer_entity(entry, o.group, o.bronze);
  e.source = entry.path.string();
  e.source_format = o.source_format;
  e.source_schema = o.source_schema;
  if (o.source_format == "cloudFiles") {
    std::optional<std::string> format = o.file_format ? o.file_format : entry.file_format;
    if (!format && !o.read_options.count("cloudFiles.format")) {
      throw InvalidMetadataError(
          "cannot tell the file format of " + entry.path.string() + " (" +
          (entry.file_count == 0
               ? std::string("no files yet")
               : std::to_string(entry.file_count) + (entry.file_count == 1 ? " file" : " files") +
                     ", none with a known extension") +
          "): pass it, e.g. `dls load dir --format csv` or DirectoryFactoryOptions::file_format");
    }
    if (format) {
      e.read_options["cloudFiles.format"] = *format;
      if (*format == "csv") e.read_options["header"] = "true";
    }
  } else if (o.source_format == "csv") {
    e.read_options["header"] = "true";
  }
  for (const auto& [key, value] : o.read_options) e.read_options[key] = value;
  return normalized(std::move(e));
}

DeltaLiveEntity silver_entity(const DirectoryEntry& entry, const DirectoryFactoryOptions& o,
                              const DeltaLiveEntity& bronze) {
  DeltaLiveEntity e = layer_entity(entry, o.group, o.silver);
  e.source = bronze.destination;
  e.source_format = "dlt";
  e.is_streaming = true;
  return normalized(std::move(e));
}

}  // namespace

std::string table_part(std::string_view directory_name) {
  std::string out;
  out.reserve(directory_name.size() + 1);
  for (char c : directory_name) {
    const auto u = static_cast<unsigned char>(c);
    out += std::isalnum(u) && u < 0x80 ? static_cast<char>(std::tolower(u)) : '_';
  }
  if (!out.empty() && std::isdigit(static_cast<unsigned char>(out.front()))) out.insert(0, "_");
  return out;
}

EntityFactory entity_from_directory_entry(DirectoryFactoryOptions options) {
  return [options = std::move(options)](const DirectoryEntry& entry) {
    return std::vector<DeltaLiveEntity>{bronze_entity(entry, options)};
  };
}

EntityFactory medallion_from_directory_entry(DirectoryFactoryOptions options) {
  return [options = std::move(options)](const DirectoryEntry& entry) {
    DeltaLiveEntity bronze = bronze_entity(entry, options);
    DeltaLiveEntity silver = silver_entity(entry, options, bronze);
    return std::vector<DeltaLiveEntity>{std::move(bronze), std::move(silver)};
  };
}

}  // namespace dls
