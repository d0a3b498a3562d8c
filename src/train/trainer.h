// Training a model from labelled articles, and measuring one: on a corpus
// with a given model, or by K-fold cross-validation by article.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "io/corpus.h"
#include "metrics/metrics.h"
#include "model/model.h"

namespace propscan::train {

using Progress = std::function<void(const std::string&)>;

struct TrainOptions {
  std::uint64_t seed = 42;
  int tagger_epochs = 8;
  // The linear tagger's weights averaged over every example of its last
  // this many passes (0: the last weights as they are).
  int tagger_average = 0;
  int classifier_epochs = 10;
  // The passage reranker's and sentence scorer's weights averaged over
  // every example of their last this many passes (0: the last weights).
  int reranker_average = 0;
  // Folds of the training data whose held-out predictions tune the blend
  // weight, the thresholds and the reranker.
  int tune_folds = 5;
  // The neural sequence tagger on top of the linear one (needs >= 7 articles).
  bool neural = true;
  int neural_epochs = 6;
  std::uint32_t neural_hidden = 64;
  std::uint32_t neural_layers = 1;
  // Train the network to tell the techniques apart as well (a second task).
  bool neural_techniques = false;
  // The network reads the linear tagger's held-out probabilities (stacking).
  bool neural_stack = false;
  // Networks averaged in the neural tagger, each trained from its own seed.
  std::uint32_t neural_members = 1;
  // Tokens of consecutive sentences the network reads at once.
  std::uint32_t neural_context = 80;
  // The network's weights averaged over its last this many epochs.
  int neural_average = 1;
  // Trainable word representations in the network: hashed buckets (0:
  // none) of `neural_word_dim` values each (NetConfig::word_buckets).
  std::uint32_t neural_word_buckets = 0;
  std::uint32_t neural_word_dim = 16;
  double neural_dropout = 0.25;
  // NetTrainOptions::word_dropout.
  double neural_word_dropout = 0.0;
  // NetTrainOptions::near_weight.
  float neural_near_weight = 1.0f;
  // NetTrainOptions::sentence_power.
  float neural_sentence_power = 0.0f;
  // NetTrainOptions::sentence_loss.
  float neural_sentence_loss = 0.0f;
  // The network is the ensemble of the tuning folds' networks (each trained
  // on the other folds) rather than one trained on every article.
  bool neural_cross_fit = false;
  // NetTrainOptions::span_length_power.
  float neural_span_power = 0.5f;
  // The same weighting of passage words for the linear tagger.
  float tagger_span_power = 0.0f;
  // The passage reranker (needs tune_folds >= 2).
  bool rerank = true;
  // Boosted trees over dense candidate features instead of the logistic
  // reranker over hashed ones.
  bool reranker_trees = false;
  // Weights of the precision share (against the recall share) in the
  // reranker's target, tried in turn; the best on held-out folds is kept.
  std::vector<float> reranker_share_weights = {0.5f};
  // A sentence scorer (sentence.h) whose held-out probabilities the
  // reranker reads.
  bool sentence_scorer = true;
  // An article density estimate (density.h) that the sentence scorer and
  // the reranker read.
  bool density = true;
  // A passage text model (Model::passage_weights) whose held-out estimates,
  // for each candidate and for its whole sentence, the reranker reads.
  bool passage_text = true;
  ModelConfig config;
  // Word vectors, valence and cue phrases to train with (copied into the model); may be null.
  std::shared_ptr<const ModelLexicons> lexicons;
  Progress progress;  // may be empty
};

// The lexicons a model keeps: the `top_words` most frequent words of the
// vectors plus every word of `corpus`, quantized to 8 bits as the model file
// stores them; the valence lexicon and the cue phrases.
std::shared_ptr<const ModelLexicons> prepare_lexicons(const lexicon::WordVectors* vectors,
                                                      const lexicon::Valence* valence,
                                                      const lexicon::CuePhrases* cues,
                                                      const io::Corpus& corpus, std::size_t top_words = 100'000);

std::shared_ptr<const Model> train_model(const std::vector<const io::LabelledArticle*>& articles,
                                         const TrainOptions& options);

struct CurvePoint {
  float threshold = 0.0f;
  metrics::PRF si;
  metrics::PRF flc;
};

struct EvalReport {
  std::size_t articles = 0;
  float threshold = 0.0f;  // the threshold the headline figures use
  metrics::PRF si;
  metrics::PRF flc;
  metrics::TCResult tc;
  std::array<metrics::PRF, kNumTechniques> flc_per_technique{};
  std::vector<CurvePoint> curve;  // SI and FLC at a range of thresholds (when asked for)
  std::vector<Span> predictions;  // the spans scored by the headline figures, article by article
};

// Scores `model` on the corpus. A negative threshold means the model's own.
// `curve`: also measure SI and FLC at a range of thresholds.
EvalReport evaluate(const Model& model, const io::Corpus& corpus, float threshold = -1.0f, bool curve = false);

// K-fold cross-validation by article: each fold is scored by a model trained
// on the other folds; the figures pool the predictions of all folds. Folds
// run in parallel on up to `threads` threads. Articles are dealt to folds by
// `fold_seed` (default: the training seed), so that the training seed can
// change while the folds stay put.
EvalReport cross_validate(const io::Corpus& corpus, int folds, const TrainOptions& options,
                          unsigned threads, bool curve = false,
                          std::optional<std::uint64_t> fold_seed = std::nullopt);

// Deterministic assignment of articles to `folds` folds (shuffled by seed).
std::vector<int> assign_folds(std::size_t n, int folds, std::uint64_t seed);

}  // namespace propscan::train
