#include "dls/sql/result.h"

#include <cinttypes>
#include <cstdio>

#include "dls/sql/sql_error.h"

namespace dls::sql {

namespace {

std::string format_date(duckdb_date date) {
  duckdb_date_struct d = duckdb_from_date(date);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

std::string format_timestamp_micros(int64_t micros) {
  duckdb_timestamp_struct t = duckdb_from_timestamp(duckdb_timestamp{micros});
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", t.date.year, t.date.month,
                t.date.day, t.time.hour, t.time.min, t.time.sec);
  std::string out = buf;
  if (t.time.micros != 0) {
    std::snprintf(buf, sizeof buf, ".%06d", t.time.micros);
    out += buf;
  }
  return out;
}

const char* type_label(duckdb_type type) {
  switch (type) {
    case DUCKDB_TYPE_LIST:
      return "LIST";
    case DUCKDB_TYPE_STRUCT:
      return "STRUCT";
    case DUCKDB_TYPE_MAP:
      return "MAP";
    case DUCKDB_TYPE_DECIMAL:
      return "DECIMAL";
    case DUCKDB_TYPE_INTERVAL:
      return "INTERVAL";
    case DUCKDB_TYPE_UUID:
      return "UUID";
    default:
      return "this type";
  }
}

bool vector_row_valid(duckdb_vector vec, idx_t row) {
  uint64_t* validity = duckdb_vector_get_validity(vec);
  return validity == nullptr || duckdb_validity_row_is_valid(validity, row);
}

std::string vector_string(duckdb_vector vec, idx_t row) {
  auto* s = static_cast<duckdb_string_t*>(duckdb_vector_get_data(vec)) + row;
  return std::string(duckdb_string_t_data(s), duckdb_string_t_length(*s));
}

/// Whether `type` is MAP(VARCHAR, VARCHAR) (depth 1) or MAP(VARCHAR, <depth - 1>) (depth > 1).
bool is_string_map(duckdb_logical_type type, int depth) {
  if (duckdb_get_type_id(type) != DUCKDB_TYPE_MAP) return false;
  duckdb_logical_type key = duckdb_map_type_key_type(type);
  duckdb_logical_type value = duckdb_map_type_value_type(type);
  bool ok = duckdb_get_type_id(key) == DUCKDB_TYPE_VARCHAR &&
            (depth == 1 ? duckdb_get_type_id(value) == DUCKDB_TYPE_VARCHAR
                        : is_string_map(value, depth - 1));
  duckdb_destroy_logical_type(&key);
  duckdb_destroy_logical_type(&value);
  return ok;
}

/// The entries of row `row` of a MAP vector (a LIST of STRUCT(key, value)): calls
/// `each(key, value vector, index in the value vector)` for every entry with a non-NULL key.
template <typename Each>
void for_each_map_entry(duckdb_vector map, idx_t row, Each each) {
  if (!vector_row_valid(map, row)) return;
  auto* entries = static_cast<duckdb_list_entry*>(duckdb_vector_get_data(map));
  duckdb_vector pairs = duckdb_list_vector_get_child(map);
  duckdb_vector keys = duckdb_struct_vector_get_child(pairs, 0);
  duckdb_vector values = duckdb_struct_vector_get_child(pairs, 1);
  for (idx_t i = entries[row].offset; i < entries[row].offset + entries[row].length; ++i) {
    if (!vector_row_valid(keys, i)) continue;
    each(vector_string(keys, i), values, i);
  }
}

}  // namespace

DataChunk::DataChunk(duckdb_data_chunk chunk, const std::vector<duckdb_type>* types)
    : chunk_(chunk), types_(types) {}

DataChunk::DataChunk(DataChunk&& other) noexcept : chunk_(other.chunk_), types_(other.types_) {
  other.chunk_ = nullptr;
}

DataChunk& DataChunk::operator=(DataChunk&& other) noexcept {
  if (this != &other) {
    if (chunk_) duckdb_destroy_data_chunk(&chunk_);
    chunk_ = other.chunk_;
    types_ = other.types_;
    other.chunk_ = nullptr;
  }
  return *this;
}

DataChunk::~DataChunk() {
  if (chunk_) duckdb_destroy_data_chunk(&chunk_);
}

size_t DataChunk::size() const {
  return duckdb_data_chunk_get_size(chunk_);
}

bool DataChunk::is_null(size_t column, size_t row) const {
  duckdb_vector vec = duckdb_data_chunk_get_vector(chunk_, column);
  uint64_t* validity = duckdb_vector_get_validity(vec);
  return validity != nullptr && !duckdb_validity_row_is_valid(validity, row);
}

Value DataChunk::value(size_t column, size_t row) const {
  if (is_null(column, row)) return Value();
  duckdb_vector vec = duckdb_data_chunk_get_vector(chunk_, column);
  void* data = duckdb_vector_get_data(vec);
  switch ((*types_)[column]) {
    case DUCKDB_TYPE_BOOLEAN:
      return Value(static_cast<const bool*>(data)[row]);
    case DUCKDB_TYPE_TINYINT:
      return Value(int64_t{static_cast<const int8_t*>(data)[row]});
    case DUCKDB_TYPE_SMALLINT:
      return Value(int64_t{static_cast<const int16_t*>(data)[row]});
    case DUCKDB_TYPE_INTEGER:
      return Value(int64_t{static_cast<const int32_t*>(data)[row]});
    case DUCKDB_TYPE_BIGINT:
      return Value(static_cast<const int64_t*>(data)[row]);
    case DUCKDB_TYPE_UTINYINT:
      return Value(int64_t{static_cast<const uint8_t*>(data)[row]});
    case DUCKDB_TYPE_USMALLINT:
      return Value(int64_t{static_cast<const uint16_t*>(data)[row]});
    case DUCKDB_TYPE_UINTEGER:
      return Value(int64_t{static_cast<const uint32_t*>(data)[row]});
    case DUCKDB_TYPE_UBIGINT:
      return Value(static_cast<int64_t>(static_cast<const uint64_t*>(data)[row]));
    case DUCKDB_TYPE_HUGEINT: {
      duckdb_hugeint h = static_cast<const duckdb_hugeint*>(data)[row];
      bool fits = (h.upper == 0 && h.lower <= static_cast<uint64_t>(INT64_MAX)) ||
                  (h.upper == -1 && h.lower > static_cast<uint64_t>(INT64_MAX));
      if (fits) return Value(static_cast<int64_t>(h.lower));
      return Value(duckdb_hugeint_to_double(h));
    }
    case DUCKDB_TYPE_FLOAT:
      return Value(double{static_cast<const float*>(data)[row]});
    case DUCKDB_TYPE_DOUBLE:
      return Value(static_cast<const double*>(data)[row]);
    case DUCKDB_TYPE_VARCHAR:
    case DUCKDB_TYPE_BLOB: {
      auto* s = static_cast<duckdb_string_t*>(data) + row;
      return Value(std::string(duckdb_string_t_data(s), duckdb_string_t_length(*s)));
    }
    case DUCKDB_TYPE_DATE:
      return Value(format_date(static_cast<const duckdb_date*>(data)[row]));
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return Value(format_timestamp_micros(static_cast<const duckdb_timestamp*>(data)[row].micros));
    case DUCKDB_TYPE_TIMESTAMP_S:
      return Value(format_timestamp_micros(static_cast<const int64_t*>(data)[row] * 1000000));
    case DUCKDB_TYPE_TIMESTAMP_MS:
      return Value(format_timestamp_micros(static_cast<const int64_t*>(data)[row] * 1000));
    case DUCKDB_TYPE_TIMESTAMP_NS:
      return Value(format_timestamp_micros(static_cast<const int64_t*>(data)[row] / 1000));
    default:
      throw SqlError(std::string("cannot read a ") + type_label((*types_)[column]) +
                         " value directly; cast column " + std::to_string(column) +
                         " to VARCHAR in the query",
                     "");
  }
}

int64_t DataChunk::get_int(size_t column, size_t row) const {
  return value(column, row).as_int();
}

std::string DataChunk::get_string(size_t column, size_t row) const {
  return value(column, row).to_string();
}

std::map<std::string, std::map<std::string, std::string>> DataChunk::map_of_string_maps(
    size_t column, size_t row) const {
  duckdb_vector vec = duckdb_data_chunk_get_vector(chunk_, column);
  duckdb_logical_type type = duckdb_vector_get_column_type(vec);
  bool ok = is_string_map(type, 2);
  duckdb_destroy_logical_type(&type);
  if (!ok) {
    throw SqlError(
        "column " + std::to_string(column) + " is not a MAP(VARCHAR, MAP(VARCHAR, VARCHAR))", "");
  }
  std::map<std::string, std::map<std::string, std::string>> out;
  for_each_map_entry(vec, row, [&](std::string key, duckdb_vector values, idx_t i) {
    auto& inner = out[std::move(key)];
    for_each_map_entry(values, i, [&](std::string k, duckdb_vector vs, idx_t j) {
      if (vector_row_valid(vs, j)) inner[std::move(k)] = vector_string(vs, j);
    });
  });
  return out;
}

Result::Result(duckdb_result result) : result_(result) {
  size_t n = duckdb_column_count(&result_);
  names_.reserve(n);
  types_.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const char* name = duckdb_column_name(&result_, i);
    names_.emplace_back(name ? name : "");
    types_.push_back(duckdb_column_type(&result_, i));
  }
}

Result::Result(Result&& other) noexcept
    : result_(other.result_),
      valid_(other.valid_),
      names_(std::move(other.names_)),
      types_(std::move(other.types_)) {
  other.valid_ = false;
}

Result& Result::operator=(Result&& other) noexcept {
  if (this != &other) {
    if (valid_) duckdb_destroy_result(&result_);
    result_ = other.result_;
    valid_ = other.valid_;
    names_ = std::move(other.names_);
    types_ = std::move(other.types_);
    other.valid_ = false;
  }
  return *this;
}

Result::~Result() {
  if (valid_) duckdb_destroy_result(&result_);
}

int64_t Result::rows_changed() {
  return static_cast<int64_t>(duckdb_rows_changed(&result_));
}

std::optional<DataChunk> Result::next_chunk() {
  duckdb_data_chunk chunk = duckdb_fetch_chunk(result_);
  if (!chunk) return std::nullopt;
  if (duckdb_data_chunk_get_size(chunk) == 0) {
    duckdb_destroy_data_chunk(&chunk);
    return std::nullopt;
  }
  return DataChunk(chunk, &types_);
}

std::vector<std::vector<Value>> Result::rows() {
  std::vector<std::vector<Value>> out;
  while (auto chunk = next_chunk()) {
    size_t n = chunk->size();
    for (size_t r = 0; r < n; ++r) {
      std::vector<Value> row;
      row.reserve(types_.size());
      for (size_t c = 0; c < types_.size(); ++c) row.push_back(chunk->value(c, r));
      out.push_back(std::move(row));
    }
  }
  return out;
}

Value Result::scalar() {
  auto chunk = next_chunk();
  if (!chunk || column_count() == 0) return Value();
  return chunk->value(0, 0);
}

}  // namespace dls::sql
