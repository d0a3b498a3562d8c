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
#include "store/ingest.h"
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

// Runs until `stop` is set (the batches in flight are finished, committed
// and acked first), or with until_empty once nothing is pending or in
// flight. Two batches are in flight at a time, each over its own two
// connections from `open`, so that one commits while the next is analysed.
// Throws propscan::Error when the server stays away longer than
// unreachable_seconds, or when the store cannot be written (the batch is
// then left unacked, and delivered again).
WorkerSummary run_worker(Connection& queue, const store::StoreOpener& open, const Analyzer& analyzer,
                         const std::string& model, const WorkerOptions& options, const std::atomic<bool>& stop,
                         const WorkerHooks& hooks = {});

// The name a worker gives itself in the heartbeats: "HOST-PID".
std::string worker_name();

}  // namespace propscan::queue
