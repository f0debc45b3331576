// ReadOptions: an entity's read_options, validated against the options a source understands.
// Keys compare case-insensitively (as Spark's DataFrameReader options do); an option no source of
// this kind understands is an InvalidMetadataError naming it, the entity and the closest valid
// option, so a typo never silently changes what is read.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dls/core/entity.h"

namespace dls::pipeline::sources {

class ReadOptions {
 public:
  /// `allowed` lists the option names (any case) the source understands; `what` names the source
  /// in messages (e.g. "cloudFiles (csv)").
  ReadOptions(const DeltaLiveEntity& entity, std::string what,
              const std::vector<std::string_view>& allowed);

  /// The value of `key` (any case), or nullopt.
  std::optional<std::string> get(std::string_view key) const;
  std::string get_or(std::string_view key, const std::string& fallback) const;
  /// true/false (any case); anything else is an InvalidMetadataError.
  bool get_bool(std::string_view key, bool fallback) const;
  /// A positive integer; anything else is an InvalidMetadataError.
  int64_t get_positive_int(std::string_view key, int64_t fallback) const;
  /// One of `choices` (compared case-insensitively; returned as spelt in `choices`).
  std::string get_choice(std::string_view key, const std::vector<std::string_view>& choices,
                         const std::string& fallback) const;
  bool has(std::string_view key) const { return get(key).has_value(); }

  /// Throws InvalidMetadataError "<entity>: read option <key>: <message>".
  [[noreturn]] void fail(std::string_view key, const std::string& message) const;
  const std::string& entity_id() const { return entity_id_; }

 private:
  std::string entity_id_;
  std::string what_;
  std::map<std::string, std::pair<std::string, std::string>> values_;  // lower key -> (key, value)
};

std::string to_lower(std::string_view s);

}  // namespace dls::pipeline::sources
