#include "metadata_value.h"

#include <algorithm>
#include <regex>
#include <set>
#include <string_view>

#include "dls/core/suggest.h"
#include "dls/core/timestamp.h"
#include "dls/core/validation.h"

namespace dls::detail {
namespace {

using Kind = Value::Kind;

const std::vector<std::string_view> kEntityKeys = {"entity_id",
                                                   "source",
                                                   "destination",
                                                   "destination_type",
                                                   "source_format",
                                                   "is_streaming",
                                                   "is_enabled",
                                                   "source_schema",
                                                   "primary_keys",
                                                   "select_expr",
                                                   "where_clause",
                                                   "query",
                                                   "flow_name",
                                                   "once",
                                                   "sink_format",
                                                   "sink_options",
                                                   "read_options",
                                                   "table_properties",
                                                   "tags",
                                                   "spark_conf",
                                                   "partition_cols",
                                                   "group",
                                                   "comment",
                                                   "expectations",
                                                   "apply_changes",
                                                   "is_quarantined",
                                                   "id",
                                                   "is_latest",
                                                   "created_ts",
                                                   "expired_ts",
                                                   "created_by",
                                                   "modified_by",
                                                   "hash"};
const std::set<std::string_view> kGeneratedKeys = {
    "id", "is_latest", "created_ts", "expired_ts", "created_by", "modified_by", "hash"};
const std::vector<std::string_view> kExpectationKeys = {"expect_all", "expect_all_or_drop",
                                                        "expect_all_or_fail"};
const std::vector<std::string_view> kApplyChangesKeys = {"sequence_by",
                                                         "where",
                                                         "ignore_null_updates",
                                                         "apply_as_deletes",
                                                         "apply_as_truncates",
                                                         "column_list",
                                                         "except_column_list",
                                                         "stored_as_scd_type",
                                                         "track_history_column_list",
                                                         "track_history_except_column_list",
                                                         "flow_name",
                                                         "ignore_null_updates_column_list",
                                                         "ignore_null_updates_except_column_list"};

std::string describe(const Value& v) {
  switch (v.kind) {
    case Kind::kNull:
      return "null";
    case Kind::kList:
      return "a list";
    case Kind::kMap:
      return "a mapping";
    case Kind::kString:
      return "the string \"" + v.text + "\"";
    default:
      return std::string(kind_name(v.kind)) + " " + v.text;
  }
}

bool is_yaml11_bool(const std::string& s) {
  static const std::regex kYaml11("y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF");
  return std::regex_match(s, kYaml11);
}

class Decoder {
 public:
  explicit Decoder(bool allow_generated) : allow_generated_(allow_generated) {}

  DecodedEntity run(const Value& v) {
    out_.location = v.location;
    if (v.kind != Kind::kMap) {
      problem("", v.location,
              "an entity must be a mapping of field: value (entity_id, source, destination, ...), "
              "got " +
                  describe(v));
      return std::move(out_);
    }
    // entity_id first, so that every message can name the entity.
    for (const auto& [key, value] : v.members) {
      if (key.first == "entity_id" && value.kind == Kind::kString) {
        out_.entity.entity_id = value.text;
      }
    }
    auto& e = out_.entity;
    for_members(v, "", kEntityKeys, [&](const std::string& key, const Value& value) {
      if (kGeneratedKeys.count(key) && !allow_generated_) {
        problem(key, key_location_,
                "'" + key + "' is generated by the store and cannot be set here; remove it");
        return;
      }
      if (key == "entity_id") {
        string(value, key, e.entity_id);
      } else if (key == "source") {
        string(value, key, e.source);
      } else if (key == "destination") {
        string(value, key, e.destination);
      } else if (key == "destination_type") {
        string(value, key, e.destination_type, "table");
      } else if (key == "source_format") {
        string(value, key, e.source_format, "cloudFiles");
        explicit_source_format_ = value.kind == Kind::kString;
      } else if (key == "group") {
        string(value, key, e.group);
      } else if (key == "is_streaming") {
        boolean(value, key, e.is_streaming);
        if (value.kind == Kind::kBool) explicit_streaming_ = value.boolean;
      } else if (key == "is_enabled") {
        boolean(value, key, e.is_enabled);
      } else if (key == "is_quarantined") {
        boolean(value, key, e.is_quarantined);
      } else if (key == "is_latest") {
        boolean(value, key, e.is_latest);
      } else if (key == "source_schema") {
        optional_string(value, key, e.source_schema);
      } else if (key == "comment") {
        optional_string(value, key, e.comment);
      } else if (key == "id") {
        optional_string(value, key, e.id);
      } else if (key == "created_by") {
        optional_string(value, key, e.created_by);
      } else if (key == "modified_by") {
        optional_string(value, key, e.modified_by);
      } else if (key == "hash") {
        optional_string(value, key, e.hash);
      } else if (key == "created_ts") {
        timestamp(value, key, e.created_ts);
      } else if (key == "expired_ts") {
        timestamp(value, key, e.expired_ts);
      } else if (key == "primary_keys") {
        list(value, key, e.primary_keys);
      } else if (key == "select_expr") {
        list(value, key, e.select_expr);
      } else if (key == "where_clause") {
        list(value, key, e.where_clause);
      } else if (key == "query") {
        optional_string(value, key, e.query);
      } else if (key == "flow_name") {
        optional_string(value, key, e.flow_name);
      } else if (key == "once") {
        boolean(value, key, e.once);
      } else if (key == "sink_format") {
        optional_string(value, key, e.sink_format);
      } else if (key == "sink_options") {
        map(value, key, e.sink_options, false);
      } else if (key == "partition_cols") {
        list(value, key, e.partition_cols);
      } else if (key == "read_options") {
        map(value, key, e.read_options, false);
      } else if (key == "table_properties") {
        map(value, key, e.table_properties, false);
      } else if (key == "tags") {
        map(value, key, e.tags, false);
      } else if (key == "spark_conf") {
        map(value, key, e.spark_conf, false);
      } else if (key == "expectations") {
        expectations(value);
      } else if (key == "apply_changes") {
        apply_changes(value);
      }
    });
    if (e.query) {
      // A query entity reads the tables its query names: no source format but "sql", and a
      // materialized view unless is_streaming says otherwise (STREAM(name) reads need true).
      if (explicit_source_format_ && e.source_format != "sql") {
        problem("source_format",
                out_.locations.count("source_format")
                    ? std::optional(out_.locations["source_format"])
                    : std::nullopt,
                "'" + e.source_format +
                    "' cannot be combined with query: an entity defined by a query reads the "
                    "tables the query names; remove source_format (or write sql)");
      }
      if (!explicit_streaming_) e.is_streaming = false;
    }
    normalize(e);
    if (explicit_streaming_ && *explicit_streaming_ != e.is_streaming) {
      out_.problems.push_back(
          {Severity::kWarning, e.entity_id, "is_streaming",
           std::string("is forced to ") + (e.is_streaming ? "true" : "false") +
               " for source_format " + e.source_format + "; the given value is ignored",
           out_.locations.count("is_streaming") ? std::optional(out_.locations["is_streaming"])
                                                : std::nullopt});
    }
    return std::move(out_);
  }

 private:
  void problem(const std::string& path, const std::optional<SourceLocation>& loc,
               std::string message) {
    out_.problems.push_back(
        {Severity::kError, out_.entity.entity_id, path, std::move(message), loc});
  }

  void type_problem(const Value& v, const std::string& path, const char* expected) {
    std::string message = std::string("expected ") + expected + ", got " + describe(v);
    if (std::string_view(expected).find("string") != std::string_view::npos &&
        (v.kind == Kind::kInt || v.kind == Kind::kFloat || v.kind == Kind::kBool)) {
      message += "; quote it (\"" + v.text + "\") to make it a string";
    }
    problem(path, v.location, std::move(message));
  }

  // Iterates the members of a mapping: records locations, reports duplicate and unknown keys.
  template <typename F>
  void for_members(const Value& v, const std::string& prefix,
                   const std::vector<std::string_view>& known, F&& each) {
    std::map<std::string, std::optional<SourceLocation>> seen;
    for (const auto& [key, value] : v.members) {
      const std::string path = prefix + key.first;
      const auto loc = value.location ? value.location : key.second;
      auto [it, inserted] = seen.emplace(key.first, key.second);
      if (!inserted) {
        problem(path, key.second,
                "duplicate key '" + key.first + "'" +
                    (it->second ? " (first at line " + std::to_string(it->second->line) + ")"
                                : std::string()));
        continue;
      }
      if (std::find(known.begin(), known.end(), key.first) == known.end()) {
        std::string where_text = prefix.empty() ? "an entity" : prefix.substr(0, prefix.size() - 1);
        problem(
            path, key.second,
            "unknown key '" + key.first + "' in " + where_text + did_you_mean(key.first, known));
        continue;
      }
      if (loc) out_.locations[path] = *loc;
      key_location_ = key.second;
      each(key.first, value);
    }
  }

  void string(const Value& v, const std::string& path, std::string& out,
              const std::string& null_value = "") {
    if (v.kind == Kind::kString) {
      out = v.text;
    } else if (v.kind == Kind::kNull) {
      out = null_value;
    } else {
      type_problem(v, path, "a string");
    }
  }

  void optional_string(const Value& v, const std::string& path, std::optional<std::string>& out) {
    if (v.kind == Kind::kString) {
      out = v.text;
    } else if (v.kind == Kind::kNull) {
      out.reset();
    } else {
      type_problem(v, path, "a string or null");
    }
  }

  void boolean(const Value& v, const std::string& path, bool& out) {
    if (v.kind == Kind::kBool) {
      out = v.boolean;
    } else if (v.kind == Kind::kString && is_yaml11_bool(v.text)) {
      problem(path, v.location,
              "expected true or false, got \"" + v.text +
                  "\" (YAML 1.1 spellings such as yes/no/on/off are strings in YAML 1.2; write "
                  "true or false)");
    } else if (v.kind != Kind::kNull) {
      type_problem(v, path, "true or false");
    }
  }

  void timestamp(const Value& v, const std::string& path, std::optional<Timestamp>& out) {
    if (v.kind == Kind::kNull) {
      out.reset();
    } else if (v.kind == Kind::kInt) {
      out = v.integer;
    } else if (v.kind == Kind::kString) {
      out = parse_timestamp(v.text);
      if (!out) {
        problem(path, v.location,
                "'" + v.text +
                    "' is not a timestamp; use ISO-8601 UTC such as "
                    "2024-01-02T03:04:05.000006Z");
      }
    } else {
      type_problem(v, path, "an ISO-8601 timestamp string");
    }
  }

  void list(const Value& v, const std::string& path, StringList& out) {
    if (v.kind == Kind::kNull) return;
    if (v.kind != Kind::kList) {
      type_problem(v, path, "a list of strings");
      return;
    }
    for (std::size_t i = 0; i < v.items.size(); ++i) {
      const Value& item = v.items[i];
      const std::string item_path = path + "[" + std::to_string(i) + "]";
      if (item.location) out_.locations[item_path] = *item.location;
      if (item.kind == Kind::kString) {
        out.push_back(item.text);
      } else {
        type_problem(item, item_path, "a string");
      }
    }
  }

  // Maps of string values; `strict` (expectation rules) allows strings only, otherwise any scalar
  // is taken as its text (read_options: {header: true}).
  void map(const Value& v, const std::string& path, StringMap& out, bool strict) {
    if (v.kind == Kind::kNull) return;
    if (v.kind != Kind::kMap) {
      type_problem(v, path,
                   strict ? "a mapping of rule name: SQL expression" : "a mapping of key: value");
      return;
    }
    std::set<std::string> seen;
    for (const auto& [key, value] : v.members) {
      const std::string entry = path + "." + key.first;
      if (key.second) out_.locations[entry] = *key.second;
      if (!seen.insert(key.first).second) {
        problem(entry, key.second, "duplicate key '" + key.first + "'");
        continue;
      }
      const bool scalar = value.kind == Kind::kString || value.kind == Kind::kInt ||
                          value.kind == Kind::kFloat || value.kind == Kind::kBool;
      if (value.kind == Kind::kString || (!strict && scalar)) {
        out[key.first] = value.text;
      } else {
        type_problem(value, entry, strict ? "a string (a SQL expression)" : "a string");
      }
    }
  }

  void expectations(const Value& v) {
    if (v.kind == Kind::kNull) return;
    if (v.kind != Kind::kMap) {
      type_problem(v, "expectations",
                   "a mapping with expect_all, expect_all_or_drop, expect_all_or_fail");
      return;
    }
    auto& x = out_.entity.expectations;
    for_members(v, "expectations.", kExpectationKeys,
                [&](const std::string& key, const Value& value) {
                  const std::string path = "expectations." + key;
                  if (key == "expect_all") map(value, path, x.expect_all, true);
                  if (key == "expect_all_or_drop") map(value, path, x.expect_all_or_drop, true);
                  if (key == "expect_all_or_fail") map(value, path, x.expect_all_or_fail, true);
                });
  }

  void apply_changes(const Value& v) {
    if (v.kind == Kind::kNull) return;
    if (v.kind != Kind::kMap) {
      type_problem(v, "apply_changes", "a mapping (sequence_by, stored_as_scd_type, ...)");
      return;
    }
    ApplyChanges ac;
    for_members(v, "apply_changes.", kApplyChangesKeys,
                [&](const std::string& key, const Value& value) {
                  const std::string path = "apply_changes." + key;
                  if (key == "sequence_by") string(value, path, ac.sequence_by);
                  if (key == "where") optional_string(value, path, ac.where);
                  if (key == "ignore_null_updates") boolean(value, path, ac.ignore_null_updates);
                  if (key == "apply_as_deletes") optional_string(value, path, ac.apply_as_deletes);
                  if (key == "apply_as_truncates") {
                    optional_string(value, path, ac.apply_as_truncates);
                  }
                  if (key == "column_list") list(value, path, ac.column_list);
                  if (key == "except_column_list") list(value, path, ac.except_column_list);
                  if (key == "stored_as_scd_type") {
                    if (value.kind == Kind::kInt) {
                      ac.stored_as_scd_type = static_cast<int>(value.integer);
                      if (value.integer != ac.stored_as_scd_type) ac.stored_as_scd_type = 0;
                    } else if (value.kind != Kind::kNull) {
                      type_problem(value, path, "the integer 1 or 2");
                    }
                  }
                  if (key == "track_history_column_list") {
                    list(value, path, ac.track_history_column_list);
                  }
                  if (key == "track_history_except_column_list") {
                    list(value, path, ac.track_history_except_column_list);
                  }
                  if (key == "flow_name") optional_string(value, path, ac.flow_name);
                  if (key == "ignore_null_updates_column_list") {
                    list(value, path, ac.ignore_null_updates_column_list);
                  }
                  if (key == "ignore_null_updates_except_column_list") {
                    list(value, path, ac.ignore_null_updates_except_column_list);
                  }
                });
    out_.entity.apply_changes = std::move(ac);
  }

  bool allow_generated_;
  std::optional<SourceLocation> key_location_;  // of the key for_members is visiting
  std::optional<bool> explicit_streaming_;
  bool explicit_source_format_ = false;
  DecodedEntity out_;
};

bool path_covers(const std::string& prefix, const std::string& path) {
  if (prefix.empty() || path.compare(0, prefix.size(), prefix) != 0) return false;
  return path.size() == prefix.size() || path[prefix.size()] == '.' || path[prefix.size()] == '[';
}

}  // namespace

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::kNull:
      return "null";
    case Kind::kBool:
      return "boolean";
    case Kind::kInt:
      return "integer";
    case Kind::kFloat:
      return "number";
    case Kind::kString:
      return "string";
    case Kind::kList:
      return "list";
    case Kind::kMap:
      return "mapping";
  }
  return "value";
}

Kind resolve_plain_scalar(const std::string& s) {
  static const std::regex kNull("~|null|Null|NULL|");
  static const std::regex kBool("true|True|TRUE|false|False|FALSE");
  static const std::regex kInt("[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+");
  static const std::regex kFloat(
      "[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\\.(inf|Inf|INF)|\\.nan|\\.NaN|"
      "\\.NAN");
  // Fast path: only scalars starting like a null, bool or number can be anything but a string.
  if (!s.empty() && std::string_view("~nNtTfF+-.0123456789").find(s[0]) == std::string_view::npos) {
    return Kind::kString;
  }
  if (std::regex_match(s, kNull)) return Kind::kNull;
  if (std::regex_match(s, kBool)) return Kind::kBool;
  if (std::regex_match(s, kInt)) return Kind::kInt;
  if (std::regex_match(s, kFloat)) return Kind::kFloat;
  return Kind::kString;
}

Value from_yaml(const YAML::Node& node, const std::string& file) {
  Value v;
  const YAML::Mark mark = node.Mark();
  if (mark.line >= 0) v.location = SourceLocation{file, mark.line + 1, mark.column + 1};
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      v.kind = Kind::kNull;
      break;
    case YAML::NodeType::Scalar: {
      v.text = node.Scalar();
      const std::string& tag = node.Tag();
      if (tag == "!" || tag == "tag:yaml.org,2002:str") {
        v.kind = Kind::kString;
      } else if (tag == "?" || tag.empty() || tag.rfind("tag:yaml.org,2002:", 0) == 0) {
        v.kind = resolve_plain_scalar(v.text);
      } else {
        v.kind = Kind::kString;
      }
      if (v.kind == Kind::kBool) {
        v.boolean = v.text[0] == 't' || v.text[0] == 'T';
        v.text = v.boolean ? "true" : "false";
      } else if (v.kind == Kind::kInt) {
        try {
          v.integer = std::stoll(v.text, nullptr, 0);
          if (v.text.rfind("0o", 0) == 0) v.integer = std::stoll(v.text.substr(2), nullptr, 8);
        } catch (const std::exception&) {
          v.kind = Kind::kFloat;  // out of range: still a number, never a valid int field
        }
      }
      break;
    }
    case YAML::NodeType::Sequence:
      v.kind = Kind::kList;
      for (const auto& item : node) v.items.push_back(from_yaml(item, file));
      break;
    case YAML::NodeType::Map:
      v.kind = Kind::kMap;
      for (auto it = node.begin(); it != node.end(); ++it) {
        const YAML::Mark key_mark = it->first.Mark();
        std::optional<SourceLocation> key_loc;
        if (key_mark.line >= 0)
          key_loc = SourceLocation{file, key_mark.line + 1, key_mark.column + 1};
        std::string key = it->first.IsScalar() ? it->first.Scalar() : "<non-scalar key>";
        v.members.push_back({{std::move(key), key_loc}, from_yaml(it->second, file)});
      }
      break;
  }
  return v;
}

bool is_entity_format_key(std::string_view key) {
  for (const auto* keys : {&kEntityKeys, &kExpectationKeys, &kApplyChangesKeys}) {
    if (std::find(keys->begin(), keys->end(), key) != keys->end()) return true;
  }
  return false;
}

Value from_json(const nlohmann::json& j) {
  Value v;
  switch (j.type()) {
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded:
      v.kind = Kind::kNull;
      break;
    case nlohmann::json::value_t::boolean:
      v.kind = Kind::kBool;
      v.boolean = j.get<bool>();
      v.text = v.boolean ? "true" : "false";
      break;
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
      v.kind = Kind::kInt;
      v.integer = j.get<long long>();
      v.text = j.dump();
      break;
    case nlohmann::json::value_t::number_float:
      v.kind = Kind::kFloat;
      v.text = j.dump();
      break;
    case nlohmann::json::value_t::string:
      v.kind = Kind::kString;
      v.text = j.get<std::string>();
      break;
    case nlohmann::json::value_t::array:
      v.kind = Kind::kList;
      for (const auto& item : j) v.items.push_back(from_json(item));
      break;
    case nlohmann::json::value_t::object:
      v.kind = Kind::kMap;
      for (const auto& [key, value] : j.items()) {
        v.members.push_back({{key, std::nullopt}, from_json(value)});
      }
      break;
    case nlohmann::json::value_t::binary:
      v.kind = Kind::kString;
      v.text = "<binary>";
      break;
  }
  return v;
}

DecodedEntity decode_entity(const Value& value, bool allow_generated) {
  return Decoder(allow_generated).run(value);
}

Diagnostics check_decoded(const DecodedEntity& decoded) {
  Diagnostics out = decoded.problems;
  for (auto d : validate(decoded.entity)) {
    bool covered = false;
    for (const auto& p : decoded.problems) {
      if (p.is_error() && (p.field.empty() || path_covers(p.field, d.field))) covered = true;
    }
    if (covered) continue;
    std::string path = d.field;
    while (!d.location) {
      auto it = decoded.locations.find(path);
      if (it != decoded.locations.end()) {
        d.location = it->second;
        break;
      }
      const auto cut = path.find_last_of(".[");
      if (cut == std::string::npos) break;
      path.resize(cut);
    }
    if (!d.location) d.location = decoded.location;
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace dls::detail
