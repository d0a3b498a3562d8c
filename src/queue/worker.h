// A queue worker (`propscan worker`, docs/scale-out.md): fetches batches of
// articles from the queue, analyses each batch on N threads into the store
// the way `ingest` does (store/ingest.h: one transaction a batch, upsert on
// the text hash, failures recorded), and acks the batch only after its
// commit. A message delivered more than max_deliver times is moved to the
// dead letters and recorded as failed instead.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <string>

#include "propscan/analyzer.h"
#include "queue/queue.h"
#include "store/store.h"

namespace propscan::queue {

struct WorkerOptions {
  unsigned threads = 1;          // analysis threads
  int batch = 64;                // messages fetched at a time
  ConsumerSettings consumer;     // used when the worker sets the consumer up
  int unreachable_seconds = 60;  // give up when the server is away this long
  bool until_empty = false;      // stop once no message is pending or in flight
  bool reanalyse = false;        // re-analyse texts stored by another model (as ingest)
};

struct WorkerSummary {
  std::size_t done = 0;    // messages acked
  std::size_t failed = 0;  // of which recorded as failures (dead letters included)
  std::size_t dead = 0;    // moved to the dead letters
};

struct WorkerHooks {
  std::function<void(const std::string&)> message;  // a failure, a lost server...
};

// Runs until `stop` is set (the batch in flight is finished, committed and
// acked first), or with until_empty once the stream is empty. Throws
// propscan::Error when the server stays away longer than
// unreachable_seconds, or when the store cannot be written (the batch is
// then left unacked, and delivered again).
WorkerSummary run_worker(Connection& queue, store::Store& writer, store::Store& reader, const Analyzer& analyzer,
                         const std::string& model, const WorkerOptions& options, const std::atomic<bool>& stop,
                         const WorkerHooks& hooks = {});

// The name a worker gives itself in the heartbeats: "HOST-PID".
std::string worker_name();

}  // namespace propscan::queue
