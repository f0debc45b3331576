// Entities across the boundary: C++ DeltaLiveEntity → dls.models objects (built directly), JSON
// text → C++ entities (through entity_codec.h, so Python input gets the same validation and
// messages as every other input), and EntityBatch, the C++-side list behind
// dls.models.DeltaLiveEntityList.
#include <nanobind/stl/map.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <datetime.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <unordered_map>
#include <utility>

#include <nlohmann/json.hpp>

#include "bindings.h"
#include "dls/core/entity_codec.h"
#include "dls/core/error.h"

namespace dls::python {
namespace {

// --- DeltaLiveEntity objects built here, in bulk ------------------------------------------------
//
// find_* results are read from Python as dls.models objects. Building them here instead of as a
// dict converted by Python code saves most of the per-entity cost: the instances are created
// without running __init__ (the C++ entity is already valid) and their __dict__ filled with
// interned keys, the timestamps as aware UTC datetimes built directly, repeated values shared.

/// dls.models' classes, registered by set_entity_types (owned references, never released: they
/// live as long as the interpreter's copy of dls.models).
struct EntityTypes {
  PyObject* entity = nullptr;
  PyObject* expectations = nullptr;
  PyObject* apply_changes = nullptr;
};

EntityTypes& entity_types() {
  static EntityTypes types;
  return types;
}

/// An interned Python string for a field name (created once, kept for the process).
PyObject* key(const char* name) {
  PyObject* s = PyUnicode_InternFromString(name);
  if (s == nullptr) throw nb::python_error();
  return s;
}

void set_field(PyObject* dict, PyObject* name, nb::handle value) {
  if (PyDict_SetItem(dict, name, value.ptr()) != 0) throw nb::python_error();
}

void set_field(PyObject* dict, PyObject* name, PyObject* new_reference) {
  nb::object value = nb::steal(new_reference);
  if (!value.is_valid()) throw nb::python_error();
  set_field(dict, name, nb::handle(value));
}

PyObject* py_bool(bool b) {
  return Py_NewRef(b ? Py_True : Py_False);
}

/// An instance of `type` (a plain Python class) created without __init__, and its __dict__.
std::pair<nb::object, PyObject*> new_instance(PyObject* type) {
  if (type == nullptr) {
    throw std::logic_error("dls._core: set_entity_types was not called (import dls.models)");
  }
  nb::object empty = nb::steal(PyTuple_New(0));
  nb::object instance = nb::steal(
      PyBaseObject_Type.tp_new(reinterpret_cast<PyTypeObject*>(type), empty.ptr(), nullptr));
  if (!instance.is_valid()) throw nb::python_error();
  PyObject* dict = PyObject_GenericGetDict(instance.ptr(), nullptr);
  if (dict == nullptr) throw nb::python_error();
  Py_DECREF(dict);  // the instance holds it
  return {std::move(instance), dict};
}

/// Builds dls.models objects from C++ entities. One builder for a whole list shares the Python
/// strings of values that repeat from entity to entity (formats, groups, users, option keys and
/// values: str objects are immutable, so sharing is invisible, as with interning) and the datetime
/// of a timestamp equal to the previous one (the entities of one upsert share created_ts).
class ObjectBuilder {
 public:
  ObjectBuilder() = default;
  ObjectBuilder(const ObjectBuilder&) = delete;
  ObjectBuilder& operator=(const ObjectBuilder&) = delete;
  ~ObjectBuilder() {
    for (auto& [text, object] : shared_) Py_DECREF(object);
    Py_XDECREF(last_datetime_);
  }

  /// A dls.models.DeltaLiveEntity with the entity's fields.
  nb::object entity(const DeltaLiveEntity& e) {
    static PyObject* const k_id = key("id");
    static PyObject* const k_entity_id = key("entity_id");
    static PyObject* const k_group = key("group");
    static PyObject* const k_source = key("source");
    static PyObject* const k_source_format = key("source_format");
    static PyObject* const k_destination = key("destination");
    static PyObject* const k_destination_type = key("destination_type");
    static PyObject* const k_source_schema = key("source_schema");
    static PyObject* const k_select_expr = key("select_expr");
    static PyObject* const k_is_streaming = key("is_streaming");
    static PyObject* const k_primary_keys = key("primary_keys");
    static PyObject* const k_read_options = key("read_options");
    static PyObject* const k_table_properties = key("table_properties");
    static PyObject* const k_tags = key("tags");
    static PyObject* const k_spark_conf = key("spark_conf");
    static PyObject* const k_partition_cols = key("partition_cols");
    static PyObject* const k_comment = key("comment");
    static PyObject* const k_expectations = key("expectations");
    static PyObject* const k_apply_changes = key("apply_changes");
    static PyObject* const k_is_quarantined = key("is_quarantined");
    static PyObject* const k_where_clause = key("where_clause");
    static PyObject* const k_query = key("query");
    static PyObject* const k_flow_name = key("flow_name");
    static PyObject* const k_once = key("once");
    static PyObject* const k_sink_format = key("sink_format");
    static PyObject* const k_sink_options = key("sink_options");
    static PyObject* const k_is_enabled = key("is_enabled");
    static PyObject* const k_is_latest = key("is_latest");
    static PyObject* const k_created_ts = key("created_ts");
    static PyObject* const k_expired_ts = key("expired_ts");
    static PyObject* const k_created_by = key("created_by");
    static PyObject* const k_modified_by = key("modified_by");
    static PyObject* const k_hash = key("hash");
    auto [object, dict] = new_instance(entity_types().entity);
    // In the dataclass's field order, so vars(entity) lists them as __init__ would. Values
    // unique to an entity (ids, paths, names, hash) are not looked up among the shared ones.
    set_field(dict, k_entity_id, string(e.entity_id));
    set_field(dict, k_source, string(e.source));
    set_field(dict, k_destination, string(e.destination));
    set_field(dict, k_destination_type, shared(e.destination_type));
    set_field(dict, k_source_format, shared(e.source_format));
    set_field(dict, k_is_streaming, py_bool(e.is_streaming));
    set_field(dict, k_is_enabled, py_bool(e.is_enabled));
    set_field(dict, k_source_schema, optional_shared(e.source_schema));
    set_field(dict, k_primary_keys, string_list(e.primary_keys));
    set_field(dict, k_select_expr, string_list(e.select_expr));
    set_field(dict, k_read_options, string_map(e.read_options));
    set_field(dict, k_table_properties, string_map(e.table_properties));
    set_field(dict, k_tags, string_map(e.tags));
    set_field(dict, k_spark_conf, string_map(e.spark_conf));
    set_field(dict, k_partition_cols, string_list(e.partition_cols));
    set_field(dict, k_group, e.group.empty() ? Py_NewRef(Py_None) : shared(e.group));
    set_field(dict, k_comment, optional_shared(e.comment));
    set_field(dict, k_expectations, expectations(e.expectations));
    set_field(dict, k_apply_changes,
              e.apply_changes ? apply_changes(*e.apply_changes) : nb::none());
    set_field(dict, k_is_quarantined, py_bool(e.is_quarantined));
    set_field(dict, k_where_clause, string_list(e.where_clause));
    set_field(dict, k_query, e.query ? string(*e.query) : Py_NewRef(Py_None));
    set_field(dict, k_flow_name, optional_shared(e.flow_name));
    set_field(dict, k_once, py_bool(e.once));
    set_field(dict, k_sink_format, optional_shared(e.sink_format));
    set_field(dict, k_sink_options, string_map(e.sink_options));
    set_field(dict, k_id, e.id ? string(*e.id) : Py_NewRef(Py_None));
    set_field(dict, k_is_latest, py_bool(e.is_latest));
    set_field(dict, k_created_ts, timestamp(e.created_ts));
    set_field(dict, k_expired_ts, timestamp(e.expired_ts));
    set_field(dict, k_created_by, optional_shared(e.created_by));
    set_field(dict, k_modified_by, optional_shared(e.modified_by));
    set_field(dict, k_hash, e.hash ? string(*e.hash) : Py_NewRef(Py_None));
    return object;
  }

 private:
  /// Values longer than this are not shared (they rarely repeat); at most kMaxShared are kept.
  static constexpr size_t kMaxSharedLength = 64;
  static constexpr size_t kMaxShared = 4096;

  static PyObject* string(const std::string& s) {
    return PyUnicode_FromStringAndSize(s.data(), static_cast<Py_ssize_t>(s.size()));
  }

  /// A new reference to the str of `s`, shared with the earlier equal values of this builder.
  PyObject* shared(const std::string& s) {
    if (s.size() > kMaxSharedLength) return string(s);
    auto it = shared_.find(s);
    if (it != shared_.end()) return Py_NewRef(it->second);
    PyObject* object = string(s);
    if (object != nullptr && shared_.size() < kMaxShared) {
      shared_.emplace(s, Py_NewRef(object));
    }
    return object;
  }

  PyObject* optional_shared(const std::optional<std::string>& s) {
    return s ? shared(*s) : Py_NewRef(Py_None);
  }

  PyObject* string_list(const std::vector<std::string>& items) {
    nb::object list = nb::steal(PyList_New(static_cast<Py_ssize_t>(items.size())));
    if (!list.is_valid()) throw nb::python_error();
    for (size_t i = 0; i < items.size(); ++i) {
      PyObject* item = shared(items[i]);
      if (item == nullptr) throw nb::python_error();
      PyList_SET_ITEM(list.ptr(), static_cast<Py_ssize_t>(i), item);
    }
    return list.release().ptr();
  }

  PyObject* string_map(const std::map<std::string, std::string>& items) {
    nb::object dict = nb::steal(PyDict_New());
    if (!dict.is_valid()) throw nb::python_error();
    for (const auto& [k, v] : items) {
      nb::object key_object = nb::steal(shared(k));
      if (!key_object.is_valid()) throw nb::python_error();
      set_field(dict.ptr(), key_object.ptr(), shared(v));
    }
    return dict.release().ptr();
  }

  /// Microseconds since the epoch (UTC) → an aware datetime in datetime.timezone.utc.
  PyObject* timestamp(const std::optional<Timestamp>& t) {
    if (!t) return Py_NewRef(Py_None);
    if (last_datetime_ != nullptr && *t == last_timestamp_) return Py_NewRef(last_datetime_);
    constexpr std::int64_t kMicrosPerDay = 86'400'000'000;
    std::int64_t days = *t / kMicrosPerDay;
    std::int64_t micros = *t % kMicrosPerDay;
    if (micros < 0) {
      micros += kMicrosPerDay;
      --days;
    }
    const std::chrono::year_month_day date{std::chrono::sys_days{std::chrono::days{days}}};
    const auto seconds = micros / 1'000'000;
    PyObject* datetime = PyDateTimeAPI->DateTime_FromDateAndTime(
        static_cast<int>(date.year()), static_cast<int>(static_cast<unsigned>(date.month())),
        static_cast<int>(static_cast<unsigned>(date.day())), static_cast<int>(seconds / 3600),
        static_cast<int>(seconds / 60 % 60), static_cast<int>(seconds % 60),
        static_cast<int>(micros % 1'000'000), PyDateTime_TimeZone_UTC, PyDateTimeAPI->DateTimeType);
    if (datetime != nullptr) {
      Py_XDECREF(last_datetime_);
      last_datetime_ = Py_NewRef(datetime);
      last_timestamp_ = *t;
    }
    return datetime;
  }

  nb::object expectations(const Expectations& e) {
    static PyObject* const k_all = key("expect_all");
    static PyObject* const k_drop = key("expect_all_or_drop");
    static PyObject* const k_fail = key("expect_all_or_fail");
    auto [object, dict] = new_instance(entity_types().expectations);
    set_field(dict, k_all, string_map(e.expect_all));
    set_field(dict, k_drop, string_map(e.expect_all_or_drop));
    set_field(dict, k_fail, string_map(e.expect_all_or_fail));
    return object;
  }

  nb::object apply_changes(const ApplyChanges& a) {
    static PyObject* const k_sequence_by = key("sequence_by");
    static PyObject* const k_where = key("where");
    static PyObject* const k_ignore_null_updates = key("ignore_null_updates");
    static PyObject* const k_apply_as_deletes = key("apply_as_deletes");
    static PyObject* const k_apply_as_truncates = key("apply_as_truncates");
    static PyObject* const k_column_list = key("column_list");
    static PyObject* const k_except_column_list = key("except_column_list");
    static PyObject* const k_stored_as_scd_type = key("stored_as_scd_type");
    static PyObject* const k_track = key("track_history_column_list");
    static PyObject* const k_track_except = key("track_history_except_column_list");
    static PyObject* const k_flow_name = key("flow_name");
    static PyObject* const k_ignore = key("ignore_null_updates_column_list");
    static PyObject* const k_ignore_except = key("ignore_null_updates_except_column_list");
    auto [object, dict] = new_instance(entity_types().apply_changes);
    set_field(dict, k_sequence_by, shared(a.sequence_by));
    set_field(dict, k_where, optional_shared(a.where));
    set_field(dict, k_ignore_null_updates, py_bool(a.ignore_null_updates));
    set_field(dict, k_apply_as_deletes, optional_shared(a.apply_as_deletes));
    set_field(dict, k_apply_as_truncates, optional_shared(a.apply_as_truncates));
    set_field(dict, k_column_list, string_list(a.column_list));
    set_field(dict, k_except_column_list, string_list(a.except_column_list));
    set_field(dict, k_stored_as_scd_type, PyLong_FromLong(a.stored_as_scd_type));
    set_field(dict, k_track, string_list(a.track_history_column_list));
    set_field(dict, k_track_except, string_list(a.track_history_except_column_list));
    set_field(dict, k_flow_name, optional_shared(a.flow_name));
    set_field(dict, k_ignore, string_list(a.ignore_null_updates_column_list));
    set_field(dict, k_ignore_except, string_list(a.ignore_null_updates_except_column_list));
    return object;
  }

  std::unordered_map<std::string, PyObject*> shared_;
  PyObject* last_datetime_ = nullptr;
  Timestamp last_timestamp_ = 0;
};

}  // namespace

nb::object entity_to_object(const DeltaLiveEntity& e) {
  return ObjectBuilder().entity(e);
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
  PyDateTime_IMPORT;
  if (PyDateTimeAPI == nullptr) throw nb::python_error();

  m.def(
      "set_entity_types",
      [](nb::type_object entity, nb::type_object expectations, nb::type_object apply_changes) {
        EntityTypes& t = entity_types();
        t.entity = entity.release().ptr();
        t.expectations = expectations.release().ptr();
        t.apply_changes = apply_changes.release().ptr();
      },
      nb::arg("entity"), nb::arg("expectations"), nb::arg("apply_changes"),
      "Registers dls.models' DeltaLiveEntity, Expectations and ApplyChanges classes, whose "
      "instances EntityBatch.entity()/entities() build (dls.models calls it on import).");

  nb::class_<EntityBatch>(m, "EntityBatch",
                          "Entities held on the C++ side (a find_* result); read by index.")
      .def("__len__", [](const EntityBatch& b) { return b.list->size(); })
      .def(
          "entity",
          [](const EntityBatch& b, size_t i) {
            if (i >= b.list->size()) throw nb::index_error("entity index out of range");
            return entity_to_object((*b.list)[i]);
          },
          nb::arg("i"), "The i-th entity as a dls.models.DeltaLiveEntity.")
      .def(
          "entities",
          [](const EntityBatch& b) {
            const auto& entities = b.list->entities();
            // The objects built are acyclic; without this, allocating ~15 containers per entity
            // runs the cyclic garbage collector hundreds of times over a growing heap (more than
            // half of the time for 10,000 entities). It runs normally again afterwards.
            struct GcPause {
              int was_enabled = PyGC_Disable();
              ~GcPause() {
                if (was_enabled) PyGC_Enable();
              }
            } gc_pause;
            nb::list out =
                nb::steal<nb::list>(PyList_New(static_cast<Py_ssize_t>(entities.size())));
            if (!out.is_valid()) throw nb::python_error();
            ObjectBuilder builder;
            for (size_t i = 0; i < entities.size(); ++i) {
              PyList_SET_ITEM(out.ptr(), static_cast<Py_ssize_t>(i),
                              builder.entity(entities[i]).release().ptr());
            }
            return out;
          },
          "Every entity as a dls.models.DeltaLiveEntity, built in one call (a list).")
      .def(
          "to_json", [](const EntityBatch& b) { return b.list->to_json().dump(); },
          "The entities as a JSON array (every field), as `dls list --format json` prints.")
      .def(
          "to_yaml", [](const EntityBatch& b) { return b.list->to_yaml(); },
          "The entities in the YAML file format (generated columns left out).")
      .def(
          "to_table", [](const EntityBatch& b) { return b.list->to_table(); },
          "An aligned text table of the entities, one row each.");
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
      nb::arg("json_text"),
      "One entity (a JSON array of one entity object) as a mapping of the YAML file format.");
}

}  // namespace dls::python
