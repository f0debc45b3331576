#include "dls/server/api.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <ctime>
#include <map>
#include <memory>
#include <set>

#include "dls/catalog/delta_table_source.h"
#include "dls/catalog/query_rewriter.h"
#include "dls/catalog/table_name.h"
#include "dls/catalog/warehouse.h"
#include "dls/core/entity_codec.h"
#include "dls/core/entity_diff.h"
#include "dls/core/predicate_parser.h"
#include "dls/core/suggest.h"
#include "dls/core/timestamp.h"
#include "dls/delta/delta_error.h"
#include "dls/delta/delta_table.h"
#include "dls/delta/table_scan.h"
#include "dls/pipeline/event_history.h"
#include "dls/pipeline/event_log.h"
#include "dls/pipeline/pipeline_graph.h"
#include "dls/pipeline/pipeline_runner.h"
#include "dls/pipeline/pipeline_selection.h"
#include "dls/server/api_error.h"
#include "dls/sql/connection.h"
#include "dls/sql/database.h"
#include "dls/sql/quote.h"
#include "dls/sql/sql_error.h"
#include "dls/store/delta_live_store.h"

namespace dls::server {
namespace {

Json ordered(const nlohmann::json& j) {
  return Json::parse(j.dump());
}

std::optional<std::string> param(const Params& params, const std::string& name) {
  auto it = params.find(name);
  if (it == params.end()) return std::nullopt;
  return it->second;
}

// An integer parameter in [min, max]; BadRequest otherwise.
int64_t int_param(const Params& params, const std::string& name, int64_t fallback, int64_t min,
                  int64_t max) {
  auto text = param(params, name);
  if (!text) return fallback;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size()) {
    throw BadRequest("the parameter '" + name + "' must be an integer, not '" + *text + "'");
  }
  if (value < min || value > max) {
    throw BadRequest("the parameter '" + name + "' must be between " + std::to_string(min) +
                     " and " + std::to_string(max) + ", not " + *text);
  }
  return value;
}

bool bool_param(const Params& params, const std::string& name) {
  auto text = param(params, name);
  if (!text) return false;
  if (*text == "true" || *text == "1") return true;
  if (*text == "false" || *text == "0") return false;
  throw BadRequest("the parameter '" + name + "' must be true or false, not '" + *text + "'");
}

Json parse_body(const std::string& body) {
  try {
    return Json::parse(body);
  } catch (const nlohmann::json::parse_error& e) {
    throw BadRequest("the request body is not valid JSON at byte " + std::to_string(e.byte));
  }
}

// A table name of the API: exactly catalog.schema.table, valid parts, not reserved.
catalog::TableName api_table_name(const std::string& name) {
  if (name.find('/') != std::string::npos || name.find('\\') != std::string::npos) {
    throw BadRequest("'" + name +
                     "' looks like a path: the API accepts catalog.schema.table "
                     "names only");
  }
  if (std::count(name.begin(), name.end(), '.') != 2) {
    throw BadRequest("'" + name +
                     "' is not a catalog.schema.table name (the API accepts "
                     "three-part names only)");
  }
  catalog::TableName parsed = catalog::parse_table_name(name);
  if (catalog::is_reserved(parsed)) {
    throw BadRequest("'" + name + "' is reserved for dls's own state");
  }
  return parsed;
}

// Values of a result as JSON rows; `json_columns` hold JSON text to parse.
Json rows_json(sql::Result result, const std::set<std::string>& json_columns = {}) {
  const auto& names = result.column_names();
  Json rows = Json::array();
  for (const auto& row : result.rows()) {
    Json object = Json::object();
    for (size_t i = 0; i < names.size(); ++i) {
      const sql::Value& v = row[i];
      Json cell;
      if (v.is_null()) {
        cell = nullptr;
      } else if (v.is_bool()) {
        cell = v.as_bool();
      } else if (v.is_int()) {
        cell = v.as_int();
      } else if (v.is_double()) {
        double d = v.as_double();
        cell = std::isfinite(d) ? Json(d) : Json(v.to_string());
      } else {
        cell = v.as_string();
        if (json_columns.count(names[i])) {
          Json parsed = Json::parse(v.as_string(), nullptr, false);
          if (!parsed.is_discarded()) cell = parsed;
        }
      }
      object[names[i]] = cell;
    }
    rows.push_back(std::move(object));
  }
  return rows;
}

// SELECT `inner` with every value as JSON (to_json), as {"columns": [...], "rows": [[...]]}.
Json typed_rows(sql::Connection& con, const std::string& inner, int64_t limit) {
  sql::Result result = con.query("SELECT to_json(COLUMNS(*)) FROM (\n" + inner +
                                 "\n) AS __dls_rows LIMIT " + std::to_string(limit));
  Json out = Json::object();
  out["columns"] = result.column_names();
  Json rows = Json::array();
  for (const auto& row : result.rows()) {
    Json r = Json::array();
    for (const auto& v : row) {
      r.push_back(v.is_null() ? Json(nullptr) : Json::parse(v.to_string(), nullptr, false));
      if (r.back().is_discarded()) r.back() = v.to_string();
    }
    rows.push_back(std::move(r));
  }
  out["rows"] = rows;
  return out;
}

sql::Connection utc_connection(sql::Database& db) {
  sql::Connection con = db.connect();
  try {
    con.execute("SET TimeZone = 'UTC'");
  } catch (const sql::SqlError&) {
  }
  return con;
}

Json dataset_metrics(const pipeline::DatasetUpdate& d) {
  Json m = Json::object();
  m["num_input_rows"] = d.num_input_rows;
  m["num_output_rows"] = d.num_output_rows;
  m["dropped_records"] = d.dropped_records;
  m["num_quarantined_rows"] = d.quarantined_rows;
  m["num_batches"] = d.num_batches;
  m["num_input_files"] = d.num_input_files;
  m["num_input_bytes"] = d.num_input_bytes;
  m["duration_ms"] = d.duration_ms;
  return m;
}

}  // namespace

struct Api::Impl {
  catalog::Warehouse warehouse;
  sql::Database db;  // in memory; one connection per call
  std::unique_ptr<sql::Database> query_db;
  std::mutex jobs_mutex;
  std::map<std::string, std::shared_ptr<UpdateJob>> jobs;  // by update id

  explicit Impl(const ApiOptions& o) : warehouse(o.warehouse) {}

  DeltaLiveStore store(const std::string& name) const {
    catalog::TableLocation location = warehouse.resolve(name);
    DeltaLiveStore s(location.root.string());
    if (!s.is_initialized()) {
      throw NotFoundError("the control table " + location.display() + " does not exist (at " +
                          location.root.string() + "; warehouse " + warehouse.root().string() +
                          "): create it with 'dls store init', or choose another with --store "
                          "NAME or --warehouse DIR");
    }
    return s;
  }

  delta::DeltaTable open_table(const std::string& name) const {
    catalog::TableName parsed = api_table_name(name);
    catalog::TableLocation location = warehouse.resolve(parsed);
    if (!delta::DeltaTable::exists(location.root.string())) {
      throw delta::TableNotFoundError("table " + parsed.to_string() +
                                      " not found: no Delta table at " + location.root.string() +
                                      " (warehouse " + warehouse.root().string() + ")");
    }
    return delta::DeltaTable::open(location.root.string());
  }

  std::shared_ptr<UpdateJob> running_job(const std::string& pipeline) {
    std::lock_guard lock(jobs_mutex);
    for (const auto& [id, job] : jobs) {
      if (job->pipeline() == pipeline && !job->finished()) return job;
    }
    return nullptr;
  }
};

Api::Api(ApiOptions options)
    : options_(std::move(options)), impl_(std::make_unique<Impl>(options_)) {
  if (options_.allow_query) {
    // Free SQL: no file outside the warehouse, no extension (installed or loaded), and a locked
    // configuration so that a query cannot SET any of it back.
    impl_->query_db = std::make_unique<sql::Database>(
        "", std::map<std::string, std::string>{{"autoinstall_known_extensions", "false"},
                                               {"autoload_known_extensions", "false"}});
    sql::Connection con = impl_->query_db->connect();
    std::string root = impl_->warehouse.root().string();
    if (root.empty() || root.back() != '/') root += '/';
    con.execute("SET allowed_directories = [" + sql::quote_literal(root) + "]");
    con.execute("SET enable_external_access = false");
    con.execute("SET lock_configuration = true");
  }
}

Api::~Api() {
  shutdown();
}

void Api::shutdown() {
  std::vector<std::shared_ptr<UpdateJob>> jobs;
  {
    std::lock_guard lock(impl_->jobs_mutex);
    for (const auto& [id, job] : impl_->jobs) jobs.push_back(job);
  }
  for (const auto& job : jobs) job->cancel();
  for (const auto& job : jobs) job->join();
}

// ---- entities ---------------------------------------------------------------------------------

Json Api::list_entities(const Params& params) {
  std::optional<Predicate> where;
  if (auto text = param(params, "where")) where = parse_predicate(*text, "where");
  const bool history = bool_param(params, "history");
  const int64_t limit = int_param(params, "limit", 100, 1, options_.max_page_size);
  const int64_t offset = int_param(params, "offset", 0, 0, 1'000'000'000);
  DeltaLiveStore store = impl_->store(options_.store);
  EntityList found = history ? store.find_history(where.value_or(by_all()))
                     : where ? store.find_entities(*where)
                             : store.find_entities();
  Json entities = Json::array();
  for (size_t i = static_cast<size_t>(offset);
       i < found.size() && entities.size() < static_cast<size_t>(limit); ++i) {
    entities.push_back(ordered(to_json(found[i])));
  }
  return Json{
      {"total", found.size()}, {"offset", offset}, {"limit", limit}, {"entities", entities}};
}

namespace {

EntityList versions_of(const DeltaLiveStore& store, const std::string& entity_id) {
  EntityList versions = store.find_history(by_entity_id(entity_id));
  if (versions.empty()) {
    std::vector<std::string> ids;
    for (const auto& e : store.find_entities(by_all())) ids.push_back(e.entity_id);
    std::vector<std::string_view> candidates(ids.begin(), ids.end());
    throw NotFoundError("no entity '" + entity_id + "' in the control table" +
                        did_you_mean(entity_id, candidates) + "; 'dls list' shows them");
  }
  return versions;
}

}  // namespace

Json Api::get_entity(const std::string& entity_id) {
  EntityList versions = versions_of(impl_->store(options_.store), entity_id);
  return ordered(to_json(versions[0]));
}

Json Api::entity_versions(const std::string& entity_id) {
  EntityList versions = versions_of(impl_->store(options_.store), entity_id);
  Json all = Json::array();
  for (size_t i = 0; i < versions.size(); ++i) {
    Json item = Json::object();
    item["version"] = versions.size() - i;  // 1 = first version
    item["entity"] = ordered(to_json(versions[i]));
    item["changes"] =
        i + 1 < versions.size() ? dls::entity_diff(versions[i + 1], versions[i]) : Json::array();
    all.push_back(item);
  }
  return Json{{"entity_id", entity_id}, {"versions", all}};
}

Json Api::entity_diff(const std::string& entity_id, const Params& params) {
  EntityList versions = versions_of(impl_->store(options_.store), entity_id);
  const auto n = static_cast<int64_t>(versions.size());
  const int64_t to = int_param(params, "to", n, 1, 1'000'000'000);
  const int64_t from = int_param(params, "from", std::max<int64_t>(1, to - 1), 1, 1'000'000'000);
  if (from > n || to > n) {
    throw NotFoundError("entity '" + entity_id + "' has " + std::to_string(n) +
                        (n == 1 ? " version" : " versions") + "; versions are numbered 1.." +
                        std::to_string(n));
  }
  // versions[0] is the newest: version v is at index n - v.
  const auto& older = versions[static_cast<size_t>(n - from)];
  const auto& newer = versions[static_cast<size_t>(n - to)];
  return Json{{"entity_id", entity_id},
              {"from", from},
              {"to", to},
              {"changes", dls::entity_diff(older, newer)}};
}

namespace {

Json change_json(const StoreChange& change, const std::string& updated_word) {
  Json doc = Json::object();
  doc["version"] = change.version;
  doc["inserted"] = change.inserted;
  doc[updated_word] = change.updated;
  doc["unchanged"] = change.unchanged;
  return doc;
}

}  // namespace

Json Api::upsert_entities(const std::string& body) {
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded()) throw BadRequest("the request body is not valid JSON");
  if (!doc.is_object() && !doc.is_array()) {
    throw InvalidMetadataError("expected an entity object or an array of entity objects, got " +
                               std::string(doc.type_name()));
  }
  Diagnostics warnings;
  std::vector<DeltaLiveEntity> entities = entities_from_json(doc, &warnings);
  DeltaLiveStore store = impl_->store(options_.store);
  Json out = change_json(store.upsert(entities), "updated");
  Json w = Json::array();
  for (const auto& d : warnings) w.push_back(d.to_string());
  out["warnings"] = w;
  return out;
}

Json Api::set_enabled(const std::string& entity_id, bool enable, const Params& params) {
  const bool dry_run = bool_param(params, "dry_run");
  DeltaLiveStore store = impl_->store(options_.store);
  if (!store.entity_exists(by_entity_id(entity_id))) {
    throw NotFoundError("no entity '" + entity_id + "' in the control table; nothing was " +
                        (enable ? "enabled" : "disabled") + " ('dls list' shows them)");
  }
  Json out = Json::object();
  out["entity_id"] = entity_id;
  out["action"] = enable ? "enable" : "disable";
  out["dry_run"] = dry_run;
  out["affected"] = store.preview_cascade(by_entity_id(entity_id), enable);
  if (!dry_run) {
    const std::string verb = enable ? "enabled" : "disabled";
    out["change"] = change_json(
        enable ? store.enable(by_entity_id(entity_id)) : store.disable(by_entity_id(entity_id)),
        verb);
  }
  return out;
}

// ---- pipelines --------------------------------------------------------------------------------

namespace {

// The selection of pipeline `name`: the group whose pipeline name it is.
pipeline::Selection pipeline_selection(const DeltaLiveStore& store, const std::string& name) {
  catalog::validate_name_part(name, "pipeline name");
  std::set<std::string> groups;
  for (const auto& e : store.find_entities()) groups.insert(e.group);
  for (const auto& g : groups) {
    if (pipeline::pipeline_name_for_group(g) != name) continue;
    pipeline::SelectionSpec spec;
    spec.group = g;
    spec.pipeline = name;
    return pipeline::select_entities(store, spec);
  }
  std::string list;
  for (const auto& g : groups) {
    list += (list.empty() ? "" : ", ") + pipeline::pipeline_name_for_group(g);
  }
  throw NotFoundError("no enabled entities form the pipeline '" + name +
                      "' (pipelines: " + (list.empty() ? "none" : list) + ")");
}

// dataset (qualified) -> {status, metrics, data_quality, update_id} of its last flow_progress
// event that ended (not RUNNING).
std::map<std::string, Json> last_dataset_states(const catalog::Warehouse& warehouse,
                                                sql::Connection& con, const std::string& pipeline) {
  std::map<std::string, Json> out;
  if (!pipeline::has_event_log(warehouse, pipeline)) return out;
  const std::string scan = pipeline::event_log_scan(warehouse, con, pipeline);
  auto result = con.query(
      "SELECT origin.dataset_name AS dataset, arg_max(details, (timestamp, sequence)) AS "
      "details, arg_max(origin.update_id, (timestamp, sequence)) AS update_id FROM " +
      scan +
      " WHERE event_type = 'flow_progress' AND origin.dataset_name IS NOT NULL AND "
      "json_extract_string(details, '$.flow_progress.status') <> 'RUNNING' GROUP BY 1");
  for (const auto& row : result.rows()) {
    if (row[0].is_null()) continue;
    Json details = Json::parse(row[1].to_string(), nullptr, false);
    Json fp = details.is_object() && details.contains("flow_progress") ? details["flow_progress"]
                                                                       : Json::object();
    Json state = Json::object();
    state["status"] = fp.value("status", std::string("UNKNOWN"));
    state["update_id"] = row[2].to_string();
    state["metrics"] = fp.contains("metrics") ? fp["metrics"] : Json::object();
    if (details.is_object() && details.contains("error")) state["error"] = details["error"];
    out[row[0].to_string()] = state;
  }
  return out;
}

}  // namespace

Json Api::list_pipelines() {
  std::map<std::string, Json> pipelines;
  try {
    DeltaLiveStore store = impl_->store(options_.store);
    std::map<std::string, int64_t> counts;
    for (const auto& e : store.find_entities()) counts[e.group]++;
    for (const auto& [group, n] : counts) {
      const std::string name = pipeline::pipeline_name_for_group(group);
      Json p = Json::object();
      p["name"] = name;
      p["group"] = group;
      p["datasets"] = n;
      pipelines[name] = p;
    }
  } catch (const NotFoundError&) {
    // No control table: pipelines known from their event logs only.
  }
  std::error_code ec;
  const auto dir = impl_->warehouse.root() / std::string(catalog::kPipelinesDir);
  if (std::filesystem::is_directory(dir, ec)) {
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
      const std::string name = e.path().filename().string();
      if (!catalog::is_valid_name_part(name)) continue;
      if (!pipeline::has_event_log(impl_->warehouse, name)) continue;
      if (!pipelines.count(name)) {
        pipelines[name] = Json{{"name", name}, {"group", nullptr}, {"datasets", 0}};
      }
    }
  }
  Json list = Json::array();
  for (auto& [name, p] : pipelines) {
    p["has_event_log"] = pipeline::has_event_log(impl_->warehouse, name);
    auto job = impl_->running_job(name);
    p["running_update"] = job ? Json(job->update_id()) : Json(nullptr);
    list.push_back(p);
  }
  return Json{{"pipelines", list}};
}

Json Api::pipeline_graph(const std::string& name) {
  DeltaLiveStore store = impl_->store(options_.store);
  pipeline::Selection s = pipeline_selection(store, name);
  auto graph = pipeline::PipelineGraph::build(s.entities, s.target.catalog, s.target.schema);
  sql::Connection con = utc_connection(impl_->db);
  std::map<std::string, Json> states = last_dataset_states(impl_->warehouse, con, name);
  // A running update of this server overrides with live statuses.
  std::map<std::string, Json> live;
  auto job = impl_->running_job(name);
  if (job) {
    for (const auto& e : job->events()) {
      if (e.value("type", "") == "dataset") live[e.value("dataset", "")] = e;
    }
  }
  Json nodes = Json::array();
  Json edges = Json::array();
  for (const auto& d : graph.datasets()) {
    Json n = Json::object();
    n["name"] = d.qualified_name;
    n["destination"] = d.name;
    n["entity_id"] = d.entity.entity_id;
    n["kind"] = pipeline::to_string(d.kind);
    n["source_format"] = d.entity.source_format;
    n["is_quarantined"] = d.entity.is_quarantined;
    n["cdc"] = d.entity.apply_changes.has_value();
    n["scd_type"] =
        d.entity.apply_changes ? Json(d.entity.apply_changes->stored_as_scd_type) : Json(nullptr);
    n["upstream"] = d.upstream;
    auto it = states.find(d.qualified_name);
    n["status"] = it != states.end() ? it->second["status"] : Json("NOT_RUN");
    n["metrics"] = it != states.end() ? it->second["metrics"] : Json::object();
    n["last_update_id"] = it != states.end() ? it->second["update_id"] : Json(nullptr);
    auto lv = live.find(d.qualified_name);
    if (lv != live.end()) {
      n["status"] = lv->second["status"];
      if (lv->second.contains("metrics")) n["metrics"] = lv->second["metrics"];
    }
    nodes.push_back(n);
    for (const auto& up : d.upstream) edges.push_back(Json{{"from", up}, {"to", d.qualified_name}});
  }
  return Json{{"pipeline", name},
              {"target", s.target.to_string()},
              {"running_update", job ? Json(job->update_id()) : Json(nullptr)},
              {"nodes", nodes},
              {"edges", edges}};
}

Json Api::list_updates(const std::string& name, const Params& params) {
  catalog::validate_name_part(name, "pipeline name");
  const int64_t last = int_param(params, "last", 20, 1, options_.max_page_size);
  sql::Connection con = utc_connection(impl_->db);
  Json updates = Json::array();
  if (pipeline::has_event_log(impl_->warehouse, name)) {
    const std::string scan = pipeline::event_log_scan(impl_->warehouse, con, name);
    updates = rows_json(con.query(pipeline::updates_sql(scan, last, false)));
  } else if (!impl_->running_job(name)) {
    pipeline::event_log_scan(impl_->warehouse, con, name);  // throws NotFoundError
  }
  return Json{{"pipeline", name}, {"updates", updates}};
}

Json Api::get_update(const std::string& name, const std::string& update_id) {
  catalog::validate_name_part(name, "pipeline name");
  auto job = find_job(name, update_id);
  Json datasets = Json::array();
  std::string status;
  std::optional<std::string> started;
  sql::Connection con = utc_connection(impl_->db);
  bool in_log = false;
  if (pipeline::has_event_log(impl_->warehouse, name)) {
    const std::string scan = pipeline::event_log_scan(impl_->warehouse, con, name);
    auto result = con.query(
        "SELECT origin.dataset_name AS dataset, arg_max(details, sequence) AS details FROM " +
        scan + " WHERE origin.update_id = " + sql::quote_literal(update_id) +
        " AND event_type = 'flow_progress' GROUP BY 1 ORDER BY min(sequence)");
    for (const auto& row : result.rows()) {
      Json details = Json::parse(row[1].to_string(), nullptr, false);
      Json fp =
          details.is_object() ? details.value("flow_progress", Json::object()) : Json::object();
      Json d = Json::object();
      d["dataset"] = row[0].is_null() ? Json(nullptr) : Json(row[0].to_string());
      d["status"] = fp.value("status", std::string("UNKNOWN"));
      d["metrics"] = fp.value("metrics", Json::object());
      d["expectations"] = fp.contains("data_quality")
                              ? fp["data_quality"].value("expectations", Json::array())
                              : Json::array();
      if (details.is_object() && details.contains("error")) {
        d["error"] = details["error"].value("message", std::string());
      }
      datasets.push_back(d);
    }
    auto state = con.query(
        "SELECT coalesce(arg_max(json_extract_string(details, '$.update_progress.state'), "
        "sequence) FILTER (WHERE event_type = 'update_progress'), 'RUNNING'), "
        "strftime(min(timestamp), '%Y-%m-%dT%H:%M:%S.%gZ'), count(*) FROM " +
        scan + " WHERE origin.update_id = " + sql::quote_literal(update_id));
    auto rows = state.rows();
    if (!rows.empty() && rows[0][2].as_int() > 0) {
      in_log = true;
      status = rows[0][0].to_string();
      started = rows[0][1].to_string();
    }
  }
  if (!in_log && !job) {
    throw NotFoundError("pipeline '" + name + "' has no update '" + update_id +
                        "' (see GET /api/pipelines/" + name + "/updates)");
  }
  if (job) status = job->status();
  return Json{{"pipeline", name},
              {"update_id", update_id},
              {"status", status},
              {"started", started ? Json(*started) : Json(nullptr)},
              {"datasets", datasets}};
}

std::shared_ptr<UpdateJob> Api::find_job(const std::string& name, const std::string& update_id) {
  std::lock_guard lock(impl_->jobs_mutex);
  auto it = impl_->jobs.find(update_id);
  if (it == impl_->jobs.end() || it->second->pipeline() != name) return nullptr;
  return it->second;
}

Json Api::start_update(const std::string& name, const std::string& body) {
  Json request = body.empty() ? Json::object() : parse_body(body);
  if (!request.is_object()) throw BadRequest("the request body must be a JSON object");
  pipeline::SelectionSpec spec;
  auto strings = [&](const char* key) {
    std::vector<std::string> out;
    if (!request.contains(key)) return out;
    const Json& v = request[key];
    if (!v.is_array()) throw BadRequest(std::string("'") + key + "' must be an array of strings");
    for (const auto& s : v) {
      if (!s.is_string())
        throw BadRequest(std::string("'") + key + "' must be an array of strings");
      out.push_back(s.get<std::string>());
    }
    return out;
  };
  for (const auto& [key, value] : request.items()) {
    if (key != "select" && key != "full_refresh" && key != "full_refresh_all" && key != "no_deps") {
      throw BadRequest("unknown field '" + key +
                       "' (fields: select, full_refresh, "
                       "full_refresh_all, no_deps)");
    }
  }
  auto flag = [&](const char* key) {
    if (!request.contains(key)) return false;
    if (!request[key].is_boolean())
      throw BadRequest(std::string("'") + key + "' must be a boolean");
    return request[key].get<bool>();
  };
  spec.select = strings("select");
  std::vector<std::string> full_refresh = strings("full_refresh");
  const bool full_refresh_all = flag("full_refresh_all");
  const bool no_deps = flag("no_deps");

  DeltaLiveStore store = impl_->store(options_.store);
  pipeline::Selection base = pipeline_selection(store, name);
  if (!spec.select.empty()) {
    pipeline::SelectionSpec with_select;
    with_select.group =
        base.entities.empty() ? std::nullopt : std::optional<std::string>(base.entities[0].group);
    with_select.pipeline = name;
    with_select.select = spec.select;
    base = pipeline::select_entities(store, with_select, "select");
  }
  std::vector<DeltaLiveEntity> entities = pipeline::entities_to_run(base, no_deps);
  auto graph = pipeline::PipelineGraph::build(entities, base.target.catalog, base.target.schema);

  std::lock_guard lock(impl_->jobs_mutex);
  for (const auto& [id, job] : impl_->jobs) {
    if (job->pipeline() == name && !job->finished()) {
      throw Conflict("an update of pipeline '" + name + "' is running (" + id +
                     "); cancel it or wait for it to end");
    }
  }
  const std::string update_id = pipeline::random_id();
  auto job = std::make_shared<UpdateJob>(update_id, name);
  pipeline::PipelineOptions options;
  options.pipeline = name;
  options.target = base.target;
  options.full_refresh_all = full_refresh_all;
  options.full_refresh = full_refresh;
  options.source_factory = pipeline::default_source_factory();
  options.update_id = update_id;
  const size_t total = graph.datasets().size();
  catalog::Warehouse warehouse = impl_->warehouse;
  job->start([warehouse, graph = std::move(graph), options = std::move(options), total](
                 const std::function<void(UpdateJob::Event)>& record,
                 const std::function<bool()>& cancelled) mutable -> UpdateJob::Event {
    record(UpdateJob::Event{{"type", "started"}, {"datasets", total}});
    options.cancelled = cancelled;
    // A job keeps every event it recorded (readers page through them by index), so a dataset's
    // progress events are thinned: at most one every 2 s per dataset.
    auto last_progress =
        std::make_shared<std::map<std::string, std::chrono::steady_clock::time_point>>();
    options.on_progress = [&record, last_progress](const pipeline::DatasetProgress& p) {
      using Kind = pipeline::DatasetProgress::Kind;
      if (p.kind == Kind::kBatchCommitted || p.kind == Kind::kQueryProgress) {
        const auto now = std::chrono::steady_clock::now();
        auto [it, fresh] = last_progress->try_emplace(p.name, now);
        if (!fresh && now - it->second < std::chrono::seconds(2)) return;
        it->second = now;
        UpdateJob::Event e{{"type", "progress"}, {"dataset", p.name}, {"elapsed_ms", p.elapsed_ms}};
        if (p.kind == Kind::kBatchCommitted && p.result) {
          e["metrics"] = dataset_metrics(*p.result);
          if (p.result->backlog_files) e["backlog_files"] = *p.result->backlog_files;
          if (p.result->backlog_bytes) e["backlog_bytes"] = *p.result->backlog_bytes;
        } else {
          e["query_percent"] = p.query_percent;
        }
        if (p.eta_ms) e["eta_ms"] = *p.eta_ms;
        record(std::move(e));
        return;
      }
      UpdateJob::Event e{{"type", "dataset"}, {"dataset", p.name}};
      if (p.kind == Kind::kStarted || !p.result) {
        e["status"] = "RUNNING";
      } else {
        e["status"] = pipeline::to_string(p.result->status);
        e["metrics"] = dataset_metrics(*p.result);
        if (p.result->error) e["error"] = *p.result->error;
      }
      record(std::move(e));
    };
    pipeline::PipelineRunner runner(warehouse, std::move(graph), std::move(options));
    pipeline::PipelineUpdate update = runner.run();
    UpdateJob::Event last{{"type", "update"}};
    last["status"] = update.cancelled ? "CANCELED" : update.ok() ? "COMPLETED" : "FAILED";
    if (!update.ok() && !update.cancelled) last["error"] = update.failure_summary();
    last["duration_ms"] = update.duration_ms;
    return last;
  });
  impl_->jobs[update_id] = job;
  return Json{{"pipeline", name}, {"update_id", update_id}, {"status", "RUNNING"}};
}

Json Api::cancel_update(const std::string& name, const std::string& update_id) {
  catalog::validate_name_part(name, "pipeline name");
  auto job = find_job(name, update_id);
  if (!job) {
    throw NotFoundError("pipeline '" + name + "' has no update '" + update_id +
                        "' running in this server");
  }
  if (!job->cancel()) {
    throw Conflict("the update " + update_id + " already ended (" + job->status() + ")");
  }
  return Json{{"pipeline", name}, {"update_id", update_id}, {"status", job->status()}};
}

Json Api::events(const std::string& name, const Params& params) {
  catalog::validate_name_part(name, "pipeline name");
  pipeline::EventQuery q;
  q.last = int_param(params, "limit", 100, 1, options_.max_page_size);
  q.offset = int_param(params, "offset", 0, 0, 1'000'000'000);
  q.update = param(params, "update");
  q.level = param(params, "level");
  q.dataset = param(params, "dataset");
  if (q.update && q.update->empty()) throw BadRequest("'update' needs an update id (or prefix)");
  sql::Connection con = utc_connection(impl_->db);
  const std::string scan = pipeline::event_log_scan(impl_->warehouse, con, name);
  Json events;
  try {
    events = rows_json(con.query(pipeline::events_sql(scan, q, false)), {"details"});
  } catch (const UsageError& e) {
    throw BadRequest(e.what());
  }
  return Json{{"pipeline", name}, {"offset", q.offset}, {"limit", q.last}, {"events", events}};
}

Json Api::quality(const std::string& name, const Params& params) {
  catalog::validate_name_part(name, "pipeline name");
  const int64_t last = int_param(params, "last", 10, 1, options_.max_page_size);
  auto dataset = param(params, "dataset");
  sql::Connection con = utc_connection(impl_->db);
  const std::string scan = pipeline::event_log_scan(impl_->warehouse, con, name);
  return Json{{"pipeline", name},
              {"rules", rows_json(con.query(pipeline::quality_sql(scan, last, dataset, false)))}};
}

// ---- tables -----------------------------------------------------------------------------------

Json Api::list_tables() {
  Json tables = Json::array();
  for (const auto& t : impl_->warehouse.list_tables()) tables.push_back(t.to_string());
  return Json{{"tables", tables}};
}

Json Api::describe_table(const std::string& name) {
  delta::TableDescription d = impl_->open_table(name).describe();
  Json doc = Json::object();
  doc["name"] = api_table_name(name).to_string();
  doc["version"] = d.version;
  doc["id"] = d.id;
  doc["partition_columns"] = d.partition_columns;
  Json props = Json::object();
  for (const auto& [k, v] : d.properties) props[k] = v;
  doc["properties"] = props;
  doc["description"] = d.description ? Json(*d.description) : Json(nullptr);
  doc["num_files"] = d.num_files;
  doc["size_bytes"] = d.size_bytes;
  doc["num_records"] = d.num_records ? Json(*d.num_records) : Json(nullptr);
  doc["created_time"] =
      d.created_time_ms ? Json(format_timestamp_millis(d.created_time_ms)) : Json(nullptr);
  doc["last_modified"] =
      d.last_modified_ms ? Json(format_timestamp_millis(d.last_modified_ms)) : Json(nullptr);
  Json schema = Json::array();
  for (const auto& f : d.schema.fields) {
    schema.push_back(
        {{"name", f.name}, {"type", delta::spark_type_name(f.type)}, {"nullable", f.nullable}});
  }
  doc["schema"] = schema;
  return doc;
}

Json Api::table_history(const std::string& name, const Params& params) {
  const int64_t limit = int_param(params, "limit", 100, 1, options_.max_page_size);
  Json history = Json::array();
  for (const auto& h : impl_->open_table(name).history(limit)) {
    auto object_or_empty = [](const nlohmann::json& j) {
      return j.is_object() ? ordered(j) : Json::object();
    };
    history.push_back(Json{{"version", h.version},
                           {"timestamp", format_timestamp_millis(h.timestamp_ms)},
                           {"operation", h.operation ? Json(*h.operation) : Json(nullptr)},
                           {"operation_parameters", object_or_empty(h.operation_parameters)},
                           {"operation_metrics", object_or_empty(h.operation_metrics)}});
  }
  return Json{{"name", api_table_name(name).to_string()}, {"history", history}};
}

Json Api::table_rows(const std::string& name, const Params& params) {
  const int64_t limit = int_param(params, "limit", 20, 1, options_.max_page_size);
  delta::DeltaTable table = impl_->open_table(name);
  sql::Connection con = utc_connection(impl_->db);
  const std::string scan = delta::TableScan(table.snapshot()).sql(con);
  Json out = typed_rows(con, scan, limit);
  out["name"] = api_table_name(name).to_string();
  out["limit"] = limit;
  return out;
}

Json Api::query(const std::string& body) {
  if (!options_.allow_query || !impl_->query_db) {
    throw NotFoundError("no SQL endpoint: start the server with --allow-query to enable it");
  }
  Json request = parse_body(body);
  if (!request.is_object() || !request.contains("sql") || !request["sql"].is_string()) {
    throw BadRequest("expected {\"sql\": \"SELECT ...\", \"limit\": N}");
  }
  int64_t limit = 100;
  if (request.contains("limit")) {
    if (!request["limit"].is_number_integer()) throw BadRequest("'limit' must be an integer");
    limit = request["limit"].get<int64_t>();
    if (limit < 1 || limit > options_.max_page_size) {
      throw BadRequest("'limit' must be between 1 and " + std::to_string(options_.max_page_size));
    }
  }
  std::string lowered = request["sql"].get<std::string>();
  std::transform(lowered.begin(), lowered.end(), lowered.begin(), ::tolower);
  if (lowered.find("delta_scan") != std::string::npos) {
    throw BadRequest("delta_scan is not available here: name tables as catalog.schema.table");
  }
  sql::Connection con = impl_->query_db->connect();
  catalog::DeltaTableSource source(con);
  catalog::QueryRewriter rewriter(impl_->warehouse, source, impl_->warehouse.root());
  const std::string rewritten = rewriter.rewrite(request["sql"].get<std::string>());
  try {
    return typed_rows(con, rewritten, limit);
  } catch (const sql::SqlError& e) {
    throw BadRequest(e.what());
  }
}

}  // namespace dls::server
