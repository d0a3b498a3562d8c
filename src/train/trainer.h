// Training a model from labelled articles, and measuring a training
// configuration by K-fold cross-validation by article.
//
// The pipeline is a list of stages of one shape: each stage is fitted on
// the other tuning folds to give held-out predictions for every article
// (what the later stages learn from, as they will meet the stage's output on
// new articles), then fitted once on every article for the model.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "io/corpus.h"
#include "metrics/evaluate.h"
#include "model/model.h"
#include "train/config.h"

namespace propscan::train {

using Progress = std::function<void(const std::string&)>;

struct TrainOptions {
  TrainConfig config;
  // Word vectors, valence and cue phrases to train with (copied into the
  // model); may be null.
  std::shared_ptr<const ModelLexicons> lexicons;
  // The texts of config.extra_technique_data (read_extra_technique_data);
  // when null, training reads them itself if that setting is set.
  std::shared_ptr<const std::vector<io::LabelledArticle>> extra_technique_articles;
  Progress progress;  // may be empty
  // Called with the training stages done and their number, once at the
  // start (0 done) and after each stage (a tuning fold, the tagger, the
  // classifier, the neural tagger, the reranker): what a progress bar counts.
  // May be empty.
  std::function<void(std::size_t done, std::size_t total)> stages;
};

// The lexicons a model keeps: the `top_words` most frequent words of the
// vectors plus every word of `corpus`, quantized to 8 bits as the model file
// stores them; the valence lexicon and the cue phrases.
std::shared_ptr<const ModelLexicons> prepare_lexicons(const lexicon::WordVectors* vectors,
                                                      const lexicon::Valence* valence,
                                                      const lexicon::CuePhrases* cues,
                                                      const io::Corpus& corpus, std::size_t top_words);

std::shared_ptr<const Model> train_model(const std::vector<const io::LabelledArticle*>& articles,
                                         const TrainOptions& options);

// K-fold cross-validation by article: each fold is scored by a model trained
// on the other folds; the figures pool the predictions of all folds. Folds
// run in parallel on up to `threads` threads. Articles are dealt to folds by
// `fold_seed` (default: the training seed), so that the training seed can
// change while the folds stay put.
metrics::EvalReport cross_validate(const io::Corpus& corpus, int folds, const TrainOptions& options,
                                   unsigned threads, bool curve = false,
                                   std::optional<std::uint64_t> fold_seed = std::nullopt);

// Deterministic assignment of articles to `folds` folds (shuffled by seed).
std::vector<int> assign_folds(std::size_t n, int folds, std::uint64_t seed);

}  // namespace propscan::train
