// Feature extraction for the two linear models: the token tagger (is this
// token part of a propaganda passage?) and the technique classifier (which
// technique is this passage?).
#pragma once

#include "features/article.h"
#include "features/hashing.h"
#include "propscan/span.h"

#include <cstdint>
#include <span>
#include <string_view>

namespace propscan::features {

// Features of token `i`: the word and its neighbours, shape, affixes, how often
// the word recurs in the article, position in the sentence, quotes, a
// down-weighted bag of the sentence's words for context, sentiment valence,
// cue phrases on the token, around it and in its sentence, and, when the
// view has word vectors, two dense blocks after the hashed ones: the word's
// vector and the mean vector of its +-2 neighbours.
// Dense features each extractor appends after the hashed table.
inline std::uint32_t token_dense_size(int vector_dimension) { return 2u * static_cast<std::uint32_t>(vector_dimension); }
inline std::uint32_t span_dense_size(int vector_dimension) { return 3u * static_cast<std::uint32_t>(vector_dimension); }

void token_features(const ArticleView& view, int i, const FeatureHasher& hasher, SparseVector& out);

// One feature `prefix` + kind name for each kind of cue phrase
// (lexicon::CueKind) that covers a token of [first, last), skipping token
// `skip`.
void add_cue_features(const ArticleView& view, int first, int last, int skip, std::string_view prefix,
                      const FeatureHasher& hasher, SparseVector& out);

// Features of the passage [start, end): its words and bigrams, boundary and
// context words, length, sentence coverage, repetition in the article,
// punctuation, valence, cue phrases, the sentence around it, and three dense
// blocks of mean word vectors (the passage, the sentence before it, the
// sentence after it).
// `siblings` are all the passages being labelled in the article (the TC
// template, or the detected passages), this one included: repeats of the same
// words and nesting among them are strong cues (Repetition, a loaded word
// inside a longer claim).
void span_features(const ArticleView& view, Offset start, Offset end, const FeatureHasher& hasher,
                   SparseVector& out, std::span<const Span> siblings = {});

}  // namespace propscan::features
