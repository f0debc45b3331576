// QuerySource: the rows of an entity defined by `query` (a Spark SQL query over pipeline datasets
// and tables by name, Lakeflow's `CREATE ... AS SELECT ... FROM STREAM(x) JOIN y`).
//
// Every table the query names is an input read like a `dlt` source (dlt_source.h): a pipeline
// view is its SQL, a table is its Delta snapshot. Before the query runs, each input becomes a TEMP
// view named after the table (its last name part), so `orders_silver.amount` and aliases resolve as
// in Spark; the query is translated by the Spark dialect layer (dialect.h) with those names.
//
// Batch (materialized view): every input at its current version; fingerprint = the inputs'
// fingerprints (table root + version), so an unchanged set of inputs leaves the view up to date.
// Streaming (the query reads STREAM(x)): each streaming input is read incrementally as a Delta
// source (only the rows appended since the committed batch; each row once); the other inputs
// are read whole at their current version (a stream-static join). Offsets:
//   {"source": "query", "inputs": {"<name>": {"offsets": <delta offsets>, "new": bool}}}
// A streaming input without new rows in a batch contributes no rows to it. Throws
// InvalidMetadataError naming the entity for a query that does not parse or translate, and for
// two inputs with the same table name (e.g. a.orders and b.orders, or one table read both as a
// stream and not).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dls/pipeline/source.h"
#include "dls/sql/spark/table_references.h"

namespace dls::pipeline::sources {

class QuerySource : public Source {
 public:
  QuerySource(const DeltaLiveEntity& entity, const SourceContext& context);

  std::optional<nlohmann::json> plan(const nlohmann::json& committed) override;
  SourceBatch batch(sql::Connection& con, const nlohmann::json& planned) override;
  std::string fingerprint() override;
  std::string full_sql(sql::Connection& con) override;
  std::string describe() const override;

 private:
  struct Input {
    std::string name;       // as written, parts joined with '.'
    std::string view_name;  // the TEMP view: the name's last part
    bool streaming = false;
    DeltaLiveEntity entity;  // a dlt-style reader of the table
    std::unique_ptr<Source> source;
  };
  Source& source_of(Input& input);
  /// Creates the TEMP views (`relations`: one SELECT per input) and translates the query.
  std::string query_sql(sql::Connection& con, const std::vector<std::string>& relations);

  DeltaLiveEntity entity_;
  SourceContext context_;
  sql::spark::TableReferences refs_;
  std::vector<Input> inputs_;
};

}  // namespace dls::pipeline::sources
