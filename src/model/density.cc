#include "model/density.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_map>

#include "model/linear.h"

namespace propscan::density {
namespace {

// Densities at or above this many passages per 1000 characters score 1.
constexpr float kMostPerThousand = 12.0f;

using rerank::tenth;

}  // namespace

void article_features(const features::ArticleView& view, const rerank::ArticleStats& taggers,
                      const features::FeatureHasher& hasher, features::SparseVector& x) {
  hasher.add(x, "bias", "");
  // Words and word pairs within sentences, each weighted by log(1 + count)
  // and the whole scaled to unit length, so long and short articles compare.
  std::unordered_map<std::uint32_t, float> counts;
  for (std::size_t k = 0; k < view.sentences.size(); ++k) {
    const std::string* previous = nullptr;
    for (int t = view.sentence_first_token[k]; t < view.sentence_end_token[k]; ++t) {
      const std::string& w = view.words[static_cast<std::size_t>(t)];
      counts[hasher.bucket("w=", w)] += 1.0f;
      if (previous) counts[hasher.bucket("b=", *previous + " " + w)] += 1.0f;
      previous = &w;
    }
  }
  std::vector<std::pair<std::uint32_t, float>> terms(counts.begin(), counts.end());
  std::sort(terms.begin(), terms.end());  // the same order on every run
  float norm = 0.0f;
  for (auto& [bucket, c] : terms) {
    c = std::log1p(c);
    norm += c * c;
  }
  norm = std::sqrt(std::max(norm, 1e-12f));
  for (const auto& [bucket, c] : terms) x.add(bucket, c / norm);
  // What the taggers make of it.
  hasher.add(x, "mean=", tenth(taggers.mean * 2.0f));
  hasher.add(x, "dense=", tenth(taggers.dense * 2.0f));
  hasher.add(x, "mean", "", taggers.mean);
  hasher.add(x, "dense", "", taggers.dense);
}

float density_target(std::size_t spans, std::size_t characters) {
  const float per_thousand = 1000.0f * static_cast<float>(spans) / static_cast<float>(std::max<std::size_t>(1, characters));
  return std::min(1.0f, std::log1p(per_thousand) / std::log1p(kMostPerThousand));
}

float article_density(const features::ArticleView& view, const rerank::ArticleStats& taggers,
                      std::span<const float> weights) {
  const features::FeatureHasher hasher(kBits);
  features::SparseVector x;
  article_features(view, taggers, hasher, x);
  return model::logistic_predict(weights, x);
}

}  // namespace propscan::density
