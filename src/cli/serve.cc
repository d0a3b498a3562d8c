// `propscan serve`: the web page and the HTTP API (src/server/).
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include <iostream>
#include <memory>
#include <new>
#include <string>
#include <thread>

#include "cli/common.h"
#include "model/model_file.h"
#include "propscan/analyzer.h"
#include "propscan/error.h"
#include "server/server.h"
#include "store/postgres_store.h"
#include "store/store.h"

namespace propscan::cli {
namespace {

int g_signal_pipe[2] = {-1, -1};

// How long a stop waits for analyses in progress (under the 2 s promised in
// docs/security.md).
constexpr int kStopGraceMs = 1000;

struct ServeArgs {
  std::string model;
  std::string db;
  double max_body_mib = 2.0;
  double read_timeout_s = 10.0;
  double write_timeout_s = 10.0;
  server::ServerOptions options;
};

void run_serve(ServeArgs args) {
  const std::string model_path = resolve_model(args.model);
  args.options.max_body_bytes = static_cast<std::size_t>(args.max_body_mib * 1024.0 * 1024.0);
  args.options.read_timeout = std::chrono::milliseconds(static_cast<long>(args.read_timeout_s * 1000.0));
  args.options.write_timeout = std::chrono::milliseconds(static_cast<long>(args.write_timeout_s * 1000.0));

  // SIGINT and SIGTERM only write their number to a pipe (async-signal-safe);
  // a waiter thread reads it and stops the server outside the handler. A
  // mask-and-sigwait scheme would miss signals delivered to threads that
  // libraries (OpenBLAS) start before main().
  if (pipe(g_signal_pipe) != 0) throw Error("serve: cannot create the signal pipe");
  struct sigaction action {};
  action.sa_handler = [](int sig) {
    const unsigned char byte = static_cast<unsigned char>(sig);
    [[maybe_unused]] auto n = write(g_signal_pipe[1], &byte, 1);
  };
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);

  if (!args.db.empty()) {
    args.options.corpus = store::open_existing_store(args.db);
  }
  set_compute_threads(1);  // requests run in parallel instead
  server::Server server(load_model(model_path), args.options);
  server.bind();
  std::cerr << "propscan: serving http://" << args.options.host << ":" << server.port() << "/ (model "
            << model_path << ", " << args.options.threads << " threads"
            << (args.db.empty() ? std::string() : ", corpus " + store::redact_url(args.db) + " at /corpus.html") << "); Ctrl-C stops"
            << std::endl;

  std::thread waiter([&server] {
    unsigned char sig = 0;
    while (read(g_signal_pipe[0], &sig, 1) < 0 && errno == EINTR) {
    }
    if (sig == SIGINT || sig == SIGTERM) {
      std::cerr << "propscan: " << (sig == SIGINT ? "SIGINT" : "SIGTERM") << ", stopping" << std::endl;
    }
    server.stop();
    if (sig == 0) return;
    // Connections close at once, but an analysis cannot be interrupted: a
    // stop must not wait for a long one, so after a grace period the process
    // ends without it (a second signal ends it at once).
    pollfd p{g_signal_pipe[0], POLLIN, 0};
    int n;
    while ((n = poll(&p, 1, kStopGraceMs)) < 0 && errno == EINTR) {
    }
    if (n > 0 && read(g_signal_pipe[0], &sig, 1) == 1 && sig == 0) return;
    std::cerr << "propscan: requests still in progress after " << kStopGraceMs << " ms; stopped without them"
              << std::endl;
    std::fflush(nullptr);
    std::_Exit(0);
  });
  server.run();
  const unsigned char done = 0;  // wakes the waiter when the server ended by itself
  [[maybe_unused]] auto n = write(g_signal_pipe[1], &done, 1);
  waiter.join();
  std::cerr << "propscan: stopped" << std::endl;
}

}  // namespace

void register_serve(CLI::App& app) {
  auto args = std::make_shared<ServeArgs>();
  auto* cmd = app.add_subcommand("serve", "Serve the web page and the HTTP API");
  cmd->footer(
      "Open http://HOST:PORT/ in a browser; with --db, the corpus dashboard is at /corpus.html.\n"
      "The API (POST /api/analyze, GET /api/techniques, GET /healthz, GET /api/corpus/...) is\n"
      "described in docs/api.md. Logs one line per request to standard error;\n"
      "SIGINT or SIGTERM stops it: requests in progress get up to 1 s to finish. --port 0 picks\n"
      "a free port. Limits and what they defend against: docs/security.md.");
  cmd->add_option("--host", args->options.host, "Address to listen on")->capture_default_str();
  cmd->add_option("-p,--port", args->options.port, "Port to listen on")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cmd->add_option("-m,--model", args->model, kModelHelp);
  cmd->add_option("--db", args->db,
                  "A corpus store (propscan ingest), an SQLite file or a postgresql://USER@HOST:PORT/DATABASE URL: "
                  "the dashboard at /corpus.html and /api/corpus/...");
  cmd->add_option("-j,--threads", args->options.threads,
                  "Connections served at once, one worker thread each; more are answered 503")
      ->check(CLI::Range(1u, 1024u))
      ->capture_default_str();
  cmd->add_option("--max-analyses", args->options.max_analyses,
                  "Analyses running at once, more are answered 503 (0: one per core)")
      ->check(CLI::Range(0u, 1024u))
      ->capture_default_str();
  cmd->add_option("--max-body-mib", args->max_body_mib, "Largest accepted request body, in MiB (413 beyond)")
      ->check(CLI::Range(0.001, 1024.0))
      ->capture_default_str();
  cmd->add_option("--max-chars", args->options.max_chars,
                  "Longest text analysed in one request, in characters (413 beyond)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{2'000'000}))
      ->capture_default_str();
  cmd->add_option("--read-timeout", args->read_timeout_s,
                  "Seconds for a request (line, headers, body) to arrive (408 beyond)")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  cmd->add_option("--write-timeout", args->write_timeout_s, "Seconds for an answer to be written")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  cmd->add_option("--allow-host", args->options.allowed_hosts,
                  "Also serve requests whose Host header names NAME (repeatable; '*': any). Always "
                  "allowed: localhost, loopback addresses and --host")
      ->type_name("NAME");
  cmd->callback(guarded([args] { run_serve(*args); }));
}

}  // namespace propscan::cli
