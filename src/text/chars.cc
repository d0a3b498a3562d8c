#include "text/chars.h"

#include <utf8proc.h>

#include "text/utf8.h"

namespace propscan::text {
namespace {

utf8proc_category_t category(char32_t c) {
  // utf8proc answers "unassigned" for anything outside 0..U+10FFFF, so the
  // narrowing cast cannot read out of its tables.
  return utf8proc_category(static_cast<utf8proc_int32_t>(c));
}

}  // namespace

bool is_letter(char32_t c) {
  switch (category(c)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
      return true;
    default:
      return false;
  }
}

bool is_digit(char32_t c) { return category(c) == UTF8PROC_CATEGORY_ND; }

bool is_space(char32_t c) {
  // The Unicode White_Space property is the Z* categories plus these
  // controls; the byte order mark is added because the corpus keeps it as
  // character 0 and it must never end up inside a token.
  switch (c) {
    case U'\t':
    case U'\n':
    case U'\v':
    case U'\f':
    case U'\r':
    case U'\u0085':
    case U'\uFEFF':
      return true;
    default:
      break;
  }
  switch (category(c)) {
    case UTF8PROC_CATEGORY_ZS:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
      return true;
    default:
      return false;
  }
}

bool is_punctuation(char32_t c) {
  switch (category(c)) {
    case UTF8PROC_CATEGORY_PC:
    case UTF8PROC_CATEGORY_PD:
    case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE:
    case UTF8PROC_CATEGORY_PI:
    case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO:
      return true;
    default:
      return false;
  }
}

bool is_upper(char32_t c) {
  const utf8proc_category_t cat = category(c);
  return cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LT;
}

bool is_mark(char32_t c) {
  const utf8proc_category_t cat = category(c);
  return cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_MC ||
         cat == UTF8PROC_CATEGORY_ME;
}

bool is_format(char32_t c) { return category(c) == UTF8PROC_CATEGORY_CF; }

char32_t to_lower(char32_t c) {
  return static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c)));
}

std::string normalize_word(std::u32string_view word) {
  std::string out;
  out.reserve(word.size());
  for (char32_t c : word) {
    if (c == U'\u2019' || c == U'\u2018') {
      out.push_back('\'');
    } else if (!is_format(c)) {
      append_utf8(out, to_lower(c));
    }
  }
  return out;
}

std::size_t grapheme_end(std::u32string_view text, std::size_t pos) {
  if (pos >= text.size()) return text.size();
  // The state carries the emoji ZWJ and regional indicator rules across pairs.
  utf8proc_int32_t state = 0;
  std::size_t end = pos + 1;
  while (end < text.size() &&
         !utf8proc_grapheme_break_stateful(static_cast<utf8proc_int32_t>(text[end - 1]),
                                           static_cast<utf8proc_int32_t>(text[end]), &state)) {
    ++end;
  }
  return end;
}

}  // namespace propscan::text
