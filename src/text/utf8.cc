#include "text/utf8.h"

#include <cstdint>
#include <limits>
#include <string>

#include "propscan/error.h"

namespace propscan::text {
namespace {

constexpr std::size_t kValid = std::numeric_limits<std::size_t>::max();

bool is_continuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// Decodes `bytes`, appending code points to `out` when it is not null.
// Returns kValid, or the offset of the first byte of the first malformed
// sequence (the lead byte, not the continuation byte that gave it away).
//
// The allowed second-byte ranges follow RFC 3629: E0 and F0 have raised lower
// bounds (no overlong forms), ED stops below A0 (no surrogates) and F4 stops
// below 90 (nothing above U+10FFFF); C0, C1 and F5..FF never occur.
std::size_t decode(std::string_view bytes, std::u32string* out) {
  const std::size_t n = bytes.size();
  std::size_t i = 0;
  while (i < n) {
    const auto lead = static_cast<unsigned char>(bytes[i]);
    if (lead < 0x80) {
      if (out != nullptr) out->push_back(lead);
      ++i;
      continue;
    }

    std::size_t length = 0;
    char32_t cp = 0;
    unsigned char second_min = 0x80;
    unsigned char second_max = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
      cp = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      cp = lead & 0x0F;
      if (lead == 0xE0) second_min = 0xA0;
      if (lead == 0xED) second_max = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      cp = lead & 0x07;
      if (lead == 0xF0) second_min = 0x90;
      if (lead == 0xF4) second_max = 0x8F;
    } else {
      return i;  // stray continuation byte, C0/C1 or F5..FF
    }

    if (n - i < length) return i;  // truncated at the end of the input
    const auto second = static_cast<unsigned char>(bytes[i + 1]);
    if (second < second_min || second > second_max) return i;
    cp = (cp << 6) | (second & 0x3F);
    for (std::size_t k = 2; k < length; ++k) {
      const auto next = static_cast<unsigned char>(bytes[i + k]);
      if (!is_continuation(next)) return i;
      cp = (cp << 6) | (next & 0x3F);
    }
    if (out != nullptr) out->push_back(cp);
    i += length;
  }
  return kValid;
}

bool is_scalar_value(char32_t cp) {
  return cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
}

// "U+D800" style, for error messages.
std::string code_point_name(char32_t cp) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string digits;
  auto value = static_cast<std::uint32_t>(cp);
  do {
    digits.insert(digits.begin(), kHex[value & 0xF]);
    value >>= 4;
  } while (value != 0);
  if (digits.size() < 4) digits.insert(0, 4 - digits.size(), '0');
  return "U+" + digits;
}

std::size_t utf8_length(char32_t cp) {
  if (cp < 0x80) return 1;
  if (cp < 0x800) return 2;
  if (cp < 0x10000) return 3;
  return 4;
}

}  // namespace

std::u32string decode_utf8(std::string_view bytes) {
  std::u32string text;
  // Never more code points than bytes; usually close to it for news text.
  text.reserve(bytes.size());
  const std::size_t bad = decode(bytes, &text);
  if (bad != kValid) {
    throw Error("invalid UTF-8 at byte " + std::to_string(bad));
  }
  return text;
}

bool is_valid_utf8(std::string_view bytes) { return decode(bytes, nullptr) == kValid; }

void append_utf8(std::string& out, char32_t cp) {
  // Internal text comes from decode_utf8, so a bad value here is a bug
  // upstream; writing it would produce output no reader accepts.
  if (!is_scalar_value(cp)) {
    throw Error("cannot encode " + code_point_name(cp) + " as UTF-8");
  }
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string encode_utf8(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char32_t cp : text) append_utf8(out, cp);
  return out;
}

std::vector<std::size_t> utf8_byte_offsets(std::u32string_view text) {
  std::vector<std::size_t> offsets;
  offsets.reserve(text.size() + 1);
  std::size_t bytes = 0;
  offsets.push_back(0);
  for (char32_t cp : text) {
    bytes += utf8_length(cp);
    offsets.push_back(bytes);
  }
  return offsets;
}

std::vector<std::size_t> utf16_offsets(std::u32string_view text) {
  std::vector<std::size_t> offsets;
  offsets.reserve(text.size() + 1);
  std::size_t units = 0;
  offsets.push_back(0);
  for (char32_t cp : text) {
    units += cp >= 0x10000 ? 2 : 1;  // a surrogate pair above the BMP
    offsets.push_back(units);
  }
  return offsets;
}

}  // namespace propscan::text
