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

TEST(LinearTest, AveragedWeightsAreTheMeanOfTheIteratesOfTheLastPasses) {
  // One example a pass: the weights after each example are the weights
  // after each pass, which shorter runs of the same training give.
  const std::vector<features::SparseVector> xs = {vec({{0, 1.0f}, {2, 0.5f}})};
  const std::vector<float> ys = {1.0f};
  auto train = [&](int epochs, int average_from) {
    return train_logistic(xs, ys, 4, SgdOptions{.epochs = epochs, .seed = 3, .average_from = average_from});
  };
  const auto averaged = train(5, 3);
  const auto w3 = train(3, 0), w4 = train(4, 0), w5 = train(5, 0);
  for (std::size_t j = 0; j < averaged.size(); ++j) {
    EXPECT_NEAR(averaged[j], (w3[j] + w4[j] + w5[j]) / 3.0f, 1e-6f) << "weight " << j;
  }
  EXPECT_NE(averaged, w5);
  // Averaging over the last pass of one example is that pass's own weights;
  // 0 turns averaging off.
  EXPECT_EQ(train(5, 5), w5);
  EXPECT_EQ(train(5, 0), w5);
}

TEST(LinearTest, AveragedModelStillSeparatesItsTrainingData) {
  std::vector<features::SparseVector> xs;
  std::vector<float> ys;
  for (int i = 0; i < 40; ++i) {
    const bool positive = i % 2 == 0;
    xs.push_back(vec({{positive ? 1u : 2u, 1.0f}, {3, 1.0f}, {static_cast<std::uint32_t>(4 + i % 5), 1.0f}}));
    ys.push_back(positive ? 1.0f : 0.0f);
  }
  const auto w = train_logistic(xs, ys, 16, SgdOptions{.epochs = 6, .average_from = 4});
  for (std::size_t i = 0; i < xs.size(); ++i) {
    EXPECT_EQ(logistic_predict(w, xs[i]) > 0.5f, ys[i] > 0.5f) << "example " << i;
  }
}

TEST(LinearTest, ExampleWeightsScaleEachExamplesPull) {
  // Two copies of the same features with opposite targets: the heavier one
  // wins, and weights of 1 are the unweighted training.
  const std::vector<features::SparseVector> xs = {vec({{0, 1.0f}}), vec({{0, 1.0f}})};
  const std::vector<float> ys = {1.0f, 0.0f};
  const SgdOptions o{.epochs = 20, .seed = 5};
  const std::vector<float> ones = {1.0f, 1.0f}, favour_first = {1.0f, 0.25f}, favour_second = {0.25f, 1.0f};
  EXPECT_EQ(train_logistic(xs, ys, 2, o, ones), train_logistic(xs, ys, 2, o));
  EXPECT_GT(logistic_predict(train_logistic(xs, ys, 2, o, favour_first), xs[0]), 0.6f);
  EXPECT_LT(logistic_predict(train_logistic(xs, ys, 2, o, favour_second), xs[0]), 0.4f);
}

}  // namespace
}  // namespace propscan::model
