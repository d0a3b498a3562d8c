#include "model/sentence.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "features/extract.h"
#include "model/linear.h"

namespace propscan::sentence {
namespace {

using rerank::tenth;

std::string count_bucket(int n) {
  if (n <= 2) return std::to_string(n);
  if (n <= 5) return "3-5";
  return "6+";
}

}  // namespace

void sentence_features(const features::ArticleView& view, const rerank::ArticleStats& taggers, std::size_t k,
                       const features::FeatureHasher& hasher, features::SparseVector& x) {
  const auto first = static_cast<std::size_t>(view.sentence_first_token[k]);
  const auto end = static_cast<std::size_t>(view.sentence_end_token[k]);
  const std::size_t sentences = view.sentences.size();
  hasher.add(x, "bias", "");

  // Its words and word pairs, and how strongly they are felt.
  int words = 0, valenced = 0, strong = 0, repeated = 0, quoted = 0, capitals = 0;
  const std::string* previous = nullptr;
  std::vector<float> mean_vector(static_cast<std::size_t>(view.vector_dimension), 0.0f);
  int with_vector = 0;
  for (std::size_t t = first; t < end; ++t) {
    const std::string& w = view.words[t];
    hasher.add(x, "w=", w);
    if (previous) hasher.add(x, "b=", *previous + " " + w);
    previous = &w;
    if (!view.is_word(t)) continue;
    ++words;
    const float v = view.valence.empty() ? 0.0f : view.valence[t];
    if (v != 0.0f) ++valenced;
    if (std::abs(v) >= 2.0f) ++strong;
    if (w.size() >= 4) {
      auto it = view.word_count.find(w);
      if (it != view.word_count.end() && it->second >= 3) ++repeated;
    }
    if (view.in_quotes[t]) ++quoted;
    if (view.shapes[t] == "X" && w.size() > 1) ++capitals;
    if (view.vector_dimension && view.vectors[t]) {
      for (std::size_t d = 0; d < mean_vector.size(); ++d) mean_vector[d] += view.vectors[t][d];
      ++with_vector;
    }
  }
  features::add_cue_features(view, static_cast<int>(first), static_cast<int>(end), -1, "cue=", hasher, x);
  hasher.add(x, "valenced=", count_bucket(valenced));
  hasher.add(x, "strong=", count_bucket(strong));
  hasher.add(x, "repeated=", count_bucket(repeated));
  hasher.add(x, "quoted", quoted == 0 ? "0" : quoted == words ? "all" : "part");
  hasher.add(x, "capitals=", count_bucket(capitals));
  hasher.add(x, "words", "", std::log1p(static_cast<float>(words)) / 4.0f);
  hasher.add(x, "words=", count_bucket(words / 5));
  if (with_vector) {
    for (std::size_t d = 0; d < mean_vector.size(); ++d) {
      hasher.add(x, "v", std::to_string(d), mean_vector[d] / static_cast<float>(with_vector));
    }
  }

  features::add_sentence_embedding(view, k, "enc=", hasher, x);

  // Where it stands.
  // A sentence of only invisible characters has no token (first == end == the
  // token count): there is no line to read, and it is not the title.
  hasher.add(x, "title", first < end && view.line_of_token[first] == 0 ? "1" : "0");
  hasher.add(x, "position=", k == 0 ? "first" : k + 1 == sentences ? "last" : k < 4 ? "early" : "body");

  // What the token taggers say of it, of its neighbours and of the article.
  const float mean = taggers.sentence_mean[k], max = taggers.sentence_max[k];
  const float before = k > 0 ? taggers.sentence_max[k - 1] : 0.0f;
  const float after = k + 1 < sentences ? taggers.sentence_max[k + 1] : 0.0f;
  hasher.add(x, "mean", "", mean);
  hasher.add(x, "max", "", max);
  hasher.add(x, "mean=", tenth(mean));
  hasher.add(x, "max=", tenth(max));
  hasher.add(x, "mean*max=", tenth(mean) + "|" + tenth(max));
  hasher.add(x, "before=", tenth(before));
  hasher.add(x, "after=", tenth(after));
  hasher.add(x, "article=", tenth(taggers.mean * 2.0f));
  hasher.add(x, "max*article=", tenth(max) + "|" + tenth(taggers.mean * 2.0f));
  if (taggers.density >= 0.0f) {
    hasher.add(x, "density=", tenth(taggers.density));
    hasher.add(x, "density", "", taggers.density);
    hasher.add(x, "density*max=", tenth(taggers.density) + "|" + tenth(max));
  }
}

std::vector<float> sentence_probabilities(const features::ArticleView& view, const rerank::ArticleStats& taggers,
                                          std::span<const float> weights) {
  const features::FeatureHasher hasher(kBits);
  std::vector<float> out(view.sentences.size(), 0.0f);
  features::SparseVector x;
  for (std::size_t k = 0; k < out.size(); ++k) {
    x.clear();
    sentence_features(view, taggers, k, hasher, x);
    out[k] = model::logistic_predict(weights, x);
  }
  return out;
}

std::vector<float> sentence_labels(const features::ArticleView& view, const std::vector<std::uint8_t>& token_labels) {
  std::vector<float> out(view.sentences.size(), 0.0f);
  for (std::size_t k = 0; k < out.size(); ++k) {
    for (int t = view.sentence_first_token[k]; t < view.sentence_end_token[k]; ++t) {
      const auto u = static_cast<std::size_t>(t);
      if (token_labels[u] && view.is_word(u)) out[k] = 1.0f;
    }
  }
  return out;
}

}  // namespace propscan::sentence
