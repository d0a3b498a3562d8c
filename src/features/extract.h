// Feature extraction for the two linear models: the token tagger (is this
// token part of a propaganda passage?) and the technique classifier (which
// technique is this passage?).
#pragma once

#include "features/article.h"
#include "features/hashing.h"
#include "propscan/span.h"

namespace propscan::features {

// Features of token `i`: the word and its neighbours, shape, affixes, how often
// the word recurs in the article, position in the sentence, quotes, and a
// down-weighted bag of the sentence's words for context.
void token_features(const ArticleView& view, int i, const FeatureHasher& hasher, SparseVector& out);

// Features of the passage [start, end): its words and bigrams, boundary and
// context words, length, sentence coverage, repetition in the article,
// punctuation, and the sentence around it.
void span_features(const ArticleView& view, Offset start, Offset end, const FeatureHasher& hasher,
                   SparseVector& out);

}  // namespace propscan::features
