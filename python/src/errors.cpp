// C++ exceptions → the Python exception classes of dls/errors.py, one per kind of dls::Error.
// The classes live in Python (so they can be documented, pickled and subclassed like any other);
// the translator looks them up on first use. Every raised exception carries `exit_code` (the CLI's
// code for that kind) and, for metadata errors found in one pass, `errors` (each message).
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"
#include "dls/core/error.h"
#include "dls/delta/delta_error.h"

namespace dls::python {
namespace {

void raise(const char* class_name, const Error& error, const std::vector<std::string>* errors) {
  nb::object errors_module = nb::module_::import_("dls.errors");
  nb::object cls = errors_module.attr(class_name);
  nb::object instance = cls(std::string(error.what()));
  instance.attr("exit_code") = static_cast<int>(error.exit_code());
  if (errors) instance.attr("errors") = nb::cast(*errors);
  PyErr_SetObject(cls.ptr(), instance.ptr());
}

void translate(const std::exception_ptr& p, void*) {
  try {
    std::rethrow_exception(p);
  } catch (const delta::CommitConflictError& e) {
    raise("ConflictError", e, nullptr);
  } catch (const NotFoundError& e) {
    raise("NotFoundError", e, nullptr);
  } catch (const MetadataErrors& e) {
    raise("InvalidMetadataError", e, &e.errors());
  } catch (const InvalidMetadataError& e) {
    std::vector<std::string> one{e.what()};
    raise("InvalidMetadataError", e, &one);
  } catch (const DataQualityError& e) {
    raise("DataQualityError", e, nullptr);
  } catch (const UsageError& e) {
    raise("UsageError", e, nullptr);
  } catch (const Error& e) {
    raise("DlsError", e, nullptr);
  }
}

}  // namespace

void register_errors(nb::module_&) {
  nb::register_exception_translator(translate);
}

}  // namespace dls::python
