// parse_predicate: the text form of filters, as accepted by the CLI's --where.
//
// Grammar (whitespace is free between tokens):
//   expr    := and ('|' and)*
//   and     := unary ('&' unary)*
//   unary   := '~' unary | primary
//   primary := '(' expr ')' | NAME '(' [arg (',' arg)*] ')'
//   arg     := 'string' | "string" | true | false
// NAME is one of the by_* filters of predicate.h except by_predicate (C++ only). Strings take
// backslash escapes (\' \" \\ \n \t). Boolean filters take no argument or true/false; timestamp
// arguments are strings in any form parse_timestamp accepts. Precedence ~ > & > |, & and | group
// left, so parse_predicate(p.to_string()) == p.
//
// Errors throw dls::PredicateSyntaxError (an InvalidMetadataError, exit code 3) whose message is
//   "<origin>: <what> at column N (did you mean ...?)\n  <text>\n  <spaces>^"
// e.g. "--where: unknown filter 'by_grup' at column 1 (did you mean by_group?)". Pure, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "dls/core/error.h"
#include "dls/core/predicate.h"

namespace dls {

/// A filter expression that cannot be parsed; column() is 1-based, in bytes of the input.
class PredicateSyntaxError : public InvalidMetadataError {
 public:
  PredicateSyntaxError(const std::string& message, int column)
      : InvalidMetadataError(message), column_(column) {}
  int column() const noexcept { return column_; }

 private:
  int column_;
};

/// Parses `text`; `origin` names where it came from in error messages ("--where", "filter").
Predicate parse_predicate(std::string_view text, std::string_view origin = "filter");

}  // namespace dls
