// Arbitrary bytes through the UTF-8 decoder, then (when valid) the tokenizer,
// the sentence splitter and the offset tables: no crash, and the invariants
// the rest of the engine relies on.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "propscan/error.h"
#include "text/sentences.h"
#include "text/tokenizer.h"
#include "text/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace propscan;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const bool valid = text::is_valid_utf8(bytes);
  std::u32string decoded;
  try {
    decoded = text::decode_utf8(bytes);
  } catch (const Error&) {
    if (valid) std::abort();  // the two must agree
    return 0;
  }
  if (!valid) std::abort();
  if (text::encode_utf8(decoded) != bytes) std::abort();  // a round trip
  const auto byte_offsets = text::utf8_byte_offsets(decoded);
  if (byte_offsets.size() != decoded.size() + 1 || byte_offsets.back() != size) std::abort();
  std::int64_t previous_end = 0;
  for (const auto& token : text::tokenize(decoded)) {
    if (token.start < previous_end || token.end <= token.start ||
        token.end > static_cast<std::int64_t>(decoded.size())) {
      std::abort();  // tokens are ordered, non-empty and inside the text
    }
    previous_end = token.end;
  }
  for (const auto& sentence : text::split_sentences(decoded)) {
    if (sentence.start > sentence.end || sentence.end > static_cast<std::int64_t>(decoded.size())) std::abort();
  }
  return 0;
}
