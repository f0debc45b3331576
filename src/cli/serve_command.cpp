// `dls serve`: the REST API and web UI (dls/server/http_server.h) until SIGINT/SIGTERM.
#include <pthread.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <memory>
#include <thread>

#include "command_registry.h"
#include "dls/core/error.h"
#include "dls/server/http_server.h"

namespace dls::cli {
namespace {

struct ServeArgs {
  int port = 8737;
  std::string host = "127.0.0.1";
  std::optional<std::string> token_file;
  bool allow_query = false;
  int64_t max_body_kib = 1024;
  int64_t max_page = 1000;
  int threads = 64;
};

void serve(Context& ctx, const ServeArgs& args) {
  if (args.port < 0 || args.port > 65535) throw UsageError("--port must be 0..65535");
  if (args.max_body_kib < 1) throw UsageError("--max-body-kib must be at least 1");
  if (args.max_page < 1) throw UsageError("--max-page must be at least 1");
  if (args.threads < 2) throw UsageError("--threads must be at least 2");
  server::ServerOptions options;
  options.api.warehouse = ctx.warehouse().root();
  options.api.store = ctx.options().store;
  options.api.allow_query = args.allow_query;
  options.api.max_page_size = args.max_page;
  options.host = args.host;
  options.port = args.port;
  if (args.token_file) options.token_file = std::filesystem::absolute(*args.token_file);
  options.max_body_bytes = static_cast<size_t>(args.max_body_kib) * 1024;
  options.threads = args.threads;

  // SIGINT/SIGTERM stop the server gracefully: blocked in every thread, taken by one that waits
  // for them (so no handler runs inside the server's threads).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigset_t previous;
  pthread_sigmask(SIG_BLOCK, &signals, &previous);

  server::HttpServer http(options);
  const int port = http.bind();
  if (http.token_created()) {
    ctx.out() << "token: " << http.token() << "\n";
    ctx.info("created the API token in " + http.token_path().string() +
             " (mode 0600); it is shown only now");
  } else {
    ctx.info("API token: " + http.token_path().string());
  }
  ctx.info("dls serve: http://" + args.host + ":" + std::to_string(port) +
           "/ (API: /api/openapi.json; warehouse " + options.api.warehouse.string() +
           (args.allow_query ? "; SQL endpoint on" : "") + "); Ctrl-C stops");
  ctx.out().flush();
  // The first signal stops the server gracefully (running updates are cancelled and waited for);
  // a second one ends the process at once, as a second Ctrl-C does in `dls run`.
  std::atomic<bool> done{false};
  std::thread waiter([&http, &done, signals] {
    bool stopping = false;
    for (;;) {
      int sig = 0;
      sigwait(&signals, &sig);
      if (done.load()) return;
      if (stopping) std::_Exit(static_cast<int>(ExitCode::kCancelled));
      stopping = true;
      http.stop();
    }
  });
  http.listen();
  done.store(true);
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  // Take any signal still pending before unblocking them.
  const timespec zero{};
  while (sigtimedwait(&signals, nullptr, &zero) > 0) {
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  ctx.info("dls serve: stopped");
}

}  // namespace

void register_serve_command(CommandRegistry& r) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd = r.add_command(
      r.root(), "serve",
      "Serve the REST API (OpenAPI 3.1 at /api/openapi.json) and the web UI: entities, "
      "pipelines, updates, events, data quality, tables",
      {"dls serve", "dls serve --port 9000 --token-file ~/.dls-token", "dls serve --allow-query"},
      [args](Context& ctx) { serve(ctx, *args); });
  cmd->add_option("--port", args->port, "TCP port (default 8737; 0: any free port)");
  cmd->add_option("--host", args->host,
                  "Address to listen on (default 127.0.0.1: this machine only)");
  cmd->add_option("--token-file", args->token_file,
                  "Read the bearer token from FILE (default: <warehouse>/.dls-serve-token, "
                  "created with mode 0600 and printed on the first start)")
      ->type_name("FILE");
  cmd->add_flag("--allow-query", args->allow_query,
                "Enable POST /api/query (SQL over the warehouse's tables by name; DuckDB with "
                "external access and extension loading disabled, configuration locked)");
  cmd->add_option("--max-body-kib", args->max_body_kib,
                  "Largest request body accepted, in KiB (default 1024; larger: 413)");
  cmd->add_option("--max-page", args->max_page,
                  "Largest page (limit/last parameters) accepted (default 1000; larger: 400)");
  cmd->add_option("--threads", args->threads, "Threads serving requests (default 64)");
  cmd->footer(
      "\nSecurity: every /api/ request needs 'Authorization: Bearer <token>' (401 otherwise). "
      "The token is created at the first start in <warehouse>/.dls-serve-token (mode 0600) "
      "and printed once on stdout; --token-file uses another file. Tables are named "
      "catalog.schema.table only, never by path. There is no SQL endpoint unless "
      "--allow-query.\n"
      "Errors are JSON {\"error\": {\"code\", \"message\"}} with the CLI's messages; statuses: "
      "400 bad request or metadata, 401 token, 404 not found, 409 conflict (an update of the "
      "pipeline is running), 413 body too large, 500 other failures.\n"
      "Updates started with POST /api/pipelines/{pipeline}/updates run in the background; "
      "their progress streams as server-sent events from .../updates/{id}/stream; "
      "POST .../updates/{id}/cancel stops one (it ends CANCELED).\n"
      "SIGINT/SIGTERM stop the server: running updates are cancelled and waited for.\n"
      "The web UI is at http://HOST:PORT/ (it asks for the token). See docs/serve.md.\n");
}

}  // namespace dls::cli
