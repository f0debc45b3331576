#include "pipeline/sources/schema_inference.h"

#include <algorithm>

#include "dls/core/error.h"
#include "dls/sql/quote.h"
#include "dls/sql/spark/ddl_schema.h"
#include "pipeline/sources/avro_reader.h"
#include "pipeline/sources/file_relation.h"
#include "pipeline/storage_type.h"

namespace dls::pipeline::sources {

using sql::quote_literal;

namespace {

/// The type an inferred CSV/JSON column is held in (Spark's inference: JSON values and all-null
/// columns are strings, timestamps are UTC-adjusted -- storage_type.h).
std::string normalize_type(const std::string& t) {
  if (t == "JSON" || t == "NULL" || t == "\"NULL\"") return "VARCHAR";
  return inferred_storage_type(t);
}

void merge(SourceSchema& into, const SourceSchema& more, bool widen_to_string) {
  for (const auto& c : more) {
    auto it = std::find_if(into.begin(), into.end(), [&](const SourceColumn& x) {
      return to_lower(x.name) == to_lower(c.name);
    });
    if (it == into.end()) {
      into.push_back(c);
    } else if (widen_to_string && it->type != c.type) {
      it->type = "VARCHAR";
    }
  }
}

std::string csv_read(const FileFormat& f, const InputFile& file, bool header, bool all_varchar) {
  std::string sql = "SELECT * FROM read_csv(" + quote_literal(file.path) +
                    ", header=" + (header ? "true" : "false") +
                    (all_varchar ? ", all_varchar=true" : "") +
                    ", null_padding=true, strict_mode=false, delim=" + quote_literal(f.delimiter) +
                    ", quote=" + quote_literal(f.quote) +
                    ", escape=" + quote_literal(f.escape ? *f.escape : f.quote);
  if (f.null_value) sql += ", nullstr=" + quote_literal(*f.null_value);
  if (f.comment && !f.comment->empty()) sql += ", comment=" + quote_literal(*f.comment);
  if (f.encoding) sql += ", encoding=" + quote_literal(*f.encoding);
  if (f.skip_rows > 0) sql += ", skip=" + std::to_string(f.skip_rows);
  // Types are inferred from every row, as Spark's inferSchema does (not from a sample).
  if (!all_varchar) sql += ", sample_size=-1";
  return sql + ")";
}

SourceSchema infer_csv(sql::Connection& con, const FileFormat& f, const InputFile& file) {
  SourceSchema out;
  for (const auto& name : csv_header_names(con, f, file)) {
    // Without a header, Spark names the columns _c0, _c1, ...
    out.push_back({f.header ? name : "_c" + name.substr(6), "VARCHAR"});
  }
  if (f.infer_types) {
    const auto described = describe_sql(con, csv_read(f, file, f.header, false));
    for (size_t i = 0; i < out.size() && i < described.size(); ++i) {
      out[i].type = normalize_type(described[i].second);
    }
  }
  return out;
}

SourceSchema infer_json(sql::Connection& con, const FileFormat& f,
                        const std::vector<InputFile>& files) {
  const std::string raw = raw_relation_sql(con, f, files);
  const std::string line = kLineColumn;
  const std::string sql =
      "WITH lines AS (SELECT row_number() OVER () AS n, " + line + " AS l FROM (" + raw +
      ") WHERE json_valid(" + line +
      ")), objects AS (SELECT n, l FROM lines WHERE json_type(l) = "
      "'OBJECT'), keys AS (SELECT n, unnest(json_keys(l)) AS k, generate_subscripts(json_keys(l), "
      "1) AS p FROM objects) SELECT k FROM keys GROUP BY k ORDER BY min(n * 1000000 + p)";
  SourceSchema out;
  for (const auto& row : con.query(sql).rows()) out.push_back({row[0].as_string(), "VARCHAR"});
  if (f.infer_types && !out.empty()) {
    try {
      const auto described =
          describe_sql(con, "SELECT * FROM read_json(" + file_list_literal(files) +
                                ", format=" + (f.multi_line ? "'auto'" : "'newline_delimited'") +
                                ", ignore_errors=true, sample_size=-1, union_by_name=true)");
      for (auto& c : out) {
        for (const auto& [name, type] : described) {
          if (name == c.name) c.type = normalize_type(type);
        }
      }
    } catch (const Error&) {
      // Keep STRING columns: DuckDB could not infer types (e.g. every record malformed).
    }
  }
  return out;
}

}  // namespace

SourceSchema infer_file_schema(sql::Connection& con, const FileFormat& f,
                               const std::vector<InputFile>& files) {
  SourceSchema out;
  if (f.format == "text") return {{"value", "VARCHAR"}};
  std::vector<InputFile> nonempty;
  for (const auto& file : files) {
    if (file.size > 0) nonempty.push_back(file);
  }
  if (nonempty.empty()) return out;
  if (f.format == "csv") {
    for (const auto& file : nonempty) merge(out, infer_csv(con, f, file), true);
  } else if (f.format == "json") {
    out = infer_json(con, f, nonempty);
  } else if (f.format == "parquet") {
    for (const auto& file : nonempty) {
      SourceSchema one;
      for (const auto& [name, type] :
           describe_sql(con, "SELECT * FROM read_parquet(" + quote_literal(file.path) + ")")) {
        one.push_back({name, type});
      }
      merge(out, one, false);
    }
  } else if (f.format == "avro") {
    for (const auto& file : nonempty) merge(out, avro_file_schema(file.path), false);
  } else {
    throw Error("internal: no schema inference for format " + f.format);
  }
  return out;
}

SourceSchema schema_from_ddl(const std::string& ddl, const std::string& what) {
  try {
    SourceSchema out;
    for (const auto& c : sql::spark::parse_ddl_schema(ddl)) {
      out.push_back({c.name, storage_duckdb_type(c.spark_type)});
    }
    return out;
  } catch (const InvalidMetadataError&) {
    throw;
  } catch (const Error& e) {
    throw InvalidMetadataError(what + ": " + e.what());
  }
}

SourceSchema apply_schema_hints(SourceSchema schema, const SourceSchema& hints) {
  for (const auto& h : hints) {
    auto it = std::find_if(schema.begin(), schema.end(), [&](const SourceColumn& c) {
      return to_lower(c.name) == to_lower(h.name);
    });
    if (it == schema.end()) {
      schema.push_back(h);
    } else {
      it->type = h.type;
    }
  }
  return schema;
}

}  // namespace dls::pipeline::sources
