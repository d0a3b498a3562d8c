// Passage reranking. The tagger's token probabilities are decoded at several
// extents, from loose to tight, into candidate passages (a whole clause, the
// phrase at its heart, a single loaded word). A logistic model scores each
// candidate with the share of it that is propaganda, from its shape and
// probabilities, its sentence and article and its likely technique; the
// best-scoring candidates that do not overlap become the passages.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "features/article.h"
#include "features/hashing.h"
#include "model/model.h"
#include "propscan/span.h"
#include "propscan/technique.h"

namespace propscan::rerank {

inline constexpr unsigned kBits = 16;

// Token-probability thresholds at which candidates are decoded.
inline constexpr std::array<float, 13> kExtents = {0.05f, 0.075f, 0.1f, 0.125f, 0.15f, 0.175f, 0.2f, 0.225f, 0.25f, 0.3f, 0.4f, 0.5f, 0.6f};

struct Candidate {
  Span span;            // character offsets; score = mean token probability until reranked
  int first_token = 0;  // tokens [first_token, end_token)
  int end_token = 0;
  int extent = 0;       // index into kExtents of the loosest extent that decodes it
  // The passage text model's estimate of the share of it that is propaganda,
  // read from its words alone; negative when the model has none.
  float text_score = -1.0f;
};

// Summary of the token probabilities of one article, shared by its candidates.
struct ArticleStats {
  float mean = 0.0f;         // mean token probability
  float dense = 0.0f;        // share of tokens at or above 0.3
  std::vector<float> sentence_mean;
  std::vector<float> sentence_max;
  // The sentence scorer's probability for each sentence (sentence.h); empty
  // when the model has none.
  std::vector<float> sentence_prob;
  // The article density estimate (density.h); negative when the model has none.
  float density = -1.0f;
  // The passage text model's estimate for each whole sentence (see
  // Model::passage_weights); empty when the model has none.
  std::vector<float> sentence_text;
};

// Character span [start, end) of sentence k's tokens; empty (start == end)
// for a sentence without tokens.
std::pair<Offset, Offset> sentence_span(const features::ArticleView& view, std::size_t k);

// Bucket of a probability-like value in [0, 1]: its tenth, "0" to "9".
std::string tenth(float v);

ArticleStats article_stats(const features::ArticleView& view, const std::vector<float>& probs);

// Distinct candidates of the article at every extent, in order of decoding.
std::vector<Candidate> candidates(const features::ArticleView& view, const std::vector<float>& probs,
                                  const std::string& article_id);

// Features of one candidate. `techniques`: the technique classifier's
// probabilities for it.
void candidate_features(const features::ArticleView& view, const TokenProbabilities& probs,
                        const ArticleStats& stats, const Candidate& c,
                        const std::array<float, kNumTechniques>& techniques, const features::FeatureHasher& hasher,
                        features::SparseVector& x);

// Share of the candidate's characters inside `covered` (1 per gold
// character): what it adds to SI precision.
float gold_share(const Candidate& c, const std::vector<std::uint8_t>& covered);

// Sum over the (merged) gold spans of the share of each that the candidate
// covers, at most 1: what it adds to SI recall.
float gold_coverage(const Candidate& c, const std::vector<Span>& merged_gold);

// The passages: candidates taken by descending score (span.score), skipping
// any that overlaps one already taken, until the score falls below
// `threshold`. Returned in text order.
std::vector<Span> select(std::vector<Candidate> candidates, float threshold);

}  // namespace propscan::rerank
