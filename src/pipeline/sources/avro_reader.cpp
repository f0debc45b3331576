#include "pipeline/sources/avro_reader.h"

#include <avro.h>

#include <atomic>
#include <memory>
#include <set>

#include <nlohmann/json.hpp>

#include "dls/core/error.h"
#include "dls/sql/quote.h"
#include "pipeline/sources/file_relation.h"

namespace dls::pipeline::sources {

using sql::quote_identifier;

namespace {

[[noreturn]] void avro_fail(const std::string& path, const std::string& what) {
  throw Error("cannot read Avro file " + path + ": " + what + ": " + avro_strerror());
}

// The non-null branch of a ["null", T] union, or nullptr.
avro_schema_t nullable_branch(avro_schema_t schema) {
  if (!is_avro_union(schema) || avro_schema_union_size(schema) != 2) return nullptr;
  avro_schema_t a = avro_schema_union_branch(schema, 0);
  avro_schema_t b = avro_schema_union_branch(schema, 1);
  if (is_avro_null(a) && !is_avro_null(b)) return b;
  if (is_avro_null(b) && !is_avro_null(a)) return a;
  return nullptr;
}

avro_schema_t resolve(avro_schema_t schema) {
  while (is_avro_link(schema)) schema = avro_schema_link_target(schema);
  return schema;
}

std::string duckdb_type(avro_schema_t schema, int depth = 0) {
  schema = resolve(schema);
  if (depth > 32) return "VARCHAR";  // recursive schemas: the rest as JSON
  if (auto inner = nullable_branch(schema)) return duckdb_type(inner, depth);
  switch (avro_typeof(schema)) {
    case AVRO_BOOLEAN:
      return "BOOLEAN";
    case AVRO_INT32:
      return "INTEGER";
    case AVRO_INT64:
      return "BIGINT";
    case AVRO_FLOAT:
      return "FLOAT";
    case AVRO_DOUBLE:
      return "DOUBLE";
    case AVRO_BYTES:
    case AVRO_FIXED:
      return "BLOB";
    case AVRO_RECORD: {
      std::string out = "STRUCT(";
      const size_t n = avro_schema_record_size(schema);
      for (size_t i = 0; i < n; ++i) {
        out += (i ? ", " : "") + quote_identifier(avro_schema_record_field_name(schema, i)) + " " +
               duckdb_type(avro_schema_record_field_get_by_index(schema, i), depth + 1);
      }
      return n == 0 ? "VARCHAR" : out + ")";
    }
    case AVRO_ARRAY:
      return duckdb_type(avro_schema_array_items(schema), depth + 1) + "[]";
    case AVRO_MAP:
      return "MAP(VARCHAR, " + duckdb_type(avro_schema_map_values(schema), depth + 1) + ")";
    default:  // string, enum, null, general unions
      return "VARCHAR";
  }
}

bool is_complex(const std::string& type) {
  return type != "BOOLEAN" && type != "INTEGER" && type != "BIGINT" && type != "FLOAT" &&
         type != "DOUBLE" && type != "BLOB" && type != "VARCHAR";
}

nlohmann::json to_json(avro_value_t* value) {
  int rc = 0;
  switch (avro_value_get_type(value)) {
    case AVRO_NULL:
      return nullptr;
    case AVRO_BOOLEAN: {
      int b = 0;
      rc = avro_value_get_boolean(value, &b);
      return b != 0;
    }
    case AVRO_INT32: {
      int32_t i = 0;
      rc = avro_value_get_int(value, &i);
      return i;
    }
    case AVRO_INT64: {
      int64_t i = 0;
      rc = avro_value_get_long(value, &i);
      return i;
    }
    case AVRO_FLOAT: {
      float f = 0;
      rc = avro_value_get_float(value, &f);
      return f;
    }
    case AVRO_DOUBLE: {
      double d = 0;
      rc = avro_value_get_double(value, &d);
      return d;
    }
    case AVRO_STRING: {
      const char* s = nullptr;
      size_t size = 0;
      rc = avro_value_get_string(value, &s, &size);
      return std::string(s, size > 0 ? size - 1 : 0);
    }
    case AVRO_BYTES: {
      const void* buf = nullptr;
      size_t size = 0;
      rc = avro_value_get_bytes(value, &buf, &size);
      return std::string(static_cast<const char*>(buf), size);
    }
    case AVRO_FIXED: {
      const void* buf = nullptr;
      size_t size = 0;
      rc = avro_value_get_fixed(value, &buf, &size);
      return std::string(static_cast<const char*>(buf), size);
    }
    case AVRO_ENUM: {
      int symbol = 0;
      rc = avro_value_get_enum(value, &symbol);
      const char* name = avro_schema_enum_get(avro_value_get_schema(value), symbol);
      return name ? name : "";
    }
    case AVRO_RECORD:
    case AVRO_MAP: {
      nlohmann::json out = nlohmann::json::object();
      size_t n = 0;
      avro_value_get_size(value, &n);
      for (size_t i = 0; i < n; ++i) {
        avro_value_t child;
        const char* name = nullptr;
        avro_value_get_by_index(value, i, &child, &name);
        out[name ? name : ""] = to_json(&child);
      }
      return out;
    }
    case AVRO_ARRAY: {
      nlohmann::json out = nlohmann::json::array();
      size_t n = 0;
      avro_value_get_size(value, &n);
      for (size_t i = 0; i < n; ++i) {
        avro_value_t child;
        avro_value_get_by_index(value, i, &child, nullptr);
        out.push_back(to_json(&child));
      }
      return out;
    }
    case AVRO_UNION: {
      avro_value_t branch;
      rc = avro_value_get_current_branch(value, &branch);
      return rc == 0 ? to_json(&branch) : nlohmann::json();
    }
    default:
      (void)rc;
      return nullptr;
  }
}

// Appends one top-level value in the storage type of its column.
void append_value(sql::Appender& appender, avro_value_t* value, const std::string& type) {
  if (avro_value_get_type(value) == AVRO_UNION) {
    avro_value_t branch;
    if (avro_value_get_current_branch(value, &branch) != 0) {
      appender.append_null();
      return;
    }
    if (type == "VARCHAR" && avro_value_get_type(&branch) != AVRO_STRING &&
        avro_value_get_type(&branch) != AVRO_ENUM && avro_value_get_type(&branch) != AVRO_NULL) {
      appender.append(
          to_json(&branch).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      return;
    }
    append_value(appender, &branch, type);
    return;
  }
  if (avro_value_get_type(value) == AVRO_NULL) {
    appender.append_null();
    return;
  }
  nlohmann::json j = to_json(value);
  if (is_complex(type)) {
    appender.append(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  } else if (type == "BLOB") {
    appender.append_blob(j.get<std::string>());
  } else if (j.is_boolean()) {
    appender.append(j.get<bool>());
  } else if (j.is_number_integer()) {
    appender.append(j.get<int64_t>());
  } else if (j.is_number()) {
    appender.append(j.get<double>());
  } else if (j.is_string()) {
    appender.append(j.get<std::string>());
  } else {
    appender.append_null();
  }
}

std::string storage_type(const std::string& type) {
  if (type == "INTEGER" || type == "BIGINT") return "BIGINT";
  if (type == "FLOAT" || type == "DOUBLE") return "DOUBLE";
  if (type == "BOOLEAN" || type == "BLOB") return type;
  return "VARCHAR";
}

struct Reader {
  avro_file_reader_t reader = nullptr;
  avro_schema_t schema = nullptr;
  ~Reader() {
    if (schema) avro_schema_decref(schema);
    if (reader) avro_file_reader_close(reader);
  }
};

void open_reader(const std::string& path, Reader& r) {
  if (avro_file_reader(path.c_str(), &r.reader) != 0) {
    r.reader = nullptr;
    avro_fail(path, "not an Avro object container file or not readable");
  }
  r.schema = avro_file_reader_get_writer_schema(r.reader);
  if (!r.schema || !is_avro_record(resolve(r.schema))) {
    throw Error("cannot read Avro file " + path + ": its schema is not a record");
  }
}

std::atomic<int64_t> g_counter{0};

}  // namespace

SourceSchema avro_file_schema(const std::string& path) {
  Reader r;
  open_reader(path, r);
  avro_schema_t record = resolve(r.schema);
  SourceSchema out;
  const size_t n = avro_schema_record_size(record);
  for (size_t i = 0; i < n; ++i) {
    out.push_back({avro_schema_record_field_name(record, i),
                   duckdb_type(avro_schema_record_field_get_by_index(record, i))});
  }
  return out;
}

std::string load_avro_files(sql::Connection& con, const std::vector<InputFile>& files) {
  // Union of the files' columns, in first-seen order; the first file's type wins.
  SourceSchema columns;
  for (const auto& f : files) {
    for (const auto& c : avro_file_schema(f.path)) {
      if (!find_column(columns, c.name)) columns.push_back(c);
    }
  }
  const std::string table = "__dls_avro_" + std::to_string(++g_counter);
  std::string ddl = "CREATE TEMP TABLE " + table + " (";
  for (const auto& c : columns) ddl += quote_identifier(c.name) + " " + storage_type(c.type) + ", ";
  ddl += std::string(kFileColumn) + " VARCHAR)";
  con.execute(ddl);
  auto appender = con.appender(table);
  for (const auto& f : files) {
    Reader r;
    open_reader(f.path, r);
    avro_value_iface_t* iface = avro_generic_class_from_schema(r.schema);
    if (!iface) avro_fail(f.path, "unsupported schema");
    avro_value_t value;
    avro_generic_value_new(iface, &value);
    struct Cleanup {
      avro_value_iface_t* iface;
      avro_value_t* value;
      ~Cleanup() {
        avro_value_decref(value);
        avro_value_iface_decref(iface);
      }
    } cleanup{iface, &value};
    int rc = 0;
    while ((rc = avro_file_reader_read_value(r.reader, &value)) == 0) {
      for (const auto& c : columns) {
        avro_value_t field;
        if (avro_value_get_by_name(&value, c.name.c_str(), &field, nullptr) != 0) {
          appender.append_null();
        } else {
          append_value(appender, &field, c.type);
        }
      }
      appender.append(f.path);
      appender.end_row();
    }
    if (rc != EOF) avro_fail(f.path, "corrupt data block");
  }
  appender.close();
  std::string select = "(SELECT ";
  for (const auto& c : columns) {
    const std::string col = quote_identifier(c.name);
    if (is_complex(c.type)) {
      select += "CAST(" + col + "::JSON AS " + c.type + ") AS " + col + ", ";
    } else if (storage_type(c.type) != c.type) {
      select += "CAST(" + col + " AS " + c.type + ") AS " + col + ", ";
    } else {
      select += col + ", ";
    }
  }
  return select + kFileColumn + " FROM " + table + ") AS " + table;
}

}  // namespace dls::pipeline::sources
