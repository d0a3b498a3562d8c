// Linear models over hashed sparse features, trained with AdaGrad SGD.
// Training is single-threaded and seeded, so the same data and seed give the
// same weights bit for bit.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <utility>
#include <vector>

#include "features/hashing.h"

namespace propscan::model {

struct SgdOptions {
  int epochs = 5;
  float learning_rate = 0.2f;
  float l2 = 1e-6f;  // applied to the weights an example touches
  std::uint64_t seed = 1;
};

// z0 + the weighted sum of x, added in x's order: a sum continued from a
// prefix gives the same float as the whole sum in one loop.
float linear_score(std::span<const float> weights, const features::SparseVector& x, float z0 = 0.0f);
float logistic(float z);

// Probability of the positive class: logistic(linear_score(weights, x)).
float logistic_predict(std::span<const float> weights, const features::SparseVector& x);

// Returns weights of size `dimension` (bias is a feature like any other).
// Targets are probabilities in [0, 1]: 0/1 labels, or soft targets such as
// the share of a passage that is propaganda.
std::vector<float> train_logistic(const std::vector<features::SparseVector>& xs,
                                  const std::vector<float>& targets, std::uint32_t dimension,
                                  const SgdOptions& options);

// Class probabilities of a softmax model whose weights are laid out feature
// by feature (`dimension` rows of `classes` floats, class index fastest).
void softmax_predict(std::span<const float> weights, const features::SparseVector& x, std::span<float> probs);

std::vector<float> train_softmax(const std::vector<features::SparseVector>& xs,
                                 const std::vector<std::uint16_t>& labels, std::uint32_t dimension,
                                 std::size_t classes, const SgdOptions& options);

// Platt scaling: fits p(y=1|x) = sigmoid(a*x + b) by Newton's method on the
// log loss; returns {a, b}.
std::pair<float, float> fit_platt(const std::vector<float>& x, const std::vector<std::uint8_t>& y);

}  // namespace propscan::model
