// Errors of the dls library.
//
// Every failure that crosses a library boundary is an exception deriving from dls::Error. Each
// error carries the CLI exit code it maps to (DESIGN §9): 1 failure, 2 usage, 3 invalid metadata or
// configuration, 4 data-quality failure (expect_or_fail). Messages say what is wrong, where (file,
// line, entity, column, table path, version) and, where it helps, how to fix it.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace dls {

/// Exit codes of the `dls` command (DESIGN §9).
enum class ExitCode : int {
  kOk = 0,
  kFailure = 1,
  kUsage = 2,
  kInvalidMetadata = 3,
  kDataQuality = 4,
  kCancelled = 130,  // stopped by SIGINT/SIGTERM (128 + SIGINT, as shells report it)
};

/// Base of every dls exception.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message, ExitCode code = ExitCode::kFailure)
      : std::runtime_error(message), code_(code) {}
  ExitCode exit_code() const noexcept { return code_; }

 private:
  ExitCode code_;
};

/// The command line or an API call was used wrongly (unknown option, missing argument).
class UsageError : public Error {
 public:
  explicit UsageError(const std::string& message) : Error(message, ExitCode::kUsage) {}
};

/// Metadata or configuration that cannot be accepted: a bad enum, a missing field, an unsafe
/// table name, an unparsable filter. Nothing is written when this is thrown.
class InvalidMetadataError : public Error {
 public:
  explicit InvalidMetadataError(const std::string& message)
      : Error(message, ExitCode::kInvalidMetadata) {}
};

/// Several metadata errors found in one pass (e.g. every problem of a YAML file), each a complete
/// message ("file:line:column: error: ..."). what() is all of them, one per line.
class MetadataErrors : public InvalidMetadataError {
 public:
  explicit MetadataErrors(std::vector<std::string> errors)
      : InvalidMetadataError(join(errors)), errors_(std::move(errors)) {}
  const std::vector<std::string>& errors() const noexcept { return errors_; }

 private:
  static std::string join(const std::vector<std::string>& errors) {
    std::string out;
    for (const auto& e : errors) {
      if (!out.empty()) out += '\n';
      out += e;
    }
    return out;
  }
  std::vector<std::string> errors_;
};

/// An expect_or_fail expectation failed; the dataset's update committed nothing.
class DataQualityError : public Error {
 public:
  explicit DataQualityError(const std::string& message) : Error(message, ExitCode::kDataQuality) {}
};

/// A referenced object (table, entity, file) does not exist.
class NotFoundError : public Error {
 public:
  explicit NotFoundError(const std::string& message) : Error(message, ExitCode::kFailure) {}
};

}  // namespace dls
