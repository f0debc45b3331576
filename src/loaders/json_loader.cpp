#include "dls/loaders/json_loader.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "dls/core/entity_codec.h"
#include "dls/core/error.h"
#include "dls/loaders/group_sync.h"
#include "dls/loaders/loader_support.h"
#include "dls/loaders/source_paths.h"
#include "dls/loaders/spark_text_check.h"

namespace dls {
namespace {

// The 1-based line and column of the byte at 1-based offset `byte` of `text`.
SourceLocation location_of_byte(const std::string& text, std::size_t byte,
                                const std::string& name) {
  SourceLocation loc{name, 1, 1};
  const std::size_t end = std::min(byte == 0 ? 0 : byte - 1, text.size());
  for (std::size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++loc.line;
      loc.column = 1;
    } else {
      ++loc.column;
    }
  }
  return loc;
}

// nlohmann's message without its "[json.exception.parse_error.101] parse error at line 1, column
// 5: " preamble, which our location replaces.
std::string parse_error_detail(const nlohmann::json::parse_error& e) {
  std::string message = e.what();
  const auto colon = message.find(": ");
  if (message.rfind("[json.exception", 0) == 0 && colon != std::string::npos) {
    message = message.substr(colon + 2);
  }
  return message;
}

}  // namespace

JsonLoader::JsonLoader(std::filesystem::path path) : path_(std::move(path)) {
  name_ = path_.string();
}

JsonLoader JsonLoader::from_text(std::string text, std::string name) {
  JsonLoader loader;
  loader.text_ = std::move(text);
  loader.name_ = std::move(name);
  return loader;
}

std::vector<DeltaLiveEntity> JsonLoader::entities(Diagnostics* warnings) const {
  install_spark_text_check();
  std::string text;
  if (text_) {
    text = *text_;
  } else {
    std::ifstream in(path_, std::ios::binary);
    if (!in) {
      throw NotFoundError("cannot read JSON file " + path_.string() + ": " + std::strerror(errno));
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    text = buffer.str();
  }

  nlohmann::json json;
  try {
    json = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw MetadataErrors({location_of_byte(text, e.byte, name_).to_string() +
                          ": error: malformed JSON: " + parse_error_detail(e)});
  }
  if (!json.is_array() && !json.is_object()) {
    throw MetadataErrors({name_ +
                          ":1:1: error: expected a JSON array of entity objects (or one "
                          "entity object), got " +
                          std::string(json.type_name())});
  }
  const bool is_array = json.is_array();
  const nlohmann::json items = is_array ? json : nlohmann::json::array({json});

  std::vector<DeltaLiveEntity> out;
  std::vector<std::string> errors;
  std::unordered_map<std::string, std::size_t> first_index;  // entity_id → element
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string where = name_ + ": " + (is_array ? "[" + std::to_string(i) + "] " : "");
    Diagnostics element_warnings;
    try {
      DeltaLiveEntity entity = entity_from_json(items[i], &element_warnings);
      auto [seen, inserted] = first_index.emplace(entity.entity_id, i);
      if (!inserted) {
        errors.push_back(where + "error: entity '" + entity.entity_id +
                         "': entity_id: duplicate entity_id (also element [" +
                         std::to_string(seen->second) + "]); each entity_id may appear once");
        continue;
      }
      out.push_back(without_generated_columns(std::move(entity)));
    } catch (const MetadataErrors& e) {
      for (const auto& message : e.errors()) errors.push_back(where + message);
    }
    if (warnings) {
      for (auto& w : element_warnings) {
        if (is_array) w.message = "[" + std::to_string(i) + "] " + w.message;
        warnings->push_back(std::move(w));
      }
    }
  }
  if (!errors.empty()) throw MetadataErrors(std::move(errors));
  // Relative source paths mean "next to this file" (source_paths.h).
  resolve_source_paths(out, text_ ? std::filesystem::current_path() : base_directory_of(path_));
  return out;
}

LoadSummary JsonLoader::run(DeltaLiveStore& store, const LoadOptions& options) const {
  Diagnostics warnings;
  std::vector<DeltaLiveEntity> batch = entities(&warnings);  // throws before anything is written
  require_initialized(store);
  return upsert_planned(store, batch, options, name_, std::move(warnings));
}

StoreChange JsonLoader::load(DeltaLiveStore& store) {
  return to_store_change(run(store));
}

}  // namespace dls
