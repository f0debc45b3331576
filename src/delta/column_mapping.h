// Column mapping (PROTOCOL.md "Column Mapping"): logical column names in the schema, physical
// names in the Parquet files and in partitionValues.
#pragma once

#include <string>

#include "dls/delta/action.h"
#include "dls/delta/schema.h"

namespace dls::delta {

/// "none", "name" or "id", from metaData.configuration["delta.columnMapping.mode"].
std::string column_mapping_mode(const Metadata& metadata);

/// The name of `field` in data files and partitionValues: its
/// delta.columnMapping.physicalName when `mode` is "name" or "id" and the field has one,
/// else its logical name.
std::string physical_name(const StructField& field, const std::string& mode);

}  // namespace dls::delta
