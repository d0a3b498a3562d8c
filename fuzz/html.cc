// Arbitrary bytes as an HTML page: the extractor gives valid UTF-8 text and
// title (what is then analysed and stored), never a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "io/html.h"
#include "text/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace propscan;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (!text::is_valid_utf8(bytes)) return 0;  // HTML is read as UTF-8; other bytes are refused before
  const auto page = io::extract_html_article(bytes);
  for (std::string_view out : {std::string_view(page.text), std::string_view(page.title),
                               std::string_view(page.source), std::string_view(page.date)}) {
    if (!text::is_valid_utf8(out)) std::abort();
  }
  return 0;
}
