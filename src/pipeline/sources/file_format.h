// The reader options of one file format (csv, json, parquet, text, avro), parsed and checked from
// an entity's read_options. Shared by the batch file sources and cloudFiles. docs/sources.md lists
// every option, its default and how it maps to DuckDB.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/sources/read_options.h"

namespace dls::pipeline::sources {

/// What to do with a record that cannot be parsed (Spark's `mode` option).
enum class MalformedMode {
  kPermissive,     // keep the row: data columns NULL, the record in the rescued column if enabled
  kDropMalformed,  // drop the row
  kFailFast,       // fail the read with an error naming the file
};

struct FileFormat {
  std::string format;  // csv, json, parquet, text, avro
  // csv
  bool header = false;
  std::string delimiter = ",";
  std::string quote = "\"";
  std::optional<std::string> escape;  // default: the quote character (doubled quotes)
  std::optional<std::string> null_value;
  std::optional<std::string> comment;
  std::optional<std::string> encoding;
  int64_t skip_rows = 0;
  // json
  bool multi_line = false;
  // text
  bool whole_text = false;
  // all
  bool infer_types = false;  // inferSchema / cloudFiles.inferColumnTypes
  MalformedMode mode = MalformedMode::kPermissive;
};

/// The format-specific option names (added to the allowed options of a source).
std::vector<std::string_view> format_option_names(const std::string& format);

/// Reads the format options. `infer_default` is the default of type inference (Spark: false for
/// csv, true for json batch reads; Auto Loader: false for csv and json).
FileFormat parse_file_format(const std::string& format, const ReadOptions& options,
                             bool infer_default);

/// True for the formats the local engine reads from files.
bool is_file_format(const std::string& format);

}  // namespace dls::pipeline::sources
