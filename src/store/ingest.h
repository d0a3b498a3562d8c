// Analysing articles into a store: what `propscan ingest` does, and the
// Python module's Store.ingest with it (docs/store.md).
//
// One thread reads the items and looks their texts up (a text stored with
// the same model is skipped before analysis), `threads` analyse, and the
// calling thread writes: a batch is committed when full or a second old,
// and an article counts as done only after its commit. A bad article is a
// failure record; the others go on.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "io/input.h"
#include "propscan/analyzer.h"
#include "store/store.h"

namespace propscan::store {

// What the model file says it is: its name, the checksum in its header and
// the threshold analysis runs at ("propscan.model@1a2b3c4d threshold
// 0.4500"). A change of any of them is a change of model for --reanalyse.
std::string model_id(const std::string& model_path, double threshold);

// Words of a text as the store counts them (words and numbers).
std::int64_t count_words(std::u32string_view text);

struct IngestOptions {
  unsigned threads = 1;     // analysis threads
  std::size_t batch = 100;  // articles committed per transaction (at least 1)
  bool reanalyse = false;   // re-analyse texts stored by another model
};

struct IngestSummary {
  std::size_t done = 0;       // items committed (articles, failures and skipped ones)
  std::size_t added = 0;      // new articles
  std::size_t replaced = 0;   // re-analysed
  std::size_t unchanged = 0;  // already stored
  std::size_t failed = 0;     // failure records written
};

// Gives every item to `sink`, in order. An input that cannot be read at all
// is a failed item (InputItem::error set). May throw: the items committed
// before stay, and ingest rethrows after stopping the threads.
using ItemSink = std::function<void(io::InputItem&&)>;
using ItemSource = std::function<void(const ItemSink& sink)>;

// The command line's inputs (io::read_input on each): an input that cannot
// be opened becomes a failed item named by it.
ItemSource input_items(std::vector<std::string> inputs, bool jsonl);

struct IngestHooks {
  std::function<void(std::size_t done)> committed;   // after each commit: items done so far
  std::function<void(const FailureRecord&)> failed;  // each failure, once committed
};

// Opens a connection to the store (created when missing).
using StoreOpener = std::function<std::unique_ptr<Store>()>;

// Analyses the items with `analyzer` (whose model_id() is `model`) into the
// store, over two connections from `open`: one looks texts up while the
// other commits. Throws propscan::Error when the store cannot be opened or
// written, or what `items` threw.
IngestSummary ingest(const StoreOpener& open, const Analyzer& analyzer, const std::string& model,
                     const ItemSource& items, const IngestOptions& options, const IngestHooks& hooks = {});

// The same over two connections the caller keeps open (a queue worker runs
// one ingest per batch it fetches): `reader` looks texts up, `writer` commits.
IngestSummary ingest(Store& writer, Store& reader, const Analyzer& analyzer, const std::string& model,
                     const ItemSource& items, const IngestOptions& options, const IngestHooks& hooks = {});

}  // namespace propscan::store
