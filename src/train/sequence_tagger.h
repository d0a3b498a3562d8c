// Training the neural sequence tagger (neural/network.h) in libtorch.
// libtorch stays behind this header: the runtime never includes it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "features/article.h"
#include "neural/network.h"

namespace propscan::train {

struct NetExample {
  const features::ArticleView* view = nullptr;
  std::vector<std::uint8_t> labels;  // per token, 1 inside any technique span
};

struct NetTrainOptions {
  std::uint32_t hidden = 64;
  std::uint32_t layers = 1;
  std::uint32_t context = 80;  // see neural::NetConfig::context
  int epochs = 6;
  // Share of the inputs of each layer and of the output zeroed in training.
  double dropout = 0.25;
  // Loss weight of a token inside a passage of n tokens: (4 / max(n, 4))
  // raised to this power (0: every token weighs 1). SI recall counts each
  // gold passage once, however long, so a word of a short passage is worth
  // more than a word of a long one.
  float span_power = 0.5f;
  float learning_rate = 2e-3f;
  int batch_size = 32;
  std::uint64_t seed = 42;
  std::function<void(const std::string&)> progress;  // may be empty
};

// Loss weight of each token given its 0/1 labels: 1 outside passages,
// (4 / max(n, 4))^power inside a run of n labelled tokens.
std::vector<float> passage_token_weights(const std::vector<std::uint8_t>& labels, float power);

// Trains a network for a fixed number of epochs; the last epoch's weights
// are kept. Reproducible for a given seed and thread count.
neural::Network train_network(const std::vector<NetExample>& examples, int vector_dimension,
                              const NetTrainOptions& options);

// The network's probabilities from libtorch's own forward pass, one run of
// sentences at a time: the reference the analysis pass is tested against.
std::vector<float> reference_predict(const neural::Network& network, const features::ArticleView& view);

// Threads libtorch and OpenBLAS may use inside one operation (process-wide).
// propscan parallelises over folds itself, so it sets 1 there.
void set_torch_threads(int threads);

}  // namespace propscan::train
