#include "model/linear.h"

#include <gtest/gtest.h>

#include <vector>

namespace propscan::model {
namespace {

features::SparseVector vec(std::vector<std::pair<std::uint32_t, float>> entries) {
  features::SparseVector x;
  for (auto [i, v] : entries) x.add(i, v);
  return x;
}

TEST(LinearTest, LogisticModelSeparatesItsTrainingData) {
  std::vector<features::SparseVector> xs;
  std::vector<float> ys;
  for (int i = 0; i < 40; ++i) {
    const bool positive = i % 2 == 0;
    xs.push_back(vec({{positive ? 1u : 2u, 1.0f}, {3, 1.0f}, {static_cast<std::uint32_t>(4 + i % 5), 1.0f}}));
    ys.push_back(positive ? 1.0f : 0.0f);
  }
  const auto w = train_logistic(xs, ys, 16, SgdOptions{.epochs = 6});
  for (std::size_t i = 0; i < xs.size(); ++i) {
    EXPECT_EQ(logistic_predict(w, xs[i]) > 0.5f, ys[i] > 0.5f) << "example " << i;
  }
  // The same seed gives the same weights.
  EXPECT_EQ(w, train_logistic(xs, ys, 16, SgdOptions{.epochs = 6}));
}

}  // namespace
}  // namespace propscan::model
