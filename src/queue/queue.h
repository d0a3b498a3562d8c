// The article queue on NATS JetStream (docs/scale-out.md): `enqueue`
// publishes articles to a file-backed work-queue stream, `worker`s share one
// durable pull consumer with explicit acks and write into a store, `status`
// reads the consumer's counters and the workers' heartbeats.
//
// It lives in its own library (propscan_queue) so that only the command
// line links libnats. Every function throws propscan::Error with a one-line
// message naming the queue URL.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "io/input.h"

namespace propscan::queue {

// The names on the server, fixed so that every worker finds the same ones.
inline constexpr const char* kStream = "PROPSCAN_ARTICLES";
inline constexpr const char* kSubject = "propscan.articles";
inline constexpr const char* kConsumer = "propscan-workers";
inline constexpr const char* kDeadStream = "PROPSCAN_DEAD";
inline constexpr const char* kDeadSubject = "propscan.dead";
inline constexpr const char* kHeartbeats = "propscan-workers";  // key-value bucket

// Throws unless `url` is nats://HOST:PORT (or a comma-separated list of
// them, for a cluster).
void check_url(const std::string& url);

// An article as a message: the item's name, metadata and text (UTF-8), or
// the reader's error for an input that could not be read, in JSON.
std::string encode_item(const io::InputItem& item);
// The item a message holds; a message that is not one (or whose text is not
// valid UTF-8, or over the article limit) is a failed item named `name`.
io::InputItem decode_item(const std::string& name, const std::string& payload,
                          const io::InputLimits& limits = {});

struct ConsumerSettings {
  int ack_wait_seconds = 30;  // a message not acked by then is delivered again
  int max_deliver = 5;        // deliveries analysed; the next goes to kDeadSubject
};

struct QueueCounts {
  std::uint64_t stored = 0;       // messages in the stream (not yet acked)
  std::uint64_t pending = 0;      // not yet delivered
  std::int64_t in_flight = 0;     // delivered, not yet acked
  std::int64_t redelivered = 0;   // delivered more than once, not yet acked
  std::uint64_t dead = 0;         // in the dead-letter stream
  bool has_consumer = false;      // no worker has started yet when false
};

struct Heartbeat {
  std::string worker;      // "host-pid"
  std::int64_t at = 0;     // Unix time of the beat
  std::int64_t done = 0;   // messages acked since it started
  std::int64_t failed = 0;  // of which recorded as failures
  std::int64_t last_minute = 0;  // acked during the minute before `at`
  std::int64_t started = 0;      // Unix time the worker started
  // Messages a second over the last minute (or since it started, if later).
  double rate() const {
    const auto window = std::max<std::int64_t>(1, std::min<std::int64_t>(60, at - started));
    return static_cast<double>(last_minute) / static_cast<double>(window);
  }
};

// One connection to the server, with the streams created when missing.
// Reconnects by itself (the client library does it) while the server is
// away; `disconnected_seconds` says for how long it has been.
class Connection {
 public:
  explicit Connection(const std::string& url);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  const std::string& url() const { return url_; }
  // The largest message the server accepts (its max_payload), in bytes.
  std::int64_t max_payload() const;
  // Seconds since the connection was lost; 0 while connected.
  double disconnected_seconds() const;
  // How many times the connection was lost since it was made.
  int disconnections() const;

  // Publishes the messages of `publish` asynchronously, at most `window`
  // awaiting the server's ack at a time, then waits for every ack. Each
  // message is deduplicated by its id for the stream's window (2 minutes),
  // so running enqueue again after a failure does not queue twice.
  class Publisher;

  // The consumer (created, or its settings updated) and a pull subscription.
  class Subscription;

  QueueCounts counts();
  std::vector<Heartbeat> heartbeats();
  // Records a worker's heartbeat; a beat that cannot be sent is skipped.
  void beat(const Heartbeat& h);

 private:
  struct Impl;
  std::string url_;
  std::unique_ptr<Impl> impl_;
};

class Connection::Publisher {
 public:
  Publisher(Connection& c, int window);
  ~Publisher();
  // Throws when the message is larger than the server's max_payload.
  void publish(const std::string& name, const std::string& payload, const std::string& id);
  // Waits at most `timeout_seconds` for the outstanding acks; returns the
  // messages the server did not acknowledge, as one line each.
  std::vector<std::string> finish(int timeout_seconds);
  // Messages the server acknowledged so far, and of those the ones it had
  // already (the same text queued within the deduplication window).
  std::int64_t acked() const;
  std::int64_t duplicates() const;

  struct State;

 private:
  Connection& c_;
  std::unique_ptr<State> state_;
};

// A message fetched from the queue.
struct Delivery {
  std::uint64_t sequence = 0;  // in the stream
  std::uint64_t delivered = 0;  // how many times, this one included
  std::string payload;
  void* msg = nullptr;  // the natsMsg: freed by Subscription::ack or drop
};

class Connection::Subscription {
 public:
  Subscription(Connection& c, const ConsumerSettings& settings);
  ~Subscription();
  // Up to `batch` messages, waiting at most `timeout_ms` for the first;
  // empty when none came (or the server is away). The caller acks them
  // (ack), or drops them to be delivered again (drop).
  std::vector<Delivery> fetch(int batch, int timeout_ms);
  // The settings of the consumer on the server (another worker may have
  // created it).
  const ConsumerSettings& settings() const { return settings_; }
  // Tells the server these messages are still being worked on. Thread-safe.
  void in_progress(const std::vector<Delivery>& ds);
  // Copies a message to the dead-letter subject (acknowledged by the server).
  void dead_letter(const Delivery& d);
  // Acks the messages and frees them; returns how many acks could not be
  // sent (the server will deliver those again). Thread-safe.
  int ack(std::vector<Delivery>& ds);
  // Frees the messages unacked: the server delivers them again after AckWait.
  static void drop(std::vector<Delivery>& ds);

 private:
  Connection& c_;
  ConsumerSettings settings_;
  void* sub_ = nullptr;
};

}  // namespace propscan::queue
