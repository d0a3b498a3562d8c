// `propscan serve`: the web page and the HTTP API (src/server/).
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>

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

namespace propscan::cli {
namespace {

int g_signal_pipe[2] = {-1, -1};

struct ServeArgs {
  std::string model;
  double max_body_mib = 2.0;
  server::ServerOptions options;
};

void run_serve(ServeArgs args) {
  const std::string model_path = resolve_model(args.model);
  args.options.max_body_bytes = static_cast<std::size_t>(args.max_body_mib * 1024.0 * 1024.0);

  // SIGINT and SIGTERM only write their number to a pipe (async-signal-safe);
  // a waiter thread reads it and stops the server outside the handler. A
  // mask-and-sigwait scheme would miss signals delivered to threads that
  // libraries (OpenBLAS, libtorch) start before main().
  if (pipe(g_signal_pipe) != 0) throw Error("serve: cannot create the signal pipe");
  struct sigaction action {};
  action.sa_handler = [](int sig) {
    const unsigned char byte = static_cast<unsigned char>(sig);
    [[maybe_unused]] auto n = write(g_signal_pipe[1], &byte, 1);
  };
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);

  set_compute_threads(1);  // requests run in parallel instead
  server::Server server(load_model(model_path), args.options);
  server.bind();
  std::cerr << "propscan: serving http://" << args.options.host << ":" << server.port() << "/ (model "
            << model_path << ", " << args.options.threads << " threads); Ctrl-C stops" << std::endl;

  std::thread waiter([&server] {
    unsigned char sig = 0;
    while (read(g_signal_pipe[0], &sig, 1) < 0 && errno == EINTR) {
    }
    if (sig == SIGINT || sig == SIGTERM) {
      std::cerr << "propscan: " << (sig == SIGINT ? "SIGINT" : "SIGTERM") << ", stopping" << std::endl;
    }
    server.stop();
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
      "Open http://HOST:PORT/ in a browser. The API (POST /api/analyze, GET /api/techniques,\n"
      "GET /healthz) is described in docs/api.md. Logs one line per request to standard error;\n"
      "SIGINT or SIGTERM stops it after the requests in progress. --port 0 picks a free port.");
  cmd->add_option("--host", args->options.host, "Address to listen on")->capture_default_str();
  cmd->add_option("-p,--port", args->options.port, "Port to listen on")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cmd->add_option("-m,--model", args->model, "Model file (default: models/propscan.model)");
  cmd->add_option("-j,--threads", args->options.threads, "Worker threads serving connections")
      ->check(CLI::Range(1u, 1024u))
      ->capture_default_str();
  cmd->add_option("--max-body-mib", args->max_body_mib, "Largest accepted request body, in MiB")
      ->check(CLI::Range(0.001, 1024.0))
      ->capture_default_str();
  cmd->callback(guarded([args] { run_serve(*args); }));
}

}  // namespace propscan::cli
