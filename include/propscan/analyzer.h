// The entry point of the library: an Analyzer is built once from a model file
// and is immutable afterwards, so one instance may be shared by any number of
// threads calling analyze() and classify() concurrently.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "propscan/document.h"
#include "propscan/span.h"

namespace propscan {

class Model;  // internal

struct AnalyzerOptions {
  // Spans scoring below this are dropped; a negative value means "use the
  // threshold the model was tuned with".
  double threshold = -1.0;
  // Articles longer than this many code points are rejected with an Error.
  std::size_t max_article_chars = 2'000'000;
  // Explain each span (evidence, voice, speaker, precision estimate) and
  // split the propaganda score by voice; off, Analysis::explanations and
  // quotations stay empty (for a caller that needs only the spans).
  bool explain = true;
};

class Analyzer {
 public:
  // Loads a model file; throws propscan::Error naming the file when it is
  // missing, truncated, corrupt or of another format version.
  explicit Analyzer(const std::string& model_path, AnalyzerOptions options = {});
  Analyzer(std::shared_ptr<const Model> model, AnalyzerOptions options = {});
  ~Analyzer();

  // Finds technique spans in a document. Thread-safe.
  Analysis analyze(const Document& doc) const;

  // Labels given spans of a document with one technique each (the TC task).
  // Returns one technique per span, in order; a span given again with the
  // same bounds gets the next most likely technique. Thread-safe.
  std::vector<Technique> classify(const Document& doc, const std::vector<Span>& spans) const;

  double threshold() const;
  const AnalyzerOptions& options() const { return options_; }

 private:
  std::shared_ptr<const Model> model_;
  AnalyzerOptions options_;
};

// Threads the math library (OpenBLAS) may use inside one analysis;
// process-wide. When you analyse many articles in parallel, as the
// command line and the server do, set 1: otherwise the libraries' own pools
// compete with your threads and OpenBLAS serialises concurrent calls.
// Scores agree to the last bit between runs with the same setting; another
// setting splits the network's matrix products differently and may move
// the scores' last bits (the command line and the server both use 1).
void set_compute_threads(int threads);

// The model propscan uses when none is given: $PROPSCAN_MODEL, else the
// installed one (share/propscan/propscan.model, under the install prefix or
// beside the running binary), else the one in the source tree; empty when
// none is found.
std::string default_model_path();

// The model file that a --model value names: "fast" and "accurate" are the
// two shipped models (propscan.model, propscan-accurate.model, found as
// above; throws when the one named is not installed), an empty value is
// default_model_path(), anything else is a path (write ./fast for a file of
// that name).
std::string find_model(const std::string& model);

}  // namespace propscan
