#include "train/boosting.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "propscan/error.h"

namespace propscan::train {
namespace {

// Target: the chance of 1 is high exactly when x0 and x1 are on the same side
// of 0.5 (an interaction a linear model cannot fit); x2 is noise.
void xor_data(std::vector<float>& x, std::vector<float>& y) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  for (int i = 0; i < 2000; ++i) {
    const float a = u(rng), b = u(rng), c = u(rng);
    x.insert(x.end(), {a, b, c});
    y.push_back((a < 0.5f) == (b < 0.5f) ? 0.9f : 0.1f);
  }
}

TEST(BoostingTest, LearnsAnInteractionAndReadsTheTreesBackFaithfully) {
  std::vector<float> x, y;
  xor_data(x, y);
  BoostOptions o;
  o.rounds = 60;
  o.max_depth = 3;
  std::vector<float> library;
  const auto trees = train_boosted_trees(x, 3, y, o, &library);
  ASSERT_EQ(trees.trees().size(), 60u);
  ASSERT_EQ(library.size(), y.size());
  double error = 0.0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    const float p = trees.probability(std::span<const float>(x.data() + 3 * i, 3));
    EXPECT_NEAR(p, library[i], 1e-4) << "row " << i;
    error += std::abs(p - y[i]);
  }
  EXPECT_LT(error / static_cast<double>(y.size()), 0.05);
}

TEST(BoostingTest, SameDataAndSeedGiveTheSameTrees) {
  std::vector<float> x, y;
  xor_data(x, y);
  BoostOptions o;
  o.rounds = 20;
  const auto a = train_boosted_trees(x, 3, y, o);
  const auto b = train_boosted_trees(x, 3, y, o);
  ASSERT_EQ(a.trees().size(), b.trees().size());
  for (std::size_t t = 0; t < a.trees().size(); ++t) {
    ASSERT_EQ(a.trees()[t].size(), b.trees()[t].size());
    for (std::size_t k = 0; k < a.trees()[t].size(); ++k) {
      EXPECT_EQ(a.trees()[t][k].feature, b.trees()[t][k].feature);
      EXPECT_EQ(a.trees()[t][k].threshold, b.trees()[t][k].threshold);
      EXPECT_EQ(a.trees()[t][k].leaf, b.trees()[t][k].leaf);
    }
  }
}

TEST(BoostingTest, RefusesRowsOfTheWrongWidth) {
  EXPECT_THROW(train_boosted_trees({1.0f, 2.0f, 3.0f}, 2, {1.0f}, BoostOptions{}), Error);
}

}  // namespace
}  // namespace propscan::train
