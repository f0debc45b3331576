#include "pipeline/sources/file_relation.h"

#include "dls/core/error.h"
#include "dls/sql/quote.h"
#include "pipeline/sources/avro_reader.h"

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

}  // namespace

std::string raw_relation_sql(sql::Connection& con, const FileFormat& f,
                             const std::vector<InputFile>& files) {
  if (files.empty()) throw Error("internal: raw_relation_sql over no files");
  const std::string list = file_list_literal(files);
  const std::string file_col = kFileColumn;
  if (f.format == "csv") {
    return "SELECT * FROM read_csv(" + list + ", header=" + (f.header ? "true" : "false") +
           ", all_varchar=true, union_by_name=true, filename='" + file_col +
           "', null_padding=true, strict_mode=false" + csv_options(f) + ")";
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
