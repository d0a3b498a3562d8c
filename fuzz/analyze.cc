// Arbitrary text through the whole analysis with the shipped model: no
// crash, spans inside the text, and (with libFuzzer's -timeout) no input
// that takes super-linear time.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "io/input.h"
#include "propscan/analyzer.h"
#include "propscan/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace propscan;
  static const Analyzer* analyzer = [] {
    set_compute_threads(1);
    return new Analyzer(PROPSCAN_FUZZ_MODEL);  // for the whole run
  }();
  Document doc;
  try {
    doc = io::document_from_bytes("input", "fuzz", std::string(reinterpret_cast<const char*>(data), size));
  } catch (const Error&) {
    return 0;  // not an article: refused as analyze refuses it
  }
  const auto analysis = analyzer->analyze(doc);
  const auto length = static_cast<Offset>(doc.text.size());
  for (const auto& span : analysis.spans) {
    if (span.start < 0 || span.end > length || span.start >= span.end || !span.technique) std::abort();
    if (!(span.score >= 0.0 && span.score <= 1.0)) std::abort();
  }
  if (!(analysis.propaganda_score >= 0.0 && analysis.propaganda_score <= 1.0)) std::abort();
  (void)to_json(analysis, doc);
  return 0;
}
