// Arbitrary bytes as a label file, in each of the three formats: malformed
// rows become errors naming their line, the rows kept are well formed.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "io/labels.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace propscan;
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  for (auto format : {io::LabelFormat::kTechnique, io::LabelFormat::kSpanOnly, io::LabelFormat::kTemplate}) {
    std::istringstream in(bytes);
    const auto rows = io::parse_label_rows(in, "x.labels", format);
    if (rows.spans.size() != rows.where.size()) std::abort();
    for (const auto& span : rows.spans) {
      if (span.article_id.empty() || span.start < 0 || span.start >= span.end) std::abort();
      if (format == io::LabelFormat::kTechnique && !span.technique) std::abort();
    }
    for (const auto& error : rows.errors) {
      if (error.rfind("x.labels", 0) != 0) std::abort();
    }
    // What was kept writes back and reads again to the same rows.
    if (format != io::LabelFormat::kTemplate) {
      std::ostringstream out;
      io::write_labels(out, rows.spans, format);
      std::istringstream again(out.str());
      const auto reread = io::parse_label_rows(again, "y.labels", format);
      if (!reread.errors.empty() || reread.spans.size() != rows.spans.size()) std::abort();
    }
  }
  return 0;
}
