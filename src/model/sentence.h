// Sentence scoring. Most of what detection loses is in deciding which
// sentences carry propaganda at all, so a logistic model scores each
// sentence from its own words and word pairs, its mean word vector, its
// lexicon cues and what the token taggers say of it and of its neighbours.
// The reranker reads that score with each candidate passage.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "features/article.h"
#include "features/hashing.h"
#include "model/reranker.h"

namespace propscan::sentence {

inline constexpr unsigned kBits = 18;

// Features of sentence k; `taggers`: the token taggers' summary of the
// article (its sentence_prob is not read).
void sentence_features(const features::ArticleView& view, const rerank::ArticleStats& taggers, std::size_t k,
                       const features::FeatureHasher& hasher, features::SparseVector& x);

// Probability that each sentence holds (part of) a passage, under `weights`.
std::vector<float> sentence_probabilities(const features::ArticleView& view, const rerank::ArticleStats& taggers,
                                          std::span<const float> weights);

// 1 for each sentence with a word among the tokens labelled 1, else 0.
std::vector<float> sentence_labels(const features::ArticleView& view, const std::vector<std::uint8_t>& token_labels);

}  // namespace propscan::sentence
