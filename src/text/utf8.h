// UTF-8 at the edges: decoding with validation, encoding, and offset
// conversions. Inside propscan all text is std::u32string and all offsets are
// code points.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace propscan::text {

// Decodes UTF-8 into code points. Rejects (throws propscan::Error) malformed
// sequences, overlong forms, surrogates and values above U+10FFFF; the message
// says "invalid UTF-8 at byte N". A byte order mark is kept as U+FEFF, since
// the corpus counts it as character 0.
std::u32string decode_utf8(std::string_view bytes);

// True when the bytes are valid UTF-8 (same rules as decode_utf8).
bool is_valid_utf8(std::string_view bytes);

std::string encode_utf8(std::u32string_view text);
void append_utf8(std::string& out, char32_t cp);

// Byte offset in the UTF-8 encoding of `text` for each code point offset
// 0..text.size() (size()+1 entries).
std::vector<std::size_t> utf8_byte_offsets(std::u32string_view text);

// UTF-16 code unit offset for each code point offset 0..text.size(), as a web
// page's JavaScript strings count them (characters above U+FFFF take 2).
std::vector<std::size_t> utf16_offsets(std::u32string_view text);

}  // namespace propscan::text
