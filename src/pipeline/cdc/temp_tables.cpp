// Uniquely named TEMP tables for one apply_changes call (cdc_plan.h).
#include <atomic>

#include "dls/sql/quote.h"
#include "pipeline/cdc/cdc_plan.h"

namespace dls::pipeline::cdc {

TempTables::TempTables(sql::Connection& con) : con_(con) {
  static std::atomic<int64_t> counter{0};
  prefix_ = "__dls_cdc_" + std::to_string(++counter) + "_";
}

TempTables::~TempTables() {
  for (auto it = names_.rbegin(); it != names_.rend(); ++it) {
    try {
      con_.execute("DROP TABLE IF EXISTS " + *it);
    } catch (...) {
      // Best effort: a TEMP table disappears with the connection anyway.
    }
  }
}

std::string TempTables::name(const std::string& label) {
  names_.push_back(sql::quote_identifier(prefix_ + label + "_" + std::to_string(names_.size())));
  return names_.back();
}

}  // namespace dls::pipeline::cdc
