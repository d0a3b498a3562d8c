#include "model/model.h"

#include <algorithm>
#include <bit>
#include <iterator>
#include <map>
#include <cmath>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "features/extract.h"
#include "model/linear.h"
#include "model/density.h"
#include "model/reranker.h"
#include "model/sentence.h"
#include "propscan/error.h"

namespace propscan {

Model::Model(ModelParts parts)
    : parts_(std::move(parts)),
      tagger_hasher_(parts_.config.tagger_bits),
      classifier_hasher_(parts_.config.classifier_bits) {
  const auto& c = parts_.config;
  if (c.tagger_bits < 4 || c.tagger_bits > 26 || c.classifier_bits < 4 || c.classifier_bits > 26) {
    throw Error("model: feature table sizes out of range");
  }
  const int d = parts_.lexicons.vectors.dimension();
  if (parts_.network && parts_.network->config().input_dim != neural::input_dim(d)) {
    throw Error("model: the neural tagger does not fit the word vectors");
  }
  if (c.sentence_encoder && !parts_.lexicons.encoder) {
    throw Error("model: it reads the sentence encoder, which was not loaded");
  }
  if (parts_.tagger_weights.size() != tagger_size(c, d) ||
      parts_.classifier_weights.size() != classifier_features(c, d) * kNumTechniques) {
    throw Error("model: weight sizes do not match the configuration");
  }
  if (const auto& r = parts_.reranker) {
    if (r->weights.size() != (std::size_t{1} << rerank::kBits)) throw Error("model: the reranker weights do not fit");
    if (r->sentence_weights && r->sentence_weights->size() != (std::size_t{1} << sentence::kBits)) {
      throw Error("model: the sentence scorer's weights do not fit");
    }
    if (r->density_weights && r->density_weights->size() != (std::size_t{1} << density::kBits)) {
      throw Error("model: the article density weights do not fit");
    }
    if (r->passage_weights && r->passage_weights->size() != classifier_features(c, d)) {
      throw Error("model: the passage text model's weights do not fit");
    }
  }
}

std::size_t Model::tagger_size(const ModelConfig& c, int d) {
  return (std::size_t{1} << c.tagger_bits) + features::token_dense_size(d);
}

std::size_t Model::classifier_features(const ModelConfig& c, int d) {
  return (std::size_t{1} << c.classifier_bits) + features::span_dense_size(d);
}

std::vector<std::shared_ptr<const EmbeddingCache::Pieces>> EmbeddingCache::encode(
    const encoder::SentenceEncoder& encoder, const std::vector<std::u32string>& sentences) {
  std::vector<std::shared_ptr<const Pieces>> out(sentences.size());
  std::vector<std::u32string> fresh;
  std::vector<std::size_t> fresh_at;
  {
    const std::lock_guard lock(mutex_);
    for (std::size_t k = 0; k < sentences.size(); ++k) {
      if (auto it = seen_.find(sentences[k]); it != seen_.end()) {
        out[k] = it->second;
      } else {
        fresh.push_back(sentences[k]);
        fresh_at.push_back(k);
      }
    }
  }
  if (fresh.empty()) return out;
  auto encoded = encoder.encode_pieces(fresh);
  const std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < fresh.size(); ++i) {
    auto pieces = std::make_shared<const Pieces>(std::move(encoded[i]));
    out[fresh_at[i]] = pieces;
    seen_.emplace(std::move(fresh[i]), std::move(pieces));
  }
  return out;
}

namespace {

constexpr int kEncoderDim = encoder::SentenceEncoder::kDim;

// Adds the rows of the pieces of `p` that overlap [start, end) (positions in
// its sentence) to `sum`; returns how many.
int add_pieces(const EmbeddingCache::Pieces& p, std::int64_t start, std::int64_t end, float* sum) {
  int count = 0;
  for (std::size_t r = 0; r < p.spans.size(); ++r) {
    if (p.spans[r].second <= start || p.spans[r].first >= end) continue;
    const float* row = p.rows.data() + r * kEncoderDim;
    for (int i = 0; i < kEncoderDim; ++i) sum[i] += row[i];
    ++count;
  }
  return count;
}

// A passage's embedding in its sentences' context: the encoder's outputs for
// the pieces the passage covers, pooled as the encoder pools a whole
// sentence's. The sentences are encoded once per article, the passages cost
// a sum each. A passage no piece covers (past a long sentence's 128th piece)
// is encoded on its own.
class PooledPassageEncoder final : public features::PassageEncoder {
 public:
  PooledPassageEncoder(std::shared_ptr<const encoder::SentenceEncoder> encoder, std::shared_ptr<EmbeddingCache> cache,
                       const std::u32string& text, std::vector<SentenceBounds> sentences,
                       std::vector<std::shared_ptr<const EmbeddingCache::Pieces>> pieces)
      : encoder_(std::move(encoder)),
        cache_(std::move(cache)),
        text_(&text),
        sentences_(std::move(sentences)),
        pieces_(std::move(pieces)) {}

  std::vector<float> embed(std::int64_t start, std::int64_t end) const override {
    std::vector<float> sum(kEncoderDim, 0.0f);
    int count = 0;
    const auto first = std::partition_point(sentences_.begin(), sentences_.end(),
                                            [&](const SentenceBounds& s) { return s.end <= start; });
    for (auto s = first; s != sentences_.end() && s->start < end; ++s) {
      const auto& p = *pieces_[static_cast<std::size_t>(s - sentences_.begin())];
      count += add_pieces(p, start - s->start, end - s->start, sum.data());
    }
    if (count == 0) {
      const auto own = cache_->encode(
          *encoder_, {text_->substr(static_cast<std::size_t>(start), static_cast<std::size_t>(end - start))});
      count = add_pieces(*own[0], 0, end - start, sum.data());
    }
    for (float& v : sum) v /= static_cast<float>(std::max(count, 1));
    const auto e = encoder_->pool(sum.data());
    return {e.begin(), e.end()};
  }

 private:
  std::shared_ptr<const encoder::SentenceEncoder> encoder_;
  std::shared_ptr<EmbeddingCache> cache_;
  const std::u32string* text_;
  std::vector<SentenceBounds> sentences_;
  std::vector<std::shared_ptr<const EmbeddingCache::Pieces>> pieces_;
};

}  // namespace

features::ArticleView article_view(const std::u32string& text, const ModelLexicons& lexicons) {
  auto v = features::make_article_view(text);
  features::attach_lexicons(v, lexicons.vectors.size() ? &lexicons.vectors : nullptr,
                            lexicons.valence.empty() ? nullptr : &lexicons.valence,
                            lexicons.cues.empty() ? nullptr : &lexicons.cues);
  if (lexicons.encoder && !v.sentences.empty()) {
    std::vector<std::u32string> sentences;
    sentences.reserve(v.sentences.size());
    for (const auto& s : v.sentences) {
      sentences.push_back(text.substr(static_cast<std::size_t>(s.start), static_cast<std::size_t>(s.end - s.start)));
    }
    auto cache = lexicons.embedding_cache ? lexicons.embedding_cache : std::make_shared<EmbeddingCache>();
    auto pieces = cache->encode(*lexicons.encoder, sentences);
    v.embedding_dimension = kEncoderDim;
    v.sentence_embeddings.reserve(pieces.size() * kEncoderDim);
    for (const auto& p : pieces) {
      const auto e = lexicons.encoder->pool(*p);
      v.sentence_embeddings.insert(v.sentence_embeddings.end(), e.begin(), e.end());
    }
    v.passage_encoder = std::make_shared<PooledPassageEncoder>(lexicons.encoder, std::move(cache), text, v.sentences,
                                                               std::move(pieces));
  }
  return v;
}

features::ArticleView Model::view(const std::u32string& text) const { return article_view(text, parts_.lexicons); }

TokenProbabilities Model::token_probabilities(const features::ArticleView& view) const {
  TokenProbabilities p;
  p.linear = linear_token_probabilities(view);
  p.blend = p.linear;
  if (parts_.network) {
    p.neural = parts_.network->predict(view);
    blend_probabilities(p.blend, p.neural, parts_.config.neural_weight);
  }
  return p;
}

std::vector<float> Model::linear_token_probabilities(const features::ArticleView& view) const {
  return linear_tagger_probabilities(view, tagger_hasher_, parts_.tagger_weights);
}

void blend_probabilities(std::vector<float>& linear, const std::vector<float>& neural, float neural_weight) {
  for (std::size_t i = 0; i < linear.size(); ++i) {
    linear[i] = (1.0f - neural_weight) * linear[i] + neural_weight * neural[i];
  }
}

std::vector<float> linear_tagger_probabilities(const features::ArticleView& view,
                                               const features::FeatureHasher& hasher, std::span<const float> weights) {
  std::vector<float> probs(view.tokens.size());
  // A token's features end with its sentence's bag of words, the same for
  // every token of the sentence: it is built once per sentence, and the sum
  // over it, continued from the sum over the token's own features, is taken
  // once per distinct such start. The floats are those of one loop over the
  // whole vector; only the repeated work goes.
  features::SparseVector x, bag;
  std::unordered_map<std::uint32_t, float> score_from;  // bits of the local sum -> whole sum
  int bag_sentence = -1;
  for (std::size_t i = 0; i < view.tokens.size(); ++i) {
    const int sentence = view.token_sentence[i];
    if (sentence != bag_sentence) {
      bag.clear();
      features::sentence_bag_features(view, sentence, hasher, bag);
      score_from.clear();
      bag_sentence = sentence;
    }
    x.clear();
    features::token_local_features(view, static_cast<int>(i), hasher, x);
    const float local = model::linear_score(weights, x);
    const auto [it, fresh] = score_from.try_emplace(std::bit_cast<std::uint32_t>(local), 0.0f);
    if (fresh) it->second = model::linear_score(weights, bag, local);
    probs[i] = model::logistic(it->second);
  }
  return probs;
}

std::array<float, kNumTechniques> Model::technique_probabilities(const features::ArticleView& view,
                                                                 Offset start, Offset end,
                                                                 const features::SiblingIndex& siblings,
                                                                 features::PhraseCache* phrases) const {
  features::SparseVector x;
  features::span_features(view, start, end, classifier_hasher_, x, &siblings, phrases);
  std::array<float, kNumTechniques> probs{};
  model::softmax_predict(parts_.classifier_weights, x, probs);
  return probs;
}

std::vector<Technique> label_passages(const Model& model, const features::ArticleView& view,
                                      std::span<const Span> spans, features::PhraseCache* phrases) {
  const features::SiblingIndex siblings(view, spans);
  std::map<std::pair<Offset, Offset>, int> seen;  // passages with these bounds so far
  std::vector<Technique> out;
  out.reserve(spans.size());
  for (const auto& s : spans) {
    const auto probs = model.technique_probabilities(view, s.start, s.end, siblings, phrases);
    std::array<int, kNumTechniques> order{};
    for (std::size_t t = 0; t < kNumTechniques; ++t) order[t] = static_cast<int>(t);
    const auto rank = static_cast<std::size_t>(seen[{s.start, s.end}]++) % kNumTechniques;
    // Stable, so that ties keep the lower technique as max_element does.
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
      return probs[static_cast<std::size_t>(a)] > probs[static_cast<std::size_t>(b)];
    });
    out.push_back(static_cast<Technique>(order[rank]));
  }
  return out;
}

std::array<float, kNumTechniques> classify_passage(const features::ArticleView& view, Offset start, Offset end,
                                                   const features::FeatureHasher& hasher,
                                                   std::span<const float> weights,
                                                   const features::SiblingIndex* siblings) {
  features::SparseVector x;
  features::span_features(view, start, end, hasher, x, siblings);
  std::array<float, kNumTechniques> probs{};
  model::softmax_predict(weights, x, probs);
  return probs;
}

float Model::passage_text_score(const features::ArticleView& view, Offset start, Offset end,
                                features::PhraseCache* phrases) const {
  const auto* passage = reranker() ? &reranker()->passage_weights : nullptr;
  if (!passage || !*passage) return -1.0f;
  features::SparseVector x;
  features::span_features(view, start, end, classifier_hasher_, x, nullptr, phrases);
  return model::logistic_predict(**passage, x);
}

Model::CandidateScores Model::candidate_scores(const features::ArticleView& view, Offset start, Offset end,
                                               features::PhraseCache* phrases) const {
  features::SparseVector x;
  features::span_features(view, start, end, classifier_hasher_, x, nullptr, phrases);
  CandidateScores out;
  model::softmax_predict(parts_.classifier_weights, x, out.techniques);
  if (reranker() && reranker()->passage_weights) out.text = model::logistic_predict(*reranker()->passage_weights, x);
  return out;
}

std::optional<double> Model::precision_estimate(double score) const {
  const auto& c = parts_.calibration;
  if (!c) return std::nullopt;
  const auto& x = c->scores;
  const auto& y = c->precision;
  if (score <= x.front()) return y.front();
  if (score >= x.back()) return y.back();
  const auto k = static_cast<std::size_t>(std::upper_bound(x.begin(), x.end(), score) - x.begin());
  const double t = (score - x[k - 1]) / std::max(1e-12, static_cast<double>(x[k] - x[k - 1]));
  return y[k - 1] + t * (y[k] - y[k - 1]);
}

std::optional<double> Model::article_percentile(double score) const {
  const auto& c = parts_.calibration;
  if (!c) return std::nullopt;
  const auto& a = c->article_scores;
  const auto below = std::lower_bound(a.begin(), a.end(), score) - a.begin();
  return static_cast<double>(below) / static_cast<double>(a.size());
}

float Model::calibrated_score(float m) const {
  return 1.0f / (1.0f + std::exp(-(parts_.config.calibration_a * m + parts_.config.calibration_b)));
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
  // The characters Repetition passages cover, as disjoint intervals
  // (start -> end): a copy is known when it overlaps one. Passages are never
  // empty, so overlapping a passage is sharing a character with it.
  std::map<Offset, Offset> covered;
  const auto overlaps = [&](Offset start, Offset end) {
    auto it = covered.lower_bound(end);
    return it != covered.begin() && std::prev(it)->second > start;
  };
  const auto cover = [&](Offset start, Offset end) {
    if (start >= end) return;
    auto it = covered.upper_bound(start);
    if (it != covered.begin() && std::prev(it)->second >= start) --it;
    while (it != covered.end() && it->first <= end) {
      start = std::min(start, it->first);
      end = std::max(end, it->second);
      it = covered.erase(it);
    }
    covered.emplace(start, end);
  };
  for (const auto& s : spans) {
    if (s.technique == Technique::kRepetition) cover(s.start, s.end);
  }
  // Every passing occurrence of a phrase is known once its first passage is
  // expanded, so a later passage with the same words adds nothing.
  std::unordered_set<std::string> expanded;
  const std::size_t n = spans.size();
  for (std::size_t k = 0; k < n; ++k) {
    if (spans[k].technique != Technique::kRepetition) continue;
    const int first = view.token_at_or_after(spans[k].start);
    const int last = view.token_at_or_after(spans[k].end);
    const auto len = static_cast<std::size_t>(last - first);
    if (len == 0 || len > 8) continue;
    if (!expanded.insert(features::phrase_key(view, first, last)).second) continue;
    view.for_each_occurrence(first, last, [&](int at) {
      const auto i = static_cast<std::size_t>(at);
      float mean = 0.0f;
      for (std::size_t t = i; t < i + len; ++t) mean += token_probs[t];
      if (mean / static_cast<float>(len) < support) return true;
      Span copy = spans[k];
      copy.start = view.tokens[i].start;
      copy.end = view.tokens[i + len - 1].end;
      if (overlaps(copy.start, copy.end)) return true;
      cover(copy.start, copy.end);
      spans.push_back(std::move(copy));
      return true;
    });
  }
}

// Candidates at every extent, scored by the reranker; the best that do not
// overlap.
std::vector<Span> reranked_passages(const Model& model, const features::ArticleView& view,
                                    const TokenProbabilities& token_probs, float threshold,
                                    const std::string& article_id, features::PhraseCache& phrases,
                                    std::vector<float>* sentence_probs) {
  const RerankerParts& reranker = *model.reranker();
  auto cands = rerank::candidates(view, token_probs.blend, article_id);
  auto stats = rerank::article_stats(view, token_probs.blend);
  if (reranker.density_weights) stats.density = density::article_density(view, stats, *reranker.density_weights);
  if (reranker.sentence_weights) {
    stats.sentence_prob = sentence::sentence_probabilities(view, stats, *reranker.sentence_weights);
    if (sentence_probs) *sentence_probs = stats.sentence_prob;
  }
  if (reranker.passage_weights) {
    // Only the sentences that hold a candidate are read.
    stats.sentence_text.assign(view.sentences.size(), -1.0f);
    for (const auto& cand : cands) {
      const auto k = static_cast<std::size_t>(view.token_sentence[static_cast<std::size_t>(cand.first_token)]);
      if (stats.sentence_text[k] >= 0.0f) continue;
      const auto [start, end] = rerank::sentence_span(view, k);
      stats.sentence_text[k] = model.passage_text_score(view, start, end, &phrases);
    }
  }
  const features::FeatureHasher hasher(rerank::kBits);
  features::SparseVector x;
  for (auto& cand : cands) {
    const auto [techniques, text] = model.candidate_scores(view, cand.span.start, cand.span.end, &phrases);
    cand.text_score = text;
    x.clear();
    rerank::candidate_features(view, token_probs, stats, cand, techniques, hasher, x);
    cand.span.score = model::logistic_predict(reranker.weights, x);
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
                               const std::string& article_id, std::vector<float>* sentence_probs) {
  const auto& c = model.config();
  auto decode = [&](float extent) {
    auto found = Model::decode_spans(view, token_probs.blend, extent, article_id);
    for (auto& s : found) s.score = model.calibrated_score(static_cast<float>(s.score));
    std::erase_if(found, [threshold](const Span& s) { return s.score < threshold; });
    return found;
  };
  features::PhraseCache phrases;
  auto spans = model.reranker() ? reranked_passages(model, view, token_probs, threshold, article_id, phrases, sentence_probs)
                                 : decode(c.extent_threshold);
  // The strongest cores inside a passage are passages of their own (a loaded
  // word inside a sentence of doubt): decoded again at a higher extent.
  const std::size_t passages = spans.size();
  const auto bounds = [](auto first, auto last) {
    std::vector<std::pair<Offset, Offset>> out;
    for (auto it = first; it != last; ++it) out.emplace_back(it->start, it->end);
    return features::Containment(std::move(out));
  };
  if (c.nested_extent > c.extent_threshold) {
    // Inside a passage and shorter than it: inside one with other bounds.
    const auto around = bounds(spans.begin(), spans.end());
    for (auto& core : decode(c.nested_extent)) {
      if (around.any_strictly_contains(core.start, core.end)) spans.push_back(std::move(core));
    }
  }
  const auto labels = label_passages(model, view, spans, &phrases);
  for (std::size_t k = 0; k < spans.size(); ++k) spans[k].technique = labels[k];
  // A core labelled like the passage around it adds nothing.
  std::vector<Span> kept(spans.begin(), spans.begin() + static_cast<std::ptrdiff_t>(passages));
  std::array<std::vector<std::pair<Offset, Offset>>, kNumTechniques> by_technique;
  // Every span has its technique by now.
  const auto slot = [](const Span& s) { return static_cast<std::size_t>(*s.technique); };
  for (const auto& p : kept) by_technique[slot(p)].emplace_back(p.start, p.end);
  std::vector<features::Containment> around;
  for (auto& b : by_technique) around.emplace_back(std::move(b));
  for (std::size_t k = passages; k < spans.size(); ++k) {
    const bool same =
        around[slot(spans[k])].any_contains(spans[k].start, spans[k].end);
    if (!same) kept.push_back(std::move(spans[k]));
  }
  expand_repetitions(view, token_probs.blend, c.extent_threshold, kept);
  return kept;
}

}  // namespace propscan
