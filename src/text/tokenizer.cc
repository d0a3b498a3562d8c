#include "text/tokenizer.h"

#include <cstddef>

#include "text/chars.h"

namespace propscan::text {
namespace {

bool is_word_char(char32_t c) { return is_letter(c) || is_digit(c) || is_mark(c); }

bool is_apostrophe(char32_t c) { return c == U'\'' || c == U'\u2019'; }

// ASCII hyphen-minus, Unicode hyphen and non-breaking hyphen; dashes are not
// word-internal.
bool is_hyphen(char32_t c) { return c == U'-' || c == U'\u2010' || c == U'\u2011'; }

bool is_number_separator(char32_t c) { return c == U',' || c == U'.'; }

// End of an initialism such as "U.S." or "e.g." starting at `start` (single
// letters each followed by a period, at least two of them), or `start` when
// there is none. The final period belongs to the initialism.
std::size_t initialism_end(std::u32string_view text, std::size_t start) {
  std::size_t end = start;
  int letters = 0;
  while (end + 1 < text.size() && is_letter(text[end]) && text[end + 1] == U'.') {
    end += 2;
    ++letters;
  }
  return letters >= 2 ? end : start;
}

// End of the word or number starting at `start` (a word character).
std::size_t word_end(std::u32string_view text, std::size_t start) {
  if (const std::size_t end = initialism_end(text, start); end != start) return end;

  const std::size_t n = text.size();
  std::size_t end = start + 1;
  while (end < n) {
    const char32_t c = text[end];
    if (is_word_char(c)) {
      ++end;
      continue;
    }
    if (end + 1 >= n) break;
    const char32_t prev = text[end - 1];
    const char32_t next = text[end + 1];
    const bool prev_is_letter = is_letter(prev) || is_mark(prev);
    if ((is_apostrophe(c) || is_hyphen(c)) && prev_is_letter && is_letter(next)) {
      end += 2;
      continue;
    }
    if (is_number_separator(c) && is_digit(prev) && is_digit(next)) {
      end += 2;
      continue;
    }
    if (is_format(c) && !is_space(c)) {
      // Soft hyphens and joiners inside a word ("inter\u00ADnational") keep
      // it whole, however many there are in a row.
      std::size_t after = end;
      while (after < n && is_format(text[after]) && !is_space(text[after])) ++after;
      if (after < n && is_word_char(text[after])) {
        end = after;
        continue;
      }
    }
    break;
  }
  return end;
}

TokenKind word_kind(std::u32string_view word) {
  bool has_digit = false;
  for (char32_t c : word) {
    if (is_letter(c)) return TokenKind::kWord;
    if (is_digit(c)) has_digit = true;
  }
  return has_digit ? TokenKind::kNumber : TokenKind::kWord;
}

}  // namespace

std::vector<Token> tokenize(std::u32string_view text) {
  std::vector<Token> tokens;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const char32_t c = text[pos];
    // Invisible format characters outside a word (e.g. the directional marks
    // pasted around quotes) carry no text, so they are not tokens either.
    if (is_space(c) || is_format(c)) {
      ++pos;
      continue;
    }
    std::size_t end = 0;
    TokenKind kind = TokenKind::kSymbol;
    if (is_word_char(c)) {
      end = word_end(text, pos);
      kind = word_kind(text.substr(pos, end - pos));
    } else {
      // A whole grapheme cluster, so that an emoji with its modifiers, joiners
      // and variation selectors (or a flag's two letters) is one token.
      end = grapheme_end(text, pos);
      kind = is_punctuation(c) ? TokenKind::kPunct : TokenKind::kSymbol;
    }
    tokens.push_back(Token{static_cast<std::int64_t>(pos), static_cast<std::int64_t>(end), kind});
    pos = end;
  }
  return tokens;
}

}  // namespace propscan::text
