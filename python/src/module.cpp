// dls._core: the C++ core of the `dls` Python package (python/dls/ is its public face).
#include "bindings.h"

NB_MODULE(_core, m) {
  m.doc() = "The C++ core of the dls package; use the dls.* modules, not this one.";
  m.attr("__version__") = DLS_VERSION;
  dls::python::register_errors(m);
  dls::python::register_entities(m);
  dls::python::register_store(m);
  dls::python::register_loaders(m);
  dls::python::register_pipeline(m);
  dls::python::register_query(m);
}
