#include "dls/cli/output.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "dls/core/error.h"

namespace dls::cli {
namespace {

using ojson = nlohmann::ordered_json;

std::string dump_compact(const ojson& v) {
  return v.dump(-1, ' ', false, ojson::error_handler_t::replace);
}

// Number of UTF-8 code points (an approximation of the display width).
size_t display_width(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// The first `width` code points of `s`.
std::string_view take_code_points(std::string_view s, size_t width) {
  size_t count = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (count == width) return s.substr(0, i);
      ++count;
    }
  }
  return s;
}

std::string escape_control(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out;
}

bool looks_numeric(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  size_t digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    size_t exp = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++exp;
    if (exp == 0) return false;
  }
  return i == s.size();
}

bool is_numeric_cell(const Cell& c) {
  return c.is_number() || (c.is_string() && looks_numeric(c.get_ref<const std::string&>()));
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Strings a YAML reader would take for something else (null, boolean, number) or would trim.
bool yaml_needs_quotes(std::string_view s) {
  if (s.empty()) return true;
  if (std::isspace(static_cast<unsigned char>(s.front())) ||
      std::isspace(static_cast<unsigned char>(s.back()))) {
    return true;
  }
  static const char* const kSpecial[] = {"null", "~", "true", "false", "yes",   "no",    "on",
                                         "off",  "y", "n",    ".inf",  "-.inf", "+.inf", ".nan"};
  std::string l = lower(s);
  for (const char* special : kSpecial) {
    if (l == special) return true;
  }
  if (looks_numeric(s)) return true;
  if (l.rfind("0x", 0) == 0 || l.rfind("0o", 0) == 0) return true;
  return false;
}

void emit_yaml(YAML::Emitter& e, const ojson& v) {
  switch (v.type()) {
    case ojson::value_t::null:
      e << YAML::Null;
      break;
    case ojson::value_t::boolean:
      e << (v.get<bool>() ? "true" : "false");
      break;
    case ojson::value_t::number_integer:
    case ojson::value_t::number_unsigned:
    case ojson::value_t::number_float:
      e << dump_compact(v);
      break;
    case ojson::value_t::string: {
      const auto& s = v.get_ref<const std::string&>();
      if (yaml_needs_quotes(s)) e << YAML::DoubleQuoted;
      e << s;
      break;
    }
    case ojson::value_t::array:
      if (v.empty()) {
        e << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
        break;
      }
      e << YAML::BeginSeq;
      for (const auto& item : v) emit_yaml(e, item);
      e << YAML::EndSeq;
      break;
    case ojson::value_t::object:
      if (v.empty()) {
        e << YAML::Flow << YAML::BeginMap << YAML::EndMap;
        break;
      }
      e << YAML::BeginMap;
      for (const auto& [key, item] : v.items()) {
        e << YAML::Key;
        if (yaml_needs_quotes(key)) e << YAML::DoubleQuoted;
        e << key << YAML::Value;
        emit_yaml(e, item);
      }
      e << YAML::EndMap;
      break;
    default:
      e << dump_compact(v);
  }
}

class TableWriter : public RowWriter {
 public:
  TableWriter(std::ostream& out, const RenderOptions& options) : out_(out), options_(options) {}
  void begin(const std::vector<std::string>& columns) override { columns_ = columns; }
  void row(const std::vector<Cell>& cells) override {
    std::vector<std::optional<std::string>> texts;
    texts.reserve(cells.size());
    for (size_t i = 0; i < cells.size(); ++i) {
      std::string text = cell_text(cells[i]);
      if (display_width(text) > options_.max_cell_width && options_.max_cell_width > 1) {
        text = std::string(take_code_points(text, options_.max_cell_width - 1)) + "…";
      }
      texts.push_back(std::move(text));
      if (numeric_.size() <= i) numeric_.resize(i + 1, true);
      if (!cells[i].is_null() && !is_numeric_cell(cells[i])) numeric_[i] = false;
    }
    rows_.push_back(std::move(texts));
  }
  void end() override {
    size_t n = columns_.size();
    numeric_.resize(n, true);
    std::vector<size_t> widths(n);
    for (size_t c = 0; c < n; ++c) {
      widths[c] = display_width(escape_control(columns_[c]));
      for (const auto& r : rows_) widths[c] = std::max(widths[c], display_width(r[c].value_or("")));
    }
    auto line = [&](const std::vector<std::string>& cells, bool header) {
      std::string s;
      for (size_t c = 0; c < n; ++c) {
        if (c > 0) s += " | ";
        size_t pad = widths[c] - display_width(cells[c]);
        bool right = numeric_[c] && !header;
        if (right) s.append(pad, ' ');
        s += cells[c];
        if (!right && c + 1 < n) s.append(pad, ' ');
      }
      out_ << s << "\n";
    };
    if (n > 0) {
      std::vector<std::string> header;
      for (const auto& c : columns_) header.push_back(escape_control(c));
      line(header, true);
      std::string rule;
      for (size_t c = 0; c < n; ++c) {
        if (c > 0) rule += "-+-";
        rule.append(widths[c], '-');
      }
      out_ << rule << "\n";
      for (const auto& r : rows_) {
        std::vector<std::string> cells;
        for (const auto& t : r) cells.push_back(t.value_or(""));
        line(cells, false);
      }
    }
    if (options_.row_count) {
      out_ << "(" << rows_.size() << (rows_.size() == 1 ? " row)" : " rows)") << "\n";
    }
  }

 private:
  std::ostream& out_;
  RenderOptions options_;
  std::vector<std::string> columns_;
  std::vector<std::vector<std::optional<std::string>>> rows_;
  std::vector<bool> numeric_;
};

class CsvWriter : public RowWriter {
 public:
  explicit CsvWriter(std::ostream& out) : out_(out) {}
  void begin(const std::vector<std::string>& columns) override {
    for (size_t i = 0; i < columns.size(); ++i) out_ << (i ? "," : "") << csv_field(columns[i]);
    out_ << "\n";
  }
  void row(const std::vector<Cell>& cells) override {
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i) out_ << ",";
      const Cell& c = cells[i];
      if (c.is_null()) continue;
      out_ << csv_field(c.is_string() ? c.get_ref<const std::string&>() : dump_compact(c));
    }
    out_ << "\n";
  }
  void end() override { out_.flush(); }

 private:
  std::ostream& out_;
};

class JsonWriter : public RowWriter {
 public:
  explicit JsonWriter(std::ostream& out) : out_(out) {}
  void begin(const std::vector<std::string>& columns) override { columns_ = columns; }
  void row(const std::vector<Cell>& cells) override {
    ojson object = ojson::object();
    for (size_t i = 0; i < cells.size() && i < columns_.size(); ++i) object[columns_[i]] = cells[i];
    out_ << (rows_ == 0 ? "[\n  " : ",\n  ") << dump_compact(object);
    ++rows_;
  }
  void end() override { out_ << (rows_ == 0 ? "[]\n" : "\n]\n"); }

 private:
  std::ostream& out_;
  std::vector<std::string> columns_;
  size_t rows_ = 0;
};

class YamlWriter : public RowWriter {
 public:
  explicit YamlWriter(std::ostream& out) : out_(out) {}
  void begin(const std::vector<std::string>& columns) override { columns_ = columns; }
  void row(const std::vector<Cell>& cells) override {
    ojson object = ojson::object();
    for (size_t i = 0; i < cells.size() && i < columns_.size(); ++i) object[columns_[i]] = cells[i];
    out_ << to_yaml(ojson::array({object}));
    ++rows_;
  }
  void end() override {
    if (rows_ == 0) out_ << "[]\n";
  }

 private:
  std::ostream& out_;
  std::vector<std::string> columns_;
  size_t rows_ = 0;
};

}  // namespace

std::string_view format_name(OutputFormat format) {
  switch (format) {
    case OutputFormat::kTable:
      return "table";
    case OutputFormat::kJson:
      return "json";
    case OutputFormat::kYaml:
      return "yaml";
    case OutputFormat::kCsv:
      return "csv";
  }
  return "table";
}

OutputFormat parse_output_format(std::string_view text, std::initializer_list<OutputFormat> allowed,
                                 std::string_view context) {
  std::string l = lower(text);
  std::string names;
  for (OutputFormat f : allowed) {
    if (l == format_name(f)) return f;
    names += (names.empty() ? "" : ", ") + std::string(format_name(f));
  }
  throw UsageError("--format " + std::string(text) + " is not available for " +
                   std::string(context) + " (choose one of: " + names + ")");
}

Cell cell_from_value(const sql::Value& value) {
  if (value.is_null()) return nullptr;
  if (value.is_bool()) return value.as_bool();
  if (value.is_int()) return value.as_int();
  if (value.is_double()) {
    double d = value.as_double();
    if (std::isfinite(d)) return d;
    return value.to_string();
  }
  return value.as_string();
}

Cell cell_from_optional(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  return *text;
}

std::unique_ptr<RowWriter> make_row_writer(OutputFormat format, std::ostream& out,
                                           const RenderOptions& options) {
  switch (format) {
    case OutputFormat::kTable:
      return std::make_unique<TableWriter>(out, options);
    case OutputFormat::kCsv:
      return std::make_unique<CsvWriter>(out);
    case OutputFormat::kJson:
      return std::make_unique<JsonWriter>(out);
    case OutputFormat::kYaml:
      return std::make_unique<YamlWriter>(out);
  }
  return std::make_unique<TableWriter>(out, options);
}

DataTable DataTable::from_values(std::vector<std::string> columns,
                                 const std::vector<std::vector<sql::Value>>& rows) {
  DataTable t{std::move(columns), {}};
  for (const auto& r : rows) {
    std::vector<Cell> cells;
    for (const auto& v : r) cells.push_back(cell_from_value(v));
    t.rows.push_back(std::move(cells));
  }
  return t;
}

DataTable DataTable::from_strings(
    std::vector<std::string> columns,
    const std::vector<std::vector<std::optional<std::string>>>& rows) {
  DataTable t{std::move(columns), {}};
  for (const auto& r : rows) {
    std::vector<Cell> cells;
    for (const auto& v : r) cells.push_back(cell_from_optional(v));
    t.rows.push_back(std::move(cells));
  }
  return t;
}

void render_table(const DataTable& table, OutputFormat format, std::ostream& out,
                  const RenderOptions& options) {
  auto writer = make_row_writer(format, out, options);
  writer->begin(table.columns);
  for (const auto& r : table.rows) writer->row(r);
  writer->end();
}

void render_document(const nlohmann::ordered_json& document, OutputFormat format,
                     std::ostream& out) {
  switch (format) {
    case OutputFormat::kJson:
      out << document.dump(2, ' ', false, ojson::error_handler_t::replace) << "\n";
      return;
    case OutputFormat::kYaml:
      out << to_yaml(document);
      return;
    default:
      throw UsageError("--format " + std::string(format_name(format)) +
                       " cannot show this document; use json or yaml");
  }
}

std::string to_yaml(const nlohmann::ordered_json& value) {
  YAML::Emitter e;
  e.SetIndent(2);
  emit_yaml(e, value);
  std::string s = e.c_str();
  if (s.empty() || s.back() != '\n') s += '\n';
  return s;
}

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string cell_text(const Cell& cell) {
  if (cell.is_null()) return "NULL";
  if (cell.is_string()) return escape_control(cell.get_ref<const std::string&>());
  if (cell.is_boolean()) return cell.get<bool>() ? "true" : "false";
  return escape_control(dump_compact(cell));
}

}  // namespace dls::cli
