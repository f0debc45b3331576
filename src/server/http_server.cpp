#include "dls/server/http_server.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <httplib.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "dls/server/api_error.h"
#include "server/ui_assets.h"

namespace dls::server {
namespace {

std::string random_token() {
  std::random_device rd;
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 64; ++i) s += hex[rd() % 16];
  return s;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// Reads the token of `path`, or creates it (0600) when `create` and it is missing.
std::string load_token(const std::filesystem::path& path, bool create, bool& created) {
  created = false;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (!create) throw NotFoundError("the token file " + path.string() + " does not exist");
    std::filesystem::create_directories(path.parent_path(), ec);
    const std::string token = random_token();
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
      throw Error("cannot create the token file " + path.string() + ": " + std::strerror(errno));
    }
    const std::string line = token + "\n";
    const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    ::close(fd);
    if (!ok) throw Error("cannot write the token file " + path.string());
    created = true;
    return token;
  }
  std::ifstream in(path);
  if (!in) throw Error("cannot read the token file " + path.string());
  std::stringstream ss;
  ss << in.rdbuf();
  std::string token = trim(ss.str());
  if (token.size() < 16) {
    throw InvalidMetadataError("the token file " + path.string() +
                               " holds no token of at least 16 characters");
  }
  return token;
}

// Compares without an early exit (no timing oracle on the token).
bool same(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

void send_json(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  // Messages may quote request text that is not valid UTF-8: replace such bytes, never throw.
  res.set_content(body.dump(-1, ' ', false, Json::error_handler_t::replace), "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& message) {
  send_json(res, status, Json{{"error", Json{{"code", error_code(status)}, {"message", message}}}});
}

// NUL characters cannot reach SQL text or the store (DuckDB's C API reads C strings): a request
// carrying one — decoded in its path or parameters, or escaped in a JSON body — is refused.
bool has_nul(const httplib::Request& req) {
  auto nul = [](const std::string& s) { return s.find('\0') != std::string::npos; };
  bool bad = nul(req.path) || req.body.find("\\u0000") != std::string::npos || nul(req.body);
  for (const auto& [k, v] : req.params) bad = bad || nul(k) || nul(v);
  return bad;
}

Params params_of(const httplib::Request& req) {
  Params p;
  for (const auto& [k, v] : req.params) p[k] = v;
  return p;
}

}  // namespace

std::filesystem::path default_token_file(const std::filesystem::path& warehouse) {
  return warehouse / ".dls-serve-token";
}

struct HttpServer::Impl {
  ServerOptions options;
  std::string token;
  bool token_created = false;
  std::filesystem::path token_path;
  httplib::Server http;
  Api api;
  int port = -1;
  std::mutex state_mutex;
  bool stop_requested = false;  // stop() was called
  bool listening = false;       // listen() is between its start and its end

  explicit Impl(ServerOptions o) : options(std::move(o)), api(options.api) {}

  // Runs `f` and turns its result or error into the response.
  template <typename F>
  void handle(httplib::Response& res, F&& f, int ok_status = 200) {
    try {
      send_json(res, ok_status, f());
    } catch (const Error& e) {
      send_error(res, http_status(e), e.what());
    } catch (const std::exception& e) {
      send_error(res, 500, e.what());
    }
  }

  void routes();
};

void HttpServer::Impl::routes() {
  auto& s = http;
  const std::string id = "([^/]+)";
  s.Get("/api/openapi.json", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(openapi_document(), "application/json");
  });
  // Entities.
  s.Get("/api/entities", [this](const httplib::Request& req, httplib::Response& res) {
    handle(res, [&] { return api.list_entities(params_of(req)); });
  });
  s.Post("/api/entities", [this](const httplib::Request& req, httplib::Response& res) {
    handle(res, [&] { return api.upsert_entities(req.body); });
  });
  s.Get("/api/entities/" + id, [this](const httplib::Request& req, httplib::Response& res) {
    handle(res, [&] { return api.get_entity(req.matches[1]); });
  });
  s.Get("/api/entities/" + id + "/versions",
        [this](const httplib::Request& req, httplib::Response& res) {
          handle(res, [&] { return api.entity_versions(req.matches[1]); });
        });
  s.Get("/api/entities/" + id + "/diff",
        [this](const httplib::Request& req, httplib::Response& res) {
          handle(res, [&] { return api.entity_diff(req.matches[1], params_of(req)); });
        });
  s.Post("/api/entities/" + id + "/(enable|disable)",
         [this](const httplib::Request& req, httplib::Response& res) {
           handle(res, [&] {
             return api.set_enabled(req.matches[1], req.matches[2] == "enable", params_of(req));
           });
         });
  // Pipelines.
  s.Get("/api/pipelines", [this](const httplib::Request&, httplib::Response& res) {
    handle(res, [&] { return api.list_pipelines(); });
  });
  s.Get("/api/pipelines/" + id + "/graph",
        [this](const httplib::Request& req, httplib::Response& res) {
          handle(res, [&] { return api.pipeline_graph(req.matches[1]); });
        });
  s.Get("/api/pipelines/" + id + "/updates",
        [this](const httplib::Request& req, httplib::Response& res) {
          handle(res, [&] { return api.list_updates(req.matches[1], params_of(req)); });
        });
  s.Post("/api/pipelines/" + id + "/updates",
         [this](const httplib::Request& req, httplib::Response& res) {
           handle(
               res, [&] { return api.start_update(req.matches[1], req.body); }, 202);
         });
  s.Get("/api/pipelines/" + id + "/updates/" + id,
        [this](const httplib::Request& req, httplib::Response& res) {
          handle(res, [&] { return api.get_update(req.matches[1], req.matches[2]); });
        });
  s.Post("/api/pipelines/" + id + "/updates/" + id + "/cancel",
         [this](const httplib::Request& req, httplib::Response& res) {
           handle(
               res, [&] { return api.cancel_update(req.matches[1], req.matches[2]); }, 202);
         });
  // Live progress of an update this server runs, as server-sent events: every progress event so
  // far, then each new one, until the update ends (the last event has type "update").
  s.Get("/api/pipelines/" + id + "/updates/" + id + "/stream",
        [this](const httplib::Request& req, httplib::Response& res) {
          std::shared_ptr<UpdateJob> job;
          try {
            // Unknown pipeline or update: the same 404 as GET .../updates/{id}.
            job = api.find_job(req.matches[1], req.matches[2]);
            if (!job) api.get_update(req.matches[1], req.matches[2]);
          } catch (const Error& e) {
            send_error(res, http_status(e), e.what());
            return;
          }
          if (!job) {
            // An update from the event log: it is not running here; one event says how it ended.
            Json u = api.get_update(req.matches[1], req.matches[2]);
            Json e{{"type", "update"}, {"status", u["status"]}};
            res.set_content("data: " + e.dump() + "\n\n", "text/event-stream");
            return;
          }
          res.set_header("Cache-Control", "no-cache");
          auto next = std::make_shared<size_t>(0);
          res.set_chunked_content_provider(
              "text/event-stream", [job, next](size_t, httplib::DataSink& sink) {
                auto events = job->events_since(*next, 500);
                std::string out;
                for (const auto& e : events) {
                  out += "data: " + e.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n\n";
                }
                *next += events.size();
                if (out.empty()) out = ": keep-alive\n\n";
                if (!sink.write(out.data(), out.size())) return false;
                if (job->finished() && job->events_since(*next, 0).empty()) sink.done();
                return true;
              });
        });
  s.Get("/api/pipelines/" + id + "/events",
        [this](const httplib::Request& req, httplib::Response& res) {
          handle(res, [&] { return api.events(req.matches[1], params_of(req)); });
        });
  s.Get("/api/pipelines/" + id + "/quality",
        [this](const httplib::Request& req, httplib::Response& res) {
          handle(res, [&] { return api.quality(req.matches[1], params_of(req)); });
        });
  // Tables: the name is one path segment (catalog.schema.table); anything else under /api/tables/
  // is refused as a bad name, never read as a path.
  s.Get("/api/tables", [this](const httplib::Request&, httplib::Response& res) {
    handle(res, [&] { return api.list_tables(); });
  });
  s.Get("/api/tables/" + id + "/history",
        [this](const httplib::Request& req, httplib::Response& res) {
          handle(res, [&] { return api.table_history(req.matches[1], params_of(req)); });
        });
  s.Get("/api/tables/" + id + "/rows", [this](const httplib::Request& req, httplib::Response& res) {
    handle(res, [&] { return api.table_rows(req.matches[1], params_of(req)); });
  });
  s.Get("/api/tables/(.+)", [this](const httplib::Request& req, httplib::Response& res) {
    handle(res, [&] { return api.describe_table(req.matches[1]); });
  });
  s.Post("/api/query", [this](const httplib::Request& req, httplib::Response& res) {
    handle(res, [&] { return api.query(req.body); });
  });
  // The web UI.
  s.Get("/(.*)", [](const httplib::Request& req, httplib::Response& res) {
    std::string path = "/" + std::string(req.matches[1]);
    if (path.rfind("/api/", 0) == 0) {
      send_error(res, 404, "no endpoint " + path + " (see /api/openapi.json)");
      return;
    }
    const UiAsset* asset = find_ui_asset(path);
    if (!asset) asset = find_ui_asset("/index.html");  // client-side routes
    if (!asset) {
      send_error(res, 404, "no file " + path);
      return;
    }
    res.set_content(asset->data, asset->size, asset->content_type);
  });
}

HttpServer::HttpServer(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  auto& o = impl_->options;
  impl_->token_path = o.token_file ? *o.token_file : default_token_file(o.api.warehouse);
  impl_->token = load_token(impl_->token_path, !o.token_file, impl_->token_created);

  auto& s = impl_->http;
  const int threads = o.threads;
  s.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  s.set_payload_max_length(o.max_body_bytes);
  s.set_keep_alive_max_count(1000);
  // SO_REUSEADDR only: httplib's default also sets SO_REUSEPORT, which would let a second
  // server (or another user's process) bind the same port and take a share of the requests.
  s.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (req.path.rfind("/api/", 0) != 0) return httplib::Server::HandlerResponse::Unhandled;
    const std::string header = req.get_header_value("Authorization");
    const std::string prefix = "Bearer ";
    if (header.rfind(prefix, 0) != 0 || !same(header.substr(prefix.size()), impl_->token)) {
      res.set_header("WWW-Authenticate", "Bearer");
      send_error(res, 401,
                 header.empty() ? "missing 'Authorization: Bearer <token>' header (the token is "
                                  "in " +
                                      impl_->token_path.string() + ")"
                                : "wrong bearer token");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (has_nul(req)) {
      send_error(res, 400, "NUL characters are not accepted in requests");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  // Errors httplib answers itself (413, 404 of unknown routes, 400 of bad requests) get the
  // JSON error body too; our own JSON errors are kept.
  s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (res.get_header_value("Content-Type") == "application/json" && !res.body.empty()) return;
    std::string message = "HTTP " + std::to_string(res.status);
    if (res.status == 400) message = "the request is malformed";
    if (res.status == 413) message = "the request body is larger than the server accepts";
    if (res.status == 404) message = "no endpoint " + req.method + " " + req.path;
    send_error(res, res.status, message);
  });
  s.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        try {
          std::rethrow_exception(ep);
        } catch (const Error& e) {
          send_error(res, http_status(e), e.what());
        } catch (const std::exception& e) {
          send_error(res, 500, e.what());
        } catch (...) {
          send_error(res, 500, "unknown failure");
        }
      });
  impl_->routes();
}

HttpServer::~HttpServer() {
  stop();
}

const std::string& HttpServer::token() const {
  return impl_->token;
}
bool HttpServer::token_created() const {
  return impl_->token_created;
}
const std::filesystem::path& HttpServer::token_path() const {
  return impl_->token_path;
}
Api& HttpServer::api() {
  return impl_->api;
}
int HttpServer::port() const {
  return impl_->port;
}

int HttpServer::bind() {
  auto& o = impl_->options;
  if (o.port == 0) {
    impl_->port = impl_->http.bind_to_any_port(o.host);
  } else if (impl_->http.bind_to_port(o.host, o.port)) {
    impl_->port = o.port;
  } else {
    impl_->port = -1;
  }
  if (impl_->port < 0) {
    throw Error("cannot listen on " + o.host + ":" + std::to_string(o.port) +
                " (address in use or not available); choose another with --port N or --host");
  }
  return impl_->port;
}

void HttpServer::listen() {
  {
    std::lock_guard lock(impl_->state_mutex);
    if (impl_->stop_requested) return;
    impl_->listening = true;
  }
  impl_->http.listen_after_bind();
  {
    std::lock_guard lock(impl_->state_mutex);
    impl_->listening = false;
  }
  impl_->api.shutdown();
}

void HttpServer::stop() {
  {
    std::lock_guard lock(impl_->state_mutex);
    impl_->stop_requested = true;
  }
  // httplib ignores stop() until its loop runs: wait for it (or for listen() to end).
  for (;;) {
    if (impl_->http.is_running()) {
      impl_->http.stop();
      return;
    }
    {
      std::lock_guard lock(impl_->state_mutex);
      if (!impl_->listening) return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace dls::server
