// Timestamps of the control table: int64 microseconds since 1970-01-01T00:00:00Z (UTC), the unit of
// Spark's and Delta's TIMESTAMP columns.
//
// format_timestamp always prints ISO-8601 UTC with six fractional digits
// ("2024-01-02T03:04:05.000006Z"). parse_timestamp accepts that form and the common variants a
// person types: a date alone
// ("2024-01-02", midnight UTC), a space instead of 'T', 0-9 fractional digits (truncated to
// microseconds), and a trailing 'Z', "+HH:MM"/"-HH:MM" offset or no zone (read as UTC). It returns
// std::nullopt for anything else. Both functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dls {

/// Microseconds since the Unix epoch, UTC.
using Timestamp = std::int64_t;

/// "YYYY-MM-DDTHH:MM:SS.ffffffZ" for `micros` (negative values are dates before 1970).
std::string format_timestamp(Timestamp micros);

/// "YYYY-MM-DDTHH:MM:SS.fffZ" (milliseconds) for `millis` since the epoch: Delta's commit times.
std::string format_timestamp_millis(std::int64_t millis);

/// The instant `text` denotes, or std::nullopt when it is not a timestamp (see the header comment).
std::optional<Timestamp> parse_timestamp(std::string_view text);

/// The current wall-clock time in microseconds.
Timestamp now_micros();

}  // namespace dls
