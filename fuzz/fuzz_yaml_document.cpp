// The YAML file format (src/core/yaml_document.cpp): parsing, the codec and validate() on any
// bytes, and for a text that loads, the exporter's promise that its output loads back to the same
// entities.
#include <cstdlib>

#include "dls/core/yaml_document.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = dls::fuzz::as_text(data, size);
  (void)dls::check_yaml_document(text, "fuzz.yml");
  dls::fuzz::expect_only_dls_errors([&] {
    const dls::YamlDocument doc = dls::parse_yaml_document(text, "fuzz.yml");
    const std::string exported = dls::to_yaml_document(doc.entities);
    const dls::YamlDocument again = dls::parse_yaml_document(exported, "exported.yml");
    if (again.entities != doc.entities) std::abort();  // the export changed the entities
  });
  return 0;
}
