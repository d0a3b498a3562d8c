// Every setting of training, in one place: the defaults here make the
// shipped model and are written out as configs/propscan.json (a test keeps
// the two equal). `propscan train --config FILE --set key=value` reads it;
// the trained model stores it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace propscan::train {

// One stochastic-gradient stage (AdaGrad steps, L2 on the weights an
// example touches).
struct SgdStage {
  int epochs = 5;
  double learning_rate = 0.05;
  double l2 = 1e-6;
};

// A stage that may be left out of the model.
struct OptionalStage {
  bool enabled = true;
  SgdStage sgd;
};

struct NeuralConfig {
  bool enabled = true;
  int epochs = 6;
  std::uint32_t hidden = 64;  // LSTM units per direction
  std::uint32_t layers = 1;
  // Tokens of consecutive sentences the network reads at once.
  std::uint32_t context = 80;
  double dropout = 0.25;
  // Loss weight of a word of an n-word passage: (4 / max(n, 4))^span_power.
  double span_power = 0.5;
  double learning_rate = 2e-3;
  int batch_size = 32;
  // Weights of the network in its mean with the linear tagger, tried in turn
  // on the held-out folds.
  std::vector<double> blend_weights = {0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};
};

struct RerankerConfig {
  bool enabled = true;
  SgdStage sgd{6, 0.05, 1e-6};
  // Weights of the precision share (against the recall share) in the
  // reranker's target, tried in turn; the best on held-out folds is kept.
  std::vector<double> share_weights = {0.5};
};

struct TrainConfig {
  // Every stage's seed is derived from this and the stage's name.
  std::uint64_t seed = 42;
  // Folds of the training data whose held-out predictions tune the blend
  // weight, the thresholds and the reranker.
  int tune_folds = 5;
  // Hashed feature tables: 2^bits weights.
  std::uint32_t tagger_bits = 20;
  std::uint32_t classifier_bits = 18;
  // Word vectors kept in the model: this many of the most frequent, plus
  // every word of the training corpus.
  std::uint64_t vector_words = 100'000;
  // Extent at which the cores of passages are decoded again as nested passages.
  double nested_extent = 0.5;
  // The classifier, the sentence scorer and the passage text model read the
  // pretrained sentence encoder's embedding of each sentence (the accurate
  // model, configs/propscan-accurate.json).
  bool sentence_encoder = false;
  SgdStage tagger{8, 0.02, 1e-6};
  SgdStage classifier{10, 0.05, 1e-6};
  NeuralConfig neural;
  OptionalStage density{true, {30, 0.1, 1e-5}};
  OptionalStage sentence_scorer{true, {8, 0.05, 1e-5}};
  OptionalStage passage_text{true, {6, 0.05, 1e-5}};
  RerankerConfig reranker;
};

nlohmann::json to_json(const TrainConfig& config);

// Reads a configuration: every key optional (the default stands in),
// unknown keys and values out of range are errors naming the key. `origin`
// names the input in messages.
TrainConfig config_from_json(const nlohmann::json& j, const std::string& origin);
TrainConfig load_config(const std::string& path);

// Throws propscan::Error naming `origin` and the key when a value is out of range.
void check_config(const TrainConfig& config, const std::string& origin);

// Applies "key=value" overrides (dotted keys, e.g. neural.epochs=4 or
// reranker.share_weights=[0.4,0.5]; the value is JSON, or a string).
TrainConfig with_overrides(const TrainConfig& config, const std::vector<std::string>& assignments);

// The seed of a named stage: a hash of the base seed and the name, so that
// adding or removing a stage changes no other stage's seed.
std::uint64_t stage_seed(std::uint64_t seed, std::string_view stage);

}  // namespace propscan::train
