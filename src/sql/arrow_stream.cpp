#include "dls/sql/arrow_stream.h"

#include <cerrno>
#include <string>
#include <utility>
#include <vector>

namespace dls::sql {
namespace {

// Everything a stream needs between calls; deleted by release().
struct StreamState {
  Result result;
  std::shared_ptr<const void> keep_alive;
  duckdb_arrow_options options = nullptr;
  std::vector<duckdb_logical_type> types;
  std::vector<const char*> names;  // point into result.column_names()
  std::string last_error;

  StreamState(Result r, std::shared_ptr<const void> keep)
      : result(std::move(r)), keep_alive(std::move(keep)) {
    options = duckdb_result_get_arrow_options(result.handle());
    for (size_t i = 0; i < result.column_count(); ++i) {
      types.push_back(duckdb_column_logical_type(result.handle(), i));
      names.push_back(result.column_names()[i].c_str());
    }
  }
  ~StreamState() {
    for (auto& t : types) duckdb_destroy_logical_type(&t);
    if (options) duckdb_destroy_arrow_options(&options);
  }

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
  duckdb_data_chunk chunk = duckdb_fetch_chunk(*s->result.handle());
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

void to_arrow_stream(Result result, ArrowArrayStream* out, std::shared_ptr<const void> keep_alive) {
  auto state = std::make_unique<StreamState>(std::move(result), std::move(keep_alive));
  out->get_schema = get_schema;
  out->get_next = get_next;
  out->get_last_error = get_last_error;
  out->release = release;
  out->private_data = state.release();
}

}  // namespace dls::sql
