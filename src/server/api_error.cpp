#include "dls/server/api_error.h"

#include "dls/delta/delta_error.h"

namespace dls::server {

int http_status(const Error& error) {
  if (dynamic_cast<const NotFoundError*>(&error)) return 404;
  if (dynamic_cast<const Conflict*>(&error) ||
      dynamic_cast<const delta::CommitConflictError*>(&error)) {
    return 409;
  }
  if (dynamic_cast<const UsageError*>(&error) ||
      dynamic_cast<const InvalidMetadataError*>(&error)) {
    return 400;
  }
  return 500;
}

const char* error_code(int status) {
  switch (status) {
    case 400:
      return "bad_request";
    case 401:
      return "unauthorized";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 409:
      return "conflict";
    case 413:
      return "payload_too_large";
    default:
      return "internal";
  }
}

}  // namespace dls::server
