// The parts of the `dls._core` extension module (one file per concept), registered by module.cpp.
//
// The module is a thin front end (DESIGN §2, like the CLI): it calls the layers' public APIs and
// converts at the boundary. Entities cross it as JSON text going in (so the codec's validation
// and messages apply to Python input exactly as to `dls load json`) and as dls.models objects
// coming out (built directly, no JSON, no intermediate dict). Predicates cross it as their text
// form (predicate_parser.h), which the store pushes down into its scan. Long calls release the GIL.
#pragma once

#include <nanobind/nanobind.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dls/core/entity.h"
#include "dls/core/entity_list.h"

namespace dls::python {

namespace nb = nanobind;

/// An immutable list of entities held on the C++ side (what find_* returns); Python reads it
/// element by element, so listing 10,000 entities costs nothing until they are looked at.
struct EntityBatch {
  std::shared_ptr<const EntityList> list;
};

/// A dls.models.DeltaLiveEntity instance with the entity's fields (nested Expectations /
/// ApplyChanges objects, timestamps as aware UTC datetimes, group "" as None), built without
/// running __init__. Needs the GIL and dls.models imported (it registers its classes).
nb::object entity_to_object(const DeltaLiveEntity& entity);

/// Entities from JSON text (an array of entity objects, entity_codec.h); throws MetadataErrors.
std::vector<DeltaLiveEntity> entities_from_json_text(const std::string& json_text,
                                                     const std::string& origin);

/// Runs `work` on a worker thread with the GIL released, checking for Python signals every
/// 50 ms. On a signal (Ctrl-C: KeyboardInterrupt) `on_interrupt` is called once and the wait
/// goes on until `work` returns; then the signal's exception is raised. Exceptions of `work` are
/// rethrown in the caller's thread.
void run_interruptible(const std::function<void()>& work,
                       const std::function<void()>& on_interrupt);

void register_errors(nb::module_& m);
void register_entities(nb::module_& m);
void register_store(nb::module_& m);
void register_loaders(nb::module_& m);
void register_pipeline(nb::module_& m);
void register_query(nb::module_& m);

}  // namespace dls::python
