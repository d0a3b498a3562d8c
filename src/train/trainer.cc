#include "train/trainer.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>
#include <tuple>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "features/extract.h"
#include "model/linear.h"
#include "model/density.h"
#include "model/reranker.h"
#include "model/sentence.h"
#include "train/boosting.h"
#include "propscan/error.h"

namespace propscan::train {
namespace {

// `sgd`, its weights averaged over every example of its last `last` passes
// (0: the last weights as they are).
model::SgdOptions averaged(model::SgdOptions sgd, int last) {
  sgd.average_from = last > 0 ? std::max(1, sgd.epochs - last + 1) : 0;
  return sgd;
}

void report(const TrainOptions& o, const std::string& msg) {
  if (o.progress) o.progress(msg);
}

features::ArticleView make_view(const std::u32string& text, const TrainOptions& o) {
  if (o.lexicons) return article_view(text, *o.lexicons);
  return features::make_article_view(text);
}

// Calls f(token index) for every token that shares a character with `s`.
template <typename F>
void for_each_token_in(const features::ArticleView& view, const Span& s, F&& f) {
  if (s.end <= s.start) return;
  for (int i = view.token_at_or_after(s.start); i < static_cast<int>(view.tokens.size()); ++i) {
    if (view.tokens[static_cast<std::size_t>(i)].start >= s.end) break;
    f(static_cast<std::size_t>(i));
  }
}

// 1 for every token that overlaps a gold technique span.
std::vector<std::uint8_t> token_labels(const features::ArticleView& view, const std::vector<Span>& gold) {
  std::vector<std::uint8_t> labels(view.tokens.size(), 0);
  for (const auto& s : gold) for_each_token_in(view, s, [&](std::size_t i) { labels[i] = 1; });
  return labels;
}

std::vector<float> train_tagger(const std::vector<const io::LabelledArticle*>& arts,
                                const std::vector<const features::ArticleView*>& views, const TrainOptions& o) {
  features::FeatureHasher hasher(o.config.tagger_bits);
  const int d = views.empty() ? 0 : views.front()->vector_dimension;
  std::vector<features::SparseVector> xs;
  std::vector<float> ys;
  std::vector<float> weights;  // empty: every word weighs 1
  for (std::size_t a = 0; a < arts.size(); ++a) {
    auto labels = token_labels(*views[a], arts[a]->techniques);
    if (o.tagger_span_power != 0.0f) {
      const auto w = neural::passage_token_weights(labels, o.tagger_span_power);
      weights.insert(weights.end(), w.begin(), w.end());
    }
    for (std::size_t i = 0; i < labels.size(); ++i) {
      features::SparseVector x;
      features::token_features(*views[a], static_cast<int>(i), hasher, x);
      xs.push_back(std::move(x));
      ys.push_back(labels[i]);
    }
  }
  const auto sgd = averaged({.epochs = o.tagger_epochs, .learning_rate = 0.02f, .seed = o.seed}, o.tagger_average);
  return model::train_logistic(xs, ys, static_cast<std::uint32_t>(Model::tagger_size(o.config, d)), sgd,
                               weights);
}

std::vector<float> train_classifier(const std::vector<const io::LabelledArticle*>& arts,
                                    const std::vector<const features::ArticleView*>& views, const TrainOptions& o) {
  features::FeatureHasher hasher(o.config.classifier_bits);
  const int d = views.empty() ? 0 : views.front()->vector_dimension;
  std::vector<features::SparseVector> xs;
  std::vector<std::uint16_t> ys;
  for (std::size_t a = 0; a < arts.size(); ++a) {
    for (const auto& s : arts[a]->techniques) {
      features::SparseVector x;
      features::span_features(*views[a], s.start, s.end, hasher, x, arts[a]->techniques);
      xs.push_back(std::move(x));
      ys.push_back(static_cast<std::uint16_t>(technique_index(*s.technique)));
    }
  }
  const model::SgdOptions sgd{.epochs = o.classifier_epochs, .learning_rate = 0.05f, .seed = o.seed + 1};
  return model::train_softmax(xs, ys, static_cast<std::uint32_t>(Model::classifier_features(o.config, d)),
                              kNumTechniques, sgd);
}

std::vector<float> threshold_grid() {
  std::vector<float> grid;
  for (int k = 2; k <= 38; ++k) grid.push_back(static_cast<float>(k) * 0.025f);
  return grid;
}

// Per token, bit t set when the token overlaps a gold span of technique t.
std::vector<std::uint32_t> token_technique_bits(const features::ArticleView& view, const std::vector<Span>& gold) {
  std::vector<std::uint32_t> bits(view.tokens.size(), 0);
  for (const auto& s : gold) {
    if (!s.technique) continue;
    const std::uint32_t bit = 1u << technique_index(*s.technique);
    for_each_token_in(view, s, [&](std::size_t i) { bits[i] |= bit; });
  }
  return bits;
}

// Trains the neural sequence tagger on the given articles for a fixed
// number of epochs. `linear`: held-out linear-tagger probabilities of each
// article for a stacked network, or empty.
std::shared_ptr<const neural::SequenceTagger> train_neural(const std::vector<const io::LabelledArticle*>& arts,
                                                           const std::vector<const features::ArticleView*>& views,
                                                           const std::vector<const std::vector<float>*>& linear,
                                                           const TrainOptions& o, std::uint64_t seed) {
  std::vector<neural::TrainExample> examples;
  for (std::size_t a = 0; a < arts.size(); ++a) {
    examples.push_back({views[a], token_labels(*views[a], arts[a]->techniques),
                        o.neural_techniques ? token_technique_bits(*views[a], arts[a]->techniques)
                                            : std::vector<std::uint32_t>{},
                        linear.empty() ? std::vector<float>{} : *linear[a]});
  }
  neural::NetTrainOptions no;
  no.layers = o.neural_layers;
  no.members = o.neural_members;
  no.context = o.neural_context;
  no.average_last = o.neural_average;
  no.word_buckets = o.neural_word_buckets;
  no.word_dim = o.neural_word_dim;
  no.dropout = o.neural_dropout;
  no.word_dropout = o.neural_word_dropout;
  no.near_weight = o.neural_near_weight;
  no.sentence_power = o.neural_sentence_power;
  no.sentence_loss = o.neural_sentence_loss;
  no.span_length_power = o.neural_span_power;
  no.technique_outputs = o.neural_techniques ? static_cast<std::uint32_t>(kNumTechniques) : 0u;
  no.epochs = o.neural_epochs;
  no.hidden = o.neural_hidden;
  no.seed = seed;
  no.progress = [&o](const std::string& m) { report(o, m); };
  return neural::train_sequence_tagger(examples, {}, views.front()->vector_dimension, no);
}

bool wants_neural(const TrainOptions& o, std::size_t articles) {
  return o.neural && articles >= static_cast<std::size_t>(std::max(2, o.tune_folds));
}

// What the held-out folds of the training data say about the detector: token
// probabilities of the linear tagger and of the neural one (when the model
// has it) for every training article, each fold tagged by taggers trained on
// the other folds; and the technique classifier trained on each fold's others.
struct Tuning {
  std::vector<int> fold_of;
  std::vector<std::vector<float>> linear;
  std::vector<std::vector<float>> neural;  // empty without the neural tagger
  // The networks that tagged each fold (kept for a cross-fitted ensemble).
  std::vector<std::shared_ptr<const neural::SequenceTagger>> nets;
  std::vector<std::vector<float>> probs;   // the two blended at the tuned weight
  std::vector<std::vector<float>> classifiers;  // technique classifier of each fold (with the reranker)
};

Tuning out_of_fold(const std::vector<const io::LabelledArticle*>& arts, const std::vector<features::ArticleView>& views,
                   const TrainOptions& o) {
  Tuning t;
  t.fold_of = assign_folds(arts.size(), o.tune_folds, o.seed + 7);
  const bool neural = wants_neural(o, arts.size());
  t.linear.resize(arts.size());
  if (neural) t.neural.resize(arts.size());
  const features::FeatureHasher tagger_hasher(o.config.tagger_bits);
  struct Split {
    std::vector<const io::LabelledArticle*> arts;
    std::vector<const features::ArticleView*> views;
    std::vector<const std::vector<float>*> linear;
  };
  auto training_split = [&](int f) {
    Split s;
    for (std::size_t a = 0; a < arts.size(); ++a) {
      if (t.fold_of[a] == f) continue;
      s.arts.push_back(arts[a]);
      s.views.push_back(&views[a]);
      s.linear.push_back(&t.linear[a]);
    }
    return s;
  };
  // The linear tagger first: a stacked network reads its held-out output.
  for (int f = 0; f < o.tune_folds; ++f) {
    const auto split = training_split(f);
    const auto weights = train_tagger(split.arts, split.views, o);
    if (o.rerank) t.classifiers.push_back(train_classifier(split.arts, split.views, o));
    for (std::size_t a = 0; a < arts.size(); ++a) {
      if (t.fold_of[a] == f) t.linear[a] = linear_tagger_probabilities(views[a], tagger_hasher, weights);
    }
  }
  for (int f = 0; f < o.tune_folds && neural; ++f) {
    const auto split = training_split(f);
    const auto net = train_neural(split.arts, split.views, o.neural_stack ? split.linear : decltype(split.linear){},
                                  o, o.seed + 13 + static_cast<std::uint64_t>(f));
    for (std::size_t a = 0; a < arts.size(); ++a) {
      if (t.fold_of[a] != f) continue;
      t.neural[a] = o.neural_stack ? net->predict(views[a], t.linear[a]) : net->predict(views[a]);
    }
    if (o.neural_cross_fit) t.nets.push_back(net);
    report(o, "  held-out fold " + std::to_string(f + 1) + "/" + std::to_string(o.tune_folds) + " tagged");
  }
  return t;
}

struct Reranker {
  double f1 = 0.0;             // held-out SI F1 at the chosen threshold
  std::vector<float> weights;  // the logistic reranker's, or
  model::TreeEnsemble trees;   // the boosted trees
  std::vector<float> sentence_weights;  // the sentence scorer it reads; may be empty
  std::vector<float> density_weights;   // the article density estimate it reads; may be empty
  std::vector<float> passage_weights;   // the passage text model it reads; may be empty
  float share_weight = 0.5f;            // weight of the precision share in its target
};

// A logistic model over the examples of the articles that `include` accepts.
template <typename Include>
std::vector<float> fit_logistic(const std::vector<std::vector<features::SparseVector>>& xs,
                                const std::vector<std::vector<float>>& ys, Include&& include,
                                std::uint32_t dimension, const model::SgdOptions& sgd) {
  std::vector<features::SparseVector> x;
  std::vector<float> y;
  for (std::size_t a = 0; a < xs.size(); ++a) {
    if (!include(a)) continue;
    x.insert(x.end(), xs[a].begin(), xs[a].end());
    y.insert(y.end(), ys[a].begin(), ys[a].end());
  }
  return model::train_logistic(x, y, dimension, sgd);
}

// A logistic model over examples grouped by article, trained as the reranker
// must see its output: `held_out` holds each tuning fold's examples scored by
// a model trained on the other folds; `weights`, the model trained on every
// article.
struct HeldOutFit {
  std::vector<std::vector<float>> held_out;  // per article, per example
  std::vector<float> weights;
};

HeldOutFit fit_held_out(const std::vector<std::vector<features::SparseVector>>& xs,
                        const std::vector<std::vector<float>>& ys, const Tuning& t, int folds,
                        std::uint32_t dimension, const model::SgdOptions& sgd) {
  auto fit = [&](auto&& include) { return fit_logistic(xs, ys, include, dimension, sgd); };
  HeldOutFit out;
  out.held_out.resize(xs.size());
  for (int f = 0; f < folds; ++f) {
    const auto w = fit([&](std::size_t a) { return t.fold_of[a] != f; });
    for (std::size_t a = 0; a < xs.size(); ++a) {
      if (t.fold_of[a] != f) continue;
      for (const auto& x : xs[a]) out.held_out[a].push_back(model::logistic_predict(w, x));
    }
  }
  out.weights = fit([](std::size_t) { return true; });
  return out;
}

// Trains the article density estimate: fills each article's stats.density
// with its held-out estimate and returns the estimate trained on every
// article.
std::vector<float> train_density(const std::vector<const io::LabelledArticle*>& arts,
                                 const std::vector<features::ArticleView>& views, const Tuning& t,
                                 const TrainOptions& o, std::vector<rerank::ArticleStats>& stats) {
  const features::FeatureHasher hasher(density::kBits);
  std::vector<std::vector<features::SparseVector>> xs(arts.size(), std::vector<features::SparseVector>(1));
  std::vector<std::vector<float>> ys(arts.size());
  for (std::size_t a = 0; a < arts.size(); ++a) {
    density::article_features(views[a], stats[a], hasher, xs[a][0]);
    ys[a] = {density::density_target(metrics::merge_overlapping(arts[a]->si).size(), arts[a]->doc.text.size())};
  }
  const model::SgdOptions sgd{.epochs = 30, .learning_rate = 0.1f, .l2 = 1e-5f, .seed = o.seed + 29};
  auto fit = fit_held_out(xs, ys, t, o.tune_folds, hasher.dimension(), sgd);
  // How well the held-out estimates follow the truth (Pearson correlation).
  double mx = 0, my = 0;
  for (std::size_t a = 0; a < arts.size(); ++a) {
    stats[a].density = fit.held_out[a][0];
    mx += stats[a].density;
    my += ys[a][0];
  }
  mx /= static_cast<double>(arts.size());
  my /= static_cast<double>(arts.size());
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t a = 0; a < arts.size(); ++a) {
    const double dx = stats[a].density - mx, dy = ys[a][0] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  std::ostringstream msg;
  msg << "  article density, held-out correlation with the marked density " << sxy / std::sqrt(std::max(1e-12, sxx * syy));
  report(o, msg.str());
  return std::move(fit.weights);
}

// Trains the sentence scorer on the tuning folds' held-out token
// probabilities (and density estimates): fills each article's
// stats.sentence_prob with held-out sentence probabilities and returns the
// scorer trained on every article.
std::vector<float> train_sentence_scorer(const std::vector<const io::LabelledArticle*>& arts,
                                         const std::vector<features::ArticleView>& views, const Tuning& t,
                                         const TrainOptions& o, std::vector<rerank::ArticleStats>& stats) {
  const features::FeatureHasher hasher(sentence::kBits);
  std::vector<std::vector<features::SparseVector>> xs(arts.size());
  std::vector<std::vector<float>> ys(arts.size());
  for (std::size_t a = 0; a < arts.size(); ++a) {
    ys[a] = sentence::sentence_labels(views[a], token_labels(views[a], arts[a]->techniques));
    xs[a].resize(ys[a].size());
    for (std::size_t k = 0; k < ys[a].size(); ++k) {
      sentence::sentence_features(views[a], stats[a], k, hasher, xs[a][k]);
    }
  }
  const auto sgd =
      averaged({.epochs = 8, .learning_rate = 0.05f, .l2 = 1e-5f, .seed = o.seed + 23}, o.reranker_average);
  auto fit = fit_held_out(xs, ys, t, o.tune_folds, hasher.dimension(), sgd);
  int right = 0, predicted = 0, gold = 0;
  for (std::size_t a = 0; a < arts.size(); ++a) {
    stats[a].sentence_prob = std::move(fit.held_out[a]);
    for (std::size_t k = 0; k < ys[a].size(); ++k) {
      const bool p = stats[a].sentence_prob[k] >= 0.5f, g = ys[a][k] > 0.5f;
      right += p && g;
      predicted += p;
      gold += g;
    }
  }
  std::ostringstream msg;
  msg << "  sentence scorer, held out at 0.5: precision " << static_cast<double>(right) / std::max(1, predicted)
      << ", recall " << static_cast<double>(right) / std::max(1, gold) << " (" << gold << " sentences with passages)";
  report(o, msg.str());
  return std::move(fit.weights);
}

// Trains the passage text model: a logistic model over the technique
// classifier's features of each candidate (its words, their vectors, its
// place in the sentence) whose target is the candidate's gold share. Sets
// every candidate's text_score to its held-out estimate (each tuning fold
// scored by a model trained on the others), so that the reranker learns how
// far to trust it on passages it was not trained on, and returns the model
// trained on every article.
std::vector<float> train_passage_text(const std::vector<features::ArticleView>& views, const Tuning& t,
                                      const TrainOptions& o,
                                      std::vector<std::vector<rerank::Candidate>>& candidates,
                                      const std::vector<std::vector<float>>& shares,
                                      const std::vector<std::vector<std::uint8_t>>& covered,
                                      std::vector<rerank::ArticleStats>& stats) {
  const features::FeatureHasher hasher(o.config.classifier_bits);
  std::vector<std::vector<features::SparseVector>> xs(views.size());
  std::vector<std::vector<float>> ys = shares;
  for (std::size_t a = 0; a < views.size(); ++a) {
    for (const auto& c : candidates[a]) {
      features::SparseVector x;
      features::span_features(views[a], c.span.start, c.span.end, hasher, x, {});
      xs[a].push_back(std::move(x));
    }
    // Every whole sentence is an example too: the reranker reads the
    // estimate for a candidate's sentence as well as its own. (A sentence
    // without tokens holds no candidate; its empty example touches no
    // weight and its estimate is never read.)
    for (std::size_t k = 0; k < views[a].sentences.size(); ++k) {
      rerank::Candidate whole;
      std::tie(whole.span.start, whole.span.end) = rerank::sentence_span(views[a], k);
      features::SparseVector x;
      if (whole.span.start < whole.span.end) {
        features::span_features(views[a], whole.span.start, whole.span.end, hasher, x, {});
      }
      xs[a].push_back(std::move(x));
      ys[a].push_back(rerank::gold_share(whole, covered[a]));
    }
  }
  const int d = views.empty() ? 0 : views.front().vector_dimension;
  const model::SgdOptions sgd{.epochs = 6, .learning_rate = 0.05f, .l2 = 1e-5f, .seed = o.seed + 31};
  auto fit = fit_held_out(xs, ys, t, o.tune_folds, static_cast<std::uint32_t>(Model::classifier_features(o.config, d)), sgd);
  for (std::size_t a = 0; a < views.size(); ++a) {
    const std::size_t n = candidates[a].size();
    for (std::size_t k = 0; k < n; ++k) candidates[a][k].text_score = fit.held_out[a][k];
    stats[a].sentence_text.assign(fit.held_out[a].begin() + static_cast<std::ptrdiff_t>(n), fit.held_out[a].end());
  }
  return std::move(fit.weights);
}

// Trains the passage reranker on the held-out candidates and sets the score
// threshold that gives the best SI F1 on its own held-out scores (each
// tuning fold scored by a reranker trained on the others); returns that F1
// and the reranker trained on all candidates.
Reranker train_reranker(const std::vector<const io::LabelledArticle*>& arts,
                                                     const std::vector<features::ArticleView>& views,
                                                     const Tuning& t, const TrainOptions& o, ModelConfig& config) {
  const features::FeatureHasher classifier_hasher(o.config.classifier_bits);
  const features::FeatureHasher rerank_hasher(rerank::kBits);
  std::vector<std::vector<rerank::Candidate>> candidates(arts.size());
  std::vector<std::vector<features::SparseVector>> features(arts.size());
  // What each candidate adds to SI precision (the share of it that is gold)
  // and to SI recall (the share of the gold passages it covers).
  std::vector<std::vector<float>> shares(arts.size()), coverages(arts.size()), targets(arts.size());
  std::vector<std::vector<float>> rows(arts.size());  // dense features, for trees
  std::vector<rerank::ArticleStats> all_stats;
  for (std::size_t a = 0; a < arts.size(); ++a) all_stats.push_back(rerank::article_stats(views[a], t.probs[a]));
  Reranker r;
  if (o.density) r.density_weights = train_density(arts, views, t, o, all_stats);
  if (o.sentence_scorer) r.sentence_weights = train_sentence_scorer(arts, views, t, o, all_stats);
  std::vector<std::vector<std::uint8_t>> covered(arts.size());  // per character, 1 inside a gold span
  for (std::size_t a = 0; a < arts.size(); ++a) {
    candidates[a] = rerank::candidates(views[a], t.probs[a], arts[a]->doc.id);
    covered[a].assign(arts[a]->doc.text.size() + 1, 0);
    for (const auto& g : arts[a]->si) std::fill(covered[a].begin() + g.start, covered[a].begin() + g.end, 1);
    const auto merged = metrics::merge_overlapping(arts[a]->si);
    for (const auto& c : candidates[a]) {
      shares[a].push_back(rerank::gold_share(c, covered[a]));
      coverages[a].push_back(rerank::gold_coverage(c, merged));
    }
  }
  if (o.passage_text) r.passage_weights = train_passage_text(views, t, o, candidates, shares, covered, all_stats);
  for (std::size_t a = 0; a < arts.size(); ++a) {
    const auto& probs = t.probs[a];
    const TokenProbabilities token_probs{probs, t.linear[a], t.neural.empty() ? std::vector<float>{} : t.neural[a]};
    const auto& classifier = t.classifiers[static_cast<std::size_t>(t.fold_of[a])];
    const auto& stats = all_stats[a];
    for (const auto& c : candidates[a]) {
      const auto techniques =
          classify_passage(views[a], c.span.start, c.span.end, classifier_hasher, classifier, {});
      features::SparseVector x;
      if (o.reranker_trees) {
        rows[a].resize(rows[a].size() + rerank::kDenseFeatures);
        rerank::dense_features(views[a], token_probs, stats, c, techniques,
                               std::span<float>(rows[a]).last(rerank::kDenseFeatures));
      } else {
        rerank::candidate_features(views[a], token_probs, stats, c, techniques, rerank_hasher, x);
      }
      features[a].push_back(std::move(x));
    }
  }
  const auto sgd = averaged({.epochs = 6, .learning_rate = 0.05f, .seed = o.seed + 17}, o.reranker_average);
  auto fit = [&](auto&& include) { return fit_logistic(features, targets, include, 1u << rerank::kBits, sgd); };
  BoostOptions boost;
  boost.seed = o.seed + 19;
  auto fit_trees = [&](auto&& include) {
    std::vector<float> xs, ys;
    for (std::size_t a = 0; a < arts.size(); ++a) {
      if (!include(a)) continue;
      xs.insert(xs.end(), rows[a].begin(), rows[a].end());
      ys.insert(ys.end(), targets[a].begin(), targets[a].end());
    }
    return train_boosted_trees(xs, rerank::kDenseFeatures, ys, boost);
  };
  std::vector<Span> gold;
  for (const auto* a : arts) gold.insert(gold.end(), a->si.begin(), a->si.end());
  auto best_threshold = [&](const std::vector<std::vector<rerank::Candidate>>& cands) {
    std::vector<float> scores;
    for (const auto& cs : cands) {
      for (const auto& c : cs) scores.push_back(static_cast<float>(c.span.score));
    }
    std::sort(scores.begin(), scores.end());
    std::pair<double, float> best{-1.0, 0.5f};
    for (int q = 1; q < 100 && !scores.empty(); ++q) {
      const float threshold = scores[scores.size() * static_cast<std::size_t>(q) / 100];
      std::vector<Span> pred;
      for (const auto& cs : cands) {
        auto picked = rerank::select(cs, threshold);
        pred.insert(pred.end(), picked.begin(), picked.end());
      }
      best = std::max(best, {metrics::span_identification(gold, pred).f1, threshold});
    }
    return best;
  };
  // A passage is worth what it adds to SI precision and to SI recall
  // (trained on precision alone, the reranker prefers cores too short to
  // recover the long passages); which mix of the two ranks passages best
  // for SI F1 is tuned on the held-out folds.
  auto set_targets = [&](float share_weight) {
    for (std::size_t a = 0; a < arts.size(); ++a) {
      targets[a].resize(shares[a].size());
      for (std::size_t k = 0; k < shares[a].size(); ++k) {
        targets[a][k] = share_weight * shares[a][k] + (1.0f - share_weight) * coverages[a][k];
      }
    }
  };
  // Every tuning fold's candidates scored by a reranker trained on the others.
  auto held_out_scores = [&] {
    std::vector<std::vector<rerank::Candidate>> scored = candidates;
    for (int f = 0; f < o.tune_folds; ++f) {
      auto others = [&](std::size_t a) { return t.fold_of[a] != f; };
      std::vector<float> w;
      model::TreeEnsemble trees;
      if (o.reranker_trees) {
        trees = fit_trees(others);
      } else {
        w = fit(others);
      }
      for (std::size_t a = 0; a < arts.size(); ++a) {
        if (t.fold_of[a] != f) continue;
        for (std::size_t k = 0; k < scored[a].size(); ++k) {
          scored[a][k].span.score =
              o.reranker_trees
                  ? trees.probability(std::span<const float>(rows[a]).subspan(k * rerank::kDenseFeatures,
                                                                              rerank::kDenseFeatures))
                  : model::logistic_predict(w, features[a][k]);
        }
      }
    }
    return scored;
  };
  // A passage is worth what it adds to SI precision and to SI recall
  // (trained on precision alone, the reranker prefers cores too short to
  // recover the long passages); the mix of the two that ranks passages best
  // for SI F1 is chosen on the held-out folds.
  r.f1 = -1.0;
  for (float share_weight : o.reranker_share_weights) {
    set_targets(share_weight);
    const auto [f1, threshold] = best_threshold(held_out_scores());
    std::ostringstream msg;
    msg << "  reranker share weight " << share_weight << ": held-out SI F1 " << f1;
    report(o, msg.str());
    if (f1 > r.f1) {
      r.f1 = f1;
      r.share_weight = share_weight;
      config.threshold = threshold;
    }
  }
  set_targets(r.share_weight);
  auto everything = [](std::size_t) { return true; };
  if (o.reranker_trees) {
    r.trees = fit_trees(everything);
  } else {
    r.weights = fit(everything);
  }
  return r;
}

// Sets the extent threshold, score calibration and score threshold that give
// the best SI F1 on the given held-out token probabilities; returns that F1.
double fit_thresholds(const std::vector<const io::LabelledArticle*>& arts,
                      const std::vector<const features::ArticleView*>& views,
                      const std::vector<std::vector<float>>& probs, ModelConfig& config) {
  std::vector<Span> gold;
  for (const auto* a : arts) gold.insert(gold.end(), a->si.begin(), a->si.end());
  double best_f1 = -1.0;
  for (float extent : threshold_grid()) {
    if (extent > 0.5f) break;
    // Candidates at this extent, each with its mean token probability and
    // whether gold covers most of it (the event the score is calibrated to).
    std::vector<Span> candidates;
    std::vector<float> raw;
    std::vector<std::uint8_t> good;
    for (std::size_t a = 0; a < arts.size(); ++a) {
      std::vector<std::uint8_t> covered(arts[a]->doc.text.size() + 1, 0);
      for (const auto& g : arts[a]->si) std::fill(covered.begin() + g.start, covered.begin() + g.end, 1);
      for (auto& s : Model::decode_spans(*views[a], probs[a], extent, arts[a]->doc.id)) {
        auto inside = std::count(covered.begin() + s.start, covered.begin() + s.end, 1);
        raw.push_back(static_cast<float>(s.score));
        good.push_back(2 * inside >= s.length() ? 1 : 0);
        candidates.push_back(std::move(s));
      }
    }
    if (candidates.empty()) continue;
    const auto [ca, cb] = model::fit_platt(raw, good);
    for (std::size_t k = 0; k < candidates.size(); ++k) {
      candidates[k].score = 1.0 / (1.0 + std::exp(-(ca * raw[k] + cb)));
    }
    for (float t : threshold_grid()) {
      std::vector<Span> kept;
      for (const auto& s : candidates) {
        if (s.score >= t) kept.push_back(s);
      }
      double f1 = metrics::span_identification(gold, kept).f1;
      if (f1 > best_f1) {
        best_f1 = f1;
        config.extent_threshold = extent;
        config.calibration_a = ca;
        config.calibration_b = cb;
        config.threshold = t;
      }
    }
  }
  return best_f1;
}

}  // namespace

std::shared_ptr<const ModelLexicons> prepare_lexicons(const lexicon::WordVectors* vectors,
                                                      const lexicon::Valence* valence,
                                                      const lexicon::CuePhrases* cues,
                                                      const io::Corpus& corpus, std::size_t top_words) {
  auto out = std::make_shared<ModelLexicons>();
  if (valence) out->valence = *valence;
  if (cues) out->cues = *cues;
  if (vectors && vectors->size()) {
    std::unordered_set<std::string> corpus_words;
    for (const auto& art : corpus.articles) {
      auto view = features::make_article_view(art.doc.text);
      corpus_words.insert(view.words.begin(), view.words.end());
    }
    auto kept = vectors->subset([&](std::size_t row, const std::string& word) {
      return row < top_words || corpus_words.count(word) > 0;
    });
    out->vectors = quantize(kept);
  }
  return out;
}

std::vector<int> assign_folds(std::size_t n, int folds, std::uint64_t seed) {
  if (folds < 2) throw Error("cross-validation needs at least 2 folds");
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::mt19937_64 rng(seed);
  for (std::size_t i = n; i > 1; --i) std::swap(order[i - 1], order[static_cast<std::size_t>(rng() % i)]);
  std::vector<int> fold(n);
  for (std::size_t k = 0; k < n; ++k) fold[order[k]] = static_cast<int>(k % static_cast<std::size_t>(folds));
  return fold;
}

std::shared_ptr<const Model> train_model(const std::vector<const io::LabelledArticle*>& arts,
                                         const TrainOptions& o) {
  if (arts.empty()) throw Error("training: no articles");
  if (o.rerank && o.reranker_share_weights.empty()) throw Error("training: no reranker share weight to try");
  std::vector<features::ArticleView> views;
  views.reserve(arts.size());
  for (const auto* a : arts) views.push_back(make_view(a->doc.text, o));
  std::vector<const features::ArticleView*> view_ptrs;
  for (const auto& v : views) view_ptrs.push_back(&v);

  ModelConfig config = o.config;
  Tuning tuning;
  if (o.tune_folds >= 2 && arts.size() >= static_cast<std::size_t>(o.tune_folds)) {
    report(o, "tagging " + std::to_string(o.tune_folds) + " held-out folds for tuning");
    tuning = out_of_fold(arts, views, o);
  }
  report(o, "training the passage tagger on " + std::to_string(arts.size()) + " articles");
  auto tagger = train_tagger(arts, view_ptrs, o);
  report(o, "training the technique classifier");
  auto classifier = train_classifier(arts, view_ptrs, o);

  std::shared_ptr<const neural::SequenceTagger> net;
  if (o.neural_cross_fit && tuning.nets.size() >= 2) {
    // The tuning folds' networks, averaged: the reranker learnt from what
    // networks trained on this much data say of articles they did not see.
    report(o, "joining the " + std::to_string(tuning.nets.size()) + " held-out folds' networks");
    std::vector<const neural::SequenceTagger*> members;
    for (const auto& n : tuning.nets) members.push_back(n.get());
    net = neural::join_members(members);
  } else if (wants_neural(o, arts.size())) {
    report(o, "training the neural sequence tagger");
    // A stacked network learns from the held-out linear probabilities, the
    // kind it will read when the final linear tagger meets new articles.
    std::vector<const std::vector<float>*> linear;
    if (o.neural_stack && !tuning.linear.empty()) {
      for (const auto& p : tuning.linear) linear.push_back(&p);
    }
    net = train_neural(arts, view_ptrs, linear, o, o.seed + 13);
  }
  Reranker reranker;
  if (!tuning.linear.empty()) {
    tuning.probs = tuning.linear;
    if (!tuning.neural.empty()) {
      // The blend of the two taggers that decodes best on held-out folds.
      double best = -1.0;
      for (float w : {0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f, 0.9f}) {
        auto probs = tuning.linear;
        for (std::size_t a = 0; a < probs.size(); ++a) blend_probabilities(probs[a], tuning.neural[a], w);
        ModelConfig scratch = config;
        const double f1 = fit_thresholds(arts, view_ptrs, probs, scratch);
        report(o, "  neural weight " + std::to_string(w) + ": held-out SI F1 " + std::to_string(f1));
        if (f1 > best) {
          best = f1;
          config.neural_weight = w;
          tuning.probs = std::move(probs);
        }
      }
    }
    const double f1 = fit_thresholds(arts, view_ptrs, tuning.probs, config);
    std::ostringstream msg;
    msg << "  extent threshold " << config.extent_threshold << ", score threshold " << config.threshold
        << " (held-out SI F1 " << f1 << ")";
    report(o, msg.str());
    if (o.rerank) {
      report(o, "training the passage reranker");
      reranker = train_reranker(arts, views, tuning, o, config);
      std::ostringstream m2;
      m2 << "  reranker score threshold " << config.threshold << " (held-out SI F1 " << reranker.f1 << ")";
      report(o, m2.str());
    }
  }

  std::size_t spans = 0;
  for (const auto* a : arts) spans += a->techniques.size();
  nlohmann::json info = {{"articles", arts.size()},
                         {"technique_spans", spans},
                         {"seed", o.seed},
                         {"tagger_epochs", o.tagger_epochs},
                         {"tagger_average", o.tagger_average},
                         {"tagger_span_power", o.tagger_span_power},
                         {"classifier_epochs", o.classifier_epochs},
                         {"reranker_average", o.reranker_average},
                         {"extent_threshold", config.extent_threshold},
                         {"calibration", {config.calibration_a, config.calibration_b}},
                         {"threshold", config.threshold},
                         {"reranker", !reranker.trees.empty()     ? "trees"
                                      : !reranker.weights.empty() ? "linear"
                                                                  : "none"},
                         {"sentence_scorer", !reranker.sentence_weights.empty()},
                         {"reranker_share_weight", reranker.share_weight},
                         {"article_density", !reranker.density_weights.empty()},
                         {"passage_text", !reranker.passage_weights.empty()}};
  if (net) {
    info["neural"] = {{"hidden", o.neural_hidden},       {"layers", o.neural_layers},
                      {"epochs", o.neural_epochs},       {"weight", config.neural_weight},
                      {"techniques", o.neural_techniques}, {"stacked", net->config().reads_linear},
                      {"members", net->config().members},     {"context", o.neural_context},
                      {"averaged_epochs", o.neural_average},
                      {"word_buckets", net->config().word_buckets},
                      {"word_dim", net->config().word_dim},
                      {"dropout", o.neural_dropout},
                      {"word_dropout", o.neural_word_dropout},
                      {"near_weight", o.neural_near_weight},
                      {"sentence_power", o.neural_sentence_power},
                      {"sentence_loss", o.neural_sentence_loss},
                      {"cross_fit", o.neural_cross_fit},
                      {"span_length_power", o.neural_span_power}};
  }
  return std::make_shared<const Model>(config, std::move(tagger), std::move(classifier), info.dump(),
                                       o.lexicons ? *o.lexicons : ModelLexicons{}, std::move(net),
                                       std::move(reranker.weights), std::move(reranker.trees),
                                       std::move(reranker.sentence_weights), std::move(reranker.density_weights),
                                       std::move(reranker.passage_weights));
}

namespace {

struct ArticleResult {
  TokenProbabilities probs;
  std::vector<Span> tc_pred;
};

ArticleResult predict_article(const Model& model, const io::LabelledArticle& art,
                              const features::ArticleView& view) {
  ArticleResult r;
  r.probs = model.token_probabilities(view);
  for (const auto& g : art.techniques) {
    auto p = model.technique_probabilities(view, g.start, g.end, art.techniques);
    Span s = g;
    s.technique = static_cast<Technique>(std::max_element(p.begin(), p.end()) - p.begin());
    r.tc_pred.push_back(std::move(s));
  }
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
  rep.tc = metrics::technique_classification(gold_tc, tc_pred);

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
  rep.si = metrics::span_identification(gold_si, pred);
  rep.predictions = pred;
  rep.flc = metrics::fragment_classification(gold_tc, pred);
  rep.flc_per_technique = metrics::fragment_classification_per_technique(gold_tc, pred);
  for (float t : curve ? threshold_grid() : std::vector<float>{}) {
    auto p = detect_all(t, false);
    rep.curve.push_back({t, metrics::span_identification(gold_si, p), metrics::fragment_classification(gold_tc, p)});
  }
  return rep;
}

}  // namespace

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

EvalReport cross_validate(const io::Corpus& corpus, int folds, const TrainOptions& options, unsigned threads,
                          bool curve, std::optional<std::uint64_t> fold_seed) {
  const std::size_t n = corpus.articles.size();
  if (n < static_cast<std::size_t>(folds)) throw Error("cross-validation: fewer articles than folds");
  const auto fold_of = assign_folds(n, folds, fold_seed.value_or(options.seed));
  std::vector<features::ArticleView> views;
  for (const auto& art : corpus.articles) views.push_back(make_view(art.doc.text, options));

  std::vector<std::shared_ptr<const Model>> models(static_cast<std::size_t>(folds));
  std::vector<ArticleResult> results(n);
  std::atomic<int> next{0};
  std::mutex log_mutex;
  auto worker = [&] {
    for (int f = next++; f < folds; f = next++) {
      TrainOptions o = options;
      o.progress = [&, f](const std::string& msg) {
        std::lock_guard lock(log_mutex);
        if (options.progress) options.progress("fold " + std::to_string(f + 1) + ": " + msg);
      };
      std::vector<const io::LabelledArticle*> train;
      for (std::size_t a = 0; a < n; ++a) {
        if (fold_of[a] != f) train.push_back(&corpus.articles[a]);
      }
      auto model = train_model(train, o);
      for (std::size_t a = 0; a < n; ++a) {
        if (fold_of[a] == f) results[a] = predict_article(*model, corpus.articles[a], views[a]);
      }
      models[static_cast<std::size_t>(f)] = model;
      o.progress("scored");
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(folds))); ++t) {
    pool.emplace_back(worker);
  }
  for (auto& t : pool) t.join();

  std::vector<const Model*> model_of(n);
  for (std::size_t a = 0; a < n; ++a) model_of[a] = models[static_cast<std::size_t>(fold_of[a])].get();
  auto rep = score(model_of, corpus, views, results, -1.0f, curve);
  // Each fold has its own tuned threshold; report their mean.
  float sum = 0.0f;
  for (const auto& m : models) sum += m->config().threshold;
  rep.threshold = sum / static_cast<float>(folds);
  return rep;
}

}  // namespace propscan::train
