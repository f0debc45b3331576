// `dls serve`: the REST API (api.h) and the web UI over HTTP (cpp-httplib).
//
// Safe by default: it listens on 127.0.0.1 unless told otherwise; every request under /api/
// needs `Authorization: Bearer <token>` (401 otherwise); request bodies over max_body_bytes are
// refused with 413; errors are JSON {"error": {"code", "message"}} with the status of
// api_error.h. The web UI's static files (/, /assets/...) carry no data and need no token: the
// page asks for it and sends it with every API call.
//
// The token: read from `token_file` when given (it must exist), else from
// <warehouse>/.dls-serve-token, created with mode 0600 (random, 256 bits) when missing.
//
// Thread-safety: requests are served by a pool of `threads` threads; stop() may be called from
// any thread (not from a signal handler).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "dls/server/api.h"

namespace dls::server {

struct ServerOptions {
  ApiOptions api;
  std::string host = "127.0.0.1";
  int port = 8737;  // 0: any free port (see HttpServer::port())
  std::optional<std::filesystem::path> token_file;
  size_t max_body_bytes = 1 << 20;
  int threads = 64;
};

/// The token file used when ServerOptions::token_file is not given.
std::filesystem::path default_token_file(const std::filesystem::path& warehouse);

class HttpServer {
 public:
  /// Loads or creates the token; nothing listens yet. Throws dls::Error when the token file
  /// cannot be read or created.
  explicit HttpServer(ServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  const std::string& token() const;
  /// True when this start created the token (it should be shown to the user once).
  bool token_created() const;
  const std::filesystem::path& token_path() const;

  /// Binds the socket; returns the port. Throws dls::Error when the address is in use.
  int bind();
  int port() const;
  /// Serves until stop(); then cancels running updates and waits for them.
  void listen();
  /// Makes listen() return. Thread-safe.
  void stop();

  Api& api();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dls::server
