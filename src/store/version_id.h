// Ids of entity versions: random (version 4) UUIDs, "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".
// Internal to the store layer. Thread-safe.
#pragma once

#include <string>

namespace dls::store_detail {

/// A new random UUID (122 random bits from a per-thread generator seeded by std::random_device).
std::string new_version_id();

}  // namespace dls::store_detail
