// TableScan: the DuckDB SELECT that returns a snapshot's logical rows.
//
// Shape of the generated SQL:
//   SELECT <one expression per schema column> AS "<logical name>"
//   FROM read_parquet([<files>], union_by_name, filename, file_row_number) AS d
//   JOIN <temp table of per-file partition values> AS p ON d.file = p.path
//   ANTI JOIN <temp table of (file, deleted row index)> AS x ON ...
// Data columns are read by physical name (column mapping) and rebuilt recursively into the
// logical type: struct_pack for structs whose fields are renamed, missing or converted, and
// list_transform / map_entries for arrays and maps containing such structs. Partition columns
// come from the log (never from the file or its directory name), cast to their Delta type.
#include "dls/delta/table_scan.h"

#include <algorithm>
#include <atomic>
#include <cctype>

#include "delta/column_mapping.h"
#include "dls/core/error.h"
#include "dls/delta/deletion_vector.h"
#include "dls/delta/delta_error.h"
#include "dls/sql/quote.h"

namespace dls::delta {

using sql::quote_identifier;
using sql::quote_literal;

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

/// A column of the files' unified schema, as DESCRIBE printed it.
struct SourceColumn {
  std::string name;
  std::string duckdb_type;
  std::optional<DataType> type;  // nullopt when DuckDB's type has no Delta equivalent
};

const DataType* find_child(const DataType& s, const std::string& name) {
  for (const auto& f : s.fields)
    if (f.name == name) return &f.type;
  for (const auto& f : s.fields)
    if (lower(f.name) == lower(name)) return &f.type;
  return nullptr;
}

/// Builds expressions converting a source value (DuckDB's reading of the Parquet data) into the
/// logical Delta type.
class Converter {
 public:
  explicit Converter(std::string mode) : mode_(std::move(mode)) {}

  struct Expr {
    std::string sql;
    bool changed = false;  // false: `sql` is the source expression, already of the right shape
  };

  Expr convert(const DataType& logical, const DataType& source, const std::string& src) {
    if (logical.kind == "struct" && source.kind == "struct")
      return convert_struct(logical, source, src);
    if (logical.kind == "array" && source.kind == "array") {
      std::string var = next_var("x");
      Expr e = convert(*logical.element, *source.element, var);
      if (!e.changed) return {src, false};
      return {"list_transform(" + src + ", lambda " + var + ": " + e.sql + ")", true};
    }
    if (logical.kind == "map" && source.kind == "map") {
      std::string var = next_var("e");
      Expr k = convert(*logical.key, *source.key, "struct_extract(" + var + ", 'key')");
      Expr v = convert(*logical.value, *source.value, "struct_extract(" + var + ", 'value')");
      if (!k.changed && !v.changed) return {src, false};
      return {"map_from_entries(list_transform(map_entries(" + src + "), lambda " + var +
                  ": struct_pack(key := " + k.sql + ", value := " + v.sql + ")))",
              true};
    }
    if (logical.is_primitive() && source.is_primitive()) {
      if (logical.kind == source.kind &&
          (logical.kind != "decimal" ||
           (logical.precision == source.precision && logical.scale == source.scale)))
        return {src, false};
      // A timestamp stored without the UTC flag (e.g. INT96) holds UTC instants: interpret it
      // as UTC explicitly instead of in the session's time zone.
      if (logical.kind == "timestamp" && source.kind == "timestamp_ntz")
        return {"timezone('UTC', " + src + "::TIMESTAMP)", true};
    }
    return {"CAST(" + src + " AS " + logical.to_duckdb() + ")", true};
  }

 private:
  Expr convert_struct(const DataType& logical, const DataType& source, const std::string& src) {
    bool changed = logical.fields.size() != source.fields.size();
    std::string packed;
    for (size_t i = 0; i < logical.fields.size(); ++i) {
      const StructField& f = logical.fields[i];
      const std::string phys = physical_name(f, mode_);
      const DataType* child = find_child(source, phys);
      std::string expr;
      if (!child) {
        changed = true;
        expr = "NULL::" + f.type.to_duckdb();
      } else {
        Expr e =
            convert(f.type, *child, "struct_extract(" + src + ", " + quote_literal(phys) + ")");
        if (e.changed || i >= source.fields.size() || source.fields[i].name != f.name)
          changed = true;
        expr = e.sql;
      }
      if (!packed.empty()) packed += ", ";
      packed += quote_identifier(f.name) + " := " + expr;
    }
    if (!changed) return {src, false};
    if (logical.fields.empty()) return {"NULL::" + logical.to_duckdb(), true};
    return {"CASE WHEN " + src + " IS NULL THEN NULL ELSE struct_pack(" + packed + ") END", true};
  }

  std::string next_var(const char* prefix) {
    return std::string("__dls_") + prefix + std::to_string(++vars_);
  }

  std::string mode_;
  int vars_ = 0;
};

/// A partition value as the string the SQL cast expects, or nullopt for NULL.
std::optional<std::string> normalize_partition_value(const DataType& type,
                                                     const std::optional<std::string>& value) {
  // PROTOCOL.md "Partition Value Serialization": an empty string is a null of any type.
  if (!value || value->empty()) return std::nullopt;
  if (type.kind == "timestamp") {
    // Written either as "2021-09-08 11:11:11[.ffffff]" (no zone: read as UTC) or ISO-8601 with a
    // zone ("1971-07-22T03:06:40.000000Z"). Give the zone-less form an explicit UTC offset so the
    // cast never depends on the session's time zone.
    const std::string& s = *value;
    bool has_zone = s.size() > 10 && (s.back() == 'Z' || s.back() == 'z' ||
                                      s.find_first_of("+-", 11) != std::string::npos);
    return has_zone ? s : s + "+00:00";
  }
  return value;
}

std::string partition_cast(const DataType& type, const std::string& column) {
  if (type.kind == "string") return column;
  // Binary partition values are the UTF-8 bytes of the string: encode() takes them as they are,
  // where a cast would interpret '\x..' escapes.
  if (type.kind == "binary") return "encode(" + column + ")";
  return "CAST(" + column + " AS " + type.to_duckdb() + ")";
}

const std::optional<std::string>* find_partition_value(const PartitionValues& values,
                                                       const std::string& physical,
                                                       const std::string& logical) {
  auto it = values.find(physical);
  if (it == values.end()) it = values.find(logical);
  if (it == values.end()) {
    for (auto j = values.begin(); j != values.end(); ++j)
      if (lower(j->first) == lower(physical) || lower(j->first) == lower(logical))
        return &j->second;
    return nullptr;
  }
  return &it->second;
}

std::string file_list_literal(const std::vector<std::string>& paths) {
  std::string out = "[";
  for (size_t i = 0; i < paths.size(); ++i) {
    if (i) out += ", ";
    out += quote_literal(paths[i]);
  }
  return out + "]";
}

bool is_partition_column(const Snapshot& snap, const std::string& name) {
  for (const auto& p : snap.partition_columns())
    if (lower(p) == lower(name)) return true;
  return false;
}

}  // namespace

TableScan::TableScan(Snapshot snapshot, ScanOptions options)
    : snapshot_(std::move(snapshot)), options_(std::move(options)) {}

const std::vector<AddFile>& TableScan::files() const {
  return options_.files ? *options_.files : snapshot_.files();
}

std::vector<std::string> TableScan::data_file_paths() const {
  std::vector<std::string> out;
  out.reserve(files().size());
  for (const AddFile& f : files()) {
    std::string p = decode_path(f.path);
    if (p.empty() || p.front() != '/') p = snapshot_.table_root() + "/" + p;
    out.push_back(std::move(p));
  }
  return out;
}

std::string TableScan::sql(sql::Connection& con) const {
  static std::atomic<uint64_t> scan_counter{0};
  const Snapshot& snap = snapshot_;
  const std::string mode = snap.column_mapping_mode();
  const std::string where =
      "table " + snap.table_root() + " at version " + std::to_string(snap.version());

  // Columns to produce. Spark's void (NullType) columns are dropped on read, as the protocol
  // recommends. to_duckdb() refuses types we cannot read (variant) before any work is done.
  std::vector<const StructField*> columns;
  for (const StructField& f : snap.schema().fields) {
    if (f.type.kind == "void") continue;
    try {
      (void)f.type.to_duckdb();
    } catch (const UnsupportedFeatureError& e) {
      throw UnsupportedFeatureError(where + ", column '" + f.name + "': " + e.what());
    }
    columns.push_back(&f);
  }
  if (columns.empty()) {
    throw UnsupportedFeatureError(where + " has no readable column");
  }

  const std::vector<std::string> paths = data_file_paths();
  if (paths.empty()) {
    std::string select;
    for (const StructField* f : columns) {
      if (!select.empty()) select += ", ";
      select += "NULL::" + f->type.to_duckdb() + " AS " + quote_identifier(f->name);
    }
    if (options_.with_row_address)
      select += ", NULL::VARCHAR AS __dls_file, NULL::BIGINT AS __dls_row";
    return "SELECT " + select + " WHERE false";
  }
  for (const std::string& p : paths) {
    if (!snap.storage().exists(p)) {
      throw CorruptTableError(where + ": data file " + p +
                              " is missing (it is active in the log; was it deleted outside "
                              "Delta, e.g. by a vacuum with a too short retention?)");
    }
  }

  const uint64_t id = scan_counter++;
  const std::string files_sql = file_list_literal(paths);

  // The unified schema of the files, by physical name.
  std::vector<SourceColumn> source;
  {
    auto rows = con.query("DESCRIBE SELECT * FROM read_parquet(" + files_sql +
                          ", union_by_name = true, hive_partitioning = false)")
                    .rows();
    for (const auto& r : rows) {
      SourceColumn c;
      c.name = r.at(0).as_string();
      c.duckdb_type = r.at(1).as_string();
      try {
        c.type = DataType::from_duckdb(c.duckdb_type);
      } catch (const Error&) {
      }
      source.push_back(std::move(c));
    }
  }
  auto find_source = [&](const std::string& name) -> const SourceColumn* {
    for (const auto& c : source)
      if (c.name == name) return &c;
    for (const auto& c : source)
      if (lower(c.name) == lower(name)) return &c;
    return nullptr;
  };

  // Partition values per file, in a temp table joined on the file name.
  std::vector<const StructField*> partition_fields;
  for (const StructField* f : columns)
    if (is_partition_column(snap, f->name)) partition_fields.push_back(f);
  const std::string files_table = "__dls_scan_" + std::to_string(id) + "_files";
  if (!partition_fields.empty()) {
    std::string ddl = "CREATE TEMP TABLE " + quote_identifier(files_table) + " (path VARCHAR";
    for (size_t i = 0; i < partition_fields.size(); ++i)
      ddl += ", pv" + std::to_string(i) + " VARCHAR";
    con.execute(ddl + ")");
    auto app = con.appender(files_table);
    const auto& files = this->files();
    for (size_t i = 0; i < files.size(); ++i) {
      app.append(paths[i]);
      for (const StructField* f : partition_fields) {
        const auto* v =
            find_partition_value(files[i].partition_values, physical_name(*f, mode), f->name);
        auto norm = v ? normalize_partition_value(f->type, *v) : std::nullopt;
        if (norm)
          app.append(*norm);
        else
          app.append_null();
      }
      app.end_row();
    }
    app.close();
  }

  // Deleted rows, in a temp table anti-joined on (file, row index).
  bool has_dv = false;
  const std::string dv_table = "__dls_scan_" + std::to_string(id) + "_dv";
  {
    const auto& files = this->files();
    for (size_t i = 0; i < files.size(); ++i) {
      if (!files[i].deletion_vector) continue;
      if (!has_dv) {
        con.execute("CREATE TEMP TABLE " + quote_identifier(dv_table) +
                    " (path VARCHAR, row_index BIGINT)");
        has_dv = true;
      }
      std::vector<uint64_t> rows;
      try {
        rows = read_deletion_vector(snap.storage(), snap.table_root(), *files[i].deletion_vector);
      } catch (const CorruptTableError& e) {
        throw CorruptTableError(where + ", data file " + paths[i] + ": " + e.what());
      }
      auto app = con.appender(dv_table);
      for (uint64_t r : rows) {
        app.append(paths[i]);
        app.append(static_cast<int64_t>(r));
        app.end_row();
      }
      app.close();
    }
  }

  // The projection.
  Converter converter(mode);
  std::string select;
  for (const StructField* f : columns) {
    std::string expr;
    if (is_partition_column(snap, f->name)) {
      size_t i =
          std::find(partition_fields.begin(), partition_fields.end(), f) - partition_fields.begin();
      expr = partition_cast(f->type, "p.pv" + std::to_string(i));
    } else if (const SourceColumn* c = find_source(physical_name(*f, mode))) {
      const std::string src = "d." + quote_identifier(c->name);
      const std::string want = f->type.to_duckdb();
      if (!c->type) {
        expr = "CAST(" + src + " AS " + want + ")";
      } else {
        auto e = converter.convert(f->type, *c->type, src);
        expr = e.sql;
        // A final cast pins the exact result type (e.g. a rebuilt struct, an unsigned source).
        if (c->duckdb_type != want || e.changed) expr = "CAST(" + expr + " AS " + want + ")";
      }
    } else {
      expr = "NULL::" + f->type.to_duckdb();  // column added after these files were written
    }
    if (!select.empty()) select += ", ";
    select += expr + " AS " + quote_identifier(f->name);
  }

  if (options_.with_row_address)
    select += ", d.__dls_file AS __dls_file, d.file_row_number AS __dls_row";
  const bool row_numbers = has_dv || options_.with_row_address;
  std::string from = "read_parquet(" + files_sql +
                     ", union_by_name = true, hive_partitioning = false, filename = '__dls_file'" +
                     (row_numbers ? ", file_row_number = true" : "") + ") AS d";
  if (!partition_fields.empty())
    from += " JOIN " + quote_identifier(files_table) + " AS p ON d.__dls_file = p.path";
  if (has_dv) {
    from += " ANTI JOIN " + quote_identifier(dv_table) +
            " AS x ON d.__dls_file = x.path AND d.file_row_number = x.row_index";
  }
  return "SELECT " + select + " FROM " + from;
}

}  // namespace dls::delta
