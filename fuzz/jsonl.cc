// Arbitrary bytes as a JSONL input: every line is an article or a one-line
// error that names its line, never an exception or a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "io/input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace propscan;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  io::InputLimits limits;
  limits.max_article_bytes = 1 << 14;  // small limits, so that the fuzzer reaches them
  limits.max_line_bytes = 1 << 15;
  io::read_jsonl(in, "in.jsonl", limits, [](io::InputItem&& item) {
    if (!item.ok() && item.error.rfind("in.jsonl:", 0) != 0) std::abort();  // errors name the line
    if (item.ok() && (item.doc.id.empty() || item.doc.text.empty())) std::abort();
    if (item.ok() && item.doc.id.find_first_of("\t\n\r") != std::string::npos) std::abort();  // no forged rows
  });
  return 0;
}
