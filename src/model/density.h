// Article density. Articles differ far more in how much of them the
// annotators marked than their token probabilities show (some outlets and
// topics are marked throughout, others barely), so a logistic model reads
// the whole article's words and word pairs and estimates how densely it is
// marked. The sentence scorer and the reranker read that estimate.
#pragma once

#include <span>
#include <vector>

#include "features/article.h"
#include "features/hashing.h"
#include "model/reranker.h"
#include "propscan/span.h"

namespace propscan::density {

inline constexpr unsigned kBits = 18;

// Features of the article; `taggers`: the token taggers' summary of it.
void article_features(const features::ArticleView& view, const rerank::ArticleStats& taggers,
                      const features::FeatureHasher& hasher, features::SparseVector& x);

// The density target of an article with `spans` marked passages (merged or
// not, as counted) in `characters` characters: log(1 + passages per 1000
// characters), scaled into [0, 1].
float density_target(std::size_t spans, std::size_t characters);

// The estimate under `weights`, on the same scale.
float article_density(const features::ArticleView& view, const rerank::ArticleStats& taggers,
                      std::span<const float> weights);

}  // namespace propscan::density
