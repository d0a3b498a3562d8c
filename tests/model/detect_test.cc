#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "features/extract.h"
#include "model/linear.h"

#include "features/hashing.h"
#include "model/model.h"

namespace propscan {
namespace {

// A model whose classifier only looks at passage length: one token ->
// `short_label`, five tokens -> `long_label`, two tokens -> `pair_label`.
Model length_model(Technique short_label, Technique long_label, Technique pair_label) {
  ModelConfig c;
  c.tagger_bits = 16;
  c.classifier_bits = 16;
  c.extent_threshold = 0.2f;
  c.nested_extent = 0.5f;
  c.calibration_a = 1.0f;
  c.calibration_b = 0.0f;
  c.threshold = 0.0f;
  std::vector<float> classifier(Model::classifier_features(c, 0) * kNumTechniques, 0.0f);
  features::FeatureHasher h(c.classifier_bits);
  // "ntok=" buckets: 1 token -> "0", 2 tokens -> "1", 5 tokens -> "4".
  classifier[h.bucket("ntok=", "0") * kNumTechniques + technique_index(short_label)] = 5.0f;
  classifier[h.bucket("ntok=", "1") * kNumTechniques + technique_index(pair_label)] = 5.0f;
  classifier[h.bucket("ntok=", "4") * kNumTechniques + technique_index(long_label)] = 5.0f;
  ModelParts parts;
  parts.config = c;
  parts.info = "{}";
  parts.tagger_weights.assign(Model::tagger_size(c, 0), 0.0f);
  parts.classifier_weights = std::move(classifier);
  return Model(std::move(parts));
}

TEST(DetectTest, TheSamePassageGivenTwiceGetsItsTwoMostLikelyTechniques) {
  // "ntok=" of a one-token passage votes for Loaded_Language; "short=" of its
  // word, less strongly, for Name_Calling.
  Model base = length_model(Technique::kLoadedLanguage, Technique::kDoubt, Technique::kSlogans);
  ModelParts parts = base.parts();
  features::FeatureHasher h(parts.config.classifier_bits);
  parts.classifier_weights[h.bucket("short=", "outrageous") * kNumTechniques +
                           technique_index(Technique::kNameCallingLabeling)] = 2.0f;
  const Model model(std::move(parts));
  const std::u32string text = U"This is outrageous nonsense today.";
  const auto view = model.view(text);
  const auto span = [](Offset start, Offset end) {
    Span s;
    s.article_id = "a";
    s.start = start;
    s.end = end;
    return s;
  };
  const std::vector<Span> spans = {span(8, 18), span(0, 4), span(8, 18), span(8, 18)};
  const auto labels = label_passages(model, view, spans);
  ASSERT_EQ(labels.size(), 4u);
  EXPECT_EQ(labels[0], Technique::kLoadedLanguage);
  EXPECT_EQ(labels[1], Technique::kLoadedLanguage);  // other bounds: its own best
  EXPECT_EQ(labels[2], Technique::kNameCallingLabeling);
  // The third copy gets the third most likely: not one of the first two.
  EXPECT_NE(labels[3], Technique::kLoadedLanguage);
  EXPECT_NE(labels[3], Technique::kNameCallingLabeling);
}

TEST(DetectTest, StrongCoreInsideAPassageBecomesANestedSpan) {
  const Model model = length_model(Technique::kLoadedLanguage, Technique::kDoubt, Technique::kSlogans);
  const std::u32string text = U"This is outrageous nonsense today.";
  const auto view = model.view(text);
  ASSERT_EQ(view.tokens.size(), 6u);
  // "outrageous" stands out inside a weaker five-word passage.
  const std::vector<float> probs = {0.3f, 0.3f, 0.9f, 0.3f, 0.3f, 0.1f};
  auto spans = detect_spans(model, view, probs, 0.0f, "a");
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0].start, 0);
  EXPECT_EQ(spans[0].end, 33);
  EXPECT_EQ(spans[0].technique, Technique::kDoubt);
  EXPECT_EQ(spans[1].start, 8);
  EXPECT_EQ(spans[1].end, 18);
  EXPECT_EQ(spans[1].technique, Technique::kLoadedLanguage);
}

TEST(DetectTest, NestedCoreWithTheSameTechniqueIsDropped) {
  const Model model = length_model(Technique::kDoubt, Technique::kDoubt, Technique::kSlogans);
  const std::u32string text = U"This is outrageous nonsense today.";
  const auto view = model.view(text);
  auto spans = detect_spans(model, view, {0.3f, 0.3f, 0.9f, 0.3f, 0.3f, 0.1f}, 0.0f, "a");
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].technique, Technique::kDoubt);
}

TEST(DetectTest, RepetitionWithoutSupportIsNotCopied) {
  const Model model = length_model(Technique::kLoadedLanguage, Technique::kDoubt, Technique::kRepetition);
  const std::u32string text = U"Jobs now. We want jobs now.";
  const auto view = model.view(text);
  std::vector<float> probs(view.tokens.size(), 0.05f);
  probs[0] = probs[1] = 0.9f;
  auto spans = detect_spans(model, view, probs, 0.6f, "a");
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].start, 0);
}

TEST(DetectTest, RepetitionIsMarkedAcrossTheWholeArticle) {
  const Model model = length_model(Technique::kLoadedLanguage, Technique::kDoubt, Technique::kRepetition);
  // 13 tokens: Jobs now . We want jobs now . They promised jobs now .
  const std::u32string text = U"Jobs now. We want jobs now. They promised jobs now.";
  const auto view = model.view(text);
  ASSERT_EQ(view.tokens.size(), 13u);
  std::vector<float> probs(13, 0.05f);
  probs[0] = probs[1] = 0.9f;  // only the first "Jobs now" is detected...
  // ...but the tagger gives the repeats some support (above the extent threshold).
  probs[5] = probs[6] = probs[10] = probs[11] = 0.3f;
  auto spans = detect_spans(model, view, probs, 0.6f, "a");
  ASSERT_EQ(spans.size(), 3u);
  for (const auto& s : spans) EXPECT_EQ(s.technique, Technique::kRepetition);
  EXPECT_EQ(spans[0].start, 0);
  EXPECT_EQ(spans[1].start, 18);
  EXPECT_EQ(spans[1].end, 26);
  EXPECT_EQ(spans[2].start, 42);
  EXPECT_EQ(spans[2].end, 50);
}

// Many passages with the same words: each is checked against the others and
// against every occurrence of its words, which took time cubic in their
// number (minutes for this article) before the occurrences and the covered
// characters were indexed.
TEST(DetectTest, ThousandsOfRepeatedPassagesEachStayOne) {
  const Model model = length_model(Technique::kLoadedLanguage, Technique::kDoubt, Technique::kRepetition);
  std::u32string text;
  constexpr int kRepeats = 3000;
  for (int i = 0; i < kRepeats; ++i) text += U"Liars lie. ";
  const auto view = model.view(text);
  ASSERT_EQ(view.tokens.size(), 3u * kRepeats);
  std::vector<float> probs(view.tokens.size(), 0.05f);
  // Every "Liars lie" detected, except every third, which only has support.
  for (int i = 0; i < kRepeats; ++i) {
    const float p = i % 3 == 2 ? 0.3f : 0.9f;
    probs[3u * i] = probs[3u * i + 1] = p;
  }
  const auto spans = detect_spans(model, view, probs, 0.65f, "a");
  ASSERT_EQ(spans.size(), static_cast<std::size_t>(kRepeats));
  std::vector<Offset> starts;
  for (const auto& s : spans) {
    EXPECT_EQ(s.technique, Technique::kRepetition);
    EXPECT_EQ(s.length(), 9);
    starts.push_back(s.start);
  }
  std::sort(starts.begin(), starts.end());
  for (int i = 0; i < kRepeats; ++i) EXPECT_EQ(starts[static_cast<std::size_t>(i)], 11 * i);
}

// The linear tagger sums each sentence's bag of words once per distinct sum
// of the token's own features: the probabilities must be those of the one
// loop over each token's whole feature vector, to the bit.
TEST(DetectTest, LinearTaggerEqualsOneSumOverEachTokensFeatures) {
  std::u32string text = U"A disgraceful, corrupt scheme! Rain is expected today.\n";
  for (int i = 0; i < 300; ++i) text += U"No. ";  // one long sentence of repeats
  text += U"\nThe mayor spoke.";
  const features::FeatureHasher hasher(16);
  std::vector<float> weights(hasher.dimension());
  std::mt19937 rng(5);
  std::normal_distribution<float> normal(0.0f, 0.7f);
  for (auto& w : weights) w = normal(rng);
  const auto view = features::make_article_view(text);
  const auto probs = linear_tagger_probabilities(view, hasher, weights);
  ASSERT_EQ(probs.size(), view.tokens.size());
  features::SparseVector x;
  for (std::size_t i = 0; i < view.tokens.size(); ++i) {
    x.clear();
    features::token_features(view, static_cast<int>(i), hasher, x);
    ASSERT_EQ(probs[i], model::logistic_predict(weights, x)) << "token " << i;
  }
}

}  // namespace
}  // namespace propscan
