// The check every metadata expression passes before a generator pastes it into generated SQL:
// select_expr entries, expectation rules, apply_changes sequence_by / where / apply_as_deletes /
// apply_as_truncates.
//
// A lexical check alone (check_sql_fragment: literals closed, parentheses balanced, no ';' or
// '--') lets
// `a FROM t UNION SELECT b` through, and pasted after SELECT it silently becomes another query. So
// each text is also parsed with the Spark SQL parser (sql/spark/text_check.h) and must be exactly
// one expression (for select_expr: one select item, `expression [AS alias]` or `*`) and nothing
// else. Valid Spark SQL that the local engine's parser does not support (a window function's
// OVER clause) cannot be parsed to the end; it is accepted when no query keyword (SELECT, FROM,
// UNION, WHERE, ...) and no ',' stands outside parentheses, since Databricks runs it. Pure,
// thread-safe.
#pragma once

#include <string_view>

#include "dls/core/validation.h"

namespace dls::codegen {

/// Throws CodegenError "entity 'E': FIELD: ..." when `fragment` is not one self-contained piece of
/// Spark SQL: lexed by the Spark SQL tokenizer (sql/spark/tokenizer.h), every string literal,
/// quoted identifier and block comment closed, parentheses balanced, and no ';' or '--' line
/// comment outside literals — so a fragment can neither end the statement it is pasted into nor
/// comment out generated text after it. Also used alone for DDL (source_schema).
void check_sql_fragment(std::string_view fragment, std::string_view entity_id,
                        std::string_view field);

/// Throws CodegenError "entity 'E': FIELD: ..." naming the expression and the position of the
/// problem when `text` is not one expression (one select item for kSelectItem).
void check_pasted_expression(std::string_view text, SparkTextKind kind, std::string_view entity_id,
                             std::string_view field);

}  // namespace dls::codegen
