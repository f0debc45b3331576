// `dls serve`'s HTTP API against a running server (dls/server/http_server.h): the token, every
// endpoint, bad tokens, bad names, oversize bodies, and updates started, watched and cancelled.
#include <sys/stat.h>

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "dls/core/entity_codec.h"
#include "dls/server/http_server.h"
#include "dls/store/delta_live_store.h"
#include "support/test_support.h"

namespace dls {
namespace {

using dls::testing::TempDir;
using dls::testing::write_file;
using nlohmann::json;

class ServerApi : public ::testing::Test {
 protected:
  void SetUp() override { make_store(long_running_); }
  void TearDown() override { stop(); }

  // A control table with a two-dataset pipeline (main.s): bronze (csv files, a warn rule, one
  // quarantined) -> silver (materialized view). With `long_running`, bronze reads one file per
  // batch out of many, so an update lasts long enough to be watched and cancelled.
  void make_store(bool long_running) {
    wh_ = dir_.path() / "wh";
    const int files = long_running ? 400 : 2;
    for (int f = 0; f < files; ++f) {
      write_file(dir_.path() / "in" / ("f" + std::to_string(1000 + f) + ".csv"),
                 "id,amount\n" + std::to_string(f) + "," + (f % 2 ? "-1" : "5") + "\n");
    }
    json read_options = {
        {"cloudFiles.format", "csv"}, {"header", "true"}, {"cloudFiles.inferColumnTypes", "true"}};
    if (long_running) read_options["cloudFiles.maxFilesPerTrigger"] = "1";
    json entities = json::array({{{"entity_id", "bronze"},
                                  {"group", "main.s"},
                                  {"source", (dir_.path() / "in").string()},
                                  {"source_format", "cloudFiles"},
                                  {"read_options", read_options},
                                  {"expectations", {{"expect_all", {{"positive", "amount > 0"}}}}},
                                  {"is_quarantined", true},
                                  {"destination", "bronze"}},
                                 {{"entity_id", "silver"},
                                  {"group", "main.s"},
                                  {"source", "bronze"},
                                  {"source_format", "dlt"},
                                  {"is_streaming", false},
                                  {"select_expr", {"count(*) AS n"}},
                                  {"destination", "silver"}}});
    DeltaLiveStore store((wh_ / "main" / "dls" / "control_table").string());
    store.initialize();
    store.upsert(entities_from_json(entities));
  }

  void start(bool allow_query = false, std::optional<std::filesystem::path> token_file = {}) {
    server::ServerOptions options;
    options.api.warehouse = wh_;
    options.api.allow_query = allow_query;
    options.port = 0;
    options.threads = 8;
    options.max_body_bytes = 64 * 1024;
    options.token_file = token_file;
    server_ = std::make_unique<server::HttpServer>(options);
    port_ = server_->bind();
    thread_ = std::thread([this] { server_->listen(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client_->set_read_timeout(60, 0);
  }

  void stop() {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
    client_.reset();
    server_.reset();
  }

  httplib::Headers auth() const { return {{"Authorization", "Bearer " + server_->token()}}; }

  // GET/POST with the token; the status and the parsed JSON body.
  std::pair<int, json> get(const std::string& path) {
    auto r = client_->Get(path.c_str(), auth());
    if (!r) return {0, json()};
    return {r->status, json::parse(r->body, nullptr, false)};
  }
  std::pair<int, json> post(const std::string& path, const std::string& body = "") {
    auto r = client_->Post(path.c_str(), auth(), body, "application/json");
    if (!r) return {0, json()};
    return {r->status, json::parse(r->body, nullptr, false)};
  }

  // Waits for the update to leave RUNNING/CANCELING; its final GET body.
  json wait_update(const std::string& id) {
    for (int i = 0; i < 1200; ++i) {
      auto [status, u] = get("/api/pipelines/main_s/updates/" + id);
      if (status == 200 && u["status"] != "RUNNING" && u["status"] != "CANCELING") return u;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "update " << id << " did not end";
    return json();
  }

  std::string run_update() {
    auto [status, started] = post("/api/pipelines/main_s/updates", "{}");
    EXPECT_EQ(status, 202) << started.dump();
    const std::string id = started.value("update_id", "");
    json u = wait_update(id);
    EXPECT_EQ(u["status"], "COMPLETED") << u.dump();
    return id;
  }

  bool long_running_ = false;
  TempDir dir_;
  std::filesystem::path wh_;
  std::unique_ptr<server::HttpServer> server_;
  std::thread thread_;
  int port_ = 0;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(ServerApi, FirstStartCreatesATokenFileReadableByItsOwnerOnly) {
  start();
  EXPECT_TRUE(server_->token_created());
  EXPECT_EQ(server_->token_path(), wh_ / ".dls-serve-token");
  struct stat st {};
  ASSERT_EQ(::stat(server_->token_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_GE(server_->token().size(), 32u);
  const std::string token = server_->token();
  stop();
  start();  // the second start reuses it
  EXPECT_FALSE(server_->token_created());
  EXPECT_EQ(server_->token(), token);
}

TEST_F(ServerApi, TokenFileOptionUsesThatToken) {
  write_file(dir_.path() / "tok", "0123456789abcdef0123\n");
  start(false, dir_.path() / "tok");
  EXPECT_EQ(server_->token(), "0123456789abcdef0123");
  EXPECT_EQ(get("/api/entities").first, 200);
}

TEST_F(ServerApi, RequestsWithoutTheRightTokenAre401WithAJsonError) {
  start();
  for (const httplib::Headers& headers :
       {httplib::Headers{}, httplib::Headers{{"Authorization", "Bearer wrong"}},
        httplib::Headers{{"Authorization", "Basic " + server_->token()}},
        httplib::Headers{{"Authorization", "Bearer " + server_->token() + "x"}}}) {
    for (const char* path : {"/api/entities", "/api/openapi.json", "/api/tables", "/api/nope"}) {
      auto r = client_->Get(path, headers);
      ASSERT_TRUE(r);
      EXPECT_EQ(r->status, 401) << path;
      json body = json::parse(r->body);
      EXPECT_EQ(body["error"]["code"], "unauthorized");
    }
    auto r = client_->Post("/api/pipelines/main_s/updates", headers, "{}", "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401);
  }
}

TEST_F(ServerApi, OpenApiDocumentDescribesEveryRoute) {
  start();
  auto [status, doc] = get("/api/openapi.json");
  ASSERT_EQ(status, 200);
  EXPECT_EQ(doc["openapi"], "3.1.0");
  for (const char* path :
       {"/api/entities", "/api/entities/{entity_id}", "/api/entities/{entity_id}/versions",
        "/api/entities/{entity_id}/diff", "/api/entities/{entity_id}/disable",
        "/api/entities/{entity_id}/enable", "/api/pipelines", "/api/pipelines/{pipeline}/graph",
        "/api/pipelines/{pipeline}/updates", "/api/pipelines/{pipeline}/updates/{update_id}",
        "/api/pipelines/{pipeline}/updates/{update_id}/cancel",
        "/api/pipelines/{pipeline}/updates/{update_id}/stream", "/api/pipelines/{pipeline}/events",
        "/api/pipelines/{pipeline}/quality", "/api/tables", "/api/tables/{name}",
        "/api/tables/{name}/history", "/api/tables/{name}/rows", "/api/query"}) {
    EXPECT_TRUE(doc["paths"].contains(path)) << path;
  }
}

TEST_F(ServerApi, EntitiesAreListedWithAPredicateShownAndVersionedWithDiffs) {
  start();
  auto [s1, all] = get("/api/entities");
  ASSERT_EQ(s1, 200) << all.dump();
  EXPECT_EQ(all["total"], 2);
  auto [s2, some] =
      get("/api/entities?where=" + httplib::detail::encode_query_param("by_entity_id('silver')"));
  ASSERT_EQ(s2, 200);
  ASSERT_EQ(some["entities"].size(), 1u);
  EXPECT_EQ(some["entities"][0]["entity_id"], "silver");
  auto [s3, bad] =
      get("/api/entities?where=" + httplib::detail::encode_query_param("by_grup('x')"));
  EXPECT_EQ(s3, 400);
  EXPECT_NE(bad["error"]["message"].get<std::string>().find("did you mean by_group"),
            std::string::npos)
      << bad.dump();
  EXPECT_EQ(get("/api/entities?limit=100000").first, 400);
  EXPECT_EQ(get("/api/entities?limit=abc").first, 400);

  auto [s4, one] = get("/api/entities/bronze");
  ASSERT_EQ(s4, 200);
  EXPECT_EQ(one["destination"], "bronze");
  auto [s5, missing] = get("/api/entities/bronz");
  EXPECT_EQ(s5, 404);
  EXPECT_NE(missing["error"]["message"].get<std::string>().find("no entity 'bronz'"),
            std::string::npos);

  json changed = one;
  changed["comment"] = "now with a comment";
  auto [s6, change] = post("/api/entities", changed.dump());
  ASSERT_EQ(s6, 200) << change.dump();
  EXPECT_EQ(change["updated"], json::array({"bronze"}));
  auto [s7, versions] = get("/api/entities/bronze/versions");
  ASSERT_EQ(s7, 200);
  ASSERT_EQ(versions["versions"].size(), 2u);
  EXPECT_EQ(versions["versions"][0]["version"], 2);
  auto [s8, diff] = get("/api/entities/bronze/diff?from=1&to=2");
  ASSERT_EQ(s8, 200) << diff.dump();
  ASSERT_EQ(diff["changes"].size(), 1u) << diff.dump();
  EXPECT_EQ(diff["changes"][0]["field"], "comment");
  EXPECT_EQ(diff["changes"][0]["to"], "now with a comment");
  EXPECT_EQ(get("/api/entities/bronze/diff?from=1&to=9").first, 404);

  auto [s9, invalid] = post("/api/entities", R"({"entity_id": "x"})");
  EXPECT_EQ(s9, 400) << invalid.dump();
  EXPECT_EQ(post("/api/entities", "{not json").first, 400);
}

TEST_F(ServerApi, DisablePreviewsItsCascadeThenDisablesDownstreamToo) {
  start();
  auto [s1, preview] = post("/api/entities/bronze/disable?dry_run=true");
  ASSERT_EQ(s1, 200) << preview.dump();
  EXPECT_EQ(preview["affected"], json::array({"bronze", "silver"}));
  EXPECT_FALSE(preview.contains("change"));
  EXPECT_EQ(get("/api/entities").second["total"], 2);  // nothing changed yet
  auto [s2, done] = post("/api/entities/bronze/disable");
  ASSERT_EQ(s2, 200) << done.dump();
  EXPECT_EQ(done["change"]["disabled"], json::array({"bronze", "silver"}));
  EXPECT_EQ(get("/api/entities").second["total"], 0);
  auto [s3, back] = post("/api/entities/silver/enable");
  ASSERT_EQ(s3, 200);
  EXPECT_EQ(back["affected"], json::array({"bronze", "silver"}));
  EXPECT_EQ(post("/api/entities/nope/disable").first, 404);
}

TEST_F(ServerApi, AnUpdateRunsInTheBackgroundAndItsResultsAreServed) {
  start();
  auto [s0, pipelines] = get("/api/pipelines");
  ASSERT_EQ(s0, 200);
  ASSERT_EQ(pipelines["pipelines"].size(), 1u) << pipelines.dump();
  EXPECT_EQ(pipelines["pipelines"][0]["name"], "main_s");
  auto [s1, before] = get("/api/pipelines/main_s/graph");
  ASSERT_EQ(s1, 200) << before.dump();
  EXPECT_EQ(before["nodes"][0]["status"], "NOT_RUN");
  EXPECT_EQ(get("/api/pipelines/main_s/updates").first, 404);  // no event log yet

  const std::string id = run_update();
  auto [s2, update] = get("/api/pipelines/main_s/updates/" + id);
  ASSERT_EQ(s2, 200);
  ASSERT_EQ(update["datasets"].size(), 2u) << update.dump();
  EXPECT_EQ(update["datasets"][0]["dataset"], "main.s.bronze");
  EXPECT_EQ(update["datasets"][0]["metrics"]["num_output_rows"], 1) << update.dump();
  EXPECT_EQ(update["datasets"][0]["metrics"]["num_quarantined_rows"], 1) << update.dump();

  auto [s3, graph] = get("/api/pipelines/main_s/graph");
  ASSERT_EQ(s3, 200);
  ASSERT_EQ(graph["nodes"].size(), 2u);
  EXPECT_EQ(graph["nodes"][0]["status"], "COMPLETED");
  EXPECT_EQ(graph["nodes"][0]["is_quarantined"], true);
  EXPECT_EQ(graph["edges"][0], json({{"from", "main.s.bronze"}, {"to", "main.s.silver"}}));

  auto [s4, updates] = get("/api/pipelines/main_s/updates");
  ASSERT_EQ(s4, 200);
  ASSERT_EQ(updates["updates"].size(), 1u);
  EXPECT_EQ(updates["updates"][0]["update_id"], id);
  EXPECT_EQ(updates["updates"][0]["status"], "COMPLETED");

  auto [s5, events] = get("/api/pipelines/main_s/events?limit=3");
  ASSERT_EQ(s5, 200);
  EXPECT_EQ(events["events"].size(), 3u);
  auto [s5b, older] = get("/api/pipelines/main_s/events?limit=3&offset=3");
  ASSERT_EQ(s5b, 200);
  EXPECT_NE(older["events"][0]["id"], events["events"][0]["id"]);
  EXPECT_EQ(get("/api/pipelines/main_s/events?level=LOUD").first, 400);
  EXPECT_EQ(get("/api/pipelines/main_s/events?limit=5000").first, 400);

  auto [s6, quality] = get("/api/pipelines/main_s/quality");
  ASSERT_EQ(s6, 200);
  ASSERT_EQ(quality["rules"].size(), 1u) << quality.dump();
  EXPECT_EQ(quality["rules"][0]["rule"], "positive");
  EXPECT_EQ(quality["rules"][0]["passed"], 1);
  EXPECT_EQ(quality["rules"][0]["failed"], 1);

  auto [s7, tables] = get("/api/tables");
  ASSERT_EQ(s7, 200);
  EXPECT_NE(std::find(tables["tables"].begin(), tables["tables"].end(), "main.s.bronze_invalid"),
            tables["tables"].end())
      << tables.dump();
  auto [s8, described] = get("/api/tables/main.s.bronze");
  ASSERT_EQ(s8, 200) << described.dump();
  EXPECT_EQ(described["schema"][0]["name"], "id");
  auto [s9, history] = get("/api/tables/main.s.bronze/history?limit=1");
  ASSERT_EQ(s9, 200);
  EXPECT_EQ(history["history"].size(), 1u);
  auto [s10, rows] = get("/api/tables/main.s.silver/rows?limit=5");
  ASSERT_EQ(s10, 200) << rows.dump();
  EXPECT_EQ(rows["columns"], json::array({"n"}));
  EXPECT_EQ(rows["rows"], json::array({json::array({1})}));
  EXPECT_EQ(get("/api/tables/main.s.silver/rows?limit=0").first, 400);
}

TEST_F(ServerApi, OnlyCatalogSchemaTableNamesAreAccepted) {
  start();
  for (const char* name : {"bronze", "s.bronze", "main.s.bronze.x", "main.s.bad-name", "..",
                           "main.s.%2E%2E", "main.%2Fetc.passwd", "_pipelines.main_s.event_log"}) {
    auto [status, body] = get(std::string("/api/tables/") + name);
    EXPECT_EQ(status, 400) << name << " " << body.dump();
    EXPECT_EQ(body["error"]["code"], "bad_request") << name;
  }
  for (const char* path : {"/api/tables/main/s/bronze", "/api/tables/%2Fetc%2Fpasswd",
                           "/api/tables/..%2F..%2Fetc/rows"}) {
    auto [status, body] = get(path);
    EXPECT_TRUE(status == 400 || status == 404) << path << " " << status;
    EXPECT_TRUE(body.contains("error")) << path;
  }
  EXPECT_EQ(get("/api/tables/main.s.nothing").first, 404);
  EXPECT_EQ(get("/api/pipelines/bad-name/graph").first, 400);
  EXPECT_EQ(get("/api/pipelines/nope/graph").first, 404);
}

// Found by schemathesis: a predicate quoting a broken UTF-8 sequence, and a NUL byte reaching SQL.
TEST_F(ServerApi, MalformedTextIsABadRequestNotAServerError) {
  start();
  auto [s1, utf8] = get("/api/entities?where=X%C2%91%10");
  EXPECT_EQ(s1, 400) << utf8.dump();
  EXPECT_EQ(utf8["error"]["code"], "bad_request");
  for (const char* path : {"/api/pipelines/main_s/events?dataset=a%00b", "/api/entities/a%00b",
                           "/api/tables/main.s.a%00b"}) {
    auto [status, body] = get(path);
    EXPECT_EQ(status, 400) << path << " " << body.dump();
  }
  EXPECT_EQ(post("/api/entities", R"({"entity_id": "a\u0000b"})").first, 400);
}

TEST_F(ServerApi, OversizeBodiesAre413) {
  start();
  std::string big = "[" + std::string(100 * 1024, ' ') + "]";
  auto r = client_->Post("/api/entities", auth(), big, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  json body = json::parse(r->body);
  EXPECT_EQ(body["error"]["code"], "payload_too_large");
}

TEST_F(ServerApi, TheQueryEndpointExistsOnlyWhenAllowedAndCannotReadFiles) {
  start();
  EXPECT_EQ(post("/api/query", R"({"sql": "SELECT 1"})").first, 404);
  stop();
  start(/*allow_query=*/true);
  run_update();
  auto [s1, ok] = post("/api/query", R"({"sql": "SELECT n FROM main.s.silver"})");
  ASSERT_EQ(s1, 200) << ok.dump();
  EXPECT_EQ(ok["rows"], json::array({json::array({1})}));
  write_file(dir_.path() / "secret.csv", "a\n1\n");
  json read_file = {
      {"sql", "SELECT * FROM read_csv('" + (dir_.path() / "secret.csv").string() + "')"}};
  auto [s2, refused] = post("/api/query", read_file.dump());
  EXPECT_EQ(s2, 400) << refused.dump();
  for (const char* sql : {"SET enable_external_access = true", "INSTALL httpfs",
                          "SELECT * FROM delta_scan('/etc')"}) {
    auto [status, body] = post("/api/query", json{{"sql", sql}}.dump());
    EXPECT_EQ(status, 400) << sql << " " << body.dump();
  }
}

// A pipeline whose update lasts (one file per batch, hundreds of files).
class LongUpdateApi : public ServerApi {
 protected:
  LongUpdateApi() { long_running_ = true; }
};

TEST_F(LongUpdateApi, ARunningUpdateStreamsProgressAndCanBeCancelled) {
  start();
  auto [s1, started] = post("/api/pipelines/main_s/updates", "{}");
  ASSERT_EQ(s1, 202) << started.dump();
  const std::string id = started["update_id"];
  // One update at a time per pipeline.
  auto [s2, conflict] = post("/api/pipelines/main_s/updates", "{}");
  EXPECT_EQ(s2, 409) << conflict.dump();
  // The stream shows the update's datasets starting.
  std::string seen;
  httplib::Client streamer("127.0.0.1", port_);
  streamer.set_read_timeout(30, 0);
  std::thread reader([&] {
    streamer.Get(("/api/pipelines/main_s/updates/" + id + "/stream").c_str(), auth(),
                 [&](const char* data, size_t n) {
                   seen.append(data, n);
                   return seen.find("\"type\":\"update\"") == std::string::npos;
                 });
  });
  for (int i = 0;
       i < 300 && get("/api/pipelines/main_s/graph").second["nodes"][0]["status"] != "RUNNING";
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  auto [s3, cancelled] = post("/api/pipelines/main_s/updates/" + id + "/cancel");
  EXPECT_EQ(s3, 202) << cancelled.dump();
  json final_state = wait_update(id);
  EXPECT_EQ(final_state["status"], "CANCELED") << final_state.dump();
  reader.join();
  EXPECT_NE(seen.find("\"dataset\":\"main.s.bronze\""), std::string::npos) << seen;
  EXPECT_NE(seen.find("\"status\":\"CANCELED\""), std::string::npos) << seen;
  EXPECT_EQ(post("/api/pipelines/main_s/updates/" + id + "/cancel").first, 409);
  EXPECT_EQ(post("/api/pipelines/main_s/updates/nope/cancel").first, 404);
  // The event log agrees.
  auto [s4, updates] = get("/api/pipelines/main_s/updates");
  ASSERT_EQ(s4, 200);
  EXPECT_EQ(updates["updates"].back()["status"], "CANCELED");
}

TEST_F(ServerApi, StartingAnUpdateChecksItsRequest) {
  start();
  EXPECT_EQ(post("/api/pipelines/main_s/updates", R"({"select": ["nope"]})").first, 400);
  EXPECT_EQ(post("/api/pipelines/main_s/updates", R"({"selekt": ["bronze"]})").first, 400);
  EXPECT_EQ(post("/api/pipelines/main_s/updates", R"({"select": "bronze"})").first, 400);
  EXPECT_EQ(post("/api/pipelines/main_s/updates", "[1]").first, 400);
  EXPECT_EQ(post("/api/pipelines/nope/updates", "{}").first, 404);
  auto [status, started] = post("/api/pipelines/main_s/updates", R"({"select": ["bronze"]})");
  ASSERT_EQ(status, 202) << started.dump();
  json u = wait_update(started["update_id"]);
  EXPECT_EQ(u["status"], "COMPLETED");
  EXPECT_EQ(u["datasets"].size(), 1u) << u.dump();
}

// Progress while a dataset runs (issue 14): "progress" events carry the dataset's batches, files
// and rows so far, the files still waiting (Auto Loader's backlog) and an ETA.
TEST_F(LongUpdateApi, ARunningDatasetStreamsItsBatchesBacklogAndEta) {
  start();
  auto [s1, started] = post("/api/pipelines/main_s/updates", "{}");
  ASSERT_EQ(s1, 202) << started.dump();
  const std::string id = started["update_id"];
  std::string seen;
  httplib::Client streamer("127.0.0.1", port_);
  streamer.set_read_timeout(30, 0);
  streamer.Get(("/api/pipelines/main_s/updates/" + id + "/stream").c_str(), auth(),
               [&](const char* data, size_t n) {
                 seen.append(data, n);
                 return seen.find("\"type\":\"progress\"") == std::string::npos ||
                        seen.find('\n', seen.find("\"type\":\"progress\"")) == std::string::npos;
               });
  post("/api/pipelines/main_s/updates/" + id + "/cancel");
  wait_update(id);
  const size_t at = seen.find("data: {\"type\":\"progress\"");
  ASSERT_NE(at, std::string::npos) << seen;
  const size_t from = at + std::string("data: ").size();
  const json progress = json::parse(seen.substr(from, seen.find('\n', from) - from));
  EXPECT_EQ(progress["dataset"], "main.s.bronze") << progress.dump();
  EXPECT_GE(progress["metrics"]["num_batches"].get<int64_t>(), 1) << progress.dump();
  EXPECT_GE(progress["metrics"]["num_input_files"].get<int64_t>(), 1) << progress.dump();
  EXPECT_GT(progress["backlog_files"].get<int64_t>(), 0) << progress.dump();
  EXPECT_TRUE(progress.contains("eta_ms")) << progress.dump();
}

}  // namespace
}  // namespace dls
