// Parser for Spark SQL expressions and simple queries (recursive descent over tokenize()).
//
// Precedence, lowest first (Spark's grammar): OR; AND; NOT; predicates (comparison, IN, BETWEEN,
// LIKE/ILIKE/RLIKE/REGEXP, IS [NOT] NULL/TRUE/FALSE, <=>); |; ^; &; + - ||; * / % DIV; unary - + ~;
// postfix [ ], .field, ::type. Lambdas (`x -> e`, `(x, y) -> e`) are accepted as function
// arguments. Special forms become ordinary kFunction nodes with Spark's positional arguments:
// TRIM([BOTH|LEADING|TRAILING] [chars] FROM s) -> trim/ltrim/rtrim(s[, chars]),
// POSITION(a IN b) -> position(a, b), SUBSTRING(s FROM p [FOR l]) -> substring(s, p[, l]),
// OVERLAY(s PLACING r FROM p [FOR l]) -> overlay(s, r, p[, l]).
#pragma once

#include <string_view>

#include "dls/sql/spark/ast.h"

namespace dls::sql::spark {

/// Parses one expression (the whole input must be consumed). Throws SparkSyntaxError with the
/// position of the first token that does not fit, or UnsupportedSparkSyntaxError for recognised but
/// unsupported constructs (window OVER clauses, subqueries inside expressions other than scalar).
ExprPtr parse_expression(std::string_view input);

/// Parses one query (an optional trailing ';' is accepted).
std::shared_ptr<Query> parse_query(std::string_view input);

/// Parses a Spark type name as written in CAST or DDL: INT, DECIMAL(10,2), ARRAY<STRING>,
/// MAP<STRING, INT>, STRUCT<a: INT, b STRING>. Throws SparkSyntaxError for an unknown type.
SparkType parse_type(std::string_view input);

}  // namespace dls::sql::spark
