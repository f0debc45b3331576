// Entities across the boundary: C++ DeltaLiveEntity → Python dict (built directly), JSON text →
// C++ entities (through entity_codec.h, so Python input gets the same validation and messages
// as every other input), and EntityBatch, the C++-side list behind dls.models.DeltaLiveEntityList.
#include <nanobind/stl/map.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <nlohmann/json.hpp>

#include "bindings.h"
#include "dls/core/entity_codec.h"
#include "dls/core/error.h"

namespace dls::python {
namespace {

nb::object optional_string(const std::optional<std::string>& s) {
  return s ? nb::cast(*s) : nb::none();
}

nb::object optional_timestamp(const std::optional<Timestamp>& t) {
  return t ? nb::cast(*t) : nb::none();
}

nb::dict expectations_to_dict(const Expectations& e) {
  nb::dict d;
  d["expect_all"] = nb::cast(e.expect_all);
  d["expect_all_or_drop"] = nb::cast(e.expect_all_or_drop);
  d["expect_all_or_fail"] = nb::cast(e.expect_all_or_fail);
  return d;
}

nb::dict apply_changes_to_dict(const ApplyChanges& a) {
  nb::dict d;
  d["sequence_by"] = a.sequence_by;
  d["where"] = optional_string(a.where);
  d["ignore_null_updates"] = a.ignore_null_updates;
  d["apply_as_deletes"] = optional_string(a.apply_as_deletes);
  d["apply_as_truncates"] = optional_string(a.apply_as_truncates);
  d["column_list"] = nb::cast(a.column_list);
  d["except_column_list"] = nb::cast(a.except_column_list);
  d["stored_as_scd_type"] = a.stored_as_scd_type;
  d["track_history_column_list"] = nb::cast(a.track_history_column_list);
  d["track_history_except_column_list"] = nb::cast(a.track_history_except_column_list);
  d["flow_name"] = optional_string(a.flow_name);
  d["ignore_null_updates_column_list"] = nb::cast(a.ignore_null_updates_column_list);
  d["ignore_null_updates_except_column_list"] = nb::cast(a.ignore_null_updates_except_column_list);
  return d;
}

}  // namespace

nb::dict entity_to_dict(const DeltaLiveEntity& e) {
  nb::dict d;
  d["id"] = optional_string(e.id);
  d["entity_id"] = e.entity_id;
  d["group"] = e.group.empty() ? nb::none() : nb::cast(e.group);
  d["source"] = e.source;
  d["source_format"] = e.source_format;
  d["destination"] = e.destination;
  d["destination_type"] = e.destination_type;
  d["source_schema"] = optional_string(e.source_schema);
  d["select_expr"] = nb::cast(e.select_expr);
  d["is_streaming"] = e.is_streaming;
  d["primary_keys"] = nb::cast(e.primary_keys);
  d["read_options"] = nb::cast(e.read_options);
  d["table_properties"] = nb::cast(e.table_properties);
  d["tags"] = nb::cast(e.tags);
  d["spark_conf"] = nb::cast(e.spark_conf);
  d["partition_cols"] = nb::cast(e.partition_cols);
  d["comment"] = optional_string(e.comment);
  d["expectations"] = expectations_to_dict(e.expectations);
  d["apply_changes"] =
      e.apply_changes ? nb::object(apply_changes_to_dict(*e.apply_changes)) : nb::none();
  d["is_quarantined"] = e.is_quarantined;
  d["is_enabled"] = e.is_enabled;
  d["is_latest"] = e.is_latest;
  d["created_ts"] = optional_timestamp(e.created_ts);
  d["expired_ts"] = optional_timestamp(e.expired_ts);
  d["created_by"] = optional_string(e.created_by);
  d["modified_by"] = optional_string(e.modified_by);
  d["hash"] = optional_string(e.hash);
  return d;
}

std::vector<DeltaLiveEntity> entities_from_json_text(const std::string& json_text,
                                                     const std::string& origin) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::parse_error& e) {
    throw InvalidMetadataError(origin + ": not JSON: " + e.what());
  }
  try {
    return entities_from_json(json);
  } catch (const MetadataErrors& e) {
    // Name where the entities came from, as the loaders do for files.
    std::vector<std::string> located;
    for (const auto& message : e.errors()) located.push_back(origin + ": " + message);
    throw MetadataErrors(std::move(located));
  }
}

void register_entities(nb::module_& m) {
  nb::class_<EntityBatch>(m, "EntityBatch",
                          "Entities held on the C++ side (a find_* result); read by index.")
      .def("__len__", [](const EntityBatch& b) { return b.list->size(); })
      .def(
          "get",
          [](const EntityBatch& b, size_t i) {
            if (i >= b.list->size()) throw nb::index_error("entity index out of range");
            return entity_to_dict((*b.list)[i]);
          },
          "The i-th entity as a dict of its fields.")
      .def("to_json", [](const EntityBatch& b) { return b.list->to_json().dump(); })
      .def("to_yaml", [](const EntityBatch& b) { return b.list->to_yaml(); })
      .def("to_table", [](const EntityBatch& b) { return b.list->to_table(); });

  m.def(
      "entity_batch_from_json",
      [](const std::string& json_text, const std::string& origin) {
        auto entities = entities_from_json_text(json_text, origin);
        return EntityBatch{std::make_shared<const EntityList>(std::move(entities))};
      },
      nb::arg("json_text"), nb::arg("origin") = "entities",
      "Validated entities from a JSON array (entity_codec.h); raises InvalidMetadataError.");
  m.def(
      "entity_to_yaml",
      [](const std::string& json_text) {
        auto entities = entities_from_json_text(json_text, "entity");
        if (entities.size() != 1) throw InvalidMetadataError("entity_to_yaml: expected one entity");
        return to_yaml(entities[0]);
      },
      nb::arg("json_text"));
}

}  // namespace dls::python
