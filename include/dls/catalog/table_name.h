// Table names of the warehouse (DESIGN §4): `catalog.schema.table`, `schema.table` (catalog `main`)
// and bare `table` (inside a default `catalog.schema`).
//
// Every part must match [A-Za-z_][A-Za-z0-9_]*. Anything else — empty parts (`a..b`), `..`, `/`,
// `-`, spaces, quotes, more than three parts — is rejected with dls::InvalidMetadataError (exit
// code 3) whose message quotes the name, names the offending part and states the rule. A name that
// passes can never escape the warehouse directory. All functions are pure and thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dls::catalog {

/// The catalog used by two-part names.
inline constexpr std::string_view kDefaultCatalog = "main";

/// A `catalog.schema` pair: where bare table names resolve (e.g. a pipeline's target).
struct Namespace {
  std::string catalog;
  std::string schema;
  std::string to_string() const { return catalog + "." + schema; }
  bool operator==(const Namespace&) const = default;
};

/// A fully qualified, validated table name.
struct TableName {
  std::string catalog;
  std::string schema;
  std::string table;
  /// "catalog.schema.table".
  std::string to_string() const { return catalog + "." + schema + "." + table; }
  Namespace ns() const { return {catalog, schema}; }
  bool operator==(const TableName&) const = default;
};

/// True when `part` matches [A-Za-z_][A-Za-z0-9_]*.
bool is_valid_name_part(std::string_view part) noexcept;

/// Throws InvalidMetadataError unless `part` is a valid name part. `what` says what the part is
/// ("table name", "pipeline name", ...) and appears in the message.
void validate_name_part(std::string_view part, std::string_view what);

/// Parses a 1-3 part table name. A bare name needs `default_ns` (else InvalidMetadataError saying
/// that a `schema.table` or `catalog.schema.table` is needed); a two-part name uses catalog `main`.
/// Throws InvalidMetadataError for an unsafe or malformed name.
TableName parse_table_name(std::string_view name,
                           const std::optional<Namespace>& default_ns = std::nullopt);

/// Parses `catalog.schema` (exactly two valid parts). Throws InvalidMetadataError.
Namespace parse_namespace(std::string_view text);

}  // namespace dls::catalog
