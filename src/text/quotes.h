// Quotations and their speakers. A scan over the whole article finds what
// lies between quote marks (straight or curly, over several sentences, or
// paragraphs when each new paragraph reopens the quote; an unclosed quote
// ends with its paragraph) and the speaker the article names for it, from
// the words around it: `..., said Pence.`, `Pence said: "..."`,
// `according to Pence`, `he said` after a named speaker. Offsets are code
// points. Quote marks inside a quotation (nested quotes) stay part of it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "propscan/document.h"

namespace propscan::text {

// In text order, never overlapping.
std::vector<Quotation> find_quotations(std::u32string_view text);

// A quotation of at most this many words with no named speaker is a term the
// author puts in quotes ("so-called "experts""), not someone speaking.
inline constexpr int kScareQuoteWords = 3;

// The index of the quotation holding [start, end) for the most part, or -1.
int quotation_at(const std::vector<Quotation>& quotes, Offset start, Offset end);

// Whether a quotation is someone speaking (not a scare-quoted term): it has
// a speaker or more than kScareQuoteWords words. find_quotations also counts
// a short one that a verb of speech introduces or follows
// (`replied that they were "job killers"`).
bool is_speech(std::u32string_view text, const Quotation& q);

}  // namespace propscan::text
