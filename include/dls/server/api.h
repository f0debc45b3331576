// The REST API of `dls serve` without HTTP: one method per endpoint of the OpenAPI document
// (openapi_document()), taking the request's parameters and returning the JSON response body.
// Failures are thrown as dls::Error, mapped to HTTP statuses by api_error.h; messages are the
// CLI's.
//
// Safety: tables are named `catalog.schema.table` only (never paths, never 1-2 part names, never
// reserved names); entity predicates use the `--where` language (predicate_parser.h); page
// sizes are bounded (ApiOptions::max_page_size, else BadRequest). Free SQL (query()) exists only
// with ApiOptions::allow_query, and then runs in a DuckDB database with external access and
// extension loading disabled (only the warehouse directory is readable) and its configuration
// locked.
//
// Thread-safety: every method may be called from any number of threads at once; each call opens
// its own DuckDB connection and store object. Updates run on their own threads (update_job.h);
// one update per pipeline at a time (Conflict otherwise).
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "dls/server/update_job.h"

namespace dls::server {

using Json = nlohmann::ordered_json;

struct ApiOptions {
  std::filesystem::path warehouse;               // absolute
  std::string store = "main.dls.control_table";  // the control table
  bool allow_query = false;                      // POST /api/query
  int64_t max_page_size = 1000;                  // limit/last parameters
};

/// Query parameters of a request (one value per name).
using Params = std::map<std::string, std::string>;

/// The OpenAPI 3.1 document describing every endpoint (embedded at build time).
const std::string& openapi_document();

class Api {
 public:
  explicit Api(ApiOptions options);
  /// Cancels running updates and waits for them.
  ~Api();
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  const ApiOptions& options() const { return options_; }

  // Entities.
  Json list_entities(const Params& params);
  Json get_entity(const std::string& entity_id);
  Json entity_versions(const std::string& entity_id);
  Json entity_diff(const std::string& entity_id, const Params& params);
  Json upsert_entities(const std::string& body);
  /// enable (true) or disable; `dry_run` ("true") only previews the cascade.
  Json set_enabled(const std::string& entity_id, bool enable, const Params& params);

  // Pipelines.
  Json list_pipelines();
  Json pipeline_graph(const std::string& pipeline);
  Json list_updates(const std::string& pipeline, const Params& params);
  Json get_update(const std::string& pipeline, const std::string& update_id);
  Json start_update(const std::string& pipeline, const std::string& body);
  Json cancel_update(const std::string& pipeline, const std::string& update_id);
  /// The job of an update started by this server (nullptr when there is none).
  std::shared_ptr<UpdateJob> find_job(const std::string& pipeline, const std::string& update_id);
  Json events(const std::string& pipeline, const Params& params);
  Json quality(const std::string& pipeline, const Params& params);

  // Tables.
  Json list_tables();
  Json describe_table(const std::string& name);
  Json table_history(const std::string& name, const Params& params);
  Json table_rows(const std::string& name, const Params& params);

  /// POST /api/query: {"sql": "...", "limit": N}. NotFoundError unless allow_query.
  Json query(const std::string& body);

  /// Cancels every running update and waits for them (graceful stop).
  void shutdown();

 private:
  struct Impl;
  ApiOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dls::server
