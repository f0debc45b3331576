#include "pipeline/sources/file_format.h"

#include "dls/core/error.h"
#include "dls/core/read_option_names.h"

namespace dls::pipeline::sources {

bool is_file_format(const std::string& format) {
  return format == "csv" || format == "json" || format == "parquet" || format == "text" ||
         format == "avro";
}

// One list with `dls load`'s validation (core/read_option_names.h).
std::vector<std::string_view> format_option_names(const std::string& format) {
  return file_format_read_options(format);
}

namespace {

std::string single_char(const ReadOptions& options, std::string_view key,
                        const std::string& fallback, bool allow_empty) {
  auto v = options.get(key);
  if (!v) return fallback;
  if (*v == "\\t") return "\t";
  if (v->size() > 1 || (v->empty() && !allow_empty)) {
    options.fail(key, "expected a single character, got '" + *v + "'");
  }
  return *v;
}

}  // namespace

FileFormat parse_file_format(const std::string& format, const ReadOptions& options,
                             bool infer_default) {
  FileFormat f;
  f.format = format;
  f.infer_types = options.get_bool("cloudFiles.inferColumnTypes",
                                   options.get_bool("inferSchema", infer_default));
  const std::string mode =
      options.get_choice("mode", {"PERMISSIVE", "DROPMALFORMED", "FAILFAST"}, "PERMISSIVE");
  f.mode = mode == "FAILFAST"        ? MalformedMode::kFailFast
           : mode == "DROPMALFORMED" ? MalformedMode::kDropMalformed
                                     : MalformedMode::kPermissive;
  if (format == "csv") {
    f.header = options.get_bool("header", false);
    if (options.has("sep") && options.has("delimiter")) {
      options.fail("delimiter", "give either sep or delimiter, not both");
    }
    f.delimiter = options.has("sep") ? single_char(options, "sep", ",", false)
                                     : single_char(options, "delimiter", ",", false);
    f.quote = single_char(options, "quote", "\"", true);
    if (options.has("escape")) f.escape = single_char(options, "escape", "\"", true);
    f.null_value = options.get("nullValue");
    if (options.has("comment")) f.comment = single_char(options, "comment", "", true);
    f.encoding = options.get("encoding");
    if (!f.encoding) f.encoding = options.get("charset");
    if (options.has("skipRows")) f.skip_rows = options.get_positive_int("skipRows", 0);
    options.get_bool("multiLine", false);  // validated; DuckDB always reads quoted newlines
  } else if (format == "json") {
    f.multi_line = options.get_bool("multiLine", false);
    f.encoding = options.get("encoding");
  } else if (format == "text") {
    f.whole_text = options.get_bool("wholetext", false);
  }
  if (f.encoding) {
    const std::string e = to_lower(*f.encoding);
    if (e == "utf-8" || e == "utf8") {
      f.encoding.reset();
    } else if (format != "csv") {
      options.fail(f.encoding ? "encoding" : "charset",
                   "only UTF-8 is supported for " + format + " by the local engine");
    }
  }
  return f;
}

}  // namespace dls::pipeline::sources
