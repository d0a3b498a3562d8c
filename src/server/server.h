// propscan's HTTP server: the web page and the JSON API from one process.
//
//   GET  /                  the page (web/ files, embedded at build time)
//   POST /api/analyze       {"text", "title"?, "id"?, "threshold"?} -> what
//                           `propscan analyze --format json` prints
//   GET  /api/techniques    labels, definitions and the model's threshold
//   GET  /healthz           {"status": "ok"}
//
// Errors are {"error": "one-line message"} with a 4xx/5xx status. Requests
// are served by a fixed pool of worker threads sharing one model; every
// request is logged as one line.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace propscan {
class Model;
}

namespace propscan::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  // 0 picks any free port; port() tells which after bind().
  int port = 8080;
  // Worker threads. A worker holds a connection while it is kept alive, not
  // only while it computes, so this is larger than the number of cores.
  unsigned threads = 8;
  // Larger request bodies are refused with 413.
  std::size_t max_body_bytes = 2u << 20;
  // Receives one line (no newline) per request and per start/stop event;
  // called from worker threads, one call at a time. Unset: standard error.
  std::function<void(const std::string&)> log;
};

class Server {
 public:
  // The model is shared, read-only, by all requests.
  Server(std::shared_ptr<const Model> model, ServerOptions options = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Opens the listening socket; throws propscan::Error naming the address
  // when it cannot.
  void bind();
  // The port listened on; valid after bind().
  int port() const;
  // Serves until stop(); call bind() first. Returns once every worker has
  // finished its current request.
  void run();
  // Asks run() to return. Thread-safe; callable before, during or after run().
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The body of an error response: {"error": message}.
std::string error_body(const std::string& message);

}  // namespace propscan::server
