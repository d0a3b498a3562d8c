#include <gtest/gtest.h>

#include "features/article.h"
#include "features/hashing.h"
#include "model/reranker.h"

namespace propscan::rerank {
namespace {

Candidate candidate(Offset start, Offset end, double score) {
  Candidate c;
  c.span.article_id = "a";
  c.span.start = start;
  c.span.end = end;
  c.span.score = score;
  return c;
}

TEST(RerankTest, SelectTakesBestScoresFirstAndNeverOverlaps) {
  // A long passage (0.4) holding a core (0.7); a separate phrase (0.5); a
  // weak one (0.1) below the threshold.
  std::vector<Candidate> cands = {candidate(0, 30, 0.4), candidate(10, 18, 0.7), candidate(40, 50, 0.5),
                                  candidate(60, 70, 0.1)};
  auto picked = select(cands, 0.3f);
  ASSERT_EQ(picked.size(), 2u);
  EXPECT_EQ(picked[0].start, 10);  // text order
  EXPECT_EQ(picked[0].end, 18);
  EXPECT_EQ(picked[1].start, 40);
  EXPECT_FLOAT_EQ(static_cast<float>(picked[1].score), 0.5f);

  // When the long passage scores best, its core is left out.
  cands[0].span.score = 0.9;
  picked = select(cands, 0.3f);
  ASSERT_EQ(picked.size(), 2u);
  EXPECT_EQ(picked[0].start, 0);
  EXPECT_EQ(picked[0].end, 30);
}

TEST(RerankTest, TargetsMeasurePrecisionAndRecallShares) {
  std::vector<std::uint8_t> covered(41, 0);
  for (int c = 10; c < 20; ++c) covered[static_cast<std::size_t>(c)] = 1;
  const auto c = candidate(5, 15, 0.0);
  EXPECT_FLOAT_EQ(gold_share(c, covered), 0.5f);  // 5 of its 10 characters are gold
  Span g1{"a", 10, 20, std::nullopt, 0.0};
  Span g2{"a", 14, 40, std::nullopt, 0.0};
  EXPECT_FLOAT_EQ(gold_coverage(c, {g1}), 0.5f);  // half of the gold span
  // Summed over gold spans, capped at 1.
  EXPECT_FLOAT_EQ(gold_coverage(candidate(0, 40, 0.0), {g1, g2}), 1.0f);
}

TEST(RerankTest, CandidatesAreDistinctAndNestFromLooseToTight) {
  const std::u32string text = U"Naïve critics call it a “disgraceful sham” again.";
  const auto view = features::make_article_view(text);
  std::vector<float> probs(view.tokens.size(), 0.02f);
  // A loose phrase around a strong core.
  for (std::size_t i = 0; i < view.words.size(); ++i) {
    if (view.words[i] == "call" || view.words[i] == "it" || view.words[i] == "a") probs[i] = 0.22f;
    if (view.words[i] == "\u201c" || view.words[i] == "\u201d") probs[i] = 0.22f;
    if (view.words[i] == "disgraceful" || view.words[i] == "sham") probs[i] = 0.8f;
  }
  const auto cands = candidates(view, probs, "a");
  ASSERT_FALSE(cands.empty());
  for (std::size_t i = 0; i < cands.size(); ++i) {
    for (std::size_t j = i + 1; j < cands.size(); ++j) {
      EXPECT_FALSE(cands[i].span.start == cands[j].span.start && cands[i].span.end == cands[j].span.end);
    }
    EXPECT_LT(cands[i].first_token, cands[i].end_token);
  }
  // The tightest candidate is the core, in code points (the text has
  // non-ASCII letters and quotes before it).
  const auto& core = cands.back();
  EXPECT_EQ(text.substr(static_cast<std::size_t>(core.span.start), static_cast<std::size_t>(core.span.length())),
            U"disgraceful sham");
  // It is first decoded at the first extent above the weak words.
  EXPECT_FLOAT_EQ(kExtents[static_cast<std::size_t>(core.extent)], 0.225f);
  // The loosest reaches out to the weaker words.
  EXPECT_EQ(text.substr(static_cast<std::size_t>(cands.front().span.start),
                        static_cast<std::size_t>(cands.front().span.length())),
            U"call it a “disgraceful sham”");
}

TEST(RerankTest, SentenceSpansAreInCodePoints) {
  const std::u32string text = U"Ça va «bien». Then the “panic” spread!";
  const auto view = features::make_article_view(text);
  ASSERT_EQ(view.sentences.size(), 2u);
  const auto [start, end] = sentence_span(view, 1);
  EXPECT_EQ(text.substr(static_cast<std::size_t>(start), static_cast<std::size_t>(end - start)),
            U"Then the “panic” spread!");
}

TEST(RerankTest, CandidateReadsThePassageTextEstimatesOnlyWhenGiven) {
  const std::u32string text = U"Naïve critics call it a “disgraceful sham” again. Nothing else.";
  const auto view = features::make_article_view(text);
  std::vector<float> probs(view.tokens.size(), 0.4f);
  const TokenProbabilities token_probs{probs, probs, {}};
  const auto cands = candidates(view, probs, "a");
  ASSERT_FALSE(cands.empty());
  auto stats = article_stats(view, probs);
  const features::FeatureHasher hasher(kBits);
  const std::array<float, kNumTechniques> techniques{};
  auto features_of = [&](const Candidate& c) {
    features::SparseVector x;
    candidate_features(view, token_probs, stats, c, techniques, hasher, x);
    return x;
  };
  Candidate c = cands.front();
  const auto plain = features_of(c);
  c.text_score = 0.8f;
  const auto with_text = features_of(c);
  EXPECT_EQ(with_text.index.size(), plain.index.size() + 4);
  stats.sentence_text = {0.7f, 0.1f};
  const auto with_sentence = features_of(c);
  EXPECT_EQ(with_sentence.index.size(), with_text.index.size() + 3);
  // The candidate's own sentence's estimate is the one it reads.
  stats.sentence_text = {0.7f, 0.9f};
  const auto other = features_of(c);
  EXPECT_EQ(other.index, with_sentence.index);
  EXPECT_EQ(other.value, with_sentence.value);
}

}  // namespace
}  // namespace propscan::rerank
