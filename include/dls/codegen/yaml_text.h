// Rendering of generated YAML files (Databricks bundle files, the Spark pipeline spec).
//
// to_yaml_text() writes a JSON document (objects keep their insertion order) as block-style YAML
// in which every string scalar is double-quoted with YAML escapes, so no value from metadata can
// change the structure or the type of what is read back ("true", "1", "#", ": ", newlines, quotes,
// unicode are all kept as strings). Object keys are written plain when they are safe
// ([A-Za-z0-9_./${}-] and not a YAML special word), else double-quoted. Numbers and booleans are
// written as YAML numbers/booleans; null as null. Empty objects/arrays are written {} / [].
// Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace dls::codegen {

/// A YAML double-quoted scalar for `value` (UTF-8; control and non-printable characters escaped).
std::string yaml_quote(std::string_view value);

/// `document` as a YAML document ending in a newline. `header` lines (if any) are written first
/// as '# ' comments (control characters replaced by spaces).
std::string to_yaml_text(const nlohmann::ordered_json& document, std::string_view header = "");

}  // namespace dls::codegen
