// Errors of the Delta layer. Each message names the table path and, where known, the version.
#pragma once

#include "dls/core/error.h"

namespace dls::delta {

/// The path holds no Delta table (no _delta_log with a commit or checkpoint).
class TableNotFoundError : public NotFoundError {
 public:
  using NotFoundError::NotFoundError;
};

/// The table uses a reader feature (or a protocol version, or a type) we do not support.
/// We refuse to read rather than return a wrong answer.
class UnsupportedFeatureError : public Error {
 public:
  using Error::Error;
};

/// The log is damaged: unparsable JSON, a missing commit in the sequence, a missing data file.
class CorruptTableError : public Error {
 public:
  using Error::Error;
};

/// Another writer committed a change that conflicts with ours (not a blind append).
class CommitConflictError : public Error {
 public:
  using Error::Error;
};

}  // namespace dls::delta
