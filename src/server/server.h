// propscan's HTTP server: the web page and the JSON API from one process.
//
//   GET  /                  the page (web/ files, embedded at build time)
//   POST /api/analyze       {"text", "title"?, "id"?, "threshold"?} -> what
//                           `propscan analyze --format json` prints
//   GET  /api/techniques    labels, definitions and the model's threshold
//   GET  /healthz           {"status": "ok"}
//   GET  /api/corpus/...    the corpus view of a store (`serve --db`): facets,
//                           overview, articles, article (docs/api.md)
//
// Errors are {"error": "one-line message"} with a 4xx/5xx status. Requests
// are served by a fixed pool of worker threads sharing one model; every
// request is logged as one line. docs/security.md says what the limits below
// defend against.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace propscan {
class Model;
}

namespace propscan::store {
class Store;
}

namespace propscan::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  // 0 picks any free port; port() tells which after bind().
  int port = 8080;
  // Worker threads, one per open connection: a worker holds a connection
  // while it is kept alive, not only while it computes, so this is larger
  // than the number of cores. A connection that finds them all busy is
  // answered 503 at once.
  unsigned threads = 16;
  // Analyses running at once; a request beyond them is answered 503 at once
  // (the workers left over keep answering /healthz and the page). 0: one per
  // core.
  unsigned max_analyses = 0;
  // How long a request waits for an analysis slot before that 503: a burst
  // of short articles queues, a flood of long ones is refused.
  std::chrono::milliseconds analysis_wait{1'000};
  // Larger request bodies are refused with 413, whether sent with a length or
  // chunked, and are not read to their end.
  std::size_t max_body_bytes = 2u << 20;
  // The analysis budget of one request, in code points of text: longer
  // articles are refused with 413 before any analysis.
  std::size_t max_chars = 200'000;
  // A request's line, headers and body must arrive within read_timeout of its
  // first byte; its answer must be written within write_timeout.
  std::chrono::milliseconds read_timeout{10'000};
  std::chrono::milliseconds write_timeout{10'000};
  // The request line and headers: at most this many bytes and header lines
  // (431 beyond).
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_header_lines = 100;
  // Names accepted in the Host header besides localhost, the loopback
  // addresses and `host` itself (a guard against DNS rebinding); "*" accepts
  // any.
  std::vector<std::string> allowed_hosts;
  // The corpus behind /api/corpus/... (unset: those paths answer 404). Its
  // queries are run one at a time.
  std::shared_ptr<store::Store> corpus;
  // Most articles one /api/corpus/articles request lists.
  std::size_t max_corpus_articles = 500;
  // Tests only: called by a request holding an analysis slot, before it
  // analyses, to hold slots busy.
  std::function<void()> analysis_hook;
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
