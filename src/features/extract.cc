#include "features/extract.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace propscan::features {
namespace {

const std::string kBoundary = "<s>";

const std::string& word_or_boundary(const ArticleView& view, int i, int sentence) {
  if (i < 0 || i >= static_cast<int>(view.words.size()) || view.token_sentence[static_cast<std::size_t>(i)] != sentence) {
    return kBoundary;
  }
  return view.words[static_cast<std::size_t>(i)];
}

std::string bucket(int n, std::initializer_list<int> edges) {
  int b = 0;
  for (int e : edges) {
    if (n < e) break;
    ++b;
  }
  return std::to_string(b);
}

// Adds the mean of the word vectors of tokens [first, last) (skipping `skip`
// and tokens without a vector) as dense features starting at index `base`.
void add_mean_vector(const ArticleView& view, int first, int last, int skip, std::uint32_t base,
                     SparseVector& out) {
  const int d = view.vector_dimension;
  if (d == 0) return;
  // Summed in place in the output's own storage: no allocation per call.
  const std::size_t at = out.value.size();
  out.value.resize(at + static_cast<std::size_t>(d), 0.0f);
  float* sum = out.value.data() + at;
  int count = 0;
  for (int i = std::max(first, 0); i < std::min(last, static_cast<int>(view.vectors.size())); ++i) {
    const float* v = view.vectors[static_cast<std::size_t>(i)];
    if (i == skip || !v) continue;
    for (int k = 0; k < d; ++k) sum[k] += v[k];
    ++count;
  }
  if (count == 0) {
    out.value.resize(at);
    return;
  }
  const float inv = 1.0f / static_cast<float>(count);
  for (int k = 0; k < d; ++k) {
    sum[k] *= inv;
    out.index.push_back(base + static_cast<std::uint32_t>(k));
  }
}

std::string valence_bucket(float v) { return std::to_string(static_cast<int>(std::lround(v))); }

bool is_content_word(const std::string& w, const std::string& shape) {
  return w.size() >= 4 && shape.find('x') != std::string::npos;
}

}  // namespace

void add_cue_kinds(unsigned kinds, std::string_view prefix, const FeatureHasher& h, SparseVector& out) {
  for (int k = 0; k < lexicon::kNumCueKinds; ++k) {
    if (kinds & (1u << k)) h.add(out, prefix, lexicon::kCueKindNames[static_cast<std::size_t>(k)]);
  }
}

void add_cue_features(const ArticleView& view, int first, int last, int skip, std::string_view prefix,
                      const FeatureHasher& h, SparseVector& out) {
  if (view.cues.empty()) return;
  unsigned kinds = 0;
  for (int i = std::max(first, 0); i < std::min(last, static_cast<int>(view.cues.size())); ++i) {
    if (i != skip) kinds |= view.cues[static_cast<std::size_t>(i)];
  }
  add_cue_kinds(kinds, prefix, h, out);
}

void token_features(const ArticleView& view, int i, const FeatureHasher& h, SparseVector& out) {
  token_local_features(view, i, h, out);
  sentence_bag_features(view, view.token_sentence[static_cast<std::size_t>(i)], h, out);
}

void token_local_features(const ArticleView& view, int i, const FeatureHasher& h, SparseVector& out) {
  const auto ui = static_cast<std::size_t>(i);
  const int sent = view.token_sentence[ui];
  const std::string& w = view.words[ui];
  const std::string& shape = view.shapes[ui];
  h.add(out, "bias", "");
  h.add(out, "w0=", w);
  h.add(out, "w-1=", word_or_boundary(view, i - 1, sent));
  h.add(out, "w+1=", word_or_boundary(view, i + 1, sent));
  h.add(out, "w-2=", word_or_boundary(view, i - 2, sent));
  h.add(out, "w+2=", word_or_boundary(view, i + 2, sent));
  h.add(out, "b-=", word_or_boundary(view, i - 1, sent) + "|" + w);
  h.add(out, "b+=", w + "|" + word_or_boundary(view, i + 1, sent));
  h.add(out, "sh=", shape);
  if (w.size() >= 5) {
    h.add(out, "s3=", w.substr(w.size() - 3));
    h.add(out, "p4=", w.substr(0, 4));
  }
  if (is_content_word(w, shape)) {
    auto it = view.word_count.find(w);
    int count = it == view.word_count.end() ? 1 : it->second;
    h.add(out, "cnt=", bucket(count, {2, 3, 5, 8}));
  }
  if (view.in_quotes[ui]) h.add(out, "inq", "");
  if (view.line_of_token[ui] == 0) h.add(out, "title", "");

  const auto us = static_cast<std::size_t>(sent);
  const int first = view.sentence_first_token[us];
  const int last = view.sentence_end_token[us];
  const int len = last - first;
  h.add(out, "spos=", bucket(i - first, {1, 2, 4, 8, 16}));
  h.add(out, "sback=", bucket(last - 1 - i, {1, 2, 4, 8}));
  h.add(out, "slen=", bucket(len, {5, 10, 20, 35, 50}));

  if (!view.valence.empty()) {
    const float v = view.valence[ui];
    if (std::abs(v) >= 0.5f) h.add(out, "val=", valence_bucket(v));
    float window = 0.0f;
    for (int j = std::max(i - 2, first); j < std::min(i + 3, last); ++j) {
      if (j != i) window = std::max(window, std::abs(view.valence[static_cast<std::size_t>(j)]));
    }
    h.add(out, "valwin=", valence_bucket(window));
    h.add(out, "sval=", bucket(view.sentence_strong_valence[us], {1, 2, 3, 5}));
  }
  add_cue_features(view, i, i + 1, -1, "cue=", h, out);
  add_cue_features(view, i - 2, i + 3, i, "cuewin=", h, out);
  if (!view.cues.empty()) add_cue_kinds(view.sentence_cues[us], "scue=", h, out);
  if (view.vector_dimension) {
    const auto d = static_cast<std::uint32_t>(view.vector_dimension);
    add_mean_vector(view, i, i + 1, -1, h.dimension(), out);
    add_mean_vector(view, std::max(i - 2, first), std::min(i + 3, last), i, h.dimension() + d, out);
  }
}

WordWeights token_word_weights(const ArticleView& view, int j, int first, int last, const FeatureHasher& h,
                               std::span<const float> weights) {
  WordWeights out;
  const auto uj = static_cast<std::size_t>(j);
  const int sent = view.token_sentence[uj];
  const std::string& w = view.words[uj];
  const auto weight = [&](std::string_view prefix, std::string_view value) { return weights[h.bucket(prefix, value)]; };
  if (j >= first && j < last) {
    const std::string& shape = view.shapes[uj];
    out.word += weight("w0=", w) + weight("sh=", shape);
    if (w.size() >= 5) out.word += weight("s3=", w.substr(w.size() - 3)) + weight("p4=", w.substr(0, 4));
    if (is_content_word(w, shape)) {
      auto it = view.word_count.find(w);
      const int count = it == view.word_count.end() ? 1 : it->second;
      out.repetition += weight("cnt=", bucket(count, {2, 3, 5, 8}));
    }
    if (!view.valence.empty() && std::abs(view.valence[uj]) >= 0.5f) {
      out.valence += weight("val=", valence_bucket(view.valence[uj]));
    }
    if (!view.cues.empty()) {
      for (int k = 0; k < lexicon::kNumCueKinds; ++k) {
        if (view.cues[uj] & (1u << k)) out.cue += weight("cue=", lexicon::kCueKindNames[static_cast<std::size_t>(k)]);
      }
    }
    if (view.vector_dimension && view.vectors[uj]) {
      const std::size_t base = h.dimension();
      for (int d = 0; d < view.vector_dimension; ++d) {
        out.meaning += weights[base + static_cast<std::size_t>(d)] * view.vectors[uj][d];
      }
    }
  }
  // As a neighbour of the passage's tokens.
  for (int t = std::max(first, j - 2); t < std::min(last, j + 3); ++t) {
    if (t == j || view.token_sentence[static_cast<std::size_t>(t)] != sent) continue;
    const std::string& other = view.words[static_cast<std::size_t>(t)];
    switch (t - j) {
      case 1: out.word += weight("w-1=", w) + weight("b-=", w + "|" + other); break;
      case -1: out.word += weight("w+1=", w) + weight("b+=", other + "|" + w); break;
      case 2: out.word += weight("w-2=", w); break;
      case -2: out.word += weight("w+2=", w); break;
      default: break;
    }
  }
  return out;
}

void sentence_bag_features(const ArticleView& view, int sentence, const FeatureHasher& h, SparseVector& out) {
  const auto us = static_cast<std::size_t>(sentence);
  const int first = view.sentence_first_token[us];
  const int last = view.sentence_end_token[us];
  const int len = last - first;
  // The sentence's words give every token a sense of what the sentence is
  // about; scaled so long sentences do not dominate.
  const float sw = 0.5f / std::sqrt(static_cast<float>(std::max(len, 1)));
  for (int j = first; j < last; ++j) {
    const auto uj = static_cast<std::size_t>(j);
    const std::string& word = view.words[uj];
    if (word == "!" || word == "?") h.add(out, "s_punct=", word);
    h.add(out, "sw=", word, sw);
  }
}

std::string phrase_key(const ArticleView& view, int first, int last) {
  // Each word with its length in front, so that no two phrases share a key.
  std::string key;
  for (int i = first; i < last; ++i) {
    const std::string& w = view.words[static_cast<std::size_t>(i)];
    key += std::to_string(w.size());
    key.push_back(':');
    key += w;
  }
  return key;
}

namespace {

std::string bounds_key(Offset start, Offset end) { return std::to_string(start) + "-" + std::to_string(end); }

}  // namespace

SiblingIndex::SiblingIndex(const ArticleView& view, std::span<const Span> siblings) : empty_(siblings.empty()) {
  std::vector<std::pair<Offset, Offset>> bounds;
  bounds.reserve(siblings.size());
  per_sentence_.assign(view.sentences.size(), 0);
  const int n = static_cast<int>(view.tokens.size());
  for (const auto& o : siblings) {
    bounds.emplace_back(o.start, o.end);
    ++same_bounds_[bounds_key(o.start, o.end)];
    const int o_first = view.token_at_or_after(o.start);
    const int o_last = view.token_at_or_after(o.end);
    if (o_first < n) ++per_sentence_[static_cast<std::size_t>(view.token_sentence[static_cast<std::size_t>(o_first)])];
    if (o_last > o_first) ++words_[phrase_key(view, o_first, o_last)];
  }
  bounds_ = Containment(std::move(bounds));
}

SiblingIndex::Counts SiblingIndex::counts(const ArticleView& view, Offset start, Offset end, int first, int n_tokens,
                                          int sentence) const {
  Counts c;
  if (auto it = same_bounds_.find(bounds_key(start, end)); it != same_bounds_.end()) c.same_bounds = it->second;
  // Passages with the very same bounds have the same words and sentence: they
  // count only in same_bounds.
  if (auto it = words_.find(phrase_key(view, first, first + n_tokens)); it != words_.end()) {
    c.same_words = it->second - c.same_bounds;
  }
  c.in_sentence = per_sentence_[static_cast<std::size_t>(sentence)] - c.same_bounds;
  c.inside = bounds_.any_strictly_contains(start, end);
  c.contains = bounds_.any_strictly_inside(start, end);
  return c;
}

namespace {

// One hashed feature `prefix` + dimension per dimension of embedding e.
void add_embedding(const float* e, std::size_t d, std::string_view prefix, const FeatureHasher& hasher,
                   SparseVector& out) {
  // A unit vector's components are about 1/sqrt(d): scaled to about 1, the
  // size of the other features' values, for the SGD steps.
  const float scale = std::sqrt(static_cast<float>(d)) * 0.25f;
  for (std::size_t i = 0; i < d; ++i) {
    const char key[2] = {static_cast<char>(i & 0xff), static_cast<char>(i >> 8)};
    hasher.add(out, prefix, std::string_view(key, 2), e[i] * scale);
  }
}

}  // namespace

void add_sentence_embedding(const ArticleView& view, std::size_t k, std::string_view prefix,
                            const FeatureHasher& hasher, SparseVector& out) {
  const auto d = static_cast<std::size_t>(view.embedding_dimension);
  if (d == 0 || (k + 1) * d > view.sentence_embeddings.size()) return;
  add_embedding(view.sentence_embeddings.data() + k * d, d, prefix, hasher, out);
}

void span_features(const ArticleView& view, Offset start, Offset end, const FeatureHasher& h,
                   SparseVector& out, const SiblingIndex* siblings, PhraseCache* phrases) {
  const int first = view.token_at_or_after(start);
  int last = view.token_at_or_after(end);  // one past the last token inside
  const int n_tokens = std::max(last - first, 0);
  h.add(out, "bias", "");
  h.add(out, "ntok=", bucket(n_tokens, {2, 3, 4, 5, 7, 10, 15, 25, 40}));
  h.add(out, "nchar=", bucket(static_cast<int>(end - start), {5, 10, 15, 25, 40, 70, 120, 200}));
  if (n_tokens == 0) return;

  const float uw = 1.0f / std::sqrt(static_cast<float>(n_tokens));
  std::string joined;
  int capitalized = 0;
  for (int i = first; i < last; ++i) {
    const auto ui = static_cast<std::size_t>(i);
    const std::string& w = view.words[ui];
    h.add(out, "u=", w, uw);
    if (i + 1 < last) h.add(out, "bi=", w + "|" + view.words[ui + 1], uw);
    if (!view.shapes[ui].empty() && view.shapes[ui][0] == 'X') ++capitalized;
    if (w == "!" || w == "?" || w == "\"") h.add(out, "punct=", w);
    if (!joined.empty()) joined.push_back(' ');
    joined += w;
  }
  const auto ufirst = static_cast<std::size_t>(first);
  const auto ulast = static_cast<std::size_t>(last - 1);
  const int sent = view.token_sentence[ufirst];
  h.add(out, "first=", view.words[ufirst]);
  h.add(out, "last=", view.words[ulast]);
  h.add(out, "pre1=", word_or_boundary(view, first - 1, sent));
  h.add(out, "pre2=", word_or_boundary(view, first - 2, sent));
  h.add(out, "post1=", word_or_boundary(view, last, sent));
  h.add(out, "caps=", bucket(capitalized * 4 / n_tokens, {1, 2, 3, 4}));
  if (n_tokens <= 3) h.add(out, "short=", joined);
  if (view.in_quotes[ufirst]) h.add(out, "inq", "");
  if (view.line_of_token[ufirst] == 0) h.add(out, "title", "");

  // Sentence coverage separates word-level techniques from sentence-level ones.
  const auto us = static_cast<std::size_t>(sent);
  const int s_first = view.sentence_first_token[us];
  const int s_last = view.sentence_end_token[us];
  const int s_len = std::max(s_last - s_first, 1);
  h.add(out, "cover=", bucket(n_tokens * 10 / s_len, {2, 4, 6, 8, 10}));
  if (first == s_first) h.add(out, "sent_start", "");
  if (last >= s_last - 1) h.add(out, "sent_end", "");
  if (view.token_sentence[ulast] != sent) h.add(out, "multi_sent", "");

  // Repetition: how often the passage's exact words occur in the article.
  // Counted once per phrase when there is a cache: a phrase's occurrences do
  // not depend on which of them is asking. The count is only read up to 6
  // (its last bucket), so the walk stops there; the first match found is the
  // earliest.
  constexpr int kEnough = 6;
  auto count_occurrences = [&]() -> std::pair<int, int> {
    int occurrences = 0, earliest = -1;
    view.for_each_occurrence(first, last, [&](int at) {
      if (earliest < 0) earliest = at;
      return ++occurrences < kEnough;
    });
    return {occurrences, earliest};
  };
  std::pair<int, int> found;
  if (phrases) {
    auto [it, fresh] = phrases->occurrences.try_emplace(phrase_key(view, first, last));
    if (fresh) it->second = count_occurrences();
    found = it->second;
  } else {
    found = count_occurrences();
  }
  const auto [occurrences, earliest] = found;
  h.add(out, "rep=", bucket(occurrences, {2, 3, 4, 6}));
  if (earliest >= 0 && earliest < first) h.add(out, "rep_earlier", "");
  if (n_tokens <= 4) {
    auto it = view.word_count.find(view.words[ulast]);
    h.add(out, "head_cnt=", bucket(it == view.word_count.end() ? 0 : it->second, {2, 3, 5, 8}));
  }

  if (!view.valence.empty()) {
    float strongest = 0.0f, total = 0.0f;
    for (int i = first; i < last; ++i) {
      const float v = std::abs(view.valence[static_cast<std::size_t>(i)]);
      strongest = std::max(strongest, v);
      total += v;
    }
    h.add(out, "span_val_max=", valence_bucket(strongest));
    h.add(out, "span_val_sum=", bucket(static_cast<int>(total), {1, 2, 4, 7}));
  }
  add_cue_features(view, first, last, -1, "span_cue=", h, out);
  if (!view.cues.empty()) add_cue_kinds(view.sentence_cues[us], "sent_cue=", h, out);
  if (view.vector_dimension) {
    const auto d = static_cast<std::uint32_t>(view.vector_dimension);
    add_mean_vector(view, first, last, -1, h.dimension(), out);
    // The sentence around the passage, without the passage itself.
    add_mean_vector(view, s_first, first, -1, h.dimension() + d, out);
    add_mean_vector(view, last, s_last, -1, h.dimension() + 2 * d, out);
  }

  if (siblings && !siblings->empty()) {
    const auto c = siblings->counts(view, start, end, first, n_tokens, sent);
    h.add(out, "sib_same_words=", bucket(c.same_words, {1, 2, 3, 5}));
    h.add(out, "sib_same_bounds=", bucket(c.same_bounds, {2, 3}));
    if (c.inside) h.add(out, "sib_inside", "");
    if (c.contains) h.add(out, "sib_contains", "");
    h.add(out, "sib_in_sentence=", bucket(c.in_sentence, {1, 2, 3, 5}));
  }

  add_sentence_embedding(view, us, "enc=", h, out);
  if (view.passage_encoder) {
    const auto e = view.passage_encoder->embed(start, end);
    add_embedding(e.data(), e.size(), "penc=", h, out);
  }

  const float cw = 0.3f / std::sqrt(static_cast<float>(s_len));
  for (int j = s_first; j < s_last; ++j) {
    if (j >= first && j < last) continue;
    h.add(out, "ctx=", view.words[static_cast<std::size_t>(j)], cw);
  }
}

}  // namespace propscan::features
