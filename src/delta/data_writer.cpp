#include "delta/data_writer.h"

#include <algorithm>
#include <cctype>

#include "delta/random_uuid.h"
#include "delta/stats.h"
#include "dls/core/error.h"
#include "dls/delta/delta_error.h"
#include "dls/sql/quote.h"

namespace dls::delta {

namespace {

using sql::quote_identifier;
using sql::quote_literal;

constexpr const char* kNullPartition = "__HIVE_DEFAULT_PARTITION__";

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

int integer_rank(const std::string& kind) {
  if (kind == "byte") return 1;
  if (kind == "short") return 2;
  if (kind == "integer") return 3;
  if (kind == "long") return 4;
  return 0;
}

int integer_digits(const std::string& kind) {
  switch (integer_rank(kind)) {
    case 1:
      return 3;
    case 2:
      return 5;
    case 3:
      return 10;
    case 4:
      return 19;
    default:
      return 0;
  }
}

/// Whether values of `from` can be stored in a column of type `to` without loss or a change of
/// meaning (nullability is checked separately).
bool assignable(const DataType& from, const DataType& to) {
  if (to.kind == "struct") {
    if (from.kind != "struct" || from.fields.size() != to.fields.size()) return false;
    for (size_t i = 0; i < to.fields.size(); ++i) {
      if (lower(from.fields[i].name) != lower(to.fields[i].name)) return false;
      if (!assignable(from.fields[i].type, to.fields[i].type)) return false;
    }
    return true;
  }
  if (to.kind == "array") return from.kind == "array" && assignable(*from.element, *to.element);
  if (to.kind == "map") {
    return from.kind == "map" && assignable(*from.key, *to.key) &&
           assignable(*from.value, *to.value);
  }
  if (to.kind == "decimal") {
    if (from.kind == "decimal") {
      return to.scale >= from.scale && to.precision - to.scale >= from.precision - from.scale;
    }
    return integer_rank(from.kind) > 0 && to.precision - to.scale >= integer_digits(from.kind);
  }
  if (integer_rank(to.kind) > 0)
    return integer_rank(from.kind) > 0 && integer_rank(from.kind) <= integer_rank(to.kind);
  if (to.kind == "double") {
    return from.kind == "double" || from.kind == "float" ||
           (integer_rank(from.kind) > 0 && integer_rank(from.kind) <= 3);
  }
  if (to.kind == "timestamp") return from.kind == "timestamp" || from.kind == "timestamp_ntz";
  // An instant into a wall-clock column (a table created when dls wrote Spark TIMESTAMP as
  // timestamp_ntz): its UTC wall clock, as Spark stores a TIMESTAMP into a TIMESTAMP_NTZ column
  // with session time zone UTC.
  if (to.kind == "timestamp_ntz") return from.kind == "timestamp_ntz" || from.kind == "timestamp";
  return from.kind == to.kind;
}

/// The SQL turning a column (of its table type) into its partition value string, or NULL.
std::string partition_value_sql(const StructField& field) {
  std::string c = quote_identifier(field.name);
  const std::string& k = field.type.kind;
  if (k == "string") return "NULLIF(" + c + ", '')";
  if (k == "timestamp") {
    return "strftime(timezone('UTC', " + c + "), '%Y-%m-%dT%H:%M:%S.%fZ')";
  }
  if (k == "timestamp_ntz") return "strftime(" + c + ", '%Y-%m-%d %H:%M:%S.%f')";
  return "CAST(" + c + " AS VARCHAR)";
}

/// Drops a TEMP table when the write ends, however it ends.
class TempTable {
 public:
  TempTable(sql::Connection& con, std::string name) : con_(con), name_(std::move(name)) {}
  ~TempTable() {
    try {
      con_.execute("DROP TABLE IF EXISTS " + quote_identifier(name_));
    } catch (...) {
      // Best effort: the table is temporary and dies with the connection anyway.
    }
  }
  TempTable(const TempTable&) = delete;
  TempTable& operator=(const TempTable&) = delete;
  std::string sql() const { return quote_identifier(name_); }

 private:
  sql::Connection& con_;
  std::string name_;
};

}  // namespace

std::string escape_partition_path_component(const std::string& value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    bool escape =
        c < 0x20 || c == 0x7F ||
        std::string_view("\"#%'*/:=?\\{[]^").find(static_cast<char>(c)) != std::string_view::npos;
    if (escape) {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

DataWriter::DataWriter(std::shared_ptr<Storage> storage, std::string table_root,
                       const Metadata& metadata)
    : storage_(std::move(storage)),
      root_(std::move(table_root)),
      schema_(Schema::from_json_string(metadata.schema_string)),
      partition_columns_(metadata.partition_columns),
      configuration_(metadata.configuration),
      stats_(schema_, partition_columns_, configuration_) {
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
  for (const auto& p : partition_columns_) {
    if (!schema_.find(p)) {
      throw CorruptTableError("the Delta table at " + root_ + " is partitioned by '" + p +
                              "', which is not a column of its schema");
    }
  }
  if (partition_columns_.size() >= schema_.fields.size()) {
    throw UnsupportedFeatureError("cannot write to the Delta table at " + root_ +
                                  ": every column is a partition column, so data files would "
                                  "have no columns (DuckDB cannot write such Parquet files)");
  }
}

std::string DataWriter::conform(sql::Connection& con, const std::string& select_sql) const {
  auto described = con.query("DESCRIBE SELECT * FROM (" + select_sql + ") AS __dls_src").rows();
  std::map<std::string, std::pair<std::string, std::string>> source;  // lower name -> name, type
  for (const auto& row : described) {
    const std::string& name = row.at(0).as_string();
    if (!source.emplace(lower(name), std::make_pair(name, row.at(1).as_string())).second) {
      throw InvalidMetadataError("cannot write to the Delta table at " + root_ +
                                 ": the query returns the column '" + name +
                                 "' more than once (column names are case-insensitive)");
    }
  }
  std::string table_columns;
  for (const auto& f : schema_.fields)
    table_columns += (table_columns.empty() ? "" : ", ") + f.name;
  for (const auto& [key, entry] : source) {
    if (!schema_.find(entry.first)) {
      throw InvalidMetadataError("cannot write to the Delta table at " + root_ +
                                 ": the query's column '" + entry.first +
                                 "' is not in the table schema (table columns: " + table_columns +
                                 "); drop or rename it in the SELECT");
    }
  }
  std::string select;
  for (const auto& field : schema_.fields) {
    std::string target_type = field.type.to_duckdb();
    std::string expr;
    auto it = source.find(lower(field.name));
    if (it == source.end()) {
      if (!field.nullable) {
        throw InvalidMetadataError("cannot write to the Delta table at " + root_ +
                                   ": the query has no column '" + field.name +
                                   "', which the table declares NOT NULL");
      }
      expr = "CAST(NULL AS " + target_type + ")";
    } else {
      const auto& [name, duck_type] = it->second;
      DataType from;
      try {
        from = DataType::from_duckdb(duck_type);
      } catch (const Error& e) {
        throw InvalidMetadataError("cannot write to the Delta table at " + root_ +
                                   ": the query's column '" + name + "': " + e.what());
      }
      if (!assignable(from, field.type)) {
        throw InvalidMetadataError(
            "cannot write to the Delta table at " + root_ + ": the query's column '" + name +
            "' has type " + duck_type + " (Delta " + from.to_json().dump() +
            "), which cannot be stored in the table column '" + field.name + "' of type " +
            target_type + " (Delta " + field.type.to_json().dump() + "); cast it in the SELECT, " +
            "e.g. CAST(" + quote_identifier(name) + " AS " + target_type + ")");
      }
      std::string col = "__dls_src." + quote_identifier(name);
      if (from.kind == "timestamp_ntz" && field.type.kind == "timestamp") {
        expr = "timezone('UTC', " + col + ")";  // a TIMESTAMP is taken as UTC, never local time
      } else if (from.kind == "timestamp" && field.type.kind == "timestamp_ntz") {
        expr = "timezone('UTC', " + col + ")";  // the instant's UTC wall clock
      } else if (from.to_duckdb() == target_type) {
        expr = col;
      } else {
        expr = "CAST(" + col + " AS " + target_type + ")";
      }
      if (!field.nullable) {
        expr = "CASE WHEN " + col + " IS NULL THEN error(" +
               quote_literal("cannot write to the Delta table at " + root_ + ": NULL in column '" +
                             field.name + "', which the table declares NOT NULL") +
               ") ELSE " + expr + " END";
      }
    }
    select += (select.empty() ? "" : ", ") + expr + " AS " + quote_identifier(field.name);
  }
  return "SELECT " + select + " FROM (" + select_sql + ") AS __dls_src";
}

std::string DataWriter::new_file_name(int64_t index) const {
  char part[16];
  std::snprintf(part, sizeof part, "%05lld", static_cast<long long>(index));
  return std::string("part-") + part + "-" + random_uuid() + ".c000.snappy.parquet";
}

int64_t DataWriter::copy_to_file(sql::Connection& con, const std::string& select_sql,
                                 const std::string& relative_path, const PartitionValues& values,
                                 AddFile& add) const {
  const std::string absolute = root_ + "/" + relative_path;
  // RETURN_STATS: the writer reports each file's row count and column statistics, so the file
  // need not be read again for its Delta stats.
  auto result = con.query("COPY (" + select_sql + ") TO " + quote_literal(absolute) +
                          " (FORMAT parquet, COMPRESSION snappy, RETURN_STATS)");
  const auto& names = result.column_names();
  auto index_of = [&](const char* name) {
    auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) {
      throw Error(std::string("DuckDB's COPY ... RETURN_STATS returned no '") + name +
                  "' column; is the pinned DuckDB version installed?");
    }
    return static_cast<size_t>(it - names.begin());
  };
  auto chunk = result.next_chunk();
  if (!chunk) throw Error("DuckDB's COPY ... RETURN_STATS returned no row for " + absolute);
  int64_t rows = chunk->get_int(index_of("count"), 0);
  if (rows == 0) return 0;
  std::optional<std::string> stats;
  if (stats_.parquet_stats_suffice()) {
    std::vector<int64_t> unbounded;
    if (std::string sql = stats_.unbounded_columns_query(absolute); !sql.empty()) {
      for (const auto& row : con.query(sql).rows()) unbounded.push_back(row.at(0).as_int());
    }
    stats = stats_.from_parquet_stats(
        rows, chunk->map_of_string_maps(index_of("column_statistics"), 0), unbounded);
  }
  if (!stats) {
    // The report is not enough (arrays and maps, wide decimals): aggregate over the file.
    std::string select;
    for (const auto& e : stats_.aggregate_expressions()) select += (select.empty() ? "" : ", ") + e;
    auto described =
        con.query("SELECT " + select + " FROM read_parquet(" + quote_literal(absolute) + ")")
            .rows();
    stats = stats_.to_json(described.at(0));
  }
  FileInfo info = storage_->stat(absolute);
  add.path = encode_path(relative_path);
  add.partition_values = values;
  add.size = info.size;
  add.modification_time = info.modification_time_ms;
  add.data_change = true;
  add.stats = std::move(*stats);
  return rows;
}

WrittenFiles DataWriter::write(sql::Connection& con, const std::string& select_sql,
                               int64_t target_file_rows) const {
  const std::string conformed = conform(con, select_sql);
  WrittenFiles out;
  auto finish = [&](AddFile add, int64_t rows) {
    out.num_rows += rows;
    out.num_bytes += add.size;
    out.adds.push_back(std::move(add));
  };
  try {
    if (partition_columns_.empty() && target_file_rows <= 0) {
      // One file straight from the query: no staging copy of the rows.
      std::string name = new_file_name(0);
      std::string absolute = root_ + "/" + name;
      storage_->create_directories(root_);
      // Registered before the COPY so that a failure part-way (e.g. a NOT NULL check) discards
      // the partial file too.
      AddFile pending;
      pending.path = encode_path(name);
      out.adds.push_back(pending);
      AddFile add;
      int64_t rows = copy_to_file(con, conformed, name, {}, add);
      out.adds.pop_back();
      if (rows == 0) {
        storage_->remove(absolute);
        return out;
      }
      finish(std::move(add), rows);
      return out;
    }

    // Stage the rows once, tagged with their partition values (as log strings) and file index.
    std::vector<const StructField*> partition_fields;
    for (const auto& p : partition_columns_) partition_fields.push_back(schema_.find(p));
    std::string tags, tag_names;
    for (size_t i = 0; i < partition_fields.size(); ++i) {
      std::string tag = "__dls_pv_" + std::to_string(i);
      tags += ", " + partition_value_sql(*partition_fields[i]) + " AS " + tag;
      tag_names += (tag_names.empty() ? "" : ", ") + tag;
    }
    std::string file_index = "0";
    if (target_file_rows > 0) {
      std::string window;
      for (size_t i = 0; i < partition_fields.size(); ++i) {
        window += (window.empty() ? "" : ", ") + partition_value_sql(*partition_fields[i]);
      }
      file_index = "(row_number() OVER (" + (window.empty() ? "" : "PARTITION BY " + window) +
                   ") - 1) // " + std::to_string(target_file_rows);
    }
    TempTable stage(con, "__dls_stage_" + random_uuid());
    con.execute("CREATE TEMP TABLE " + stage.sql() + " AS SELECT *" + tags + ", " + file_index +
                " AS __dls_file FROM (" + conformed + ") AS __dls_c");
    std::string group_cols = tag_names.empty() ? "__dls_file" : tag_names + ", __dls_file";
    auto groups = con.query("SELECT " + group_cols + ", count(*) FROM " + stage.sql() +
                            " GROUP BY ALL ORDER BY ALL")
                      .rows();
    std::string data_columns;
    for (const auto& f : schema_.fields) {
      if (std::find(partition_fields.begin(), partition_fields.end(), &f) != partition_fields.end())
        continue;
      data_columns += (data_columns.empty() ? "" : ", ") + quote_identifier(f.name);
    }
    int64_t index = 0;
    for (const auto& group : groups) {
      PartitionValues values;
      std::string dir, where;
      for (size_t i = 0; i < partition_fields.size(); ++i) {
        const sql::Value& v = group.at(i);
        values[partition_columns_[i]] =
            v.is_null() ? std::nullopt : std::optional<std::string>(v.as_string());
        dir += escape_partition_path_component(partition_columns_[i]) + "=" +
               (v.is_null() ? kNullPartition : escape_partition_path_component(v.as_string())) +
               "/";
        where += "__dls_pv_" + std::to_string(i) +
                 (v.is_null() ? " IS NULL" : " = " + quote_literal(v.as_string())) + " AND ";
      }
      int64_t file = group.at(partition_fields.size()).as_int();
      int64_t rows = group.at(partition_fields.size() + 1).as_int();
      where += "__dls_file = " + std::to_string(file);
      std::string relative = dir + new_file_name(index++);
      std::string absolute = root_ + "/" + relative;
      storage_->create_directories(root_ + "/" + dir);
      // Registered before the COPY and the stats so that a failure discards this file too.
      AddFile add;
      add.path = encode_path(relative);
      out.adds.push_back(add);
      copy_to_file(con, "SELECT " + data_columns + " FROM " + stage.sql() + " WHERE " + where,
                   relative, values, add);
      out.adds.pop_back();
      finish(std::move(add), rows);
    }
    return out;
  } catch (...) {
    discard(out);
    throw;
  }
}

void DataWriter::discard(const WrittenFiles& files) const noexcept {
  for (const auto& add : files.adds) {
    try {
      storage_->remove(root_ + "/" + decode_path(add.path));
    } catch (...) {
      // An orphan file is harmless: vacuum removes it later.
    }
  }
}

}  // namespace dls::delta
