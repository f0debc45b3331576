// The --where filter language (src/core/predicate_parser.cpp): any text parses or fails with a
// PredicateSyntaxError, and a parsed predicate prints to text that parses back to itself.
#include <cstdlib>

#include "dls/core/predicate_parser.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = dls::fuzz::as_text(data, size);
  dls::fuzz::expect_only_dls_errors([&] {
    const dls::Predicate p = dls::parse_predicate(text, "--where");
    const std::string printed = p.to_string();
    if (!(dls::parse_predicate(printed, "printed") == p)) std::abort();  // round trip broken
  });
  return 0;
}
