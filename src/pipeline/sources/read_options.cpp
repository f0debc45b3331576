#include "pipeline/sources/read_options.h"

#include <algorithm>
#include <cctype>

#include "dls/core/error.h"
#include "dls/core/suggest.h"

namespace dls::pipeline::sources {

std::string to_lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

ReadOptions::ReadOptions(const DeltaLiveEntity& entity, std::string what,
                         const std::vector<std::string_view>& allowed)
    : entity_id_(entity.entity_id), what_(std::move(what)) {
  for (const auto& [key, value] : entity.read_options) {
    const std::string lower = to_lower(key);
    const bool known = std::any_of(allowed.begin(), allowed.end(),
                                   [&](std::string_view a) { return to_lower(a) == lower; });
    if (!known) {
      std::string message = "entity '" + entity_id_ + "': read option '" + key +
                            "' is not supported by the " + what_ + " source" +
                            did_you_mean(key, allowed) + "; supported options: ";
      for (size_t i = 0; i < allowed.size(); ++i) {
        message += (i ? ", " : "") + std::string(allowed[i]);
      }
      message += " (see docs/sources.md)";
      throw InvalidMetadataError(message);
    }
    if (values_.count(lower)) {
      throw InvalidMetadataError("entity '" + entity_id_ + "': read option '" + key +
                                 "' is given twice (as '" + values_[lower].first +
                                 "'); option names are case-insensitive");
    }
    values_[lower] = {key, value};
  }
}

std::optional<std::string> ReadOptions::get(std::string_view key) const {
  auto it = values_.find(to_lower(key));
  if (it == values_.end()) return std::nullopt;
  return it->second.second;
}

std::string ReadOptions::get_or(std::string_view key, const std::string& fallback) const {
  auto v = get(key);
  return v ? *v : fallback;
}

bool ReadOptions::get_bool(std::string_view key, bool fallback) const {
  auto v = get(key);
  if (!v) return fallback;
  const std::string lower = to_lower(*v);
  if (lower == "true") return true;
  if (lower == "false") return false;
  fail(key, "expected true or false, got '" + *v + "'");
}

int64_t ReadOptions::get_positive_int(std::string_view key, int64_t fallback) const {
  auto v = get(key);
  if (!v) return fallback;
  try {
    size_t used = 0;
    const long long n = std::stoll(*v, &used);
    if (used == v->size() && n > 0) return n;
  } catch (const std::exception&) {
  }
  fail(key, "expected a positive integer, got '" + *v + "'");
}

std::string ReadOptions::get_choice(std::string_view key,
                                    const std::vector<std::string_view>& choices,
                                    const std::string& fallback) const {
  auto v = get(key);
  if (!v) return fallback;
  for (auto c : choices) {
    if (to_lower(c) == to_lower(*v)) return std::string(c);
  }
  std::string list;
  for (size_t i = 0; i < choices.size(); ++i) list += (i ? ", " : "") + std::string(choices[i]);
  fail(key, "'" + *v + "' is not one of " + list + did_you_mean(*v, choices));
}

void ReadOptions::fail(std::string_view key, const std::string& message) const {
  auto it = values_.find(to_lower(key));
  const std::string spelt = it == values_.end() ? std::string(key) : it->second.first;
  throw InvalidMetadataError("entity '" + entity_id_ + "': read option '" + spelt + "' (" + what_ +
                             " source): " + message);
}

}  // namespace dls::pipeline::sources
