// Errors of the REST API (`dls serve`) that have no counterpart elsewhere in the library, and the
// mapping of every dls::Error to an HTTP status:
//
//   400  UsageError, InvalidMetadataError (bad predicate, unsafe name, invalid entity), BadRequest
//   401  Unauthorized (missing or wrong bearer token)
//   404  NotFoundError (entity, table, pipeline, update, route)
//   409  Conflict (an update of the pipeline is running; the update already ended),
//        delta::CommitConflictError
//   413  PayloadTooLarge (request body over the limit)
//   500  every other error
#pragma once

#include <string>

#include "dls/core/error.h"

namespace dls::server {

/// A request the API cannot take as given (a bad parameter, body or page size).
class BadRequest : public UsageError {
 public:
  explicit BadRequest(const std::string& message) : UsageError(message) {}
};

/// The request conflicts with the state of the pipeline (409).
class Conflict : public Error {
 public:
  explicit Conflict(const std::string& message) : Error(message, ExitCode::kFailure) {}
};

/// The HTTP status of `error` (see the header comment).
int http_status(const Error& error);

/// The machine-readable code of a status: "bad_request", "unauthorized", "not_found",
/// "conflict", "payload_too_large", "internal".
const char* error_code(int status);

}  // namespace dls::server
