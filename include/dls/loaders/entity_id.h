// Deterministic entity ids for generated metadata (the directory loader's factories).
//
// An entity made from a directory has no id written by a person, yet loading the same directory
// again — tomorrow, on another machine, from another process — must address the same entity so
// that the store sees "unchanged" instead of a new entity. The id is therefore a name-based UUID
// (RFC 4122 version 5, SHA-1) of what identifies the dataset: its group and its destination table.
//
//   deterministic_entity_id("main.etl", "dataset1_bronze")
//     == uuid_v5(kUrlNamespace, "dls:entity:main.etl/dataset1_bronze")
//     == "49264076-8779-520a-81cf-465417055494"
//
// The definition is pinned by a test (and equals Python's uuid.uuid5(uuid.NAMESPACE_URL, ...)), so
// ids stay the same across releases. Pure and thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace dls {

/// RFC 4122's URL namespace, 6ba7b811-9dad-11d1-80b4-00c04fd430c8.
inline constexpr std::string_view kUrlNamespace = "6ba7b811-9dad-11d1-80b4-00c04fd430c8";

/// The version-5 UUID of `name` in `namespace_uuid` (canonical lowercase 8-4-4-4-12 form).
/// Throws dls::Error when `namespace_uuid` is not a UUID or OpenSSL fails.
std::string uuid_v5(std::string_view namespace_uuid, std::string_view name);

/// uuid_v5(kUrlNamespace, "dls:entity:" + group + "/" + destination).
std::string deterministic_entity_id(std::string_view group, std::string_view destination);

}  // namespace dls
