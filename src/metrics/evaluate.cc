#include "metrics/evaluate.h"

#include <algorithm>

namespace propscan::metrics {

std::vector<float> threshold_grid() {
  std::vector<float> grid;
  for (int k = 2; k <= 38; ++k) grid.push_back(static_cast<float>(k) * 0.025f);
  return grid;
}

ArticleResult predict_article(const Model& model, const io::LabelledArticle& art, const features::ArticleView& view) {
  ArticleResult r;
  r.probs = model.token_probabilities(view);
  features::PhraseCache phrases;
  const auto labels = label_passages(model, view, art.techniques, &phrases);
  r.tc_pred = art.techniques;
  for (std::size_t k = 0; k < labels.size(); ++k) r.tc_pred[k].technique = labels[k];
  return r;
}

EvalReport score(const std::vector<const Model*>& model_of, const io::Corpus& corpus,
                 const std::vector<features::ArticleView>& views, const std::vector<ArticleResult>& results,
                 float threshold_override, bool curve) {
  EvalReport rep;
  rep.articles = corpus.articles.size();
  std::vector<Span> gold_tc, gold_si, tc_pred;
  for (std::size_t a = 0; a < corpus.articles.size(); ++a) {
    const auto& art = corpus.articles[a];
    gold_tc.insert(gold_tc.end(), art.techniques.begin(), art.techniques.end());
    gold_si.insert(gold_si.end(), art.si.begin(), art.si.end());
    tc_pred.insert(tc_pred.end(), results[a].tc_pred.begin(), results[a].tc_pred.end());
  }
  rep.tc = technique_classification(gold_tc, tc_pred);

  auto detect_all = [&](float t, bool use_model_threshold) {
    std::vector<Span> pred;
    for (std::size_t a = 0; a < corpus.articles.size(); ++a) {
      const Model& m = *model_of[a];
      float th = use_model_threshold ? m.config().threshold : t;
      auto spans = detect_spans(m, views[a], results[a].probs, th, corpus.articles[a].doc.id);
      pred.insert(pred.end(), spans.begin(), spans.end());
    }
    return pred;
  };
  const bool own = threshold_override < 0.0f;
  auto pred = detect_all(threshold_override, own);
  rep.threshold = own ? model_of.front()->config().threshold : threshold_override;
  rep.si = span_identification(gold_si, pred);
  rep.predictions = pred;
  rep.flc = fragment_classification(gold_tc, pred);
  rep.flc_per_technique = fragment_classification_per_technique(gold_tc, pred);
  for (float t : curve ? threshold_grid() : std::vector<float>{}) {
    auto p = detect_all(t, false);
    rep.curve.push_back({t, span_identification(gold_si, p), fragment_classification(gold_tc, p)});
  }
  return rep;
}

EvalReport evaluate(const Model& model, const io::Corpus& corpus, float threshold, bool curve) {
  std::vector<features::ArticleView> views;
  std::vector<ArticleResult> results;
  for (const auto& art : corpus.articles) {
    views.push_back(model.view(art.doc.text));
    results.push_back(predict_article(model, art, views.back()));
  }
  std::vector<const Model*> model_of(corpus.articles.size(), &model);
  return score(model_of, corpus, views, results, threshold, curve);
}

}  // namespace propscan::metrics
