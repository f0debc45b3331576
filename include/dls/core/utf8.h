// UTF-8 encoding of one code point, shared by the layers that build text byte by byte (Delta stats
// truncation, the Spark SQL tokenizer, generated YAML).
#pragma once

#include <string>

namespace dls {

/// Appends the UTF-8 encoding of `cp` (at most U+10FFFF; the caller guarantees a valid scalar).
void append_utf8(std::string& out, char32_t cp);

}  // namespace dls
