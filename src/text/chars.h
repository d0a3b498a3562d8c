// Character classes and case mapping over code points (backed by utf8proc).
#pragma once

#include <string>
#include <string_view>

namespace propscan::text {

bool is_letter(char32_t c);
bool is_digit(char32_t c);          // any Unicode decimal digit
bool is_space(char32_t c);          // any Unicode white space, incl. U+FEFF and U+00A0
bool is_punctuation(char32_t c);    // Unicode P* categories
bool is_upper(char32_t c);
char32_t to_lower(char32_t c);

// Lower-cased UTF-8 form of a piece of text; curly apostrophes become "'".
std::string normalize_word(std::u32string_view word);

}  // namespace propscan::text
