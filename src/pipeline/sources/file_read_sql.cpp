#include "pipeline/sources/file_read_sql.h"

#include <map>

#include "dls/core/error.h"
#include "dls/sql/quote.h"
#include "pipeline/sources/file_relation.h"

namespace dls::pipeline::sources {

using sql::quote_identifier;
using sql::quote_literal;

namespace {

const std::string kR = "__dls_r";
const std::string kOk = "__dls_ok";

std::string col(const std::string& name) {
  return kR + "." + quote_identifier(name);
}

std::string json_path(const std::string& key) {
  std::string escaped;
  for (char c : key) {
    if (c == '"' || c == '\\') escaped += '\\';
    escaped += c;
  }
  return quote_literal("$.\"" + escaped + "\"");
}

std::string entry(const std::string& key_sql, const std::string& value_json_sql) {
  return "struct_pack(k := " + key_sql + ", v := " + value_json_sql + ")";
}

std::string rescued_object(const std::string& entries_sql) {
  return "to_json(map_from_entries(" + entries_sql + "))::VARCHAR";
}

std::string empty_select(const ReadSpec& spec) {
  std::string sql = "SELECT ";
  bool first = true;
  auto add = [&](const std::string& expr) {
    sql += (first ? "" : ", ") + expr;
    first = false;
  };
  for (const auto& c : spec.schema) add("NULL::" + c.type + " AS " + quote_identifier(c.name));
  if (spec.rescue_column) add("NULL::VARCHAR AS " + quote_identifier(*spec.rescue_column));
  if (spec.metadata_column) add(std::string("NULL::") + kMetadataType + " AS " + kMetadataColumn);
  if (first) add("NULL AS " + quote_identifier("_empty"));
  return sql + " WHERE false";
}

}  // namespace

std::string build_read_sql(sql::Connection& con, const ReadSpec& spec) {
  const FileFormat& f = spec.format;
  std::vector<InputFile> files;
  for (const auto& file : spec.files) {
    // Empty text files have no rows (and confuse DuckDB's CSV sniffer).
    if (file.size > 0 || f.format == "parquet" || f.format == "avro") files.push_back(file);
  }
  if (files.empty()) return empty_select(spec);

  const std::string raw = raw_relation_sql(con, f, files, spec.rescue_column.has_value());
  const bool line_based = f.format == "json" || f.format == "text";
  const std::string file_expr = kR + "." + kFileColumn;
  const std::string line = kR + "." + kLineColumn;

  std::vector<std::string> select;      // output columns
  std::vector<std::string> entries;     // rescued entries (struct k, v JSON), may be NULL
  std::vector<std::string> mismatches;  // boolean expressions: a value did not fit its type
  std::string extra_entries;            // json: a LIST of entries for unknown keys

  if (f.format == "text") {
    for (const auto& c : spec.schema) {
      select.push_back((c.name == "value" ? line : "NULL::" + c.type) + " AS " +
                       quote_identifier(c.name));
    }
  } else if (f.format == "json") {
    std::string names = "[";
    for (size_t i = 0; i < spec.schema.size(); ++i) {
      names += (i ? ", " : "") + quote_literal(spec.schema[i].name);
    }
    names += "]";
    for (const auto& c : spec.schema) {
      const std::string path = json_path(c.name);
      const std::string raw_json = "json_extract(" + line + ", " + path + ")";
      std::string value;
      if (c.type == "VARCHAR") {
        value = "json_extract_string(" + line + ", " + path + ")";
      } else {
        value = "TRY_CAST(" + raw_json + " AS " + c.type + ")";
        const std::string mismatch = "(" + kOk + " AND " + raw_json +
                                     " IS NOT NULL AND json_type(" + raw_json + ") <> 'NULL' AND " +
                                     value + " IS NULL)";
        mismatches.push_back(mismatch);
        entries.push_back(
            entry(quote_literal(c.name), "CASE WHEN " + mismatch + " THEN " + raw_json + " END"));
      }
      select.push_back("CASE WHEN " + kOk + " THEN " + value + " END AS " +
                       quote_identifier(c.name));
    }
    extra_entries = "CASE WHEN " + kOk + " THEN list_transform(list_filter(json_keys(" + line +
                    "), __k -> NOT list_contains(" + names + ", __k)), __k -> " +
                    entry("__k", "json_extract(" + line +
                                     ", '$.\"' || replace(replace(__k, '\\', "
                                     "'\\\\'), '\"', '\\\"') || '\"')") +
                    ") END";
  } else {
    // csv, parquet, avro: named raw columns.
    auto described = describe_sql(con, raw);
    std::map<std::string, std::string> raw_types;  // raw name -> type
    std::vector<std::string> raw_order;
    for (const auto& [name, type] : described) {
      if (name == kFileColumn) continue;
      std::string logical = name;
      if (f.format == "csv" && !f.header && name.rfind("column", 0) == 0 &&
          name.find_first_not_of("0123456789", 6) == std::string::npos && name.size() > 6) {
        logical = "_c" + name.substr(6);
      }
      raw_types[logical] = type;
      raw_order.push_back(logical);
    }
    auto raw_name = [&](const std::string& logical) {
      if (f.format == "csv" && !f.header && logical.rfind("_c", 0) == 0) {
        return "column" + logical.substr(2);
      }
      return logical;
    };
    std::map<std::string, bool> used;
    for (const auto& c : spec.schema) {
      auto it = raw_types.find(c.name);
      if (it == raw_types.end()) {
        // Case-insensitive fallback (Spark resolves columns case-insensitively).
        for (auto jt = raw_types.begin(); jt != raw_types.end(); ++jt) {
          if (to_lower(jt->first) == to_lower(c.name)) it = jt;
        }
      }
      if (it == raw_types.end()) {
        select.push_back("NULL::" + c.type + " AS " + quote_identifier(c.name));
        continue;
      }
      used[it->first] = true;
      const std::string raw_col = col(raw_name(it->first));
      if (it->second == c.type) {
        select.push_back(raw_col + " AS " + quote_identifier(c.name));
        continue;
      }
      const std::string value = "TRY_CAST(" + raw_col + " AS " + c.type + ")";
      const std::string mismatch = "(" + raw_col + " IS NOT NULL AND " + value + " IS NULL)";
      mismatches.push_back(mismatch);
      entries.push_back(entry(quote_literal(it->first),
                              "CASE WHEN " + mismatch + " THEN to_json(" + raw_col + ") END"));
      select.push_back(value + " AS " + quote_identifier(c.name));
    }
    for (const auto& name : raw_order) {
      if (used.count(name)) continue;
      entries.push_back(entry(quote_literal(name), "to_json(" + col(raw_name(name)) + ")"));
    }
  }

  // The rescued-data column.
  if (spec.rescue_column) {
    std::string list = "[]";
    if (!entries.empty()) {
      list = "[";
      for (size_t i = 0; i < entries.size(); ++i) list += (i ? ", " : "") + entries[i];
      list += "]";
    }
    if (!extra_entries.empty()) list = "list_concat(" + list + ", " + extra_entries + ")";
    std::string rescued = "NULL::VARCHAR";
    if (list != "[]") {
      const std::string filtered =
          "list_filter(" + list + ", __e -> __e.v IS NOT NULL AND __e.v::VARCHAR <> 'null')";
      rescued = "CASE WHEN len(" + filtered + ") > 0 THEN " +
                rescued_object("list_append(" + filtered + ", " +
                               entry("'_file_path'", "to_json(" + file_expr + ")") + ")") +
                " END";
    }
    if (f.format == "json") {
      rescued = "CASE WHEN NOT " + kOk + " THEN " +
                rescued_object("[" + entry("'_corrupt_record'", "to_json(" + line + ")") + ", " +
                               entry("'_file_path'", "to_json(" + file_expr + ")") + "]") +
                " ELSE " + rescued + " END";
    }
    select.push_back(rescued + " AS " + quote_identifier(*spec.rescue_column));
  }

  // The _metadata struct, from a per-batch table of the files.
  std::string from = "(" + raw + ") AS " + kR;
  if (f.format == "json") {
    from = "(SELECT *, CASE WHEN json_valid(" + std::string(kLineColumn) + ") THEN json_type(" +
           kLineColumn + ") = 'OBJECT' ELSE false END AS " + kOk + " FROM (" + raw + ")) AS " + kR;
  }
  if (spec.metadata_column) {
    std::string values;
    for (size_t i = 0; i < files.size(); ++i) {
      values += (i ? ", " : "") + std::string("(") + quote_literal(files[i].path) + ", " +
                std::to_string(files[i].size) + "::BIGINT, " + std::to_string(files[i].mtime_us) +
                "::BIGINT)";
    }
    from += " JOIN (VALUES " + values + ") AS __dls_m(path, size, mtime) ON " + file_expr +
            " = __dls_m.path";
    select.push_back(
        "struct_pack(file_path := __dls_m.path, file_name := parse_filename(__dls_m.path), "
        "file_size := __dls_m.size, file_block_start := 0::BIGINT, file_block_length := "
        "__dls_m.size, file_modification_time := make_timestamptz(__dls_m.mtime)) AS " +
        std::string(kMetadataColumn));
  }

  // Malformed records.
  std::string bad;
  for (const auto& m : mismatches) bad += (bad.empty() ? "" : " OR ") + m;
  if (f.format == "json") bad = "NOT " + kOk + (bad.empty() ? "" : " OR " + bad);
  std::string where;
  if (!bad.empty() && f.mode == MalformedMode::kDropMalformed) {
    where = " WHERE NOT (" + bad + ")";
  } else if (!bad.empty() && f.mode == MalformedMode::kFailFast) {
    const std::string record =
        line_based ? line : std::string("'a value that does not match the schema'");
    where = " WHERE CASE WHEN " + bad + " THEN error('malformed " + f.format + " record in ' || " +
            file_expr + " || ' (mode FAILFAST): ' || left(" + record +
            ", 200))::BOOLEAN ELSE true END";
  }
  if (select.empty()) select.push_back("NULL AS " + quote_identifier("_empty"));
  std::string sql = "SELECT ";
  for (size_t i = 0; i < select.size(); ++i) sql += (i ? ", " : "") + select[i];
  return sql + " FROM " + from + where;
}

}  // namespace dls::pipeline::sources
