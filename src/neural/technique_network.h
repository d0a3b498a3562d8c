// A small feed-forward network that names a passage's technique from its
// dense inputs (features::span_dense): the encoder's embeddings and the mean
// word vectors. The model multiplies its probabilities into the linear
// classifier's (Model::technique_probabilities). Trained in libtorch by
// src/train/technique_training.h; this is the analysis side, plain C++.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "propscan/technique.h"

namespace propscan::neural {

struct TechniqueNetwork {
  std::uint32_t input = 0;
  std::uint32_t hidden = 0;
  std::vector<float> w1;  // hidden x input
  std::vector<float> b1;  // hidden
  std::vector<float> w2;  // kNumTechniques x hidden
  std::vector<float> b2;  // kNumTechniques
  // Exponent of the network's probabilities in the product with the linear
  // classifier's (that of the linear one is 1 - weight).
  float weight = 0.5f;

  // Throws propscan::Error when the sizes do not fit together.
  void check() const;
  // Log-probabilities of each technique for one input of `input` values.
  std::array<float, kNumTechniques> log_probabilities(const std::vector<float>& x) const;
};

}  // namespace propscan::neural
