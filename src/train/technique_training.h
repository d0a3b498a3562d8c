// Training the technique network (neural/technique_network.h) in libtorch.
// libtorch stays behind this header: the runtime never includes it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "neural/technique_network.h"

namespace propscan::train {

struct TechniqueNetOptions {
  std::uint32_t hidden = 256;
  int epochs = 20;
  double dropout = 0.3;  // share of the inputs and of the hidden units zeroed in training
  double learning_rate = 1e-3;
  double weight_decay = 1e-4;
  int batch_size = 64;
  float weight = 0.5f;  // see TechniqueNetwork::weight
  std::uint64_t seed = 42;
  std::function<void(const std::string&)> progress;  // may be empty
};

// Trains on `rows` inputs of `input` values each (row-major in `x`) with
// technique indices `y`, for a fixed number of epochs. Reproducible for a
// seed and thread count.
neural::TechniqueNetwork train_technique_network(const std::vector<float>& x, const std::vector<std::uint16_t>& y,
                                                 std::uint32_t input, const TechniqueNetOptions& options);

}  // namespace propscan::train
