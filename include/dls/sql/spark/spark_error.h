// Errors of the Spark-SQL dialect layer (DESIGN §6).
//
// Every Spark SQL text that the local engine cannot run with Spark's meaning is rejected with one
// of these, never translated into something that would silently compute a different result.
#pragma once

#include <cstddef>
#include <string>

#include "dls/core/error.h"

namespace dls::sql::spark {

/// The Spark SQL text is malformed (tokenizer or parser). `position()` is the 0-based byte offset
/// in the input where the problem was found; what() names it as "at position N" and quotes the
/// input with a caret under the offending character.
class SparkSyntaxError : public InvalidMetadataError {
 public:
  SparkSyntaxError(const std::string& message, size_t position)
      : InvalidMetadataError(message), position_(position) {}
  size_t position() const noexcept { return position_; }

 private:
  size_t position_;
};

/// A Spark function exists in Spark but not in the local engine (or is called with a form the
/// local engine does not implement, e.g. a type it cannot honour). `function()` is its name.
class UnsupportedSparkFunctionError : public InvalidMetadataError {
 public:
  UnsupportedSparkFunctionError(std::string function, const std::string& message, size_t position)
      : InvalidMetadataError(message), function_(std::move(function)), position_(position) {}
  const std::string& function() const noexcept { return function_; }
  size_t position() const noexcept { return position_; }

 private:
  std::string function_;
  size_t position_;
};

/// Valid Spark syntax the local engine does not support (window clauses, LATERAL VIEW, ...).
class UnsupportedSparkSyntaxError : public InvalidMetadataError {
 public:
  UnsupportedSparkSyntaxError(const std::string& message, size_t position)
      : InvalidMetadataError(message), position_(position) {}
  size_t position() const noexcept { return position_; }

 private:
  size_t position_;
};

/// Formats "<what> at position N:\n  <input>\n  <caret>" for the errors above.
std::string describe_position(const std::string& what, std::string_view input, size_t position);

}  // namespace dls::sql::spark
