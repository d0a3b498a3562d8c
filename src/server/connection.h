// The connection layer under the HTTP server: what httplib leaves unbounded.
//
// httplib (Debian's build, whose limits are compiled into its shared library)
// waits 5 s per read and not per request, accepts any number of header lines,
// buffers chunked bodies without a limit, and queues connections without end
// behind a fixed pool. GuardedHttpServer replaces its per-connection loop
// (process_and_close_socket, meant to be overridden, as httplib's SSLServer
// does) with one over a GuardedStream that enforces a deadline for each
// request and each response, the size and number of header lines, and the
// size of a body on the wire however it is framed. ConnectionPool serves at
// most N connections at once and answers any further one with 503 at once
// instead of queueing it.
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace propscan::server {

struct ConnectionLimits {
  // The request line, headers and body of one request must arrive within this
  // (counted from its first byte), and a response must be written within
  // write_timeout: a client that trickles bytes holds a worker no longer.
  std::chrono::milliseconds read_timeout{10'000};
  std::chrono::milliseconds write_timeout{10'000};
  // An idle kept-alive connection is closed after this.
  std::chrono::milliseconds keep_alive_timeout{1'000};
  std::size_t keep_alive_max_requests = 100;
  // The request line and headers together, and the number of header lines.
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_header_lines = 100;
  // Bytes of body on the wire, chunk framing included; the decoded body is
  // checked against the server's own limit by the handler that reads it.
  std::size_t max_body_wire_bytes = (2u << 20) + (64u << 10);
};

// Why a connection's reading stopped, when it did not end normally.
enum class ReadFailure { kNone, kTimeout, kHeaderTooLarge, kBodyTooLarge, kStopping, kClosed };

// A socket as httplib's Stream, with the limits above.
class GuardedStream : public httplib::Stream {
 public:
  GuardedStream(socket_t sock, const ConnectionLimits& limits, const std::atomic<bool>& stopping);

  // Starts the clock and the header count for the next request.
  void begin_request();
  // Waits up to `timeout` for the first byte of a request; false on timeout,
  // end of stream or stop.
  bool wait_for_request(std::chrono::milliseconds timeout);

  ReadFailure failure() const { return failure_; }
  // Set by a handler that refused a request before reading its body: the
  // rest of the connection cannot be parsed, so it is closed after the answer.
  void close_after_response() { close_after_response_ = true; }
  bool must_close() const { return close_after_response_ || failure_ != ReadFailure::kNone; }

  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, std::size_t size) override;
  ssize_t write(const char* ptr, std::size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return sock_; }

 private:
  // Waits until `events` are ready or `deadline`; false on timeout or stop.
  bool wait(short events, std::chrono::steady_clock::time_point deadline, bool watch_stop);

  socket_t sock_;
  const ConnectionLimits& limits_;
  const std::atomic<bool>& stopping_;
  char buffer_[4096];
  std::size_t buffered_ = 0, buffer_pos_ = 0;
  std::chrono::steady_clock::time_point read_deadline_{};
  bool in_head_ = true;
  unsigned head_tail_ = 0;  // the last bytes of the head seen, for "\r\n\r\n"
  std::size_t head_bytes_ = 0, head_lines_ = 0, body_bytes_ = 0;
  ReadFailure failure_ = ReadFailure::kNone;
  bool close_after_response_ = false;
};

// The client's address, for the log.
std::string peer_address(socket_t sock);

// The stream of the request the calling worker is serving, or null outside
// one: handlers use it to learn why reading failed and to close the connection.
GuardedStream* current_stream();

// httplib's server with its connection loop over a GuardedStream.
class GuardedHttpServer : public httplib::Server {
 public:
  ConnectionLimits limits;
  // Answers a connection that finds every worker busy; must not block.
  std::function<void(socket_t)> refuse;

  // Makes every connection loop end at its next read or wait.
  void stop_connections() { stopping_ = true; }

 private:
  bool process_and_close_socket(socket_t sock) override;

  std::atomic<bool> stopping_{false};
};

// At most `threads` connections served at once; a connection that finds all
// of them busy is run on a separate refusing thread, where the server's
// `refuse` answers it, instead of waiting in a queue.
class ConnectionPool : public httplib::TaskQueue {
 public:
  explicit ConnectionPool(unsigned threads);
  ~ConnectionPool() override;

  void enqueue(std::function<void()> fn) override;
  void shutdown() override;

  // True on the refusing thread: the connection it runs is to be refused.
  static bool refusing();

 private:
  void work();
  void refuse_overflow();
  // Runs the jobs of `queue` as they come until shutdown; `count_idle`: a
  // worker, free again after each job.
  void drain(std::deque<std::function<void()>>& queue, std::condition_variable& ready, bool count_idle);

  std::mutex mutex_;
  std::condition_variable ready_, overflow_ready_;
  std::deque<std::function<void()>> jobs_, overflow_;
  unsigned idle_;
  bool shutting_down_ = false;
  std::vector<std::thread> workers_;
  std::thread refuser_;
};

}  // namespace propscan::server
