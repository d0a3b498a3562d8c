#include "store/ingest.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>

#include "propscan/error.h"
#include "store/dates.h"
#include "store/sha256.h"
#include "text/tokenizer.h"
#include "text/utf8.h"

namespace propscan::store {
namespace {

// A queue between threads with room for `capacity` items; abort() wakes
// everyone and drops what is left.
template <typename T>
class Queue {
 public:
  explicit Queue(std::size_t capacity) : capacity_(capacity) {}
  // False when the queue was aborted.
  bool push(T item) {
    std::unique_lock lock(mutex_);
    room_.wait(lock, [&] { return items_.size() < capacity_ || aborted_; });
    if (aborted_) return false;
    items_.push_back(std::move(item));
    ready_.notify_one();
    return true;
  }
  // Waits at most `timeout`; false when nothing came (see finished()).
  bool pop(T& out, std::chrono::milliseconds timeout = std::chrono::hours(24)) {
    std::unique_lock lock(mutex_);
    ready_.wait_for(lock, timeout, [&] { return !items_.empty() || closed_ || aborted_; });
    if (items_.empty() || aborted_) return false;
    out = std::move(items_.front());
    items_.pop_front();
    room_.notify_one();
    return true;
  }
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    ready_.notify_all();
  }
  void abort() {
    std::lock_guard lock(mutex_);
    aborted_ = true;
    items_.clear();
    ready_.notify_all();
    room_.notify_all();
  }
  // Closed (or aborted) and empty: nothing more will come.
  bool finished() {
    std::lock_guard lock(mutex_);
    return (closed_ && items_.empty()) || aborted_;
  }

 private:
  std::size_t capacity_;
  std::deque<T> items_;
  bool closed_ = false, aborted_ = false;
  std::mutex mutex_;
  std::condition_variable ready_, room_;
};

struct Job {
  io::InputItem item;
  std::optional<NormalisedDate> date;
  std::string text;  // UTF-8
  std::string hash;
};

struct Outcome {
  enum Kind { kArticle, kFailure, kSkipped } kind = kSkipped;
  ArticleRecord article;
  FailureRecord failure;
};

Outcome failure_of(const std::string& input, const std::string& error) {
  Outcome o;
  o.kind = Outcome::kFailure;
  o.failure = {input, error};
  return o;
}

ArticleRecord record_of(Job&& job, const Analysis& analysis, const std::string& model) {
  ArticleRecord a;
  const Document& doc = job.item.doc;
  a.input = job.item.name;
  a.ext_id = doc.id;
  a.source = doc.source;
  a.published = job.date;
  a.url = doc.url;
  a.title = doc.title;
  a.text = std::move(job.text);
  a.text_hash = job.hash;
  a.chars = static_cast<std::int64_t>(doc.text.size());
  a.words = count_words(doc.text);
  a.propaganda_score = analysis.propaganda_score;
  a.spans = analysis.spans;
  a.explanations = analysis.explanations;
  a.topics = job.item.topics;
  a.model = model;
  return a;
}

}  // namespace

std::string model_id(const std::string& path, double threshold) {
  std::ifstream in(path, std::ios::binary);
  unsigned char header[24] = {};
  in.read(reinterpret_cast<char*>(header), sizeof header);
  std::uint32_t crc = 0;
  for (int i = 0; i < 4; ++i) crc |= static_cast<std::uint32_t>(header[12 + i]) << (8 * i);
  char buf[64];
  std::snprintf(buf, sizeof buf, "@%08x threshold %.4f", crc, threshold);
  const auto slash = path.find_last_of('/');
  return (slash == std::string::npos ? path : path.substr(slash + 1)) + buf;
}

std::int64_t count_words(std::u32string_view text) {
  std::int64_t n = 0;
  for (const auto& t : text::tokenize(text)) {
    n += t.kind == text::TokenKind::kWord || t.kind == text::TokenKind::kNumber;
  }
  return n;
}

ItemSource input_items(std::vector<std::string> inputs, bool jsonl) {
  return [inputs = std::move(inputs), jsonl](const ItemSink& sink) {
    for (const auto& in : inputs) {
      // What the sink throws (a store error, a stop) ends the reading; only
      // an input that cannot be opened is the input's failure.
      std::exception_ptr sink_error;
      const auto guarded = [&](io::InputItem&& item) {
        try {
          sink(std::move(item));
        } catch (...) {
          sink_error = std::current_exception();
          throw;
        }
      };
      try {
        io::read_input(in, jsonl, {}, guarded);
      } catch (const Error& e) {
        if (sink_error) std::rethrow_exception(sink_error);
        io::InputItem failed;
        failed.name = in;
        failed.error = e.what();
        sink(std::move(failed));
      }
    }
  };
}

IngestSummary ingest(const StoreOpener& open, const Analyzer& analyzer, const std::string& model,
                     const ItemSource& items, const IngestOptions& options, const IngestHooks& hooks) {
  if (options.batch == 0) throw Error("--batch must be at least 1");
  auto writer = open();
  auto reader = open();
  return ingest(*writer, *reader, analyzer, model, items, options, hooks);
}

IngestSummary ingest(Store& writer_store, Store& reader_store, const Analyzer& analyzer, const std::string& model,
                     const ItemSource& items, const IngestOptions& options, const IngestHooks& hooks) {
  if (options.batch == 0) throw Error("--batch must be at least 1");

  const unsigned threads = std::max(1u, options.threads);
  Queue<Job> jobs(4 * threads);
  Queue<Outcome> outcomes(4 * threads + 2 * options.batch);
  std::exception_ptr reader_error;
  std::atomic<bool> stopping{false};

  std::thread reader([&] {
    try {
      items([&](io::InputItem&& item) {
        if (stopping) throw Error("stopped");
        if (!item.ok()) {
          outcomes.push(failure_of(item.name, item.error));
          return;
        }
        Job job;
        if (!item.doc.date.empty()) {
          job.date = normalise_date(item.doc.date);
          if (!job.date) {
            outcomes.push(failure_of(item.name, item.name + ": " + date_error(item.doc.date)));
            return;
          }
        }
        job.text = text::encode_utf8(item.doc.text);
        job.hash = sha256_hex(job.text);
        const Known known = reader_store.lookup(job.hash, model);
        if (known == Known::kSameModel || (known == Known::kOtherModel && !options.reanalyse)) {
          outcomes.push(Outcome{});
          return;
        }
        job.item = std::move(item);
        jobs.push(std::move(job));
      });
    } catch (...) {
      if (!stopping) reader_error = std::current_exception();
    }
    jobs.close();
  });

  std::atomic<unsigned> running{threads};
  const auto work = [&] {
    Job job;
    while (jobs.pop(job) || !jobs.finished()) {
      if (job.hash.empty()) continue;
      Outcome o;
      try {
        const Analysis analysis = analyzer.analyze(job.item.doc);
        o.kind = Outcome::kArticle;
        o.article = record_of(std::move(job), analysis, model);
      } catch (const Error& e) {
        o = failure_of(job.item.name, job.item.name + ": " + e.what());
      } catch (const std::bad_alloc&) {
        o = failure_of(job.item.name, job.item.name + ": out of memory");
      }
      job = Job{};
      if (!outcomes.push(std::move(o))) break;
    }
    if (--running == 0) outcomes.close();
  };
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) pool.emplace_back(work);

  IngestSummary summary;
  std::vector<ArticleRecord> articles;
  std::vector<FailureRecord> failures;
  std::size_t pending = 0, skipped = 0;
  auto oldest = std::chrono::steady_clock::now();
  const auto commit = [&] {
    if (pending == 0) return;
    const auto r = writer_store.write_batch(articles, failures);
    summary.added += r.added;
    summary.replaced += r.replaced;
    summary.unchanged += r.unchanged + skipped;
    summary.failed += failures.size();
    summary.done += pending;
    if (hooks.failed) {
      for (const auto& f : failures) hooks.failed(f);
    }
    articles.clear();
    failures.clear();
    pending = skipped = 0;
    if (hooks.committed) hooks.committed(summary.done);
  };
  try {
    for (;;) {
      Outcome o;
      const bool got = outcomes.pop(o, std::chrono::milliseconds(200));
      if (got) {
        if (pending == 0) oldest = std::chrono::steady_clock::now();
        ++pending;
        if (o.kind == Outcome::kArticle) articles.push_back(std::move(o.article));
        if (o.kind == Outcome::kFailure) failures.push_back(std::move(o.failure));
        if (o.kind == Outcome::kSkipped) ++skipped;
      } else if (outcomes.finished()) {
        break;
      }
      if (pending >= options.batch ||
          (pending && std::chrono::steady_clock::now() - oldest > std::chrono::seconds(1))) {
        commit();
      }
    }
    commit();
  } catch (...) {
    stopping = true;
    jobs.abort();
    outcomes.abort();
    reader.join();
    for (auto& t : pool) t.join();
    throw;
  }
  reader.join();
  for (auto& t : pool) t.join();
  if (reader_error) std::rethrow_exception(reader_error);
  return summary;
}

}  // namespace propscan::store
