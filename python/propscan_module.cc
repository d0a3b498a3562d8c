// propscan._propscan: the runtime library for Python (docs/python.md).
//
// Text crosses the boundary as UTF-8 and is decoded by the same function as
// the command line's input (io::document_from_bytes), so a bad article fails
// with the same one-line message. Offsets stay code points, which is what a
// Python str indexes. The analysis itself runs with the GIL released; many
// articles run on a pool of std::threads (Stream) that keeps input order and
// holds a bounded window of articles in memory.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "io/input.h"
#include "propscan/analyzer.h"
#include "propscan/error.h"
#include "propscan/technique.h"
#include "propscan/version.h"
#include "store/dates.h"
#include "store/ingest.h"
#include "store/json.h"
#include "store/postgres_store.h"
#include "store/store.h"
#include "writers/writers.h"

namespace py = pybind11;

namespace propscan::python {
namespace {

// A Python str from code points (no UTF-8 round trip).
py::str to_str(std::u32string_view text) {
  PyObject* s = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, text.data(), static_cast<Py_ssize_t>(text.size()));
  if (!s) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(s);
}

// The UTF-8 bytes of an article given as str or bytes. A str holding lone
// surrogates (which Python allows) is encoded as they are, so that the
// decoder rejects it as the command line would ("invalid UTF-8 at byte N").
std::string utf8_of(py::handle text, const char* what) {
  if (PyBytes_Check(text.ptr())) return std::string(py::reinterpret_borrow<py::bytes>(text));
  if (PyByteArray_Check(text.ptr())) {
    return std::string(PyByteArray_AsString(text.ptr()), static_cast<std::size_t>(PyByteArray_Size(text.ptr())));
  }
  if (!PyUnicode_Check(text.ptr())) {
    throw py::type_error(std::string(what) + " must be str or bytes, not " +
                         std::string(py::str(py::type::handle_of(text).attr("__name__"))));
  }
  // A temporary bytes object, not PyUnicode_AsUTF8: that one keeps a UTF-8
  // copy inside every str for its lifetime, doubling a corpus in memory.
  PyObject* raw = PyUnicode_AsUTF8String(text.ptr());
  if (!raw) {
    PyErr_Clear();
    raw = PyUnicode_AsEncodedString(text.ptr(), "utf-8", "surrogatepass");
    if (!raw) throw py::error_already_set();
  }
  return std::string(py::reinterpret_steal<py::bytes>(raw));
}

std::string optional_utf8(py::handle value, const char* what) {
  if (value.is_none()) return {};
  return utf8_of(value, what);
}

// One article as it arrives: raw bytes and metadata, decoded off the GIL.
struct Job {
  std::string id;
  std::string bytes;
  std::string title, source, date, url;
};

Job make_job(py::handle text, py::handle id, py::handle title, py::handle source, py::handle date, py::handle url,
             const std::string& default_id) {
  Job job;
  if (id.is_none()) {
    job.id = default_id;
  } else if (PyLong_Check(id.ptr())) {
    job.id = std::string(py::str(id));  // as the command line reads JSONL ids
  } else {
    job.id = utf8_of(id, "id");
  }
  job.bytes = utf8_of(text, "text");
  job.title = optional_utf8(title, "title");
  job.source = optional_utf8(source, "source");
  job.date = optional_utf8(date, "date");
  job.url = optional_utf8(url, "url");
  return job;
}

// What analyze() returns: the document and its analysis, immutable.
struct Result {
  Document doc;
  Analysis analysis;
};

// Decodes and analyses one article; throws propscan::Error with the command
// line's message. Called without the GIL.
Result run_job(const Analyzer& analyzer, Job&& job) {
  Result r;
  // The article is named by its id, as the command line names a JSONL line.
  r.doc = io::document_from_bytes(job.id, job.id, job.bytes);
  job.bytes.clear();
  job.bytes.shrink_to_fit();
  r.doc.title = std::move(job.title);
  r.doc.source = std::move(job.source);
  r.doc.date = std::move(job.date);
  r.doc.url = std::move(job.url);
  r.analysis = analyzer.analyze(r.doc);
  return r;
}

// Any failure as one line, as the command line reports it.
std::string failure_message(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const Error& err) {
    return err.what();
  } catch (const std::bad_alloc&) {
    return "out of memory";
  } catch (const std::exception& err) {
    return std::string("unexpected error: ") + err.what();
  }
}

// One span as Python sees it.
struct PySpan {
  std::string technique;
  std::string name;
  Offset start = 0;
  Offset end = 0;
  double score = 0.0;
  std::u32string text;
  int sentence = -1;
  std::string voice = "author";
  std::string speaker;
  std::optional<double> precision_estimate;
  struct Cue {
    Offset start, end;
    std::string kind, reason;
  };
  std::vector<Cue> evidence;
};

std::vector<PySpan> spans_of(const Result& r) {
  std::vector<PySpan> out;
  out.reserve(r.analysis.spans.size());
  for (std::size_t k = 0; k < r.analysis.spans.size(); ++k) {
    const Span& s = r.analysis.spans[k];
    PySpan p;
    if (s.technique) {
      p.technique = std::string(technique_label(*s.technique));
      p.name = std::string(technique_name(*s.technique));
    }
    p.start = s.start;
    p.end = s.end;
    p.score = s.score;
    p.text = r.doc.text.substr(static_cast<std::size_t>(s.start), static_cast<std::size_t>(s.end - s.start));
    p.sentence = r.analysis.span_sentence[k];
    if (k < r.analysis.explanations.size()) {
      const auto& e = r.analysis.explanations[k];
      p.voice = e.voice == Voice::kQuoted ? "quoted" : "author";
      p.speaker = e.speaker;
      p.precision_estimate = e.precision_estimate;
      for (const auto& ev : e.evidence) p.evidence.push_back({ev.start, ev.end, ev.kind, ev.reason});
    }
    out.push_back(std::move(p));
  }
  return out;
}

// Many articles on `threads` workers. next() reads articles from the Python
// iterator (with the GIL) until `window` are in flight, then waits (without
// the GIL) for the oldest: results come in input order, and memory holds at
// most `window` articles however long the iterable is.
class Stream {
 public:
  Stream(std::shared_ptr<const Analyzer> analyzer, py::object items, unsigned threads, std::size_t window)
      : analyzer_(std::move(analyzer)), items_(std::move(items)), threads_(std::max(1u, threads)),
        window_(std::max<std::size_t>(window, threads_)) {}

  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  ~Stream() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    work_cv_.notify_all();
    // Workers never take the GIL, so joining while holding it cannot
    // deadlock; each finishes at most the article it is on.
    for (auto& t : pool_) t.join();
  }

  py::object next() {
    // next() waits without the GIL: a second thread must not take the same
    // result meanwhile.
    if (busy_) throw py::value_error("analyze_many: the results are already being read by another thread");
    busy_ = true;
    struct Done {
      bool& flag;
      ~Done() { flag = false; }
    } done{busy_};
    if (pool_.empty()) {
      for (unsigned t = 0; t < threads_; ++t) pool_.emplace_back([this] { work(); });
    }
    fill();
    if (in_flight_.empty()) throw py::stop_iteration();
    std::shared_ptr<Slot> head = in_flight_.front();
    {
      py::gil_scoped_release release;
      std::unique_lock lock(mutex_);
      done_cv_.wait(lock, [&] { return head->done; });
    }
    in_flight_.pop_front();
    if (!head->error.empty()) throw Error(head->error);
    return py::cast(std::move(*head->result));
  }

 private:
  struct Slot {
    Job job;
    std::optional<Result> result;
    std::string error;
    bool done = false;
  };

  void fill() {
    while (!exhausted_ && in_flight_.size() < window_) {
      PyObject* raw = PyIter_Next(items_.ptr());
      if (!raw) {
        if (PyErr_Occurred()) throw py::error_already_set();  // the iterable's own error
        exhausted_ = true;
        break;
      }
      const auto item = py::reinterpret_steal<py::object>(raw);
      auto slot = std::make_shared<Slot>();
      in_flight_.push_back(slot);
      const std::size_t position = position_++;
      try {
        slot->job = job_of(item, position);
      } catch (py::error_already_set& e) {
        // An item that is no article fails in its place, like a bad JSONL line.
        slot->error = std::to_string(position) + ": " + e.what();
        slot->done = true;
        continue;
      } catch (const std::exception& e) {
        slot->error = std::to_string(position) + ": " + e.what();
        slot->done = true;
        continue;
      }
      {
        std::lock_guard lock(mutex_);
        todo_.push_back(slot);
      }
      work_cv_.notify_one();
    }
  }

  // A str or bytes article, or a mapping with "text" and optional "id",
  // "title", "source", "date", "url" (a JSONL record, a dict, a DataFrame row).
  static Job job_of(py::handle item, std::size_t position) {
    const std::string default_id = std::to_string(position);
    if (PyUnicode_Check(item.ptr()) || PyBytes_Check(item.ptr()) || PyByteArray_Check(item.ptr())) {
      return make_job(item, py::none(), py::none(), py::none(), py::none(), py::none(), default_id);
    }
    if (!py::hasattr(item, "get")) {
      throw Error("expected str, bytes or a mapping with 'text', not " +
                  std::string(py::str(py::type::handle_of(item).attr("__name__"))));
    }
    auto get = item.attr("get");
    py::object text = get("text");
    if (text.is_none()) throw Error("missing field 'text'");
    return make_job(text, get("id"), get("title"), get("source"), get("date"), get("url"), default_id);
  }

  void work() {
    for (;;) {
      std::shared_ptr<Slot> slot;
      {
        std::unique_lock lock(mutex_);
        work_cv_.wait(lock, [&] { return stop_ || !todo_.empty(); });
        if (stop_) return;
        slot = std::move(todo_.front());
        todo_.pop_front();
      }
      std::optional<Result> result;
      std::string error;
      try {
        result = run_job(*analyzer_, std::move(slot->job));
      } catch (...) {
        error = failure_message(std::current_exception());
      }
      {
        std::lock_guard lock(mutex_);
        slot->result = std::move(result);
        slot->error = std::move(error);
        slot->done = true;
      }
      done_cv_.notify_all();
    }
  }

  std::shared_ptr<const Analyzer> analyzer_;
  py::object items_;  // a Python iterator
  unsigned threads_;
  std::size_t window_;
  std::size_t position_ = 0;
  bool exhausted_ = false;
  bool busy_ = false;  // touched with the GIL only
  std::deque<std::shared_ptr<Slot>> in_flight_;  // touched with the GIL only

  std::mutex mutex_;
  std::condition_variable work_cv_, done_cv_;
  std::deque<std::shared_ptr<Slot>> todo_;
  bool stop_ = false;
  std::vector<std::thread> pool_;
};

// ---- The corpus store --------------------------------------------------------

// The store at a path, as `propscan stats/search/ingest --db` opens it. The
// connection is not thread-safe, so every call holds `mutex_`, which is
// taken only after the GIL is released (a thread holding the mutex may need
// the GIL: ingest reads Python items).
class PyStore {
 public:
  PyStore(std::string location, bool create) : location_(std::move(location)) {
    py::gil_scoped_release release;
    if (!create && !store::store_exists(location_)) {
      throw Error(location_ + ": no such store (create it with propscan ingest)");
    }
    store_ = store::open_store_at(location_);
  }

  const std::string& location() const { return location_; }

  // Runs `f(store)` without the GIL, holding the connection.
  template <typename F>
  auto with_store(F&& f) {
    py::gil_scoped_release release;
    std::lock_guard lock(mutex_);
    if (!store_) throw Error(location_ + ": the store is closed");
    return f(*store_);
  }

  void close() {
    py::gil_scoped_release release;
    std::lock_guard lock(mutex_);
    store_.reset();
  }

 private:
  std::string location_;
  std::mutex mutex_;
  std::unique_ptr<store::Store> store_;
};

// The day of a `since`/`until` argument, as `propscan stats --since` reads
// it; the message names the argument.
std::string day_of(const std::string& given, const char* what) {
  if (given.empty()) return {};
  const auto d = store::normalise_date(given);
  if (!d) throw Error(std::string(what) + ": " + store::date_error(given));
  return d->day;
}

store::StatsQuery stats_query(const std::vector<std::string>& by, const std::string& source, const std::string& topic,
                              const std::string& since, const std::string& until, int top) {
  store::StatsQuery q;
  for (const auto& name : by) {
    const auto d = store::parse_dimension(name);
    if (!d) throw Error("by: unknown group '" + name + "' (source, day, week, month, technique, topic)");
    if (std::find(q.by.begin(), q.by.end(), *d) != q.by.end()) throw Error("by: '" + name + "' given twice");
    q.by.push_back(*d);
  }
  if (top < 0) throw Error("top must be at least 0, not " + std::to_string(top));
  q.source = source;
  q.topic = topic;
  q.since = day_of(since, "since");
  q.until = day_of(until, "until");
  q.top = top;
  return q;
}

// The items of Store.ingest: a str is a path (what `propscan ingest` reads:
// a file, a directory, JSONL, HTML); a mapping is one article ("text", and
// optionally "id", "title", "source", "date", "url", "topics"), named by its
// id (default: its position) in failures. Runs on ingest's reader thread:
// the iterator is read with the GIL, everything else without.
store::ItemSource python_items(py::object iterator, bool jsonl) {
  return [iterator = std::move(iterator), jsonl](const store::ItemSink& sink) {
    for (std::size_t position = 0;; ++position) {
      std::optional<std::string> path;
      io::InputItem item;
      std::string bytes;
      {
        py::gil_scoped_acquire gil;
        PyObject* raw = PyIter_Next(iterator.ptr());
        if (!raw) {
          if (PyErr_Occurred()) throw py::error_already_set();
          return;
        }
        const auto obj = py::reinterpret_steal<py::object>(raw);
        item.name = std::to_string(position);
        try {
          if (PyUnicode_Check(obj.ptr()) || PyBytes_Check(obj.ptr()) || py::hasattr(obj, "__fspath__")) {
            // As the os module names files: bytes as they are, str in the
            // file system's encoding.
            PyObject* encoded = nullptr;
            if (!PyUnicode_FSConverter(obj.ptr(), &encoded)) throw py::error_already_set();
            path = std::string(py::reinterpret_steal<py::bytes>(encoded));
          } else if (py::hasattr(obj, "get")) {
            auto get = obj.attr("get");
            const py::object id = get("id");
            if (!id.is_none()) item.name = PyLong_Check(id.ptr()) ? std::string(py::str(id)) : utf8_of(id, "id");
            const py::object text = get("text");
            if (text.is_none()) throw Error("missing field 'text'");
            bytes = utf8_of(text, "text");
            item.doc.title = optional_utf8(get("title"), "title");
            item.doc.source = optional_utf8(get("source"), "source");
            item.doc.date = optional_utf8(get("date"), "date");
            item.doc.url = optional_utf8(get("url"), "url");
            const py::object topics = get("topics");
            if (PyUnicode_Check(topics.ptr())) {
              item.topics.push_back(utf8_of(topics, "topics"));
            } else if (!topics.is_none()) {
              for (py::handle t : topics) item.topics.push_back(utf8_of(t, "topics"));
            }
          } else {
            throw Error("expected a path or a mapping with 'text', not " +
                        std::string(py::str(py::type::handle_of(obj).attr("__name__"))));
          }
        } catch (py::error_already_set& e) {
          item.error = item.name + ": " + e.what();
        } catch (const std::exception& e) {
          item.error = item.name + ": " + e.what();
        }
      }
      if (path) {
        store::input_items({*path}, jsonl)(sink);
        continue;
      }
      if (item.ok()) {
        try {
          Document doc = io::document_from_bytes(item.name, item.name, bytes);
          doc.title = std::move(item.doc.title);
          doc.source = std::move(item.doc.source);
          doc.date = std::move(item.doc.date);
          doc.url = std::move(item.doc.url);
          item.doc = std::move(doc);
        } catch (const Error& e) {
          item.error = e.what();
        }
      }
      sink(std::move(item));
    }
  };
}

}  // namespace
}  // namespace propscan::python

PYBIND11_MODULE(_propscan, m) {
  using namespace propscan;
  using namespace propscan::python;
  m.doc() = "The propscan runtime library (the native part of the propscan package; use `import propscan`).";
  m.attr("__version__") = std::string(kVersion);

  py::register_exception<Error>(m, "Error", PyExc_ValueError);

  m.def("default_model_path", &default_model_path,
        "The model the runtime finds when none is given ($PROPSCAN_MODEL, the install's share/propscan/, the "
        "source tree); empty when none is found.");
  m.def("find_model", &find_model, py::arg("model"),
        "The model file a name names: fast or accurate (the shipped models; raises when the one named is not "
        "installed), a path as it is, empty for default_model_path().");
  m.def("set_compute_threads", &set_compute_threads, py::arg("threads"),
        "Threads OpenBLAS may use inside one analysis (process-wide).");
  m.def(
      "techniques",
      [] {
        py::list out;
        for (Technique t : all_techniques()) {
          out.append(py::make_tuple(std::string(technique_label(t)), std::string(technique_name(t)),
                                    std::string(technique_definition(t))));
        }
        return out;
      },
      "(label, name, definition) of the 14 techniques, in label order.");

  py::class_<PySpan>(m, "Span", "One passage: a technique, its place in the article and its score.")
      .def_readonly("technique", &PySpan::technique, "The exact corpus label, e.g. 'Name_Calling,Labeling'.")
      .def_readonly("name", &PySpan::name, "A readable name, e.g. 'Name calling / labeling'.")
      .def_readonly("start", &PySpan::start, "First code point (index into the article's str).")
      .def_readonly("end", &PySpan::end, "One past the last code point.")
      .def_readonly("score", &PySpan::score, "The model's score in [0, 1].")
      .def_property_readonly("text", [](const PySpan& s) { return to_str(s.text); }, "text[start:end]")
      .def_readonly("sentence", &PySpan::sentence, "Index in Result.sentences of the sentence the span starts in.")
      .def_readonly("voice", &PySpan::voice, "'author' (the writer's own prose) or 'quoted' (inside a quotation).")
      .def_readonly("speaker", &PySpan::speaker, "Who the article says is speaking, for a quotation; else ''.")
      .def_readonly("precision_estimate", &PySpan::precision_estimate,
                    "Share of held-out passages scored like this one that matched annotated text; None without a "
                    "calibrated model.")
      .def_property_readonly(
          "evidence",
          [](const PySpan& s) {
            py::list out;
            for (const auto& c : s.evidence) out.append(py::make_tuple(c.start, c.end, c.kind, c.reason));
            return out;
          },
          "(start, end, kind, reason) of the words that weighed most, strongest first.")
      .def("__repr__", [](const PySpan& s) {
        return "Span(" + std::to_string(s.start) + ", " + std::to_string(s.end) + ", '" + s.technique + "', score=" +
               std::string(py::str(py::float_(s.score))) + ")";
      });

  py::class_<Result>(m, "Result", "The analysis of one article.")
      .def_property_readonly("id", [](const Result& r) { return r.doc.id; })
      .def_property_readonly("title", [](const Result& r) { return r.doc.title; })
      .def_property_readonly("source", [](const Result& r) { return r.doc.source; })
      .def_property_readonly("date", [](const Result& r) { return r.doc.date; })
      .def_property_readonly("url", [](const Result& r) { return r.doc.url; })
      .def_property_readonly("text", [](const Result& r) { return to_str(r.doc.text); }, "The article as analysed.")
      .def_property_readonly("length", [](const Result& r) { return r.doc.text.size(); }, "Length in code points.")
      .def_property_readonly("spans", &spans_of, "The passages found, sorted by start, then end, then technique.")
      .def_property_readonly(
          "sentences",
          [](const Result& r) {
            py::list out;
            for (const auto& b : r.analysis.sentences) out.append(py::make_tuple(b.start, b.end));
            return out;
          },
          "(start, end) of each sentence, in code points.")
      .def_property_readonly("propaganda_score", [](const Result& r) { return r.analysis.propaganda_score; },
                             "Share of the article's characters inside at least one span, in [0, 1].")
      .def("to_json", [](const Result& r) { return to_json(r.analysis, r.doc); },
           "One line of JSON: exactly what `propscan analyze --format json` prints for the article.")
      .def("__repr__", [](const Result& r) {
        return "Result(id='" + r.doc.id + "', spans=" + std::to_string(r.analysis.spans.size()) +
               ", propaganda_score=" + std::string(py::str(py::float_(r.analysis.propaganda_score))) + ")";
      });

  py::class_<Analyzer, std::shared_ptr<Analyzer>>(m, "Analyzer")
      .def(py::init([](const std::string& model_path, double threshold) {
             py::gil_scoped_release release;  // loading takes a while; other Python threads may run
             AnalyzerOptions options;
             options.threshold = threshold;
             return std::make_shared<Analyzer>(model_path, options);
           }),
           py::arg("model_path"), py::arg("threshold"))
      .def_property_readonly("threshold", &Analyzer::threshold)
      .def(
          "analyze",
          [](const Analyzer& a, py::handle text, py::handle id, py::handle title, py::handle source, py::handle date,
             py::handle url) {
            Job job = make_job(text, id, title, source, date, url, "article");
            std::optional<Result> r;
            {
              py::gil_scoped_release release;
              r = run_job(a, std::move(job));
            }
            return std::move(*r);
          },
          py::arg("text"), py::arg("id"), py::arg("title"), py::arg("source"), py::arg("date"), py::arg("url"))
      .def(
          "stream",
          [](std::shared_ptr<Analyzer> a, py::iterable items, unsigned threads, std::size_t window) {
            return std::make_unique<Stream>(std::move(a), py::reinterpret_borrow<py::object>(py::iter(items)), threads,
                                            window);
          },
          py::arg("items"), py::arg("threads"), py::arg("window"));

  py::class_<Stream>(m, "Stream", "Results of many articles, in input order.")
      .def("__iter__", [](py::object self) { return self; })
      .def("__next__", &Stream::next);
  py::class_<PyStore>(m, "Store", "The corpus store (native part of propscan.Store).")
      .def(py::init<std::string, bool>(), py::arg("location"), py::arg("create"))
      .def_property_readonly("location", &PyStore::location)
      .def("close", &PyStore::close)
      .def("schema_version", [](PyStore& s) { return s.with_store([](store::Store& st) { return st.schema_version(); }); })
      .def(
          "stats_json",
          [](PyStore& s, const std::vector<std::string>& by, const std::string& source, const std::string& topic,
             const std::string& since, const std::string& until, int top) {
            const auto q = stats_query(by, source, topic, since, until, top);
            return s.with_store([&](store::Store& st) { return store::to_json(st.stats(q)).dump(); });
          },
          py::arg("by"), py::arg("source"), py::arg("topic"), py::arg("since"), py::arg("until"), py::arg("top"),
          "What `propscan stats --format json` prints.")
      .def(
          "search_json",
          [](PyStore& s, const std::string& text, std::size_t limit) {
            store::SearchQuery q;
            q.text = text;
            q.limit = limit;
            return s.with_store([&](store::Store& st) { return store::to_json(st.search(q)).dump(); });
          },
          py::arg("query"), py::arg("limit"), "What `propscan search --format json` prints.")
      .def(
          "add_topic",
          [](PyStore& s, const std::string& name, const std::string& query) {
            return s.with_store([&](store::Store& st) { return st.add_topic(name, query); });
          },
          py::arg("name"), py::arg("query"))
      .def(
          "remove_topic",
          [](PyStore& s, const std::string& name) {
            s.with_store([&](store::Store& st) { st.remove_topic(name); });
          },
          py::arg("name"))
      .def("topics",
           [](PyStore& s) {
             const auto topics = s.with_store([](store::Store& st) { return st.topics(); });
             py::list out;
             for (const auto& t : topics) out.append(py::make_tuple(t.name, t.query, t.articles));
             return out;
           })
      .def("counts",
           [](PyStore& s) {
             const auto c = s.with_store([](store::Store& st) { return st.counts(); });
             return py::make_tuple(c.articles, c.spans, c.failures);
           })
      .def("failures",
           [](PyStore& s) {
             const auto failures = s.with_store([](store::Store& st) { return st.failures(); });
             py::list out;
             for (const auto& f : failures) out.append(py::make_tuple(f.input, f.error));
             return out;
           })
      .def(
          "ingest",
          [](PyStore& s, py::iterable items, std::shared_ptr<Analyzer> analyzer, const std::string& model_path,
             unsigned threads, std::size_t batch, bool reanalyse, bool jsonl) {
            store::IngestOptions options;
            options.threads = threads;
            options.batch = batch;
            options.reanalyse = reanalyse;
            const std::string model = store::model_id(model_path, analyzer->threshold());
            auto source = python_items(py::reinterpret_borrow<py::object>(py::iter(items)), jsonl);
            std::vector<store::FailureRecord> failures;
            store::IngestHooks hooks;
            hooks.failed = [&](const store::FailureRecord& f) { failures.push_back(f); };
            const std::string location = s.location();
            store::IngestSummary r;
            {
              py::gil_scoped_release release;
              r = store::ingest([&] { return store::open_store_at(location); }, *analyzer, model, source, options,
                                hooks);
            }
            py::list failed;
            for (const auto& f : failures) failed.append(py::make_tuple(f.input, f.error));
            return py::make_tuple(r.done, r.added, r.replaced, r.unchanged, r.failed, failed);
          },
          py::arg("items"), py::arg("analyzer"), py::arg("model_path"), py::arg("threads"), py::arg("batch"),
          py::arg("reanalyse"), py::arg("jsonl"));
}
