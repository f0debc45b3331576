// Helpers shared by the fuzz targets: the input as text, and the one rule every target checks --
// bad input may only fail with a dls::Error (a located, user-facing error with an exit code).
// Anything else (another exception, a crash, a hang, unbounded memory) is a bug libFuzzer reports.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "dls/core/error.h"

namespace dls::fuzz {

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// Runs `f`; a dls::Error is the expected outcome of bad input and is swallowed. Any other
/// exception propagates out of LLVMFuzzerTestOneInput, which aborts: libFuzzer reports a crash.
template <typename F>
void expect_only_dls_errors(F&& f) {
  try {
    f();
  } catch (const Error&) {
  }
}

/// Splits `text` at the first occurrence of `sep`: (before, after); after is empty without it.
inline std::pair<std::string_view, std::string_view> split_once(std::string_view text, char sep) {
  const size_t at = text.find(sep);
  if (at == std::string_view::npos) return {text, {}};
  return {text.substr(0, at), text.substr(at + 1)};
}

}  // namespace dls::fuzz
