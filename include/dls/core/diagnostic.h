// Diagnostic: one finding about metadata — an error (the entity cannot be stored) or a warning (it
// can be stored, but the pipeline will ignore or reject part of it).
//
// `field` is a dotted path in the seed's field names ("apply_changes.stored_as_scd_type",
// "read_options.header"); "" means the entity as a whole. `location`, when known, is the 1-based
// line and column in the source file the entity was read from. to_string() renders
// "file:line:column: error: entity '1': field: message" (parts that are unknown are left out).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace dls {

enum class Severity { kError, kWarning };

/// A 1-based position in a text file; `file` may be empty (e.g. an in-memory string).
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;

  /// "file:line:column" ("line:column" without a file).
  std::string to_string() const;
  friend bool operator==(const SourceLocation&, const SourceLocation&) = default;
};

struct Diagnostic {
  Severity severity = Severity::kError;
  std::string entity_id;  ///< the entity concerned ("" when not known)
  std::string field;      ///< dotted field path, "" for the whole entity
  std::string message;    ///< what is wrong and, where it helps, how to fix it
  std::optional<SourceLocation> location;

  bool is_error() const { return severity == Severity::kError; }
  std::string to_string() const;
};

using Diagnostics = std::vector<Diagnostic>;

/// True when any diagnostic is an error.
bool has_errors(const Diagnostics& diagnostics);

/// Throws dls::MetadataErrors listing every error (one to_string() per line) when there is at least
/// one; warnings are not included. Does nothing otherwise.
void throw_if_errors(const Diagnostics& diagnostics);

}  // namespace dls
