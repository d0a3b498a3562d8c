// Measuring a model on a labelled corpus: SI, TC and FLC (metrics.h) from
// the model's own predictions. Cross-validation (train/trainer.h) scores
// each fold's predictions the same way.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "features/article.h"
#include "io/corpus.h"
#include "metrics/metrics.h"
#include "model/model.h"

namespace propscan::metrics {

struct CurvePoint {
  float threshold = 0.0f;
  PRF si;
  PRF flc;
};

struct EvalReport {
  std::size_t articles = 0;
  float threshold = 0.0f;  // the threshold the headline figures use
  PRF si;
  PRF flc;
  TCResult tc;
  std::array<PRF, kNumTechniques> flc_per_technique{};
  std::vector<CurvePoint> curve;  // SI and FLC at a range of thresholds (when asked for)
  std::vector<Span> predictions;  // the spans scored by the headline figures, article by article
};

// The thresholds tuning and the precision/recall curve try: 0.05 to 0.95.
std::vector<float> threshold_grid();

// What a model says of one labelled article: its token probabilities (the
// spans are decoded from them at each threshold) and a technique for each
// gold span.
struct ArticleResult {
  TokenProbabilities probs;
  std::vector<Span> tc_pred;
};
ArticleResult predict_article(const Model& model, const io::LabelledArticle& art, const features::ArticleView& view);

// Scores the results of every article of `corpus`, article a by
// model_of[a]. A negative threshold means each model's own. `curve`: also
// measure SI and FLC at the thresholds of threshold_grid().
EvalReport score(const std::vector<const Model*>& model_of, const io::Corpus& corpus,
                 const std::vector<features::ArticleView>& views, const std::vector<ArticleResult>& results,
                 float threshold, bool curve);

// Scores `model` on the corpus. A negative threshold means the model's own.
EvalReport evaluate(const Model& model, const io::Corpus& corpus, float threshold = -1.0f, bool curve = false);

}  // namespace propscan::metrics
