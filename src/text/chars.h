// Character classes and case mapping over code points (backed by utf8proc).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace propscan::text {

bool is_letter(char32_t c);
bool is_digit(char32_t c);          // any Unicode decimal digit
bool is_space(char32_t c);          // any Unicode white space, incl. U+FEFF and U+00A0
bool is_punctuation(char32_t c);    // Unicode P* categories
bool is_upper(char32_t c);          // Lu or Lt
bool is_mark(char32_t c);           // combining marks: Mn, Mc, Me
bool is_format(char32_t c);         // invisible format controls (Cf): soft hyphen, ZWJ, ...
char32_t to_lower(char32_t c);

// Lower-cased UTF-8 form of a piece of text; curly apostrophes become "'".
// Invisible format characters (soft hyphens and the like) are dropped.
std::string normalize_word(std::u32string_view word);

// End (exclusive) of the extended grapheme cluster (UAX #29) that starts at
// `pos`, so that an emoji sequence or a letter with its accents stays whole.
// Returns text.size() when pos is at or past the end.
std::size_t grapheme_end(std::u32string_view text, std::size_t pos);

}  // namespace propscan::text
