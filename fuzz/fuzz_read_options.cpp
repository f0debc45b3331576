// The CSV/JSON/... source options (src/pipeline/sources/read_options.cpp, file_format.cpp): the
// first line names the format, each further line is one read option "key=value". Unknown keys and
// bad values fail with an InvalidMetadataError naming the entity and the option.
#include "dls/core/entity.h"
#include "fuzz_input.h"
#include "pipeline/sources/file_format.h"
#include "pipeline/sources/read_options.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace sources = dls::pipeline::sources;
  auto [format, rest] = dls::fuzz::split_once(dls::fuzz::as_text(data, size), '\n');
  dls::DeltaLiveEntity entity;
  entity.entity_id = "fuzz";
  while (!rest.empty()) {
    auto [line, next] = dls::fuzz::split_once(rest, '\n');
    auto [key, value] = dls::fuzz::split_once(line, '=');
    entity.read_options[std::string(key)] = std::string(value);
    rest = next;
  }
  const std::string fmt(format);
  dls::fuzz::expect_only_dls_errors([&] {
    const sources::ReadOptions options(entity, fmt, sources::format_option_names(fmt));
    (void)sources::parse_file_format(fmt, options, size % 2 == 0);
  });
  // The typed getters on every key, as the sources call them.
  dls::fuzz::expect_only_dls_errors([&] {
    std::vector<std::string_view> all;
    for (const auto& [key, value] : entity.read_options) all.push_back(key);
    const sources::ReadOptions options(entity, fmt, all);
    for (const auto& entry : entity.read_options) {
      const std::string& key = entry.first;
      dls::fuzz::expect_only_dls_errors([&] { (void)options.get_bool(key, false); });
      dls::fuzz::expect_only_dls_errors([&] { (void)options.get_positive_int(key, 1); });
      dls::fuzz::expect_only_dls_errors(
          [&] { (void)options.get_choice(key, {"PERMISSIVE", "DROPMALFORMED", "x"}, "x"); });
    }
  });
  return 0;
}
