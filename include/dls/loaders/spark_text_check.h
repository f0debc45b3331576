// Installs the Spark SQL check of metadata texts (sql/spark/text_check.h) as core's
// SparkTextChecker (validation.h). Core validates entities but cannot parse Spark SQL (the parser
// lives in the sql layer, above it); the loaders can, so they install the check before they decode
// anything: every entity they validate — and every entity the store validates afterwards — has its
// select_expr items, expectation rules and apply_changes conditions parsed. Front ends call it at
// start-up so that every command validates the same way. Thread-safe; idempotent.
#pragma once

namespace dls {

/// set_spark_text_checker(sql::spark::check_metadata_text).
void install_spark_text_check();

}  // namespace dls
