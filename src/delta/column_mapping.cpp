#include "delta/column_mapping.h"

namespace dls::delta {

std::string column_mapping_mode(const Metadata& metadata) {
  auto it = metadata.configuration.find("delta.columnMapping.mode");
  if (it == metadata.configuration.end() || it->second.empty()) return "none";
  return it->second;
}

std::string physical_name(const StructField& field, const std::string& mode) {
  if (mode == "none") return field.name;
  auto it = field.metadata.find("delta.columnMapping.physicalName");
  // A field added before column mapping was enabled keeps its logical name as physical name.
  if (it == field.metadata.end() || !it->is_string()) return field.name;
  return it->get<std::string>();
}

}  // namespace dls::delta
