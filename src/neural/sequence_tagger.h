// A bidirectional LSTM that reads the article a few sentences at a time
// (consecutive sentences up to 80 tokens), token by token, and gives every
// token the probability that it lies inside a propaganda passage, from the
// token's word vector and a few surface cues. It sees whole sentences where
// the linear tagger sees a window of words; the model blends the two, an
// ensemble of two different views of the text.
//
// libtorch stays behind this header: nothing else in propscan includes it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "features/article.h"

namespace propscan::neural {

struct NetConfig {
  std::uint32_t input_dim = 0;
  std::uint32_t hidden = 64;  // per direction
  std::uint32_t layers = 1;   // stacked bidirectional LSTM layers
  // Output 0 is the probability that a token lies inside any passage; the
  // others, when present, the probability that it lies inside a passage of
  // each technique: a second task that shapes what the network learns.
  std::uint32_t outputs = 1;
  // Reads the linear tagger's token probability as an input too (stacking):
  // the network then weighs the linear tagger's lexical evidence in context.
  bool reads_linear = false;
  // Networks of this shape trained from different seeds whose
  // probabilities are averaged (an ensemble).
  std::uint32_t members = 1;
  // Consecutive sentences are read together up to this many tokens, so that
  // a sentence is seen with its neighbours.
  std::uint32_t context = 80;
  // Trainable word representations beside the fixed word vectors: each
  // token's word and its last three letters are hashed into `word_buckets`
  // rows of `word_dim` learned values, summed (0 buckets: none).
  std::uint32_t word_buckets = 0;
  std::uint32_t word_dim = 0;
};

// One named parameter tensor, flattened, as stored in a model file.
struct NamedTensor {
  std::string name;
  std::vector<std::int64_t> shape;
  std::vector<float> values;
};

// Threads libtorch may use inside one operation (process-wide). propscan
// parallelises over articles and folds itself, so it sets this to 1 there.
void set_threads(int threads);

// Per-token network inputs (row-major, tokens x input_dim). `linear`: the
// linear tagger's token probabilities, for a network that reads them (else empty).
std::vector<float> token_inputs(const features::ArticleView& view, std::span<const float> linear = {});
std::uint32_t input_dim(int vector_dimension, bool reads_linear = false);

// Hashed keys of each token for the trainable word representations
// (tokens x kWordKeys bucket numbers below `buckets`).
constexpr std::uint32_t kWordKeys = 2;
std::vector<std::int64_t> token_keys(const features::ArticleView& view, std::uint32_t buckets);

struct TrainExample {
  const features::ArticleView* view = nullptr;
  std::vector<std::uint8_t> labels;       // 1 inside any technique span
  // Per token, bit t set inside a span of technique t (for outputs 1..);
  // may be empty when the network has one output.
  std::vector<std::uint32_t> techniques;
  // The linear tagger's token probabilities, held-out (for a stacked
  // network; empty otherwise).
  std::vector<float> linear;
};

// Loss weight of each token given its 0/1 labels: 1 outside passages,
// (4 / max(n, 4))^power inside a run of n labelled tokens.
std::vector<float> passage_token_weights(const std::vector<std::uint8_t>& labels, float power);

// Multiplies the loss weights `w` of the tokens outside every passage by
// `near_weight` in the sentences of `view` that have a passage, and by
// (10 / max(n, 10))^sentence_power in every sentence of n tokens.
void weigh_words_outside_passages(const features::ArticleView& view, const std::vector<std::uint8_t>& labels,
                                  float near_weight, float sentence_power, std::vector<float>& w);

struct NetTrainOptions {
  std::uint32_t hidden = 64;
  std::uint32_t layers = 1;
  // Technique outputs beside the main one (0: none); their loss is weighted
  // by `technique_loss_weight` against the main output's.
  std::uint32_t technique_outputs = 0;
  float technique_loss_weight = 0.5f;
  std::uint32_t members = 1;  // networks in the ensemble, each from its own seed
  std::uint32_t context = 80;  // see NetConfig::context
  std::uint32_t word_buckets = 0;  // see NetConfig::word_buckets
  std::uint32_t word_dim = 16;
  // Without `select`: the network's weights are the mean of those after
  // each of the last `average_last` epochs (1: the last epoch's own).
  int average_last = 1;
  int epochs = 8;
  // Share of the inputs of each layer and of the output zeroed in training.
  double dropout = 0.25;
  // Share of training tokens whose word vector is hidden from the network
  // (zeroed, as for a word without one), so that it learns to read a
  // passage from the words around it as well as from the word itself.
  double word_dropout = 0.0;
  // Loss weight of a token inside a passage of n tokens: (4 / max(n, 4))
  // raised to this power (0: every token weighs 1). SI recall counts each
  // gold passage once, however long, so a word of a short passage is worth
  // more than a word of a long one.
  float span_length_power = 0.0f;
  // Loss weight of a word outside every passage but in a sentence that has
  // one. Where a passage ends is where annotators disagree most; below 1,
  // the network spends itself on which sentences carry propaganda.
  float near_weight = 1.0f;
  // Loss weight of a word outside every passage in a sentence of n tokens:
  // (10 / max(n, 10)) raised to this power (0: all weigh 1). SI precision
  // counts every predicted passage once, so a false alarm in a short
  // sentence costs as much as one in a long sentence.
  float sentence_power = 0.0f;
  // Weight of a second loss, per sentence, beside the token loss: the
  // sentence's highest token logit against whether it has a passage (0:
  // none). A false alarm anywhere in a sentence without a passage costs
  // through its most confident word, which is the word that would make a
  // predicted passage there; SI precision is lost mostly in such sentences.
  float sentence_loss = 0.0f;
  float learning_rate = 2e-3f;
  int batch_size = 32;
  std::uint64_t seed = 42;
  std::function<void(const std::string&)> progress;
  // Called after each epoch with the network's probabilities on the
  // held-out examples; returns a score to maximise (e.g. SI F1). The
  // network of the best epoch is kept.
  std::function<double(const std::vector<std::vector<float>>&)> select;
};

class SequenceTagger;

std::unique_ptr<SequenceTagger> train_sequence_tagger(const std::vector<TrainExample>& train,
                                                      const std::vector<TrainExample>& held_out,
                                                      int vector_dimension, const NetTrainOptions& options);

// One ensemble of the given single networks (of one shape), whose
// probabilities it averages; throws propscan::Error otherwise.
std::unique_ptr<SequenceTagger> join_members(const std::vector<const SequenceTagger*>& networks);

class SequenceTagger {
 public:
  // Fresh, randomly initialised network (seeded).
  SequenceTagger(NetConfig config, std::uint64_t seed);
  // Network with stored parameters; throws propscan::Error if they do not fit.
  SequenceTagger(NetConfig config, const std::vector<NamedTensor>& parameters);
  ~SequenceTagger();
  SequenceTagger(const SequenceTagger&) = delete;
  SequenceTagger& operator=(const SequenceTagger&) = delete;

  const NetConfig& config() const { return config_; }
  std::vector<NamedTensor> parameters() const;

  // The network's probability per token (0 for tokens outside sentences).
  // `linear`: the linear tagger's probabilities, required when the network
  // reads them. Thread-safe (inference only).
  std::vector<float> predict(const features::ArticleView& view, std::span<const float> linear = {}) const;

  // The same probabilities from libtorch's own forward pass, one run of
  // sentences at a time: the reference `predict` is tested against.
  std::vector<float> reference_predict(const features::ArticleView& view, std::span<const float> linear = {}) const;

  struct Impl;

 private:
  NetConfig config_;
  std::unique_ptr<Impl> impl_;
  friend std::unique_ptr<SequenceTagger> train_sequence_tagger(const std::vector<TrainExample>&,
                                                               const std::vector<TrainExample>&, int,
                                                               const NetTrainOptions&);
};

}  // namespace propscan::neural
