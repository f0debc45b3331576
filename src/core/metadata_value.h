// Internal: a format-neutral tree of metadata values (from YAML or JSON) with source locations, and
// the decoder that turns one into a DeltaLiveEntity, collecting every structural problem.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include "dls/core/diagnostic.h"
#include "dls/core/entity.h"

namespace dls::detail {

struct Value {
  enum class Kind { kNull, kBool, kInt, kFloat, kString, kList, kMap };
  Kind kind = Kind::kNull;
  std::string text;  // scalars: the text as written (bool normalised to true/false)
  bool boolean = false;
  long long integer = 0;
  std::vector<Value> items;
  struct Member;
  std::vector<Member> members;
  std::optional<SourceLocation> location;
};

// A named struct rather than std::pair<key, Value>: clang (the fuzz build) with libstdc++ 12
// cannot instantiate a pair of the still incomplete Value inside Value's own definition.
struct Value::Member {
  std::pair<std::string, std::optional<SourceLocation>> key;  // the key and where it is written
  Value value;
};

const char* kind_name(Value::Kind kind);

/// The YAML 1.2 core-schema type of a plain (unquoted, untagged) scalar.
Value::Kind resolve_plain_scalar(const std::string& text);

Value from_yaml(const YAML::Node& node, const std::string& file);

/// Every key the entity format knows (entity fields, expectations' and apply_changes' keys), for
/// spotting entity structure swallowed by a string that lacks its closing quote.
bool is_entity_format_key(std::string_view key);
Value from_json(const nlohmann::json& json);

/// The result of decoding: the entity (defaults where a field was bad or missing), the structural
/// problems found, and where each field was (path → location), for placing later diagnostics.
struct DecodedEntity {
  DeltaLiveEntity entity;
  Diagnostics problems;
  std::map<std::string, SourceLocation> locations;
  std::optional<SourceLocation> location;  // of the entity itself
};

DecodedEntity decode_entity(const Value& value, bool allow_generated);

/// Runs validate() on the decoded entity and places its diagnostics at the recorded locations;
/// diagnostics about fields that already have a structural problem are dropped. Returns
/// problems + validation diagnostics.
Diagnostics check_decoded(const DecodedEntity& decoded);

}  // namespace dls::detail
