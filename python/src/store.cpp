// dls.store.DeltaLiveStore's C++ half: the control table (store/delta_live_store.h).
//
// Predicates arrive as text (predicate_parser.h) and are parsed here, so the store can push them
// down into its scan exactly as for `dls list --where`. Every call that touches the table releases
// the GIL, so two Python threads with two stores run in parallel.
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"
#include "dls/core/predicate_parser.h"
#include "dls/loaders/group_sync.h"
#include "dls/store/delta_live_store.h"

namespace dls::python {
namespace {

nb::dict change_to_dict(const StoreChange& c) {
  nb::dict d;
  d["version"] = c.version;
  d["inserted"] = nb::cast(c.inserted);
  d["updated"] = nb::cast(c.updated);
  d["unchanged"] = nb::cast(c.unchanged);
  return d;
}

EntityBatch batch(EntityList list) {
  return EntityBatch{std::make_shared<const EntityList>(std::move(list))};
}

}  // namespace

void register_store(nb::module_& m) {
  nb::class_<DeltaLiveStore>(m, "Store", "The control table at a location (C++ DeltaLiveStore).")
      .def(nb::init<std::string, std::optional<std::string>>(), nb::arg("table_root"),
           nb::arg("user").none() = nb::none(),
           "The control table in directory `table_root`; `user` recorded in created_by / "
           "modified_by (default: $DLS_USER, else the login name).")
      .def_prop_ro("location", &DeltaLiveStore::location, "The control table's directory.")
      .def_prop_ro("user", &DeltaLiveStore::user, "The user recorded in created_by / modified_by.")
      .def("initialize", &DeltaLiveStore::initialize, nb::call_guard<nb::gil_scoped_release>(),
           "Creates the control table (version 0) if it does not exist; idempotent.")
      .def("destroy", &DeltaLiveStore::destroy, nb::call_guard<nb::gil_scoped_release>(),
           "Deletes the control table and its history; idempotent.")
      .def("is_initialized", &DeltaLiveStore::is_initialized,
           nb::call_guard<nb::gil_scoped_release>(), "True when the control table exists.")
      .def("version", &DeltaLiveStore::version, nb::call_guard<nb::gil_scoped_release>(),
           "The control table's Delta version (-1 when not initialized).")
      .def("set_retry_budget", &DeltaLiveStore::set_retry_budget, nb::arg("attempts"),
           "How many times a write retries after a commit conflict.")
      .def(
          "status",
          [](const DeltaLiveStore& s) {
            StoreStatus st;
            {
              nb::gil_scoped_release release;
              st = s.status();
            }
            nb::dict d;
            d["initialized"] = st.initialized;
            d["location"] = st.location;
            d["version"] = st.version;
            d["latest_entities"] = st.latest_entities;
            d["enabled_entities"] = st.enabled_entities;
            d["history_rows"] = st.history_rows;
            d["groups"] = nb::cast(st.groups);
            return d;
          },
          "Counts and groups of the control table, as a dict (`dls store status`).")
      .def(
          "upsert_json",
          [](DeltaLiveStore& s, const std::string& json_text) {
            StoreChange change;
            {
              nb::gil_scoped_release release;
              std::vector<DeltaLiveEntity> entities = entities_from_json_text(json_text, "upsert");
              for (auto& e : entities) e = without_generated_columns(std::move(e));
              change = s.upsert(entities);
            }
            return change_to_dict(change);
          },
          nb::arg("json_text"),
          "Upserts the entities of a JSON array (validated first; one commit); returns the change "
          "as a dict of version, inserted, updated, unchanged.")
      .def(
          "find_entities",
          [](const DeltaLiveStore& s, const std::string& predicate) {
            nb::gil_scoped_release release;
            return batch(s.find_entities(parse_predicate(predicate, "filter")));
          },
          nb::arg("predicate"),
          "The latest versions matching the predicate (its text form), pushed down into the scan.")
      .def(
          "find_history",
          [](const DeltaLiveStore& s, const std::string& predicate) {
            nb::gil_scoped_release release;
            return batch(s.find_history(parse_predicate(predicate, "filter")));
          },
          nb::arg("predicate"),
          "Every version matching the predicate (its text form), newest first.")
      .def(
          "enable",
          [](DeltaLiveStore& s, const std::string& predicate) {
            StoreChange change;
            {
              nb::gil_scoped_release release;
              change = s.enable(parse_predicate(predicate, "filter"));
            }
            return change_to_dict(change);
          },
          nb::arg("predicate"),
          "Enables the matching latest versions and everything upstream; returns the change.")
      .def(
          "disable",
          [](DeltaLiveStore& s, const std::string& predicate) {
            StoreChange change;
            {
              nb::gil_scoped_release release;
              change = s.disable(parse_predicate(predicate, "filter"));
            }
            return change_to_dict(change);
          },
          nb::arg("predicate"),
          "Disables the matching latest versions and everything downstream; returns the change.");

  m.def("current_user", &current_user,
        "The user the store records when none is given: $DLS_USER, else the login name.");
}

}  // namespace dls::python
