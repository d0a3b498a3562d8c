#include "model/density.h"

#include <gtest/gtest.h>

#include <cmath>

#include "features/article.h"
#include "model/reranker.h"

namespace propscan::density {
namespace {

TEST(DensityTest, TargetGrowsWithPassagesPerThousandCharactersAndStopsAtOne) {
  EXPECT_FLOAT_EQ(density_target(0, 2000), 0.0f);
  // 2 passages per 1000 characters: log(3) / log(13).
  EXPECT_NEAR(density_target(4, 2000), std::log(3.0) / std::log(13.0), 1e-6);
  EXPECT_FLOAT_EQ(density_target(12, 1000), 1.0f);
  EXPECT_FLOAT_EQ(density_target(50, 1000), 1.0f);
  EXPECT_FLOAT_EQ(density_target(3, 0), 1.0f);  // an empty article does not divide by zero
}

TEST(DensityTest, EstimateReadsTheWholeArticlesWords) {
  const std::u32string calm = U"Rain is expected. The café opens at nine.";
  const std::u32string heated = U"Rain is expected. The traitors opens at nine.";
  const features::FeatureHasher hasher(kBits);
  std::vector<float> weights(hasher.dimension(), 0.0f);
  auto estimate = [&](const std::u32string& text) {
    const auto view = features::make_article_view(text);
    const auto stats = rerank::article_stats(view, std::vector<float>(view.tokens.size(), 0.1f));
    return article_density(view, stats, weights);
  };
  EXPECT_FLOAT_EQ(estimate(calm), 0.5f);
  weights[hasher.bucket("w=", "traitors")] = 3.0f;
  EXPECT_FLOAT_EQ(estimate(calm), 0.5f);
  EXPECT_GT(estimate(heated), 0.6f);
  // Word counts are scaled to unit length: the weight's effect is bounded.
  EXPECT_LT(estimate(heated), 1.0f / (1.0f + std::exp(-3.0f)));
}

}  // namespace
}  // namespace propscan::density
