// `propscan serve`: the web page and the HTTP API (src/server/).
#include <pthread.h>
#include <signal.h>

#include <iostream>
#include <memory>
#include <new>
#include <string>
#include <thread>

#include "cli/commands.h"
#include "model/model_file.h"
#include "propscan/analyzer.h"
#include "propscan/error.h"
#include "server/server.h"

namespace propscan::cli {
namespace {

struct ServeArgs {
  std::string model;
  double max_body_mib = 2.0;
  server::ServerOptions options;
};

void run_serve(ServeArgs args) {
  std::string model_path = args.model.empty() ? default_model_path() : args.model;
  if (model_path.empty()) throw Error("no model given and no default model found (models/propscan.model); use --model");
  args.options.max_body_bytes = static_cast<std::size_t>(args.max_body_mib * 1024.0 * 1024.0);

  // SIGINT and SIGTERM are taken by one thread with sigwait(), so every
  // other thread (all started below, inheriting this mask) runs undisturbed
  // and the stop happens outside a signal handler. SIGUSR1 wakes that
  // thread when the server ends for another reason.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  server::Server server(load_model(model_path), args.options);
  server.bind();
  std::cerr << "propscan: serving http://" << args.options.host << ":" << server.port() << "/ (model "
            << model_path << ", " << args.options.threads << " threads); Ctrl-C stops" << std::endl;

  std::thread waiter([&server, &signals] {
    int sig = 0;
    sigwait(&signals, &sig);
    if (sig != SIGUSR1) {
      std::cerr << "propscan: " << (sig == SIGINT ? "SIGINT" : "SIGTERM") << ", stopping" << std::endl;
    }
    server.stop();
  });
  server.run();
  pthread_kill(waiter.native_handle(), SIGUSR1);
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
  // A failure is one line on standard error and exit status 1 (CLI11 turns
  // RuntimeError into that status without printing anything more).
  cmd->callback([args] {
    try {
      run_serve(*args);
    } catch (const Error& e) {
      std::cerr << "propscan: " << e.what() << '\n';
      throw CLI::RuntimeError(1);
    } catch (const std::bad_alloc&) {
      std::cerr << "propscan: out of memory\n";
      throw CLI::RuntimeError(1);
    }
  });
}

}  // namespace propscan::cli
