#include "queue/worker.h"

#include <unistd.h>

#include <cctype>
#include <chrono>
#include <array>
#include <condition_variable>
#include <deque>
#include <exception>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

#include "propscan/error.h"
#include "store/ingest.h"

namespace propscan::queue {
namespace {

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Acked messages over the last minute, for the heartbeats.
class Throughput {
 public:
  void add(std::size_t n) {
    samples_.emplace_back(std::chrono::steady_clock::now(), n);
    trim();
  }
  std::int64_t last_minute() {
    trim();
    std::int64_t n = 0;
    for (const auto& s : samples_) n += static_cast<std::int64_t>(s.second);
    return n;
  }

 private:
  void trim() {
    const auto cut = std::chrono::steady_clock::now() - std::chrono::minutes(1);
    while (!samples_.empty() && samples_.front().first < cut) samples_.pop_front();
  }
  std::deque<std::pair<std::chrono::steady_clock::time_point, std::size_t>> samples_;
};

// Calls `beat` every `period` from its own thread until destroyed.
class Ticker {
 public:
  Ticker(std::chrono::milliseconds period, std::function<void()> beat)
      : thread_([this, period, beat = std::move(beat)] {
          std::unique_lock lock(mutex_);
          while (!cv_.wait_for(lock, period, [&] { return done_; })) beat();
        }) {}
  ~Ticker() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace

std::string worker_name() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  std::string name;
  // Key-value keys allow letters, digits, '-', '_', '.' and '='.
  for (const char* p = host; *p; ++p) {
    const char c = *p;
    name += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '_';
  }
  return (name.empty() ? std::string("worker") : name) + "-" + std::to_string(getpid());
}

namespace {

// A batch being ingested, on connections of its own: two slots let one
// batch commit (and its acks go out) while the next is analysed.
struct Slot {
  std::unique_ptr<store::Store> writer, reader;
  std::vector<Delivery> messages;
  std::size_t dead = 0;
  std::future<store::IngestSummary> running;
  bool busy() const { return running.valid(); }
};

}  // namespace

WorkerSummary run_worker(Connection& queue, const store::StoreOpener& open, const Analyzer& analyzer,
                         const std::string& model, const WorkerOptions& options, const std::atomic<bool>& stop,
                         const WorkerHooks& hooks) {
  if (options.batch < 1) throw Error("--batch must be at least 1");
  std::mutex say_mutex;  // failures are reported from the slots' threads too
  const auto say = [&](const std::string& m) {
    std::lock_guard lock(say_mutex);
    if (hooks.message) hooks.message(m);
  };
  Connection::Subscription sub(queue, options.consumer);
  const ConsumerSettings& settings = sub.settings();
  std::array<Slot, 2> slots;
  for (auto& slot : slots) {
    slot.writer = open();
    slot.reader = open();
  }
  WorkerSummary summary;
  Throughput throughput;
  Heartbeat beat;
  beat.worker = worker_name();
  beat.started = unix_now();
  auto last_beat = std::chrono::steady_clock::now() - std::chrono::hours(1);
  const auto send_beat = [&](bool force) {
    const auto now = std::chrono::steady_clock::now();
    if (!force && now - last_beat < std::chrono::seconds(2)) return;
    last_beat = now;
    beat.at = unix_now();
    beat.done = static_cast<std::int64_t>(summary.done);
    beat.failed = static_cast<std::int64_t>(summary.failed);
    beat.last_minute = throughput.last_minute();
    queue.beat(beat);
  };
  // Waits for a slot's batch, then acks it: only after its commit.
  const auto finish = [&](Slot& slot) {
    store::IngestSummary r;
    try {
      r = slot.running.get();
    } catch (...) {
      Connection::Subscription::drop(slot.messages);  // delivered again after AckWait
      throw;
    }
    const int unacked = sub.ack(slot.messages);
    if (unacked) say(queue.url() + ": " + std::to_string(unacked) + " acks not sent; those articles come back");
    summary.done += r.done;
    summary.failed += r.failed;
    summary.dead += slot.dead;
    throughput.add(r.done);
    send_beat(true);  // one small write a batch
  };
  const auto finish_all = [&] {
    std::exception_ptr error;
    for (auto& slot : slots) {
      if (!slot.busy()) continue;
      try {
        finish(slot);
      } catch (...) {
        if (!error) error = std::current_exception();
      }
    }
    if (error) std::rethrow_exception(error);
  };

  try {
    int disconnections = queue.disconnections();
    std::size_t next = 0;  // the slot the next batch goes to (the older one when both are busy)
    while (!stop) {
      for (auto& slot : slots) {
        if (slot.busy() && slot.running.wait_for(std::chrono::seconds(0)) == std::future_status::ready) finish(slot);
      }
      Slot& slot = slots[next];
      if (slot.busy()) {
        finish(slot);  // both busy: wait for the older
        continue;
      }
      const double away = queue.disconnected_seconds();
      if (queue.disconnections() != disconnections) {
        disconnections = queue.disconnections();
        say(queue.url() + (away > 0 ? ": lost the queue server; reconnecting" : ": lost the queue server; reconnected"));
      }
      if (away > options.unreachable_seconds) {
        throw Error(queue.url() + ": the queue server has been unreachable for " +
                    std::to_string(options.unreachable_seconds) + " s");
      }
      // Waiting briefly when told to stop at the end: the last empty fetch
      // is part of the run.
      auto batch = sub.fetch(options.batch, options.until_empty ? 200 : 1000);
      if (batch.empty()) {
        if (away > 0) continue;
        send_beat(false);
        if (options.until_empty && !slots[0].busy() && !slots[1].busy()) {
          const auto c = queue.counts();
          if (c.pending == 0 && c.in_flight == 0) break;
        }
        continue;
      }

      auto items = std::make_shared<std::vector<io::InputItem>>();
      slot.dead = 0;
      for (const auto& d : batch) {
        const std::string name = std::string(kStream) + " message " + std::to_string(d.sequence);
        io::InputItem item = decode_item(name, d.payload);
        if (d.delivered > static_cast<std::uint64_t>(settings.max_deliver)) {
          sub.dead_letter(d);
          ++slot.dead;
          item.error = item.name + ": delivered " + std::to_string(d.delivered) + " times, more than the " +
                       std::to_string(settings.max_deliver) + " allowed: moved to " + kDeadSubject;
        }
        items->push_back(std::move(item));
      }
      slot.messages = std::move(batch);
      store::IngestOptions ingest;
      ingest.threads = options.threads;
      ingest.batch = items->size();  // one transaction for the batch
      ingest.reanalyse = options.reanalyse;
      slot.running = std::async(std::launch::async, [&, items, ingest, &slot = slot] {
        // Tells the server the batch is being worked on, so that a long one
        // is not delivered again to another worker meanwhile.
        const auto period = std::chrono::milliseconds(std::max(200, settings.ack_wait_seconds * 1000 / 3));
        Ticker keepalive(period, [&] { sub.in_progress(slot.messages); });
        store::IngestHooks ingest_hooks;
        ingest_hooks.failed = [&](const store::FailureRecord& f) { say(f.error); };
        return store::ingest(*slot.writer, *slot.reader, analyzer, model,
                             [items](const store::ItemSink& sink) {
                               for (auto& item : *items) sink(std::move(item));
                             },
                             ingest, ingest_hooks);
      });
      next = 1 - next;
    }
    finish_all();
  } catch (...) {
    try {
      finish_all();
    } catch (...) {
    }
    throw;
  }
  send_beat(true);
  return summary;
}

}  // namespace propscan::queue
