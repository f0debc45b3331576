#include "pipeline/sources/file_relation.h"

#include <algorithm>

#include "dls/core/error.h"
#include "dls/sql/quote.h"
#include "pipeline/sources/avro_reader.h"
#include "pipeline/sources/read_options.h"

namespace dls::pipeline::sources {

using sql::quote_literal;

std::string file_list_literal(const std::vector<InputFile>& files) {
  std::string out = "[";
  for (size_t i = 0; i < files.size(); ++i) out += (i ? ", " : "") + quote_literal(files[i].path);
  return out + "]";
}

std::vector<std::pair<std::string, std::string>> describe_sql(sql::Connection& con,
                                                              const std::string& select_sql) {
  std::vector<std::pair<std::string, std::string>> out;
  auto result = con.query("DESCRIBE " + select_sql);
  for (const auto& row : result.rows()) out.emplace_back(row[0].as_string(), row[1].as_string());
  return out;
}

namespace {

std::string csv_options(const FileFormat& f) {
  std::string o = ", delim=" + quote_literal(f.delimiter) + ", quote=" + quote_literal(f.quote) +
                  ", escape=" + quote_literal(f.escape ? *f.escape : f.quote);
  if (f.null_value) o += ", nullstr=" + quote_literal(*f.null_value);
  if (f.comment && !f.comment->empty()) o += ", comment=" + quote_literal(*f.comment);
  if (f.encoding) o += ", encoding=" + quote_literal(*f.encoding);
  if (f.skip_rows > 0) o += ", skip=" + std::to_string(f.skip_rows);
  return o;
}

// read_csv of one file, every value a VARCHAR; a short row is padded with NULLs. With `names`,
// the columns are named (and as many as) `names`, whatever DuckDB's sniffer found in its sample.
std::string csv_read(const FileFormat& f, const InputFile& file, bool header,
                     const std::vector<std::string>& names) {
  std::string sql = "read_csv(" + quote_literal(file.path) +
                    ", header=" + (header ? "true" : "false") + ", all_varchar=true, filename='" +
                    kFileColumn + "', null_padding=true, strict_mode=false" + csv_options(f);
  if (!names.empty()) {
    sql += ", names=[";
    for (size_t i = 0; i < names.size(); ++i) sql += (i ? ", " : "") + quote_literal(names[i]);
    sql += "]";
  }
  return sql + ")";
}

}  // namespace

std::vector<std::string> csv_header_names(sql::Connection& con, const FileFormat& f,
                                          const InputFile& file) {
  auto rows = con.query("SELECT * EXCLUDE (" + std::string(kFileColumn) + ") FROM " +
                        csv_read(f, file, false, {}) + " LIMIT 1")
                  .rows();
  if (rows.empty()) return {};
  const auto& first = rows[0];
  size_t width = first.size();
  while (width > 0 && first[width - 1].is_null()) --width;
  std::vector<std::string> names;
  for (size_t i = 0; i < width; ++i) {
    std::string name = "column" + std::to_string(i);
    if (f.header) {
      name = "_c" + std::to_string(i);
      if (!first[i].is_null() && !first[i].as_string().empty()) name = first[i].as_string();
      // Spark: a repeated name gets its index appended.
      const bool taken = std::any_of(names.begin(), names.end(), [&](const std::string& n) {
        return to_lower(n) == to_lower(name);
      });
      if (taken) name += std::to_string(i);
    }
    names.push_back(name);
  }
  return names;
}

std::vector<std::string> csv_column_names(sql::Connection& con, const FileFormat& f,
                                          const InputFile& file) {
  const std::vector<std::string> header = csv_header_names(con, f, file);
  auto extra_name = [&](size_t i) {
    std::string name = "column" + std::to_string(header.size() + i);
    while (std::find(header.begin(), header.end(), name) != header.end()) name += "_";
    return name;
  };
  // Read the whole file with `room` extra columns and find the last one any row fills; when the
  // widest row fills them all there may be more: try again with more room.
  for (size_t room = 8;; room *= 4) {
    std::vector<std::string> names = header;
    for (size_t i = 0; i < room; ++i) names.push_back(extra_name(i));
    std::string used = "CASE";
    for (size_t i = room; i > 0; --i) {
      used += " WHEN " + sql::quote_identifier(names[header.size() + i - 1]) +
              " IS NOT NULL THEN " + std::to_string(i);
    }
    used += " ELSE 0 END";
    auto rows =
        con.query("SELECT max(" + used + ")::BIGINT FROM " + csv_read(f, file, f.header, names))
            .rows();
    const size_t needed =
        rows.empty() || rows[0][0].is_null() ? 0 : static_cast<size_t>(rows[0][0].as_int());
    if (needed < room) {
      names.resize(header.size() + needed);
      return names;
    }
  }
}

std::string raw_relation_sql(sql::Connection& con, const FileFormat& f,
                             const std::vector<InputFile>& files, bool every_value) {
  if (files.empty()) throw Error("internal: raw_relation_sql over no files");
  const std::string list = file_list_literal(files);
  const std::string file_col = kFileColumn;
  if (f.format == "csv") {
    if (!every_value) {
      return "SELECT * FROM read_csv(" + list + ", header=" + (f.header ? "true" : "false") +
             ", all_varchar=true, union_by_name=true, filename='" + file_col +
             "', null_padding=true, strict_mode=false" + csv_options(f) + ")";
    }
    // One read per file, each with the names of all its columns, combined by name.
    std::string sql;
    for (const auto& file : files) {
      if (!sql.empty()) sql += " UNION ALL BY NAME ";
      sql += "SELECT * FROM " + csv_read(f, file, f.header, csv_column_names(con, f, file));
    }
    return sql;
  }
  if (f.format == "parquet") {
    return "SELECT * FROM read_parquet(" + list + ", union_by_name=true, filename='" + file_col +
           "')";
  }
  if (f.format == "avro") {
    return "SELECT * FROM " + load_avro_files(con, files);
  }
  // json and text: lines (or whole files).
  const std::string texts = "read_text(" + list + ")";
  if (f.format == "text" && f.whole_text) {
    return "SELECT filename AS " + file_col + ", content AS " + kLineColumn + " FROM " + texts;
  }
  if (f.format == "json" && f.multi_line) {
    // One record per file, or one per element when the file holds a JSON array.
    return "SELECT filename AS " + file_col + ", unnest(CASE WHEN json_valid(content) AND " +
           "json_type(content) = 'ARRAY' THEN json_extract(content, '$[*]')::VARCHAR[] ELSE " +
           "[content] END) AS " + kLineColumn + " FROM " + texts;
  }
  const std::string split = "SELECT filename AS " + file_col +
                            ", rtrim(unnest(string_split(content, chr(10))), chr(13)) AS " +
                            kLineColumn + " FROM " + texts;
  if (f.format == "text") {
    // A trailing newline ends the last line; it does not start an empty one.
    return "SELECT filename AS " + file_col + ", rtrim(unnest(string_split(CASE WHEN " +
           "suffix(content, chr(10)) THEN left(content, -1) ELSE content END, chr(10))), " +
           "chr(13)) AS " + kLineColumn + " FROM " + texts + " WHERE content <> ''";
  }
  return "SELECT * FROM (" + split + ") WHERE trim(" + kLineColumn + ") <> ''";
}

}  // namespace dls::pipeline::sources
