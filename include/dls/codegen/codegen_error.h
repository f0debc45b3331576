// CodegenError: metadata that cannot be turned into a Databricks / Spark project.
//
// Thrown by the generators when an entity cannot be translated safely (an expression that would
// escape its place in the generated SQL, two entities writing one table, ...). It is an
// InvalidMetadataError (exit code 3); the message names the entity, the field and how to fix it.
// Problems that only lose part of an entity's meaning are warnings instead (generated_project.h).
#pragma once

#include <string>

#include "dls/core/error.h"

namespace dls::codegen {

class CodegenError : public InvalidMetadataError {
 public:
  explicit CodegenError(const std::string& message) : InvalidMetadataError(message) {}
};

}  // namespace dls::codegen
