// The scale-out commands (docs/scale-out.md): enqueue (articles onto the
// NATS JetStream queue), worker (queue to store), status (both sides).
#include <csignal>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli/common.h"
#include "io/input.h"
#include "propscan/analyzer.h"
#include "propscan/error.h"
#include "queue/queue.h"
#include "queue/worker.h"
#include "store/ingest.h"
#include "store/postgres_store.h"
#include "store/sha256.h"
#include "text/utf8.h"

namespace propscan::cli {
namespace {

// ---- enqueue -------------------------------------------------------------------

struct EnqueueArgs {
  std::vector<std::string> inputs;
  std::string queue;
  bool jsonl = false;
  int window = 256;
  int timeout = 60;
};

void run_enqueue(const EnqueueArgs& args) {
  queue::Connection conn(args.queue);
  queue::Connection::Publisher publisher(conn, args.window);
  std::size_t queued = 0, unreadable = 0, refused = 0;
  store::input_items(args.inputs, args.jsonl)([&](io::InputItem&& item) {
    // An article that cannot be read is queued too, as its error: a worker
    // records it with the store's failures, where the corpus's failures are.
    std::string id;
    if (item.ok()) {
      id = store::sha256_hex(text::encode_utf8(item.doc.text));
    } else {
      id = "failed:" + store::sha256_hex(item.name);
      std::cerr << "propscan: " << item.error << " (queued as a failure)\n";
      ++unreadable;
    }
    try {
      publisher.publish(item.name, queue::encode_item(item), id);
      ++queued;
    } catch (const Error& e) {
      std::cerr << "propscan: " << e.what() << '\n';
      ++refused;
    }
  });
  const auto errors = publisher.finish(args.timeout);
  for (const auto& e : errors) std::cerr << "propscan: " << e << '\n';
  const auto stored = publisher.acked() - publisher.duplicates();
  std::cerr << "propscan: enqueue: " << stored << " message" << (stored == 1 ? "" : "s") << " stored by "
            << args.queue << " (" << unreadable << " of them unreadable articles), " << publisher.duplicates()
            << " already queued (the same text), " << refused + errors.size() << " not queued\n";
  if (unreadable || refused || !errors.empty()) {
    fail(std::to_string(unreadable + refused + errors.size()) + " of " + std::to_string(queued + refused) +
         " articles could not be read or queued (listed above)");
  }
}

// ---- worker --------------------------------------------------------------------

struct WorkerArgs {
  std::string queue;
  std::string db;
  std::string model;
  double threshold = -1.0;
  unsigned threads = 0;
  queue::WorkerOptions options;
};

std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int) { g_stop = true; }

void run_worker(WorkerArgs& args) {
  set_compute_threads(1);  // articles run in parallel instead
  AnalyzerOptions analyzer_options;
  analyzer_options.threshold = args.threshold;
  const std::string model_path = resolve_model(args.model);
  const Analyzer analyzer(model_path, analyzer_options);
  args.options.threads = std::max(1u, args.threads ? args.threads : default_threads());
  queue::Connection conn(args.queue);
  // SIGTERM (and ^C) drain: the batch in flight is committed and acked.
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  queue::WorkerHooks hooks;
  hooks.message = [](const std::string& m) { std::cerr << "propscan: " << m << '\n'; };
  const auto name = queue::worker_name();
  std::cerr << "propscan: worker " << name << ": " << args.queue << " -> " << store::redact_url(args.db) << ", "
            << args.options.threads << " thread" << (args.options.threads == 1 ? "" : "s") << '\n';
  const auto r = queue::run_worker(conn, [&] { return store::open_store_at(args.db); }, analyzer,
                                   store::model_id(model_path, analyzer.threshold()), args.options, g_stop, hooks);
  std::cerr << "propscan: worker " << name << ": " << r.done << " article" << (r.done == 1 ? "" : "s") << " done, "
            << r.failed << " recorded as failed (" << r.dead << " dead letters)\n";
}

// ---- status --------------------------------------------------------------------

struct StatusArgs {
  std::string queue;
  std::string db;
  std::string format = "text";
};

void run_status(const StatusArgs& args) {
  queue::Connection conn(args.queue);
  const auto q = conn.counts();
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  std::vector<queue::Heartbeat> workers;
  for (const auto& h : conn.heartbeats()) {
    if (now - h.at <= 120) workers.push_back(h);  // older ones have stopped (or were killed)
  }
  std::optional<store::Counts> c;
  if (!args.db.empty()) {
    if (!store::store_exists(args.db)) throw Error(args.db + ": no such store");
    c = store::open_store_at(args.db)->counts();
  }
  if (args.format == "json") {
    nlohmann::json j;
    j["queue"] = {{"url", args.queue},       {"stored", q.stored},
                  {"pending", q.pending},    {"in_flight", q.in_flight},
                  {"redelivered", q.redelivered}, {"dead_letters", q.dead}};
    if (c) j["store"] = {{"articles", c->articles}, {"spans", c->spans}, {"failed", c->failures}};
    j["workers"] = nlohmann::json::array();
    for (const auto& h : workers) {
      j["workers"].push_back({{"worker", h.worker},
                              {"seen_seconds_ago", now - h.at},
                              {"done", h.done},
                              {"failed", h.failed},
                              {"last_minute", h.last_minute},
                              {"per_second", h.rate()}});
    }
    std::cout << j.dump() << '\n';
    return;
  }
  std::cout << "queue " << args.queue << ": " << q.pending << " pending, " << q.in_flight << " in flight ("
            << q.redelivered << " redelivered), " << q.dead << " dead letters\n";
  if (c) {
    std::cout << "store " << store::redact_url(args.db) << ": " << c->articles << " articles done (" << c->spans
              << " spans), " << c->failures << " failed\n";
  }
  std::cout << "workers seen in the last 2 minutes: " << workers.size() << '\n';
  std::int64_t total = 0;
  for (const auto& h : workers) {
    total += h.last_minute;
    char rate[32];
    std::snprintf(rate, sizeof rate, "%.1f", h.rate());
    std::cout << "  " << h.worker << ": " << h.last_minute << " articles in the last minute (" << rate << "/s), "
              << h.done << " since it started (" << h.failed << " failed), seen " << now - h.at << " s ago\n";
  }
  if (workers.size() > 1) std::cout << "  all: " << total << " articles in the last minute\n";
}

}  // namespace

void register_queue(CLI::App& app) {
  const auto queue_option = [](CLI::App* cmd, std::string& url) {
    cmd->add_option("--queue", url, "The NATS JetStream server: nats://HOST:PORT (a cluster: several, comma-separated)")
        ->required()
        ->check([](const std::string& url) {
          try {
            queue::check_url(url);
          } catch (const Error& e) {
            return std::string(e.what());
          }
          return std::string();
        });
  };
  {
    auto args = std::make_shared<EnqueueArgs>();
    auto* cmd = app.add_subcommand("enqueue", "Put articles on the queue for propscan worker");
    cmd->footer(
        "INPUT is what ingest reads (a .txt file, a directory, a .jsonl file, an .html page, - for\n"
        "stdin). Each article is one message of the stream PROPSCAN_ARTICLES, acknowledged by the\n"
        "server; an article bigger than the server's max_payload is refused with an error (the\n"
        "example config of docs/scale-out.md raises it to 16 MiB, above the 8 MiB article limit).\n"
        "An article that cannot be read is queued as its error, for the workers to record as failed.");
    cmd->add_option("inputs", args->inputs, "Files, directories, .jsonl files or -")->required();
    queue_option(cmd, args->queue);
    cmd->add_flag("--jsonl", args->jsonl, "Read every INPUT file (or stdin) as JSONL");
    cmd->add_option("--window", args->window, "Publishes awaiting the server's ack at a time")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    cmd->add_option("--timeout", args->timeout, "Seconds to wait for the last acks")
        ->check(CLI::Range(1, 3600))
        ->capture_default_str();
    cmd->callback(guarded([args] { run_enqueue(*args); }));
  }
  {
    auto args = std::make_shared<WorkerArgs>();
    auto* cmd = app.add_subcommand("worker", "Analyse articles from the queue into a store");
    cmd->footer(
        "Fetches batches from the shared durable consumer, analyses each on -j threads, writes it\n"
        "in one transaction (a text stored twice keeps one row) and acks it after the commit. An\n"
        "article that fails is recorded in the store's failures and acked; a message delivered more\n"
        "than --max-deliver times goes to the subject propscan.dead and is recorded as failed.\n"
        "SIGTERM finishes the batch in flight and exits 0. --ack-wait and --max-deliver set the\n"
        "shared consumer: start every worker with the same values.");
    queue_option(cmd, args->queue);
    cmd->add_option("--db", args->db, "The store: a postgresql://USER@HOST:PORT/DATABASE URL (or an SQLite file)")
        ->required();
    analysis_options(cmd, args->model, args->threshold, args->threads);
    cmd->add_option("--batch", args->options.batch, "Messages fetched (and committed) at a time")
        ->check(CLI::Range(1, 10000))
        ->capture_default_str();
    cmd->add_option("--ack-wait", args->options.consumer.ack_wait_seconds,
                    "Seconds before an unacked message is delivered again")
        ->check(CLI::Range(1, 3600))
        ->capture_default_str();
    cmd->add_option("--max-deliver", args->options.consumer.max_deliver, "Deliveries analysed before a dead letter")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    cmd->add_option("--unreachable", args->options.unreachable_seconds,
                    "Seconds without the queue server before giving up (exit 1)")
        ->check(CLI::Range(1, 86400))
        ->capture_default_str();
    cmd->add_flag("--reanalyse", args->options.reanalyse, "Re-analyse stored texts that another model analysed");
    cmd->add_flag("--until-empty", args->options.until_empty, "Exit once no message is pending or in flight");
    cmd->callback(guarded([args] { run_worker(*args); }));
  }
  {
    auto args = std::make_shared<StatusArgs>();
    auto* cmd = app.add_subcommand("status", "Progress of the queue, the store and the workers");
    cmd->footer(
        "Messages pending (not yet delivered), in flight (delivered, not acked) and redelivered;\n"
        "dead letters; the store's articles and failures; each worker's throughput over the last\n"
        "minute (from the heartbeats workers keep in the key-value bucket propscan-workers).");
    queue_option(cmd, args->queue);
    cmd->add_option("--db", args->db, "The store, to count its articles and failures");
    cmd->add_option("-f,--format", args->format, "Output: text, json")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
    cmd->callback(guarded([args] { run_status(*args); }));
  }
}

}  // namespace propscan::cli
