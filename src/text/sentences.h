// Sentence splitting that keeps code point offsets.
#pragma once

#include <string_view>
#include <vector>

#include "propscan/document.h"

namespace propscan::text {

// Splits text into sentences. A line break always ends a sentence (corpus
// files hold one sentence a line); inside a line, '.', '!' or '?' (possibly
// followed by closing quotes or brackets) ends a sentence when white space and
// then an upper-case letter, digit or opening quote follow, unless the word
// before is a known abbreviation ("Mr.", "Dr.", "U.S.", "Jan.", single
// initials). Sentences are trimmed of white space; empty ones are dropped.
std::vector<SentenceBounds> split_sentences(std::u32string_view text);

// Index of the sentence containing offset `pos` (or the nearest one before
// it; 0 when pos comes before the first sentence, e.g. a byte order mark);
// -1 when there are no sentences.
int sentence_index_at(const std::vector<SentenceBounds>& sentences, std::int64_t pos);

}  // namespace propscan::text
