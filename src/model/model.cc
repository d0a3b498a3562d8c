#include "model/model.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "features/extract.h"
#include "model/linear.h"
#include "propscan/error.h"

namespace propscan {

Model::Model(ModelConfig config, std::vector<float> tagger_weights, std::vector<float> classifier_weights,
             std::string info, ModelLexicons lexicons)
    : config_(config),
      tagger_hasher_(config.tagger_bits),
      classifier_hasher_(config.classifier_bits),
      tagger_weights_(std::move(tagger_weights)),
      classifier_weights_(std::move(classifier_weights)),
      info_(std::move(info)),
      lexicons_(std::move(lexicons)) {
  const int d = lexicons_.vectors.dimension();
  if (tagger_weights_.size() != tagger_size(config_, d) ||
      classifier_weights_.size() != classifier_block(config_, d) * kNumTechniques) {
    throw Error("model: weight sizes do not match the configuration");
  }
}

std::size_t Model::tagger_size(const ModelConfig& c, int d) {
  return (std::size_t{1} << c.tagger_bits) + features::token_dense_size(d);
}

std::size_t Model::classifier_block(const ModelConfig& c, int d) {
  return (std::size_t{1} << c.classifier_bits) + features::span_dense_size(d);
}

features::ArticleView Model::view(const std::u32string& text) const {
  auto v = features::make_article_view(text);
  features::attach_lexicons(v, lexicons_.vectors.size() ? &lexicons_.vectors : nullptr,
                            lexicons_.valence.empty() ? nullptr : &lexicons_.valence);
  return v;
}

std::vector<float> Model::token_probabilities(const features::ArticleView& view) const {
  std::vector<float> probs(view.tokens.size());
  features::SparseVector x;
  for (std::size_t i = 0; i < view.tokens.size(); ++i) {
    x.clear();
    features::token_features(view, static_cast<int>(i), tagger_hasher_, x);
    probs[i] = model::logistic_predict(tagger_weights_, x);
  }
  return probs;
}

std::array<float, kNumTechniques> Model::technique_probabilities(const features::ArticleView& view,
                                                                 Offset start, Offset end,
                                                                 std::span<const Span> siblings) const {
  features::SparseVector x;
  features::span_features(view, start, end, classifier_hasher_, x, siblings);
  std::array<float, kNumTechniques> probs{};
  model::softmax_predict(classifier_weights_,
                         static_cast<std::uint32_t>(classifier_block(config_, lexicons_.vectors.dimension())), x, probs);
  return probs;
}

float Model::calibrated_score(float m) const {
  return 1.0f / (1.0f + std::exp(-(config_.calibration_a * m + config_.calibration_b)));
}

namespace {

// Spans never start or end with these in the corpus.
bool is_edge_punct(const std::string& w) {
  return w == "." || w == "," || w == ":" || w == ";" || w == "-" || w == "\u2013" || w == "\u2014" ||
         w == "(" || w == ")";
}

}  // namespace

std::vector<Span> Model::decode_spans(const features::ArticleView& view, const std::vector<float>& raw_probs,
                                      float threshold, const std::string& article_id) {
  std::vector<Span> spans;
  const int n = static_cast<int>(view.tokens.size());
  // A single weak token between two strong ones ("the", "of") is part of the
  // passage: propaganda spans are contiguous phrases.
  std::vector<float> probs(raw_probs);
  for (int i = 1; i + 1 < n; ++i) {
    const auto u = static_cast<std::size_t>(i);
    probs[u] = std::max(raw_probs[u], std::min(raw_probs[u - 1], raw_probs[u + 1]));
  }
  int i = 0;
  while (i < n) {
    if (probs[static_cast<std::size_t>(i)] < threshold) {
      ++i;
      continue;
    }
    int j = i;
    const int sent = view.token_sentence[static_cast<std::size_t>(i)];
    while (j < n && probs[static_cast<std::size_t>(j)] >= threshold &&
           view.token_sentence[static_cast<std::size_t>(j)] == sent) {
      ++j;
    }
    int a = i, b = j;  // [a, b) tokens
    while (a < b && is_edge_punct(view.words[static_cast<std::size_t>(a)])) ++a;
    while (b > a && is_edge_punct(view.words[static_cast<std::size_t>(b - 1)])) --b;
    bool has_word = false;
    float total = 0.0f;
    for (int k = a; k < b; ++k) {
      total += probs[static_cast<std::size_t>(k)];
      if (view.tokens[static_cast<std::size_t>(k)].kind != text::TokenKind::kPunct) has_word = true;
    }
    if (has_word) {
      Span s;
      s.article_id = article_id;
      s.start = view.tokens[static_cast<std::size_t>(a)].start;
      s.end = view.tokens[static_cast<std::size_t>(b - 1)].end;
      s.score = total / static_cast<float>(b - a);
      spans.push_back(std::move(s));
    }
    i = j;
  }
  return spans;
}

}  // namespace propscan

namespace propscan {

std::vector<Span> detect_spans(const Model& model, const features::ArticleView& view,
                               const std::vector<float>& token_probs, float threshold,
                               const std::string& article_id) {
  auto spans = Model::decode_spans(view, token_probs, model.config().extent_threshold, article_id);
  for (auto& s : spans) s.score = model.calibrated_score(static_cast<float>(s.score));
  std::erase_if(spans, [threshold](const Span& s) { return s.score < threshold; });
  for (auto& s : spans) {
    auto probs = model.technique_probabilities(view, s.start, s.end, spans);
    auto best = std::max_element(probs.begin(), probs.end()) - probs.begin();
    s.technique = static_cast<Technique>(best);
  }
  return spans;
}

}  // namespace propscan
