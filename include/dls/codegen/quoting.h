// Quoting of generated Spark / Databricks SQL and Python text.
//
// Everything a generator writes that came from metadata goes through one of these functions, so
// that no name, comment or option value can end a literal or an identifier early, whatever it
// contains (quotes, backticks, backslashes, newlines, unicode, SQL keywords):
//   * identifiers are always backtick-quoted with backticks doubled (`a``b`), also when they would
//     be valid unquoted — quoting a keyword such as `select` is then never forgotten;
//   * string literals are single-quoted with Spark SQL's backslash escapes (\' \\ \n \r \t and
//     \uXXXX for other control characters); other UTF-8 text is kept as is;
//   * SQL comments (-- ...) get their text with every control character replaced by a space, so a
//     newline in metadata cannot end the comment;
//   * Python string literals are JSON string literals (a subset of Python's syntax), with
//     non-ASCII text kept as UTF-8 (invalid UTF-8 becomes U+FFFD).
// Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dls::codegen {

/// `name` as one backtick-quoted identifier: backticks doubled, nothing else changed.
std::string quote_identifier(std::string_view name);

/// A dotted table name ("catalog.schema.table") with every part quoted: `catalog`.`schema`.`table`.
/// Empty parts are kept (quoted as ``) — callers validate names first when they must be non-empty.
std::string quote_table_name(std::string_view name);

/// Comma-separated quoted identifiers: `a`, `b`.
std::string quote_identifier_list(const std::vector<std::string>& names);

/// A Spark SQL string literal: '...' with \ ' and control characters escaped.
std::string sql_string_literal(std::string_view value);

/// `text` made safe for a SQL line comment: control characters (newlines included) become spaces.
std::string sql_comment_text(std::string_view text);

/// A Python string literal (double-quoted, JSON escapes for '"', '\\' and control characters).
std::string python_string_literal(std::string_view value);

}  // namespace dls::codegen
