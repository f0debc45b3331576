// Rendering of command output (DESIGN §9: stdout is data; messages go to stderr).
//
// Tabular data is a list of column names and rows of cells. A cell is a JSON value: null, a
// boolean, a number, a string, or a nested array/object (e.g. a DuckDB LIST or STRUCT read with
// to_json). The formats:
//   table  aligned columns for people: NULL shown as NULL, nested values as compact JSON, control
//          characters escaped, cells longer than RenderOptions::max_cell_width truncated with "…",
//          numeric columns right-aligned, then "(N rows)".
//   csv    RFC 4180: a header line, fields quoted when they hold a comma, quote, CR or LF (quotes
//          doubled), NULL as an empty field, nested values as compact JSON, lines ending in "\n".
//   json   an array of objects keyed by column name in column order, one object per line; numbers
//          as JSON numbers, booleans as booleans, NULL as null, nested values as JSON.
//   yaml   a sequence of mappings in column order; strings that would read back as another type
//          ("123", "true", "null", "") are quoted.
// Writers stream: rows are written as they arrive, except `table`, which needs every row to align
// columns. Nothing here is thread-safe; use one writer per stream.
#pragma once

#include <initializer_list>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "dls/sql/value.h"

namespace dls::cli {

enum class OutputFormat { kTable, kJson, kYaml, kCsv };

/// "table", "json", "yaml" or "csv".
std::string_view format_name(OutputFormat format);

/// Parses a format name (case-insensitive) and checks it is one of `allowed`. Throws
/// dls::UsageError naming the accepted formats otherwise; `context` (e.g. "dls query") goes in
/// the message.
OutputFormat parse_output_format(std::string_view text, std::initializer_list<OutputFormat> allowed,
                                 std::string_view context);

/// A cell of tabular output (see the header comment).
using Cell = nlohmann::ordered_json;

/// A sql::Value as a cell: NULL → null, BOOLEAN → boolean, integers and finite doubles →
/// numbers, NaN/±Infinity and text → strings.
Cell cell_from_value(const sql::Value& value);
/// An optional string as a cell (nullopt → null).
Cell cell_from_optional(const std::optional<std::string>& text);

struct RenderOptions {
  /// `table` format only: longer cells are cut to this many characters, ending in "…".
  size_t max_cell_width = 64;
  /// `table` format only: print "(N rows)" after the rows.
  bool row_count = true;
};

/// Receives rows and writes them in one format. Call begin() once, row() per row, end() once.
class RowWriter {
 public:
  virtual ~RowWriter() = default;
  virtual void begin(const std::vector<std::string>& columns) = 0;
  /// `cells` has one entry per column.
  virtual void row(const std::vector<Cell>& cells) = 0;
  virtual void end() = 0;
};

/// A writer of `format` onto `out` (which must outlive it).
std::unique_ptr<RowWriter> make_row_writer(OutputFormat format, std::ostream& out,
                                           const RenderOptions& options = {});

/// A whole table at once.
struct DataTable {
  std::vector<std::string> columns;
  std::vector<std::vector<Cell>> rows;

  static DataTable from_values(std::vector<std::string> columns,
                               const std::vector<std::vector<sql::Value>>& rows);
  static DataTable from_strings(std::vector<std::string> columns,
                                const std::vector<std::vector<std::optional<std::string>>>& rows);
};

void render_table(const DataTable& table, OutputFormat format, std::ostream& out,
                  const RenderOptions& options = {});

/// A JSON document (object or array) as pretty JSON (2-space indent) or YAML, ending in "\n".
/// Throws dls::UsageError for the table and csv formats (documents are not tabular).
void render_document(const nlohmann::ordered_json& document, OutputFormat format,
                     std::ostream& out);

/// The YAML text of a JSON value (block style; see the header comment for quoting).
std::string to_yaml(const nlohmann::ordered_json& value);

/// One CSV field, quoted per RFC 4180 when needed.
std::string csv_field(std::string_view text);

/// A cell as one line of text, as the table format shows it before truncation (null → "NULL").
std::string cell_text(const Cell& cell);

}  // namespace dls::cli
