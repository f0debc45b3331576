#include "dls/core/diagnostic.h"

#include <algorithm>

#include "dls/core/error.h"

namespace dls {

std::string SourceLocation::to_string() const {
  std::string out = file.empty() ? "" : file + ":";
  out += std::to_string(line) + ":" + std::to_string(column);
  return out;
}

std::string Diagnostic::to_string() const {
  std::string out;
  if (location) out += location->to_string() + ": ";
  out += severity == Severity::kError ? "error: " : "warning: ";
  if (!entity_id.empty()) out += "entity '" + entity_id + "': ";
  if (!field.empty()) out += field + ": ";
  out += message;
  return out;
}

bool has_errors(const Diagnostics& diagnostics) {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& d) { return d.is_error(); });
}

void throw_if_errors(const Diagnostics& diagnostics) {
  std::vector<std::string> errors;
  for (const auto& d : diagnostics) {
    if (d.is_error()) errors.push_back(d.to_string());
  }
  if (!errors.empty()) throw MetadataErrors(std::move(errors));
}

}  // namespace dls
