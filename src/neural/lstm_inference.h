// The trained network's forward pass at analysis time, in plain C++ over
// BLAS: one matrix product for the input side of every token of an article,
// then one small product per time step for the recurrent side, sequences of
// all lengths stepped together. libtorch does the same arithmetic but pays a
// fixed cost on each of the 2 x T small operations of a sequence, which is
// most of the network's time on articles of a few hundred tokens.
//
// Training stays in libtorch (src/train/); this reads the same parameters
// and computes the same function, up to the order of floating-point sums.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace propscan::neural {

struct NamedTensor;

class LstmInference {
 public:
  struct Run {
    int first = 0;  // token range [first, end) of the article
    int end = 0;
    int size() const { return end - first; }
  };

  LstmInference() = default;
  // The network's parameters, by the names torch::nn::LSTM and
  // torch::nn::Linear give them. Throws propscan::Error when one is missing
  // or has the wrong shape.
  LstmInference(const std::vector<NamedTensor>& parameters, std::uint32_t input_dim, std::uint32_t hidden,
                std::uint32_t layers);

  // Probability of the output for every token of the runs. `inputs`: the
  // article's token rows (tokens x input_dim). Tokens outside the runs are
  // left as they are in `probs`. Thread-safe.
  void predict(std::span<const float> inputs, const std::vector<Run>& runs, std::span<float> probs) const;

 private:
  struct Direction {
    std::vector<float> w_ih;  // [4H x input], gates i, f, g, o
    std::vector<float> w_hh;  // [4H x H]
    std::vector<float> bias;  // [4H], both of torch's biases summed
  };
  struct Layer {
    Direction forward, backward;
  };

  void run_direction(const Direction& d, const float* x, int input, const std::vector<Run>& runs,
                     const std::vector<int>& row_of_run, const std::vector<int>& by_length, bool reverse,
                     float* out) const;

  int input_dim_ = 0;
  int hidden_ = 0;
  std::vector<Layer> layers_;
  std::vector<float> out_w_;  // [2H]
  float out_b_ = 0.0f;
};

}  // namespace propscan::neural
