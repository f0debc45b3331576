// The Spark SQL dialect (src/sql/spark): tokenizer, parser and DuckDB printer on expressions,
// select items, queries, DDL schemas and types, plus the renderer's Java number formatting. Bad
// text fails with a SparkSyntaxError / Unsupported* error (all dls::Errors).
#include <cstring>

#include "dls/sql/spark/dialect.h"
#include "dls/sql/spark/parser.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace spark = dls::sql::spark;
  const std::string_view text = dls::fuzz::as_text(data, size);
  dls::fuzz::expect_only_dls_errors([&] { (void)spark::translate_expression(text); });
  dls::fuzz::expect_only_dls_errors([&] { (void)spark::translate_select_item(text); });
  dls::fuzz::expect_only_dls_errors([&] { (void)spark::translate_query(text); });
  dls::fuzz::expect_only_dls_errors([&] { (void)spark::parse_ddl_schema(text); });
  dls::fuzz::expect_only_dls_errors([&] { (void)spark::parse_type(text); });
  if (size >= sizeof(double)) {
    double d;
    std::memcpy(&d, data, sizeof d);
    (void)spark::java_double_to_string(d);
    float f;
    std::memcpy(&f, data, sizeof f);
    (void)spark::java_float_to_string(f);
  }
  return 0;
}
