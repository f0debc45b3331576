// "Did you mean ...?" for error messages: the candidate closest to a misspelt word.
//
// closest_match returns the candidate with the smallest case-insensitive edit distance to `word`
// when that distance is small enough to be a plausible typo (at most 1 for words of up to 4
// characters, 2 up to 8, 3 beyond), else std::nullopt. Ties go to the earlier candidate.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dls {

std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string_view>& candidates);

/// " (did you mean X?)" when closest_match finds X, else "".
std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace dls
