// The Spark SQL check of metadata texts (DESIGN §6): every select_expr item, expectation rule and
// apply_changes condition is parsed with the Spark SQL parser, so that `dls load` refuses a text
// that `dls run` (or Databricks) could never run, and the generators never paste one into
// generated SQL.
//
//   check_metadata_text(SparkTextKind::kExpression, "id >")
//     -> error "Spark SQL syntax error: expected an expression but found end of input at
//        position 4: ..."
//   check_metadata_text(SparkTextKind::kSelectItem, "a FROM t UNION SELECT b")
//     -> error "... must be one select item ... at position 2: ..."
//
// Malformed text (SparkSyntaxError, or a select item that is more than one item) is an error.
// Valid Spark SQL that the local engine cannot translate (an unsupported function or construct)
// is a warning: the metadata stays usable on Databricks, and the warning says `dls run` will
// refuse it. Positions are 0-based byte offsets in the text as written (for a select item, in the
// item, not in a query built around it). Pure and thread-safe.
#pragma once

#include <optional>
#include <string_view>

#include "dls/core/validation.h"

namespace dls::sql::spark {

/// The problem with `text` read as `kind`, or nullopt when it parses and translates.
std::optional<SparkTextProblem> check_metadata_text(SparkTextKind kind, std::string_view text);

}  // namespace dls::sql::spark
