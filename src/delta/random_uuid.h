// Random (version 4) UUIDs for table ids, data file names and commit txnIds.
#pragma once

#include <string>

namespace dls::delta {

/// A random RFC 4122 version-4 UUID in its canonical 36-character form. Thread-safe; distinct
/// across processes (each thread seeds from std::random_device).
std::string random_uuid();

}  // namespace dls::delta
