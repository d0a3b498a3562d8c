#include "queue/worker.h"

#include <unistd.h>

#include <cctype>
#include <chrono>
#include <condition_variable>
#include <deque>
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

WorkerSummary run_worker(Connection& queue, store::Store& writer, store::Store& reader, const Analyzer& analyzer,
                         const std::string& model, const WorkerOptions& options, const std::atomic<bool>& stop,
                         const WorkerHooks& hooks) {
  if (options.batch < 1) throw Error("--batch must be at least 1");
  const auto say = [&](const std::string& m) {
    if (hooks.message) hooks.message(m);
  };
  Connection::Subscription sub(queue, options.consumer);
  const ConsumerSettings& settings = sub.settings();
  WorkerSummary summary;
  Throughput throughput;
  Heartbeat beat;
  beat.worker = worker_name();
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
  bool was_away = false;

  while (!stop) {
    const double away = queue.disconnected_seconds();
    if (away > 0) {
      if (!was_away) say(queue.url() + ": lost the queue server; reconnecting");
      was_away = true;
      if (away > options.unreachable_seconds) {
        throw Error(queue.url() + ": the queue server has been unreachable for " +
                    std::to_string(options.unreachable_seconds) + " s");
      }
    } else if (was_away) {
      say(queue.url() + ": reconnected");
      was_away = false;
    }
    auto& batch = sub.fetch(options.batch, 1000);
    if (batch.empty()) {
      if (away > 0) continue;
      send_beat(false);
      if (options.until_empty) {
        const auto c = queue.counts();
        if (c.pending == 0 && c.in_flight == 0) break;
      }
      continue;
    }

    std::vector<io::InputItem> items;
    std::size_t dead = 0;
    for (const auto& d : batch) {
      const std::string name = std::string(kStream) + " message " + std::to_string(d.sequence);
      io::InputItem item = decode_item(name, d.payload);
      if (d.delivered > static_cast<std::uint64_t>(settings.max_deliver)) {
        sub.dead_letter(d);
        ++dead;
        item.error = item.name + ": delivered " + std::to_string(d.delivered) + " times, more than the " +
                     std::to_string(settings.max_deliver) + " allowed: moved to " + kDeadSubject;
      }
      items.push_back(std::move(item));
    }
    store::IngestOptions ingest;
    ingest.threads = options.threads;
    ingest.batch = items.size();  // one transaction for the batch
    ingest.reanalyse = options.reanalyse;
    store::IngestHooks ingest_hooks;
    ingest_hooks.failed = [&](const store::FailureRecord& f) { say(f.error); };
    store::IngestSummary r;
    {
      // Tells the server the batch is being worked on, so that a long one
      // is not delivered again to another worker meanwhile.
      const auto period = std::chrono::milliseconds(std::max(200, settings.ack_wait_seconds * 1000 / 3));
      Ticker keepalive(period, [&] { sub.in_progress(); });
      r = store::ingest(writer, reader, analyzer, model,
                        [&](const store::ItemSink& sink) {
                          for (auto& item : items) sink(std::move(item));
                        },
                        ingest, ingest_hooks);
    }
    const int unacked = sub.ack_all();
    if (unacked) say(queue.url() + ": " + std::to_string(unacked) + " acks not sent; those articles come back");
    summary.done += r.done;
    summary.failed += r.failed;
    summary.dead += dead;
    throughput.add(r.done);
    send_beat(false);
  }
  send_beat(true);
  return summary;
}

}  // namespace propscan::queue
