// A bidirectional LSTM that reads the article a few sentences at a time
// (consecutive sentences up to `context` tokens), token by token, and gives
// every token the probability that it lies inside a propaganda passage, from
// the token's word vector and a few surface cues. It sees whole sentences
// where the linear tagger sees a window of words; the model blends the two.
//
// This is the analysis side: plain C++ over BLAS, no libtorch. The network
// is trained in libtorch by src/train/sequence_tagger.h, which hands over
// its parameters.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "features/article.h"
#include "neural/lstm_inference.h"

namespace propscan::neural {

struct NetConfig {
  std::uint32_t input_dim = 0;
  std::uint32_t hidden = 64;  // per direction
  std::uint32_t layers = 1;   // stacked bidirectional LSTM layers
  // Consecutive sentences are read together up to this many tokens, so that
  // a sentence is seen with its neighbours.
  std::uint32_t context = 80;
};

// One named parameter tensor, flattened, as stored in a model file.
struct NamedTensor {
  std::string name;
  std::vector<std::int64_t> shape;
  std::vector<float> values;
};

// Per-token network inputs (row-major, tokens x input_dim(d)).
std::vector<float> token_inputs(const features::ArticleView& view);
// The same for tokens [first, end) only, into `x` (its memory reused).
void token_inputs(const features::ArticleView& view, int first, int end, std::vector<float>& x);
std::uint32_t input_dim(int vector_dimension);

// The token runs the network reads: consecutive sentences of up to
// `context` tokens (a longer sentence alone); sentences without tokens are
// skipped.
std::vector<LstmInference::Run> sentence_runs(const features::ArticleView& view, std::uint32_t context);

// Threads OpenBLAS may use inside one matrix product (process-wide), when
// the system BLAS is OpenBLAS.
void set_blas_threads(int threads);

class Network {
 public:
  // Throws propscan::Error when the parameters do not fit the configuration.
  Network(NetConfig config, std::vector<NamedTensor> parameters);

  const NetConfig& config() const { return config_; }
  const std::vector<NamedTensor>& parameters() const { return parameters_; }

  // The probability per token (0 for tokens outside sentences). Thread-safe.
  std::vector<float> predict(const features::ArticleView& view) const;

 private:
  NetConfig config_;
  std::vector<NamedTensor> parameters_;
  LstmInference forward_;
};

}  // namespace propscan::neural
