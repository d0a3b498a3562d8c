// Splits text into tokens that keep their code point offsets.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace propscan::text {

enum class TokenKind : unsigned char { kWord, kNumber, kPunct, kSymbol };

struct Token {
  std::int64_t start = 0;  // code point offset, inclusive
  std::int64_t end = 0;    // exclusive
  TokenKind kind = TokenKind::kWord;
};

// Words are runs of letters, digits and combining marks; an apostrophe
// (' or U+2019) or hyphen between two letters stays inside the word
// ("don't", "anti-war"), as does a period inside an initialism ("U.S.").
// Numbers keep inner separators ("2,000", "3.5"). Every other non-space
// character is a token of its own (punctuation, symbols, emoji). White space
// (including U+FEFF) separates tokens and is never part of one.
std::vector<Token> tokenize(std::u32string_view text);

}  // namespace propscan::text
