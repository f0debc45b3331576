#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <type_traits>

#include "delta/duckdb_actions.h"
#include "delta/random_uuid.h"
#include "dls/core/error.h"
#include "dls/sql/quote.h"

namespace dls::delta {

namespace {

namespace fs = std::filesystem;

const char* kTable = "checkpoint_rows";

const char* kDeletionVector =
    "STRUCT(storageType VARCHAR, pathOrInlineDv VARCHAR, \"offset\" INTEGER, sizeInBytes INTEGER, "
    "cardinality BIGINT)";

/// The classic checkpoint schema's action columns as DuckDB types (PROTOCOL.md "Checkpoint
/// Schema"), in the order of the file's columns. The values built below follow the field order of
/// these structs.
std::string checkpoint_table_ddl() {
  const std::string dv = kDeletionVector;
  return std::string("CREATE TEMP TABLE ") + kTable +
         " (protocol STRUCT(minReaderVersion INTEGER, minWriterVersion INTEGER, readerFeatures "
         "VARCHAR[], writerFeatures VARCHAR[]), "
         "metaData STRUCT(id VARCHAR, name VARCHAR, description VARCHAR, format STRUCT(provider "
         "VARCHAR, options MAP(VARCHAR, VARCHAR)), schemaString VARCHAR, partitionColumns "
         "VARCHAR[], configuration MAP(VARCHAR, VARCHAR), createdTime BIGINT), "
         "txn STRUCT(appId VARCHAR, \"version\" BIGINT, lastUpdated BIGINT), "
         "\"add\" STRUCT(path VARCHAR, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT, "
         "modificationTime BIGINT, dataChange BOOLEAN, stats VARCHAR, tags MAP(VARCHAR, VARCHAR), "
         "deletionVector " +
         dv +
         ", baseRowId BIGINT, defaultRowCommitVersion BIGINT, clusteringProvider VARCHAR), "
         "remove STRUCT(path VARCHAR, deletionTimestamp BIGINT, dataChange BOOLEAN, "
         "extendedFileMetadata BOOLEAN, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT, "
         "deletionVector " +
         dv +
         ", baseRowId BIGINT, defaultRowCommitVersion BIGINT), "
         "domainMetadata STRUCT(domain VARCHAR, configuration VARCHAR, removed BOOLEAN))";
}

enum Column { kProtocol, kMetaData, kTxn, kAdd, kRemove, kDomainMetadata, kColumns };

// RAII over the C API's values and logical types (the sql layer's Appender takes C values for
// nested types; these owners free what is built here).
struct ValueFree {
  void operator()(std::remove_pointer_t<duckdb_value>* v) const {
    duckdb_value owned = v;
    duckdb_destroy_value(&owned);
  }
};
using OwnedValue = std::unique_ptr<std::remove_pointer_t<duckdb_value>, ValueFree>;

struct TypeFree {
  void operator()(std::remove_pointer_t<duckdb_logical_type>* t) const {
    duckdb_logical_type owned = t;
    duckdb_destroy_logical_type(&owned);
  }
};
using OwnedType = std::unique_ptr<std::remove_pointer_t<duckdb_logical_type>, TypeFree>;

OwnedValue made(duckdb_value v, const char* what) {
  // The C API returns null for a value it cannot build (e.g. children that do not fit the type).
  if (!v) throw Error(std::string("cannot build the checkpoint's ") + what + " value");
  return OwnedValue(v);
}

OwnedValue null() {
  return made(duckdb_create_null_value(), "NULL");
}
OwnedValue text(const std::string& s) {
  return made(duckdb_create_varchar_length(s.data(), s.size()), "VARCHAR");
}
OwnedValue int64(int64_t v) {
  return made(duckdb_create_int64(v), "BIGINT");
}
OwnedValue int32(int32_t v) {
  return made(duckdb_create_int32(v), "INTEGER");
}
OwnedValue boolean(bool v) {
  return made(duckdb_create_bool(v), "BOOLEAN");
}
template <class T, class F>
OwnedValue optional(const std::optional<T>& v, F make) {
  return v ? make(*v) : null();
}
OwnedValue optional_text(const std::optional<std::string>& v) {
  return optional(v, text);
}
OwnedValue optional_int64(const std::optional<int64_t>& v) {
  return optional(v, int64);
}

/// The child types of the checkpoint table's nested columns, looked up once per write.
class Types {
 public:
  explicit Types(sql::Appender& appender) {
    for (idx_t c = 0; c < kColumns; ++c)
      columns_.emplace_back(duckdb_appender_column_type(appender.handle(), c));
  }
  duckdb_logical_type column(Column c) const { return columns_[c].get(); }
  /// The type of field `name` of the STRUCT type `of` (owned by this object).
  duckdb_logical_type field(duckdb_logical_type of, const std::string& name) {
    const idx_t n = duckdb_struct_type_child_count(of);
    for (idx_t i = 0; i < n; ++i) {
      char* child = duckdb_struct_type_child_name(of, i);
      const bool match = name == child;
      duckdb_free(child);
      if (match) return fields_.emplace_back(duckdb_struct_type_child_type(of, i)).get();
    }
    throw Error("the checkpoint table has no field " + name);
  }
  duckdb_logical_type varchar() {
    if (!varchar_) varchar_.reset(duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR));
    return varchar_.get();
  }

 private:
  std::vector<OwnedType> columns_;
  std::vector<OwnedType> fields_;
  OwnedType varchar_;
};

OwnedValue struct_of(duckdb_logical_type type, const std::vector<OwnedValue>& fields) {
  if (fields.size() != duckdb_struct_type_child_count(type))
    throw Error("checkpoint STRUCT value with a wrong number of fields");
  std::vector<duckdb_value> raw;
  raw.reserve(fields.size());
  for (const auto& f : fields) raw.push_back(f.get());
  return made(duckdb_create_struct_value(type, raw.data()), "STRUCT");
}

/// The C API refuses a null array even for zero elements: empty lists and maps point here.
duckdb_value* elements(std::vector<duckdb_value>& values, duckdb_value& none) {
  return values.empty() ? &none : values.data();
}

OwnedValue text_list(Types& types, const std::vector<std::string>& items) {
  std::vector<OwnedValue> owned;
  std::vector<duckdb_value> raw;
  for (const auto& item : items) raw.push_back(owned.emplace_back(text(item)).get());
  duckdb_value none = nullptr;
  return made(duckdb_create_list_value(types.varchar(), elements(raw, none), raw.size()),
              "VARCHAR[]");
}

template <class Map>
OwnedValue text_map(duckdb_logical_type map_type, const Map& entries) {
  std::vector<OwnedValue> owned;
  std::vector<duckdb_value> keys, values;
  for (const auto& [k, v] : entries) {
    keys.push_back(owned.emplace_back(text(k)).get());
    if constexpr (std::is_same_v<typename Map::mapped_type, std::string>)
      values.push_back(owned.emplace_back(text(v)).get());
    else
      values.push_back(owned.emplace_back(optional_text(v)).get());
  }
  duckdb_value none = nullptr;
  return made(
      duckdb_create_map_value(map_type, elements(keys, none), elements(values, none), keys.size()),
      "MAP");
}

/// One action as a row of the checkpoint table: its column and its value there (the other
/// columns are NULL).
struct Cell {
  Column column;
  OwnedValue value;
};

/// Builds one action's cell, its value in the type of its column.
class ValueBuilder {
 public:
  explicit ValueBuilder(sql::Appender& appender) : types_(appender) {
    auto add = types_.column(kAdd);
    add_partition_values_ = types_.field(add, "partitionValues");
    add_tags_ = types_.field(add, "tags");
    add_dv_ = types_.field(add, "deletionVector");
    auto remove = types_.column(kRemove);
    remove_partition_values_ = types_.field(remove, "partitionValues");
    remove_dv_ = types_.field(remove, "deletionVector");
    auto metadata = types_.column(kMetaData);
    format_ = types_.field(metadata, "format");
    format_options_ = types_.field(format_, "options");
    configuration_ = types_.field(metadata, "configuration");
  }

  Cell operator()(const Protocol& p) {
    std::vector<OwnedValue> f;
    f.push_back(int32(p.min_reader_version));
    f.push_back(int32(p.min_writer_version));
    f.push_back(p.reader_features ? text_list(types_, *p.reader_features) : null());
    f.push_back(p.writer_features ? text_list(types_, *p.writer_features) : null());
    return {kProtocol, struct_of(types_.column(kProtocol), f)};
  }
  Cell operator()(const Metadata& m) {
    std::vector<OwnedValue> format;
    format.push_back(text(m.format.provider));
    format.push_back(text_map(format_options_, m.format.options));
    std::vector<OwnedValue> f;
    f.push_back(text(m.id));
    f.push_back(optional_text(m.name));
    f.push_back(optional_text(m.description));
    f.push_back(struct_of(format_, format));
    f.push_back(text(m.schema_string));
    f.push_back(text_list(types_, m.partition_columns));
    f.push_back(text_map(configuration_, m.configuration));
    f.push_back(optional_int64(m.created_time));
    return {kMetaData, struct_of(types_.column(kMetaData), f)};
  }
  Cell operator()(const SetTransaction& t) {
    std::vector<OwnedValue> f;
    f.push_back(text(t.app_id));
    f.push_back(int64(t.version));
    f.push_back(optional_int64(t.last_updated));
    return {kTxn, struct_of(types_.column(kTxn), f)};
  }
  Cell operator()(const AddFile& a) {
    std::vector<OwnedValue> f;
    f.push_back(text(a.path));
    f.push_back(text_map(add_partition_values_, a.partition_values));
    f.push_back(int64(a.size));
    f.push_back(int64(a.modification_time));
    f.push_back(boolean(a.data_change));
    f.push_back(optional_text(a.stats));
    f.push_back(a.tags ? text_map(add_tags_, *a.tags) : null());
    f.push_back(deletion_vector(add_dv_, a.deletion_vector));
    f.push_back(optional_int64(a.base_row_id));
    f.push_back(optional_int64(a.default_row_commit_version));
    f.push_back(optional_text(a.clustering_provider));
    return {kAdd, struct_of(types_.column(kAdd), f)};
  }
  Cell operator()(const RemoveFile& r) {
    std::vector<OwnedValue> f;
    f.push_back(text(r.path));
    f.push_back(optional_int64(r.deletion_timestamp));
    f.push_back(boolean(r.data_change));
    f.push_back(optional(r.extended_file_metadata, boolean));
    f.push_back(r.partition_values ? text_map(remove_partition_values_, *r.partition_values)
                                   : null());
    f.push_back(optional_int64(r.size));
    f.push_back(deletion_vector(remove_dv_, r.deletion_vector));
    f.push_back(optional_int64(r.base_row_id));
    f.push_back(optional_int64(r.default_row_commit_version));
    return {kRemove, struct_of(types_.column(kRemove), f)};
  }
  Cell operator()(const DomainMetadata& d) {
    std::vector<OwnedValue> f;
    f.push_back(text(d.domain));
    f.push_back(text(d.configuration));
    f.push_back(boolean(d.removed));
    return {kDomainMetadata, struct_of(types_.column(kDomainMetadata), f)};
  }
  Cell operator()(const CommitInfo&) {
    throw UsageError("a checkpoint holds no commitInfo action");
  }
  Cell operator()(const OtherAction& o) {
    throw UsageError("a checkpoint holds no " + o.kind + " action");
  }

 private:
  OwnedValue deletion_vector(duckdb_logical_type type,
                             const std::optional<DeletionVectorDescriptor>& dv) {
    if (!dv) return null();
    std::vector<OwnedValue> f;
    f.push_back(text(dv->storage_type));
    f.push_back(text(dv->path_or_inline_dv));
    f.push_back(optional(dv->offset, int32));
    f.push_back(int32(dv->size_in_bytes));
    f.push_back(int64(dv->cardinality));
    return struct_of(type, f);
  }

  Types types_;
  duckdb_logical_type add_partition_values_, add_tags_, add_dv_;
  duckdb_logical_type remove_partition_values_, remove_dv_;
  duckdb_logical_type format_, format_options_, configuration_;
};

/// Removes a scratch directory when the write ends, however it ends.
struct ScratchDir {
  fs::path path;
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

}  // namespace

std::string duckdb_write_parquet_actions(sql::Connection& con, const std::vector<Action>& actions) {
  con.execute(checkpoint_table_ddl());
  {
    sql::Appender appender = con.appender(kTable);
    ValueBuilder build(appender);
    for (const Action& action : actions) {
      const Cell cell = std::visit(build, action);
      for (int c = 0; c < kColumns; ++c) {
        if (c == cell.column)
          appender.append(cell.value.get());
        else
          appender.append_null();
      }
      appender.end_row();
    }
    appender.close();
  }

  ScratchDir scratch{fs::temp_directory_path() / ("dls-checkpoint-" + random_uuid())};
  fs::create_directories(scratch.path);
  const fs::path parquet = scratch.path / "checkpoint.parquet";
  con.execute(std::string("COPY ") + kTable + " TO " + sql::quote_literal(parquet.string()) +
              " (FORMAT parquet, COMPRESSION snappy)");
  con.execute(std::string("DROP TABLE ") + kTable);
  std::ifstream in(parquet, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  std::string bytes = buf.str();
  // A short read would publish a truncated checkpoint; the size on disk is the reference.
  std::error_code ec;
  const auto expected = fs::file_size(parquet, ec);
  if (!in || ec || bytes.size() != expected)
    throw Error("cannot read the checkpoint written to " + parquet.string());
  return bytes;
}

}  // namespace dls::delta
