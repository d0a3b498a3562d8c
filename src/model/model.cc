#include "model/model.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>
#include <utility>

#include "features/extract.h"
#include "model/linear.h"
#include "model/density.h"
#include "model/reranker.h"
#include "model/sentence.h"
#include "propscan/error.h"

namespace propscan {

Model::Model(ModelConfig config, std::vector<float> tagger_weights, std::vector<float> classifier_weights,
             std::string info, ModelLexicons lexicons,
             std::shared_ptr<const neural::SequenceTagger> sequence_tagger,
             std::vector<float> reranker_weights, model::TreeEnsemble reranker_trees,
             std::vector<float> sentence_weights, std::vector<float> density_weights,
             std::vector<float> passage_weights)
    : config_(config),
      tagger_hasher_(config.tagger_bits),
      classifier_hasher_(config.classifier_bits),
      tagger_weights_(std::move(tagger_weights)),
      classifier_weights_(std::move(classifier_weights)),
      info_(std::move(info)),
      lexicons_(std::move(lexicons)),
      sequence_tagger_(std::move(sequence_tagger)),
      reranker_weights_(std::move(reranker_weights)),
      reranker_trees_(std::move(reranker_trees)),
      sentence_weights_(std::move(sentence_weights)),
      density_weights_(std::move(density_weights)),
      passage_weights_(std::move(passage_weights)) {
  if (sequence_tagger_ && sequence_tagger_->config().input_dim !=
                              neural::input_dim(lexicons_.vectors.dimension(), sequence_tagger_->config().reads_linear)) {
    throw Error("model: the neural tagger does not fit the word vectors");
  }
  const int d = lexicons_.vectors.dimension();
  if (tagger_weights_.size() != tagger_size(config_, d) ||
      classifier_weights_.size() != classifier_features(config_, d) * kNumTechniques) {
    throw Error("model: weight sizes do not match the configuration");
  }
  if (!reranker_weights_.empty() && reranker_weights_.size() != (std::size_t{1} << rerank::kBits)) {
    throw Error("model: the reranker weights do not fit");
  }
  if (!sentence_weights_.empty() && sentence_weights_.size() != (std::size_t{1} << sentence::kBits)) {
    throw Error("model: the sentence scorer's weights do not fit");
  }
  if (!density_weights_.empty() && density_weights_.size() != (std::size_t{1} << density::kBits)) {
    throw Error("model: the article density weights do not fit");
  }
  if (!passage_weights_.empty() && passage_weights_.size() != classifier_features(config_, d)) {
    throw Error("model: the passage text model's weights do not fit");
  }
  if (!reranker_trees_.empty() && reranker_trees_.features() != rerank::kDenseFeatures) {
    throw Error("model: the reranker trees do not fit");
  }
}

std::size_t Model::tagger_size(const ModelConfig& c, int d) {
  return (std::size_t{1} << c.tagger_bits) + features::token_dense_size(d);
}

std::size_t Model::classifier_features(const ModelConfig& c, int d) {
  return (std::size_t{1} << c.classifier_bits) + features::span_dense_size(d);
}

features::ArticleView article_view(const std::u32string& text, const ModelLexicons& lexicons) {
  auto v = features::make_article_view(text);
  features::attach_lexicons(v, lexicons.vectors.size() ? &lexicons.vectors : nullptr,
                            lexicons.valence.empty() ? nullptr : &lexicons.valence,
                            lexicons.cues.empty() ? nullptr : &lexicons.cues);
  return v;
}

features::ArticleView Model::view(const std::u32string& text) const { return article_view(text, lexicons_); }

TokenProbabilities Model::token_probabilities(const features::ArticleView& view) const {
  TokenProbabilities p;
  p.linear = linear_token_probabilities(view);
  p.blend = p.linear;
  if (sequence_tagger_) {
    p.neural = sequence_tagger_->config().reads_linear ? sequence_tagger_->predict(view, p.linear)
                                                       : sequence_tagger_->predict(view);
    blend_probabilities(p.blend, p.neural, config_.neural_weight);
  }
  return p;
}

std::vector<float> Model::linear_token_probabilities(const features::ArticleView& view) const {
  return linear_tagger_probabilities(view, tagger_hasher_, tagger_weights_);
}

void blend_probabilities(std::vector<float>& linear, const std::vector<float>& neural, float neural_weight) {
  for (std::size_t i = 0; i < linear.size(); ++i) {
    linear[i] = (1.0f - neural_weight) * linear[i] + neural_weight * neural[i];
  }
}

std::vector<float> linear_tagger_probabilities(const features::ArticleView& view,
                                               const features::FeatureHasher& hasher, std::span<const float> weights) {
  std::vector<float> probs(view.tokens.size());
  features::SparseVector x;
  for (std::size_t i = 0; i < view.tokens.size(); ++i) {
    x.clear();
    features::token_features(view, static_cast<int>(i), hasher, x);
    probs[i] = model::logistic_predict(weights, x);
  }
  return probs;
}

std::array<float, kNumTechniques> Model::technique_probabilities(const features::ArticleView& view,
                                                                 Offset start, Offset end,
                                                                 std::span<const Span> siblings) const {
  return classify_passage(view, start, end, classifier_hasher_, classifier_weights_, siblings);
}

std::array<float, kNumTechniques> classify_passage(const features::ArticleView& view, Offset start, Offset end,
                                                   const features::FeatureHasher& hasher,
                                                   std::span<const float> weights,
                                                   std::span<const Span> siblings) {
  features::SparseVector x;
  features::span_features(view, start, end, hasher, x, siblings);
  std::array<float, kNumTechniques> probs{};
  model::softmax_predict(weights, x, probs);
  return probs;
}

float Model::passage_text_score(const features::ArticleView& view, Offset start, Offset end) const {
  if (passage_weights_.empty()) return -1.0f;
  features::SparseVector x;
  features::span_features(view, start, end, classifier_hasher_, x, {});
  return model::logistic_predict(passage_weights_, x);
}

Model::CandidateScores Model::candidate_scores(const features::ArticleView& view, Offset start, Offset end) const {
  features::SparseVector x;
  features::span_features(view, start, end, classifier_hasher_, x, {});
  CandidateScores out;
  model::softmax_predict(classifier_weights_, x, out.techniques);
  if (!passage_weights_.empty()) out.text = model::logistic_predict(passage_weights_, x);
  return out;
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

// Function words that a passage in the corpus rarely starts with ...
bool is_weak_start(const std::string& w) {
  static const std::unordered_set<std::string> kWords = {
      "and", "or", "but", "by", "of", "to", "in", "on", "at", "for", "from", "with", "as", "that", "which", "so"};
  return kWords.count(w) > 0;
}

// ... or ends with.
bool is_weak_end(const std::string& w) {
  static const std::unordered_set<std::string> kWords = {
      "and", "or", "but", "by", "of", "to", "in", "on", "at", "for", "from", "with", "as", "that", "which",
      "the", "a", "an", "is", "are", "was", "were", "be", "has", "have", "had", "this", "its", "their", "his", "her"};
  return kWords.count(w) > 0;
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
    auto word = [&](int k) -> const std::string& { return view.words[static_cast<std::size_t>(k)]; };
    while (a < b && (is_edge_punct(word(a)) || is_weak_start(word(a)))) ++a;
    while (b > a && (is_edge_punct(word(b - 1)) || is_weak_end(word(b - 1)))) --b;
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

namespace {

// Every other occurrence of a Repetition passage's words in the article is a
// repetition too: the technique lives at the level of the whole article.
void expand_repetitions(const features::ArticleView& view, const std::vector<float>& token_probs, float support,
                        std::vector<Span>& spans) {
  const std::size_t n = spans.size();
  for (std::size_t k = 0; k < n; ++k) {
    if (spans[k].technique != Technique::kRepetition) continue;
    const int first = view.token_at_or_after(spans[k].start);
    const int last = view.token_at_or_after(spans[k].end);
    const auto len = static_cast<std::size_t>(last - first);
    if (len == 0 || len > 8) continue;
    const auto& w = view.words;
    for (int at = view.first_same_word[static_cast<std::size_t>(first)]; at >= 0;
         at = view.next_same_word[static_cast<std::size_t>(at)]) {
      const auto i = static_cast<std::size_t>(at);
      if (i + len > w.size()) break;
      if (!std::equal(w.begin() + first, w.begin() + last, w.begin() + static_cast<std::ptrdiff_t>(i))) continue;
      float mean = 0.0f;
      for (std::size_t t = i; t < i + len; ++t) mean += token_probs[t];
      if (mean / static_cast<float>(len) < support) continue;
      Span copy = spans[k];
      copy.start = view.tokens[i].start;
      copy.end = view.tokens[i + len - 1].end;
      bool known = std::any_of(spans.begin(), spans.end(), [&](const Span& s) {
        return s.technique == Technique::kRepetition && s.start < copy.end && copy.start < s.end;
      });
      if (!known) spans.push_back(std::move(copy));
    }
  }
}

// Candidates at every extent, scored by the reranker; the best that do not
// overlap.
std::vector<Span> reranked_passages(const Model& model, const features::ArticleView& view,
                                    const TokenProbabilities& token_probs, float threshold,
                                    const std::string& article_id) {
  auto cands = rerank::candidates(view, token_probs.blend, article_id);
  auto stats = rerank::article_stats(view, token_probs.blend);
  if (!model.density_weights().empty()) stats.density = density::article_density(view, stats, model.density_weights());
  if (!model.sentence_weights().empty()) {
    stats.sentence_prob = sentence::sentence_probabilities(view, stats, model.sentence_weights());
  }
  if (!model.passage_weights().empty()) {
    // Only the sentences that hold a candidate are read.
    stats.sentence_text.assign(view.sentences.size(), -1.0f);
    for (const auto& cand : cands) {
      const auto k = static_cast<std::size_t>(view.token_sentence[static_cast<std::size_t>(cand.first_token)]);
      if (stats.sentence_text[k] >= 0.0f) continue;
      const auto [start, end] = rerank::sentence_span(view, k);
      stats.sentence_text[k] = model.passage_text_score(view, start, end);
    }
  }
  const features::FeatureHasher hasher(rerank::kBits);
  features::SparseVector x;
  std::array<float, rerank::kDenseFeatures> row{};
  const auto& trees = model.reranker_trees();
  for (auto& cand : cands) {
    const auto [techniques, text] = model.candidate_scores(view, cand.span.start, cand.span.end);
    cand.text_score = text;
    if (!trees.empty()) {
      rerank::dense_features(view, token_probs, stats, cand, techniques, row);
      cand.span.score = trees.probability(row);
    } else {
      x.clear();
      rerank::candidate_features(view, token_probs, stats, cand, techniques, hasher, x);
      cand.span.score = model::logistic_predict(model.reranker_weights(), x);
    }
  }
  return rerank::select(std::move(cands), threshold);
}

}  // namespace

std::vector<Span> detect_spans(const Model& model, const features::ArticleView& view,
                               const std::vector<float>& token_probs, float threshold,
                               const std::string& article_id) {
  return detect_spans(model, view, TokenProbabilities{token_probs, token_probs, {}}, threshold, article_id);
}

std::vector<Span> detect_spans(const Model& model, const features::ArticleView& view,
                               const TokenProbabilities& token_probs, float threshold,
                               const std::string& article_id) {
  const auto& c = model.config();
  auto decode = [&](float extent) {
    auto found = Model::decode_spans(view, token_probs.blend, extent, article_id);
    for (auto& s : found) s.score = model.calibrated_score(static_cast<float>(s.score));
    std::erase_if(found, [threshold](const Span& s) { return s.score < threshold; });
    return found;
  };
  const bool reranked = !model.reranker_weights().empty() || !model.reranker_trees().empty();
  auto spans = !reranked ? decode(c.extent_threshold)
                                                : reranked_passages(model, view, token_probs, threshold, article_id);
  // The strongest cores inside a passage are passages of their own (a loaded
  // word inside a sentence of doubt): decoded again at a higher extent.
  const std::size_t passages = spans.size();
  if (c.nested_extent > c.extent_threshold) {
    for (auto& core : decode(c.nested_extent)) {
      bool nested = std::any_of(spans.begin(), spans.begin() + static_cast<std::ptrdiff_t>(passages),
                                [&](const Span& p) {
                                  return p.start <= core.start && core.end <= p.end && p.length() > core.length();
                                });
      if (nested) spans.push_back(std::move(core));
    }
  }
  for (auto& s : spans) {
    auto probs = model.technique_probabilities(view, s.start, s.end, spans);
    auto best = std::max_element(probs.begin(), probs.end()) - probs.begin();
    s.technique = static_cast<Technique>(best);
  }
  // A core labelled like the passage around it adds nothing.
  std::vector<Span> kept(spans.begin(), spans.begin() + static_cast<std::ptrdiff_t>(passages));
  for (std::size_t k = passages; k < spans.size(); ++k) {
    bool same = std::any_of(kept.begin(), kept.begin() + static_cast<std::ptrdiff_t>(passages), [&](const Span& p) {
      return p.start <= spans[k].start && spans[k].end <= p.end && p.technique == spans[k].technique;
    });
    if (!same) kept.push_back(std::move(spans[k]));
  }
  expand_repetitions(view, token_probs.blend, c.extent_threshold, kept);
  return kept;
}

}  // namespace propscan
