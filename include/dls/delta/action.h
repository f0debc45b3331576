// Delta log actions (PROTOCOL.md "Actions") and their JSON codec.
//
// Field names follow the protocol. Paths in AddFile/RemoveFile are kept exactly as written in the
// log (URIs: relative paths are URL-encoded); decode them once with decode_path() to get a
// filesystem path relative to the table root.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace dls::delta {

struct Protocol {
  int min_reader_version = 1;
  int min_writer_version = 2;
  std::optional<std::vector<std::string>> reader_features;  // present from reader version 3
  std::optional<std::vector<std::string>> writer_features;  // present from writer version 7
};

struct Format {
  std::string provider = "parquet";
  std::map<std::string, std::string> options;
};

struct Metadata {
  std::string id;
  std::optional<std::string> name;
  std::optional<std::string> description;
  Format format;
  std::string schema_string;  // the table schema as Spark JSON (see schema.h)
  std::vector<std::string> partition_columns;
  std::map<std::string, std::string> configuration;
  std::optional<int64_t> created_time;
};

struct DeletionVectorDescriptor {
  std::string storage_type;  // "u" (relative, UUID), "i" (inline), "p" (absolute path)
  std::string path_or_inline_dv;
  std::optional<int32_t> offset;
  int32_t size_in_bytes = 0;
  int64_t cardinality = 0;
  /// storage_type + path_or_inline_dv (+ "@" + offset): identifies the DV of a logical file.
  std::string unique_id() const;
};

/// Partition values are strings; a null is std::nullopt.
using PartitionValues = std::map<std::string, std::optional<std::string>>;

struct AddFile {
  std::string path;
  PartitionValues partition_values;
  int64_t size = 0;
  int64_t modification_time = 0;
  bool data_change = true;
  std::optional<std::string> stats;  // a JSON document inside a string
  std::optional<std::map<std::string, std::string>> tags;
  std::optional<DeletionVectorDescriptor> deletion_vector;
  std::optional<int64_t> base_row_id;
  std::optional<int64_t> default_row_commit_version;
  std::optional<std::string> clustering_provider;
  /// path + DV unique id: the key of a logical file in log replay.
  std::string key() const;
};

struct RemoveFile {
  std::string path;
  std::optional<int64_t> deletion_timestamp;
  bool data_change = true;
  std::optional<bool> extended_file_metadata;
  std::optional<PartitionValues> partition_values;
  std::optional<int64_t> size;
  std::optional<std::string> stats;
  std::optional<std::map<std::string, std::string>> tags;
  std::optional<DeletionVectorDescriptor> deletion_vector;
  std::optional<int64_t> base_row_id;
  std::optional<int64_t> default_row_commit_version;
  std::string key() const;
};

struct SetTransaction {
  std::string app_id;
  int64_t version = 0;
  std::optional<int64_t> last_updated;
};

/// Free-form provenance. Readers must not depend on it; dls writes timestamp, operation,
/// operationParameters (values are JSON strings, as Spark writes them), operationMetrics,
/// engineInfo, isBlindAppend, readVersion.
struct CommitInfo {
  nlohmann::json fields = nlohmann::json::object();
  std::optional<int64_t> timestamp() const;
  std::optional<int64_t> in_commit_timestamp() const;
  std::optional<std::string> operation() const;
};

struct DomainMetadata {
  std::string domain;
  std::string configuration;
  bool removed = false;
};

/// cdc, checkpointMetadata, sidecar and unknown actions that do not change the snapshot.
struct OtherAction {
  std::string kind;
  nlohmann::json body;
};

using Action = std::variant<Protocol, Metadata, AddFile, RemoveFile, SetTransaction, CommitInfo,
                            DomainMetadata, OtherAction>;

/// One action as its single-key JSON object ({"add": {...}}). Throws dls::Error on a malformed
/// action (the message names the field): a missing required field, a wrong type, or a number
/// where an integer is required that is not one exactly (non-integral, or outside the field's
/// range: int64, 32-bit for protocol versions and DV offset/sizeInBytes, non-negative for sizes).
Action action_from_json(const nlohmann::json& line);
nlohmann::json action_to_json(const Action& action);

/// Parses a commit file (newline-delimited JSON). `where` (e.g. the commit file path) prefixes
/// errors: "<where>: line 3: ...". Throws CorruptTableError for an invalid line and for a file
/// without any action (empty or blank): a commit always holds at least one action, so such a file
/// is a damaged commit, never an empty one.
std::vector<Action> parse_commit(const std::string& content, const std::string& where);
/// Serialises actions as a commit file: one compact JSON object per line, each ending in '\n'.
std::string serialize_commit(const std::vector<Action>& actions);

/// A JSON value as an int64 when it is one exactly: an integer within the int64 range, a float that
/// is integral and within that range, or a string holding a plain decimal integer (some writers
/// quote numbers). nullopt otherwise — never a wrapped or truncated value.
std::optional<int64_t> json_to_int64(const nlohmann::json& value);

/// Decodes a URI path from the log into a path relative to the table root (or absolute).
std::string decode_path(const std::string& uri_path);
/// Encodes a relative file path for the log (the inverse of decode_path for relative paths).
std::string encode_path(const std::string& relative_path);

}  // namespace dls::delta
