#include "dls/sql/arrow_stream.h"

#include "dls/sql/sql_error.h"

#include <cerrno>
#include <string>
#include <utility>
#include <vector>

namespace dls::sql {
namespace {

// Everything a stream needs between calls; deleted by release().
struct StreamState {
  duckdb_result result;
  std::shared_ptr<const void> keep_alive;
  duckdb_arrow_options options = nullptr;
  std::vector<duckdb_logical_type> types;
  std::vector<const char*> names;  // point into the result
  std::string last_error;

  // Takes ownership of `r`.
  StreamState(duckdb_result r, std::shared_ptr<const void> keep)
      : result(r), keep_alive(std::move(keep)) {
    options = duckdb_result_get_arrow_options(&result);
    for (idx_t i = 0; i < duckdb_column_count(&result); ++i) {
      types.push_back(duckdb_column_logical_type(&result, i));
      names.push_back(duckdb_column_name(&result, i));  // owned by the result
    }
  }
  ~StreamState() {
    for (auto& t : types) duckdb_destroy_logical_type(&t);
    if (options) duckdb_destroy_arrow_options(&options);
    duckdb_destroy_result(&result);
  }
  StreamState(const StreamState&) = delete;
  StreamState& operator=(const StreamState&) = delete;

  // 0 when `error` holds no error; else records its message and returns EIO.
  int check(duckdb_error_data error) {
    int status = 0;
    if (error && duckdb_error_data_has_error(error)) {
      last_error = duckdb_error_data_message(error);
      status = EIO;
    }
    if (error) duckdb_destroy_error_data(&error);
    return status;
  }
};

StreamState* state_of(ArrowArrayStream* stream) {
  return static_cast<StreamState*>(stream->private_data);
}

int get_schema(ArrowArrayStream* stream, ArrowSchema* out) {
  StreamState* s = state_of(stream);
  return s->check(
      duckdb_to_arrow_schema(s->options, s->types.data(), s->names.data(), s->types.size(), out));
}

int get_next(ArrowArrayStream* stream, ArrowArray* out) {
  StreamState* s = state_of(stream);
  duckdb_data_chunk chunk = duckdb_fetch_chunk(s->result);
  if (chunk == nullptr) {
    out->release = nullptr;  // end of stream
    return 0;
  }
  int status = s->check(duckdb_data_chunk_to_arrow(s->options, chunk, out));
  duckdb_destroy_data_chunk(&chunk);
  return status;
}

const char* get_last_error(ArrowArrayStream* stream) {
  StreamState* s = state_of(stream);
  return s->last_error.empty() ? nullptr : s->last_error.c_str();
}

void release(ArrowArrayStream* stream) {
  delete state_of(stream);
  stream->release = nullptr;
  stream->private_data = nullptr;
}

}  // namespace

void query_arrow_stream(Connection& con, std::string_view sql, ArrowArrayStream* out,
                        std::shared_ptr<const void> keep_alive) {
  std::string text(sql);
  duckdb_result result;
  if (duckdb_query(con.handle(), text.c_str(), &result) == DuckDBError) {
    const char* err = duckdb_result_error(&result);
    std::string message = err ? err : "unknown DuckDB error";
    duckdb_destroy_result(&result);
    throw SqlError(message, std::move(text));
  }
  auto state = std::make_unique<StreamState>(result, std::move(keep_alive));
  out->get_schema = get_schema;
  out->get_next = get_next;
  out->get_last_error = get_last_error;
  out->release = release;
  out->private_data = state.release();
}

}  // namespace dls::sql
