#include "metrics/metrics.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "propscan/error.h"

namespace propscan::metrics {
namespace {

constexpr double kTol = 1e-9;
constexpr Technique kLoaded = Technique::kLoadedLanguage;
constexpr Technique kName = Technique::kNameCallingLabeling;
constexpr Technique kDoubt = Technique::kDoubt;

Span make_span(const std::string& article, Offset start, Offset end,
               std::optional<Technique> technique = std::nullopt, double score = 1.0) {
  Span span;
  span.article_id = article;
  span.start = start;
  span.end = end;
  span.technique = technique;
  span.score = score;
  return span;
}

void expect_prf(const PRF& prf, double precision, double recall, double f1) {
  EXPECT_NEAR(prf.precision, precision, kTol);
  EXPECT_NEAR(prf.recall, recall, kTol);
  EXPECT_NEAR(prf.f1, f1, kTol);
}

// ---------------------------------------------------------------- merging

TEST(MergeOverlapping, JoinsTransitiveChainKeepsTouchingApart) {
  // [0,4) ∪ [3,7) ∪ [6,10) = [0,10) (chain); [10,12) only touches it; input unsorted.
  const std::vector<Span> merged = merge_overlapping(
      {make_span("a", 6, 10), make_span("a", 10, 12), make_span("a", 0, 4), make_span("a", 3, 7)});
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_EQ(merged[0].start, 0);
  EXPECT_EQ(merged[0].end, 10);
  EXPECT_EQ(merged[1].start, 10);
  EXPECT_EQ(merged[1].end, 12);
}

TEST(MergeOverlapping, KeepsSharedTechniqueAndMaxScore) {
  // Same technique on both → kept; score = max(0.2, 0.7) = 0.7; nested span absorbed.
  const std::vector<Span> merged =
      merge_overlapping({make_span("a", 0, 10, kLoaded, 0.2), make_span("a", 2, 5, kLoaded, 0.7)});
  ASSERT_EQ(merged.size(), 1u);
  EXPECT_EQ(merged[0].article_id, "a");
  EXPECT_EQ(merged[0].start, 0);
  EXPECT_EQ(merged[0].end, 10);
  EXPECT_EQ(merged[0].technique, kLoaded);
  EXPECT_NEAR(merged[0].score, 0.7, kTol);
}

TEST(MergeOverlapping, MixedTechniquesGiveNoTechnique) {
  // [0,6) Loaded ∪ [4,9) Doubt → [0,9) with no technique; [20,25) Doubt alone keeps Doubt.
  const std::vector<Span> merged =
      merge_overlapping({make_span("a", 0, 6, kLoaded), make_span("a", 4, 9, kDoubt),
                         make_span("a", 20, 25, kDoubt)});
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_EQ(merged[0].end, 9);
  EXPECT_FALSE(merged[0].technique.has_value());
  EXPECT_EQ(merged[1].technique, kDoubt);
}

TEST(MergeOverlapping, NeverJoinsAcrossArticles) {
  // Same positions in articles "a" and "b" → two spans, one per article.
  const std::vector<Span> merged =
      merge_overlapping({make_span("b", 0, 10), make_span("a", 0, 10)});
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_EQ(merged[0].article_id, "a");
  EXPECT_EQ(merged[1].article_id, "b");
}

TEST(MergeOverlapping, EmptyInput) { EXPECT_TRUE(merge_overlapping({}).empty()); }

// ---------------------------------------------------------------- SI

TEST(SpanIdentification, ExactMatch) {
  // |s∩g| = 10: P = (10/10)/1 = 1, R = (10/10)/1 = 1, F1 = 1.
  const PRF prf = span_identification({make_span("a", 0, 10)}, {make_span("a", 0, 10)});
  expect_prf(prf, 1.0, 1.0, 1.0);
  EXPECT_EQ(prf.num_predicted, 1u);
  EXPECT_EQ(prf.num_gold, 1u);
}

TEST(SpanIdentification, PartialOverlap) {
  // gold [0,10), pred [5,15): |s∩g| = 5; P = 5/10 = 0.5, R = 5/10 = 0.5, F1 = 0.5.
  expect_prf(span_identification({make_span("a", 0, 10)}, {make_span("a", 5, 15)}), 0.5, 0.5, 0.5);
}

TEST(SpanIdentification, MergesOverlappingGold) {
  // gold [0,10) ∪ [5,15) = [0,15); pred [0,15): P = 15/15 = 1, R = 15/15 = 1.
  // (Unmerged, P would be (10+10)/15 = 4/3.)
  const PRF prf =
      span_identification({make_span("a", 0, 10), make_span("a", 5, 15)}, {make_span("a", 0, 15)});
  expect_prf(prf, 1.0, 1.0, 1.0);
  EXPECT_EQ(prf.num_gold, 1u);
}

TEST(SpanIdentification, MergesTransitiveChainOfGold) {
  // gold [0,4) ∪ [2,8) ∪ [6,12) = [0,12) though [0,4) and [6,12) do not meet;
  // pred [0,6): P = 6/6 = 1, R = 6/12 = 0.5, F1 = 2·1·0.5/1.5 = 2/3.
  const PRF prf = span_identification(
      {make_span("a", 0, 4), make_span("a", 2, 8), make_span("a", 6, 12)}, {make_span("a", 0, 6)});
  expect_prf(prf, 1.0, 0.5, 2.0 / 3.0);
  EXPECT_EQ(prf.num_gold, 1u);
}

TEST(SpanIdentification, MergesTransitiveChainOfPredicted) {
  // pred [0,4) ∪ [3,7) ∪ [6,10) = [0,10); gold [0,20): |s∩g| = 10;
  // P = 10/10 = 1, R = 10/20 = 0.5, F1 = 2·1·0.5/1.5 = 2/3.
  const PRF prf = span_identification(
      {make_span("a", 0, 20)}, {make_span("a", 0, 4), make_span("a", 3, 7), make_span("a", 6, 10)});
  expect_prf(prf, 1.0, 0.5, 2.0 / 3.0);
  EXPECT_EQ(prf.num_predicted, 1u);
}

TEST(SpanIdentification, TouchingSpansStayApart) {
  // gold [0,5) and [5,9) stay two spans; pred [0,5): P = 5/5 = 1,
  // R = (5/5 + 0/4)/2 = 0.5, F1 = 2/3. (Merged, R would be 5/9.)
  const PRF prf =
      span_identification({make_span("a", 0, 5), make_span("a", 5, 9)}, {make_span("a", 0, 5)});
  expect_prf(prf, 1.0, 0.5, 2.0 / 3.0);
  EXPECT_EQ(prf.num_gold, 2u);
}

TEST(SpanIdentification, OnePredictionCoversTwoGoldSpans) {
  // gold [0,4), [6,10); pred [0,10): P = (4/10 + 4/10)/1 = 0.8,
  // R = (4/4 + 4/4)/2 = 1, F1 = 2·0.8·1/1.8 = 8/9.
  const PRF prf =
      span_identification({make_span("a", 0, 4), make_span("a", 6, 10)}, {make_span("a", 0, 10)});
  expect_prf(prf, 0.8, 1.0, 8.0 / 9.0);
}

TEST(SpanIdentification, IdenticalGoldSpansWithTwoTechniquesCountOnce) {
  // gold [0,10) Loaded and [0,10) Name_Calling merge into one [0,10);
  // pred [0,10): P = 1, R = 1 (unmerged, R would be 2/2 but P = 20/10).
  const PRF prf = span_identification(
      {make_span("a", 0, 10, kLoaded), make_span("a", 0, 10, kName)}, {make_span("a", 0, 10)});
  expect_prf(prf, 1.0, 1.0, 1.0);
  EXPECT_EQ(prf.num_gold, 1u);
}

TEST(SpanIdentification, IgnoresTechniques) {
  // gold Loaded [0,10), pred Doubt [0,10): SI sees positions only → 1, 1, 1.
  expect_prf(span_identification({make_span("a", 0, 10, kLoaded)}, {make_span("a", 0, 10, kDoubt)}),
             1.0, 1.0, 1.0);
}

TEST(SpanIdentification, GoldArticleWithoutPredictionsCountsInRecall) {
  // gold a:[0,10), b:[0,10); pred a:[0,10): P = 1/1 = 1, R = (1 + 0)/2 = 0.5, F1 = 2/3.
  const PRF prf =
      span_identification({make_span("a", 0, 10), make_span("b", 0, 10)}, {make_span("a", 0, 10)});
  expect_prf(prf, 1.0, 0.5, 2.0 / 3.0);
  EXPECT_EQ(prf.num_gold, 2u);
}

TEST(SpanIdentification, PredictionsInArticleWithoutGoldCountInPrecision) {
  // gold a:[0,10); pred a:[0,10), b:[0,10): P = (1 + 0)/2 = 0.5, R = 1/1 = 1, F1 = 2/3.
  const PRF prf =
      span_identification({make_span("a", 0, 10)}, {make_span("a", 0, 10), make_span("b", 0, 10)});
  expect_prf(prf, 0.5, 1.0, 2.0 / 3.0);
  EXPECT_EQ(prf.num_predicted, 2u);
}

TEST(SpanIdentification, SamePositionsInDifferentArticlesDoNotOverlap) {
  // gold a:[0,10), pred b:[0,10): no common article → P = 0/1, R = 0/1, F1 = 0.
  expect_prf(span_identification({make_span("a", 0, 10)}, {make_span("b", 0, 10)}), 0.0, 0.0, 0.0);
}

TEST(SpanIdentification, EmptyInputs) {
  // Nothing predicted → P = 0; nothing gold → R = 0; F1 = 0 whenever either is 0.
  PRF prf = span_identification({}, {});
  expect_prf(prf, 0.0, 0.0, 0.0);
  EXPECT_EQ(prf.num_predicted, 0u);
  EXPECT_EQ(prf.num_gold, 0u);

  // gold a:[0,10), no prediction: P = 0 (no predicted spans), R = 0/1 = 0.
  prf = span_identification({make_span("a", 0, 10)}, {});
  expect_prf(prf, 0.0, 0.0, 0.0);
  EXPECT_EQ(prf.num_gold, 1u);

  // pred a:[0,10), no gold: P = 0/1 = 0, R = 0 (no gold spans).
  prf = span_identification({}, {make_span("a", 0, 10)});
  expect_prf(prf, 0.0, 0.0, 0.0);
  EXPECT_EQ(prf.num_predicted, 1u);
}

TEST(SpanIdentification, RejectsEmptySpan) {
  EXPECT_THROW(span_identification({make_span("a", 5, 5)}, {}), Error);
  EXPECT_THROW(span_identification({}, {make_span("a", 9, 3)}), Error);
}

TEST(SpanIdentification, ManyArticlesScoreOneAgainstThemselves) {
  // 371 articles × 20 disjoint spans [40k, 40k+30) each, predicted = gold:
  // every span matches itself only → P = R = F1 = 1 with 7420 spans each side.
  std::vector<Span> spans;
  for (int article = 0; article < 371; ++article) {
    for (Offset k = 0; k < 20; ++k) {
      spans.push_back(make_span(std::to_string(article), 40 * k, 40 * k + 30));
    }
  }
  const PRF prf = span_identification(spans, spans);
  expect_prf(prf, 1.0, 1.0, 1.0);
  EXPECT_EQ(prf.num_gold, 7420u);
}

// ---------------------------------------------------------------- FLC

TEST(FragmentClassification, ExactMatch) {
  // Same span, same technique: P = 1, R = 1, F1 = 1.
  expect_prf(
      fragment_classification({make_span("a", 0, 10, kLoaded)}, {make_span("a", 0, 10, kLoaded)}),
      1.0, 1.0, 1.0);
}

TEST(FragmentClassification, OverlapWithDifferentTechniqueGetsNoCredit) {
  // gold Loaded [0,10), pred Doubt [0,10): techniques differ → no overlap;
  // P = 0/1, R = 0/1, F1 = 0.
  const PRF prf =
      fragment_classification({make_span("a", 0, 10, kLoaded)}, {make_span("a", 0, 10, kDoubt)});
  expect_prf(prf, 0.0, 0.0, 0.0);
  EXPECT_EQ(prf.num_predicted, 1u);
  EXPECT_EQ(prf.num_gold, 1u);
}

TEST(FragmentClassification, IdenticalSpansWithTwoTechniques) {
  // gold [0,10) Loaded and [0,10) Name_Calling stay apart (merged per technique);
  // pred [0,10) Loaded: Loaded pair gives 10/10 to both sums.
  // P = 1/1 = 1, R = (1 + 0)/2 = 0.5, F1 = 2/3.
  const PRF prf =
      fragment_classification({make_span("a", 0, 10, kLoaded), make_span("a", 0, 10, kName)},
                              {make_span("a", 0, 10, kLoaded)});
  expect_prf(prf, 1.0, 0.5, 2.0 / 3.0);
  EXPECT_EQ(prf.num_gold, 2u);
}

TEST(FragmentClassification, MergesPerTechniqueOnly) {
  // gold Loaded [0,6) ∪ [4,10) = [0,10); gold Doubt [5,15) is not merged into it.
  // pred Loaded [0,10): P = 10/10 = 1; R = (10/10 + 0)/2 = 0.5; F1 = 2/3.
  const PRF prf =
      fragment_classification({make_span("a", 0, 6, kLoaded), make_span("a", 4, 10, kLoaded),
                               make_span("a", 5, 15, kDoubt)},
                              {make_span("a", 0, 10, kLoaded)});
  expect_prf(prf, 1.0, 0.5, 2.0 / 3.0);
  EXPECT_EQ(prf.num_gold, 2u);
}

TEST(FragmentClassification, MixedCaseAndPerTechnique) {
  // gold: Loaded [0,10), Loaded [20,30), Doubt [40,50)
  // pred: Loaded [0,5),  Doubt [40,50),  Doubt [60,70)
  // Loaded: P = (5/5)/1 = 1, R = (5/10 + 0)/2 = 0.25, F1 = 2·0.25/1.25 = 0.4
  // Doubt:  P = (10/10 + 0)/2 = 0.5, R = (10/10)/1 = 1, F1 = 2·0.5/1.5 = 2/3
  // all:    P = (1 + 1)/3 = 2/3, R = (0.5 + 1)/3 = 0.5,
  //         F1 = 2·(2/3)·(1/2)/(2/3 + 1/2) = (2/3)/(7/6) = 4/7
  const std::vector<Span> gold = {make_span("a", 0, 10, kLoaded), make_span("a", 20, 30, kLoaded),
                                  make_span("a", 40, 50, kDoubt)};
  const std::vector<Span> predicted = {make_span("a", 0, 5, kLoaded),
                                       make_span("a", 40, 50, kDoubt),
                                       make_span("a", 60, 70, kDoubt)};

  const PRF all = fragment_classification(gold, predicted);
  expect_prf(all, 2.0 / 3.0, 0.5, 4.0 / 7.0);
  EXPECT_EQ(all.num_predicted, 3u);
  EXPECT_EQ(all.num_gold, 3u);

  const std::array<PRF, kNumTechniques> per =
      fragment_classification_per_technique(gold, predicted);
  expect_prf(per[technique_index(kLoaded)], 1.0, 0.25, 0.4);
  EXPECT_EQ(per[technique_index(kLoaded)].num_gold, 2u);
  expect_prf(per[technique_index(kDoubt)], 0.5, 1.0, 2.0 / 3.0);
  EXPECT_EQ(per[technique_index(kDoubt)].num_predicted, 2u);
  // A technique absent from both sides: no spans, all zeros.
  expect_prf(per[technique_index(kName)], 0.0, 0.0, 0.0);
  EXPECT_EQ(per[technique_index(kName)].num_gold, 0u);
}

TEST(FragmentClassification, ArticlesOnOneSideOnly) {
  // gold a:Loaded[0,10), b:Loaded[0,10); pred a:Loaded[0,10), c:Loaded[0,10)
  // P = (1 + 0)/2 = 0.5, R = (1 + 0)/2 = 0.5, F1 = 0.5.
  expect_prf(
      fragment_classification({make_span("a", 0, 10, kLoaded), make_span("b", 0, 10, kLoaded)},
                              {make_span("a", 0, 10, kLoaded), make_span("c", 0, 10, kLoaded)}),
      0.5, 0.5, 0.5);
}

TEST(FragmentClassification, EmptyInputs) {
  // No spans at all: P = R = F1 = 0.
  expect_prf(fragment_classification({}, {}), 0.0, 0.0, 0.0);
  for (const PRF& prf : fragment_classification_per_technique({}, {})) {
    expect_prf(prf, 0.0, 0.0, 0.0);
  }
}

TEST(FragmentClassification, RejectsSpanWithoutTechnique) {
  try {
    fragment_classification({make_span("a", 0, 10, kLoaded)}, {make_span("art42", 0, 10)});
    FAIL() << "expected propscan::Error";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("fragment classification: span without a technique in article art42"),
              std::string::npos)
        << message;
  }
  EXPECT_THROW(fragment_classification({make_span("a", 0, 10)}, {}), Error);
  EXPECT_THROW(fragment_classification_per_technique({make_span("a", 0, 10)}, {}), Error);
}

// ---------------------------------------------------------------- TC

TEST(TechniqueClassification, TwoGoldRowsAtOneSpanOneRight) {
  // gold (a,0,10): Loaded, Name_Calling; pred (a,0,10): Loaded, Loaded.
  // correct = min(2,1) Loaded + min(0,1) Name = 1; micro-F1 = 2·1/(2+2) = 0.5.
  const std::vector<Span> gold = {make_span("a", 0, 10, kLoaded), make_span("a", 0, 10, kName)};
  const TCResult result = technique_classification(
      gold, {make_span("a", 0, 10, kLoaded), make_span("a", 0, 10, kLoaded)});
  EXPECT_EQ(result.correct, 1u);
  EXPECT_EQ(result.gold_rows, 2u);
  EXPECT_NEAR(result.micro_f1, 0.5, kTol);
}

TEST(TechniqueClassification, TwoGoldRowsAtOneSpanBothRight) {
  // gold (a,0,10): Loaded, Name_Calling; pred in the other order: Name_Calling, Loaded.
  // correct = 1 + 1 = 2; micro-F1 = 2·2/(2+2) = 1.
  const std::vector<Span> gold = {make_span("a", 0, 10, kLoaded), make_span("a", 0, 10, kName)};
  const TCResult result = technique_classification(
      gold, {make_span("a", 0, 10, kName), make_span("a", 0, 10, kLoaded)});
  EXPECT_EQ(result.correct, 2u);
  EXPECT_NEAR(result.micro_f1, 1.0, kTol);
}

TEST(TechniqueClassification, DuplicateGoldRowsUseMinRule) {
  // gold (a,0,10): Loaded ×2; pred (a,0,10): Loaded ×3.
  // correct = min(3,2) = 2; P = 2/3, R = 2/2 = 1; micro-F1 = 2·2/(3+2) = 0.8.
  const std::vector<Span> gold = {make_span("a", 0, 10, kLoaded), make_span("a", 0, 10, kLoaded)};
  const std::vector<Span> predicted = {make_span("a", 0, 10, kLoaded),
                                       make_span("a", 0, 10, kLoaded),
                                       make_span("a", 0, 10, kLoaded)};
  const TCResult result = technique_classification(gold, predicted);
  EXPECT_EQ(result.correct, 2u);
  EXPECT_EQ(result.gold_rows, 2u);
  EXPECT_NEAR(result.micro_f1, 0.8, kTol);
  const TechniqueScore& loaded = result.per_technique[technique_index(kLoaded)];
  EXPECT_EQ(loaded.gold, 2u);
  EXPECT_EQ(loaded.predicted, 3u);
  EXPECT_EQ(loaded.correct, 2u);
  EXPECT_NEAR(loaded.precision, 2.0 / 3.0, kTol);
  EXPECT_NEAR(loaded.recall, 1.0, kTol);
  EXPECT_NEAR(loaded.f1, 0.8, kTol);
}

TEST(TechniqueClassification, DuplicateGoldRowsOneWrongPrediction) {
  // gold (a,0,10): Loaded ×2; pred (a,0,10): Loaded, Doubt.
  // correct = min(1,2) + min(1,0) = 1; micro-F1 = 2·1/(2+2) = 0.5 = accuracy 1/2.
  const TCResult result =
      technique_classification({make_span("a", 0, 10, kLoaded), make_span("a", 0, 10, kLoaded)},
                               {make_span("a", 0, 10, kLoaded), make_span("a", 0, 10, kDoubt)});
  EXPECT_EQ(result.correct, 1u);
  EXPECT_NEAR(result.micro_f1, 0.5, kTol);
}

TEST(TechniqueClassification, PerTechniqueScores) {
  // gold: (a,0,10) Loaded, (a,20,30) Doubt, (a,40,50) Doubt
  // pred: (a,0,10) Loaded, (a,20,30) Loaded, (a,40,50) Doubt
  // Loaded: gold 1, pred 2, correct 1 → P = 0.5, R = 1, F1 = 2/3
  // Doubt:  gold 2, pred 1, correct 1 → P = 1, R = 0.5, F1 = 2/3
  // micro:  correct 2 of 3 rows → 2·2/(3+3) = 2/3
  const TCResult result =
      technique_classification({make_span("a", 0, 10, kLoaded), make_span("a", 20, 30, kDoubt),
                                make_span("a", 40, 50, kDoubt)},
                               {make_span("a", 0, 10, kLoaded), make_span("a", 20, 30, kLoaded),
                                make_span("a", 40, 50, kDoubt)});
  EXPECT_EQ(result.correct, 2u);
  EXPECT_EQ(result.gold_rows, 3u);
  EXPECT_NEAR(result.micro_f1, 2.0 / 3.0, kTol);
  const TechniqueScore& loaded = result.per_technique[technique_index(kLoaded)];
  EXPECT_NEAR(loaded.precision, 0.5, kTol);
  EXPECT_NEAR(loaded.recall, 1.0, kTol);
  EXPECT_NEAR(loaded.f1, 2.0 / 3.0, kTol);
  const TechniqueScore& doubt = result.per_technique[technique_index(kDoubt)];
  EXPECT_EQ(doubt.gold, 2u);
  EXPECT_EQ(doubt.predicted, 1u);
  EXPECT_NEAR(doubt.precision, 1.0, kTol);
  EXPECT_NEAR(doubt.recall, 0.5, kTol);
  EXPECT_NEAR(doubt.f1, 2.0 / 3.0, kTol);
  const TechniqueScore& name = result.per_technique[technique_index(kName)];
  EXPECT_EQ(name.gold, 0u);
  EXPECT_NEAR(name.f1, 0.0, kTol);
}

TEST(TechniqueClassification, PredictionsAtOtherPositionsAreWrong) {
  // gold (a,0,10) Loaded; pred (a,0,10) Loaded, (a,50,60) Loaded, (b,0,10) Loaded.
  // Only the first matches a gold position: correct = 1; P = 1/3, R = 1/1;
  // micro-F1 = 2·1/(3+1) = 0.5.
  const TCResult result =
      technique_classification({make_span("a", 0, 10, kLoaded)},
                               {make_span("a", 0, 10, kLoaded), make_span("a", 50, 60, kLoaded),
                                make_span("b", 0, 10, kLoaded)});
  EXPECT_EQ(result.correct, 1u);
  EXPECT_EQ(result.gold_rows, 1u);
  EXPECT_NEAR(result.micro_f1, 0.5, kTol);
}

TEST(TechniqueClassification, GoldRowsWithoutPredictions) {
  // gold (a,0,10) Loaded, (b,0,10) Doubt; pred (a,0,10) Loaded only.
  // correct = 1; P = 1/1, R = 1/2; micro-F1 = 2·1/(1+2) = 2/3.
  const TCResult result =
      technique_classification({make_span("a", 0, 10, kLoaded), make_span("b", 0, 10, kDoubt)},
                               {make_span("a", 0, 10, kLoaded)});
  EXPECT_EQ(result.correct, 1u);
  EXPECT_EQ(result.gold_rows, 2u);
  EXPECT_NEAR(result.micro_f1, 2.0 / 3.0, kTol);
}

TEST(TechniqueClassification, EmptyInputs) {
  // No rows: correct = 0, micro-F1 = 0.
  TCResult result = technique_classification({}, {});
  EXPECT_EQ(result.correct, 0u);
  EXPECT_EQ(result.gold_rows, 0u);
  EXPECT_NEAR(result.micro_f1, 0.0, kTol);
  // One gold row, nothing predicted: 0 correct of 1 → 0.
  result = technique_classification({make_span("a", 0, 10, kLoaded)}, {});
  EXPECT_EQ(result.gold_rows, 1u);
  EXPECT_NEAR(result.micro_f1, 0.0, kTol);
}

TEST(TechniqueClassification, RejectsRowWithoutTechnique) {
  EXPECT_THROW(technique_classification({make_span("a", 0, 10)}, {}), Error);
  EXPECT_THROW(technique_classification({make_span("a", 0, 10, kLoaded)}, {make_span("a", 0, 10)}),
               Error);
}

}  // namespace
}  // namespace propscan::metrics
