#include "model/sentence.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "features/article.h"
#include "model/reranker.h"

namespace propscan::sentence {
namespace {

// Three sentences, the second with a non-ASCII word, so that token and
// code-point positions differ.
const std::u32string kText = U"The mayor spoke today. A disgraceful, corrupt déjà-vu scheme! Rain is expected.";

TEST(SentenceTest, LabelsMarkSentencesWithALabelledWord) {
  const auto view = features::make_article_view(kText);
  ASSERT_EQ(view.sentences.size(), 3u);
  std::vector<std::uint8_t> tokens(view.tokens.size(), 0);
  // "corrupt" only: the second sentence.
  const int corrupt = view.token_at_or_after(static_cast<Offset>(kText.find(U"corrupt")));
  tokens[static_cast<std::size_t>(corrupt)] = 1;
  EXPECT_EQ(sentence_labels(view, tokens), (std::vector<float>{0.0f, 1.0f, 0.0f}));
  // A labelled full stop alone does not make its sentence propaganda.
  std::vector<std::uint8_t> stop(view.tokens.size(), 0);
  stop[static_cast<std::size_t>(view.sentence_end_token[0] - 1)] = 1;
  EXPECT_EQ(sentence_labels(view, stop), (std::vector<float>{0.0f, 0.0f, 0.0f}));
}

TEST(SentenceTest, ProbabilitiesFollowTheWeightsOfTheSentencesOwnWords) {
  const auto view = features::make_article_view(kText);
  const std::vector<float> token_probs(view.tokens.size(), 0.2f);
  const auto stats = rerank::article_stats(view, token_probs);
  const features::FeatureHasher hasher(kBits);
  // Zero weights: every sentence at 0.5. A weight on "corrupt" raises only
  // the sentence that holds it.
  std::vector<float> weights(hasher.dimension(), 0.0f);
  auto probs = sentence_probabilities(view, stats, weights);
  ASSERT_EQ(probs.size(), 3u);
  for (float p : probs) EXPECT_FLOAT_EQ(p, 0.5f);
  weights[hasher.bucket("w=", "corrupt")] = 2.0f;
  probs = sentence_probabilities(view, stats, weights);
  EXPECT_FLOAT_EQ(probs[0], 0.5f);
  EXPECT_NEAR(probs[1], 1.0 / (1.0 + std::exp(-2.0)), 1e-6);
  EXPECT_FLOAT_EQ(probs[2], 0.5f);
}

TEST(SentenceTest, FeaturesReadTheTaggersSummaryOfTheSentence) {
  const auto view = features::make_article_view(kText);
  std::vector<float> token_probs(view.tokens.size(), 0.0f);
  for (int t = view.sentence_first_token[1]; t < view.sentence_end_token[1]; ++t) {
    token_probs[static_cast<std::size_t>(t)] = 0.9f;
  }
  const auto stats = rerank::article_stats(view, token_probs);
  const features::FeatureHasher hasher(kBits);
  auto has = [&](std::size_t k, std::string_view prefix, std::string_view value) {
    features::SparseVector x;
    sentence_features(view, stats, k, hasher, x);
    const auto b = hasher.bucket(prefix, value);
    return std::find(x.index.begin(), x.index.end(), b) != x.index.end();
  };
  EXPECT_TRUE(has(1, "max=", "9"));
  EXPECT_TRUE(has(0, "max=", "0"));
  EXPECT_TRUE(has(0, "after=", "9"));   // the next sentence is the hot one
  EXPECT_TRUE(has(2, "before=", "9"));
  EXPECT_TRUE(has(1, "b=", "corrupt déjà-vu") || has(1, "b=", "corrupt déjà"));
}

TEST(SentenceTest, ASentenceWithoutTokensHasFeaturesAndIsNotTheTitle) {
  // A zero-width joiner (or a soft hyphen, or a bidi override) on a line of
  // its own is a sentence without a token: its first token is the token
  // count, one past the end (read out of bounds before, under ASan).
  for (const std::u32string tail : {U"\u200D", U"\u00AD", U"\u202E"}) {
    const std::u32string text = U"The corrupt elite lied.\n" + tail;
    const auto view = features::make_article_view(text);
    ASSERT_EQ(view.sentences.size(), 2u);
    ASSERT_EQ(view.sentence_first_token[1], static_cast<int>(view.tokens.size()));
    ASSERT_EQ(view.sentence_end_token[1], static_cast<int>(view.tokens.size()));
    const std::vector<float> token_probs(view.tokens.size(), 0.2f);
    const auto stats = rerank::article_stats(view, token_probs);
    const features::FeatureHasher hasher(kBits);
    features::SparseVector x;
    sentence_features(view, stats, 1, hasher, x);
    EXPECT_NE(std::find(x.index.begin(), x.index.end(), hasher.bucket("title", "0")), x.index.end());
    EXPECT_EQ(std::find(x.index.begin(), x.index.end(), hasher.bucket("title", "1")), x.index.end());
    const std::vector<float> weights(hasher.dimension(), 0.0f);
    EXPECT_EQ(sentence_probabilities(view, stats, weights).size(), 2u);
  }
}

}  // namespace
}  // namespace propscan::sentence
