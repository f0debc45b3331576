// Whether an entity reads the hidden `_metadata` column of a file source (Spark adds it only when
// a query names it): true when select_expr, an expectation or an apply_changes expression mentions
// `_metadata` or input_file_name() (case-insensitive).
#pragma once

#include "dls/core/entity.h"

namespace dls::pipeline::sources {

bool reads_metadata_column(const DeltaLiveEntity& entity);

}  // namespace dls::pipeline::sources
