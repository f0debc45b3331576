#include "pipeline/sources/metadata_column.h"

#include "pipeline/sources/read_options.h"

namespace dls::pipeline::sources {

namespace {
bool mentions(const std::string& text) {
  const std::string lower = to_lower(text);
  return lower.find("_metadata") != std::string::npos ||
         lower.find("input_file_name") != std::string::npos;
}
}  // namespace

bool reads_metadata_column(const DeltaLiveEntity& entity) {
  for (const auto& e : entity.select_expr) {
    if (mentions(e)) return true;
  }
  for (const auto* rules :
       {&entity.expectations.expect_all, &entity.expectations.expect_all_or_drop,
        &entity.expectations.expect_all_or_fail}) {
    for (const auto& [name, expr] : *rules) {
      if (mentions(expr)) return true;
    }
  }
  if (entity.apply_changes) {
    const auto& ac = *entity.apply_changes;
    if (mentions(ac.sequence_by) || mentions(ac.where.value_or("")) ||
        mentions(ac.apply_as_deletes.value_or("")) ||
        mentions(ac.apply_as_truncates.value_or(""))) {
      return true;
    }
  }
  return false;
}

}  // namespace dls::pipeline::sources
