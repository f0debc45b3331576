// Query results as Arrow C streams (the Arrow C data interface), so a front end (the Python
// package) hands DuckDB's columns to Arrow consumers (pyarrow, pandas, polars) chunk by chunk,
// without converting values one by one.
//
// The stream owns the query's result: its schema is the result's column names and types as DuckDB
// maps them to Arrow (the connection's Arrow options), and each get_next() call converts the next
// DuckDB chunk (up to 2048 rows) into one Arrow array. `keep_alive` is held until the stream is
// released: results keep their rows in the database's buffer manager, so the Database (and
// Connection) they came from must outlive the stream. The exported arrays own their buffers and
// outlive both. A stream is used from one thread at a time (the Arrow C stream contract).
#pragma once

#include <cstdint>
#include <memory>

#include <string_view>

#include "dls/sql/connection.h"

// The structs of the Arrow C data and C stream interfaces — an ABI, defined by the Arrow format
// specification; the guards let other Arrow headers define them first.
#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE
extern "C" {
struct ArrowSchema {
  const char* format;
  const char* name;
  const char* metadata;
  int64_t flags;
  int64_t n_children;
  struct ArrowSchema** children;
  struct ArrowSchema* dictionary;
  void (*release)(struct ArrowSchema*);
  void* private_data;
};

struct ArrowArray {
  int64_t length;
  int64_t null_count;
  int64_t offset;
  int64_t n_buffers;
  int64_t n_children;
  const void** buffers;
  struct ArrowArray** children;
  struct ArrowArray* dictionary;
  void (*release)(struct ArrowArray*);
  void* private_data;
};
}
#endif

#ifndef ARROW_C_STREAM_INTERFACE
#define ARROW_C_STREAM_INTERFACE
extern "C" {
struct ArrowArrayStream {
  int (*get_schema)(struct ArrowArrayStream*, struct ArrowSchema* out);
  int (*get_next)(struct ArrowArrayStream*, struct ArrowArray* out);
  const char* (*get_last_error)(struct ArrowArrayStream*);
  void (*release)(struct ArrowArrayStream*);
  void* private_data;
};
}
#endif

namespace dls::sql {

/// Runs one statement `sql` on `con` and moves its result into `out` (which the caller releases
/// with out->release). Throws SqlError (DuckDB's message and the statement) when the statement
/// fails; after that, conversion errors are reported through get_last_error as the C stream
/// interface specifies.
void query_arrow_stream(Connection& con, std::string_view sql, ArrowArrayStream* out,
                        std::shared_ptr<const void> keep_alive = nullptr);

}  // namespace dls::sql
