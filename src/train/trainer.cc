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
#include "model/density.h"
#include "model/linear.h"
#include "model/reranker.h"
#include "model/sentence.h"
#include "propscan/error.h"
#include "propscan/version.h"
#include "train/sequence_tagger.h"

namespace propscan::train {
namespace {

model::SgdOptions sgd_options(const SgdStage& stage, std::uint64_t seed, std::string_view name) {
  return {.epochs = stage.epochs,
          .learning_rate = static_cast<float>(stage.learning_rate),
          .l2 = static_cast<float>(stage.l2),
          .seed = stage_seed(seed, name)};
}

// The model settings training starts from (the rest are tuned).
ModelConfig model_config(const TrainOptions& o) {
  ModelConfig c;
  c.tagger_bits = o.config.tagger_bits;
  c.classifier_bits = o.config.classifier_bits;
  c.nested_extent = static_cast<float>(o.config.nested_extent);
  c.sentence_encoder = o.config.sentence_encoder;
  return c;
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
  for (std::size_t a = 0; a < arts.size(); ++a) {
    const auto labels = token_labels(*views[a], arts[a]->techniques);
    for (std::size_t i = 0; i < labels.size(); ++i) {
      features::SparseVector x;
      features::token_features(*views[a], static_cast<int>(i), hasher, x);
      xs.push_back(std::move(x));
      ys.push_back(labels[i]);
    }
  }
  return model::train_logistic(xs, ys, static_cast<std::uint32_t>(Model::tagger_size(model_config(o), d)),
                               sgd_options(o.config.tagger, o.config.seed, "tagger"));
}

std::vector<float> train_classifier(const std::vector<const io::LabelledArticle*>& arts,
                                    const std::vector<const features::ArticleView*>& views, const TrainOptions& o) {
  features::FeatureHasher hasher(o.config.classifier_bits);
  const int d = views.empty() ? 0 : views.front()->vector_dimension;
  std::vector<features::SparseVector> xs;
  std::vector<std::uint16_t> ys;
  for (std::size_t a = 0; a < arts.size(); ++a) {
    const features::SiblingIndex siblings(*views[a], arts[a]->techniques);
    for (const auto& s : arts[a]->techniques) {
      features::SparseVector x;
      features::span_features(*views[a], s.start, s.end, hasher, x, &siblings);
      xs.push_back(std::move(x));
      ys.push_back(static_cast<std::uint16_t>(technique_index(*s.technique)));
    }
  }
  return model::train_softmax(xs, ys, static_cast<std::uint32_t>(Model::classifier_features(model_config(o), d)),
                              kNumTechniques, sgd_options(o.config.classifier, o.config.seed, "classifier"));
}

// Trains the neural sequence tagger on the given articles.
neural::Network train_neural(const std::vector<const io::LabelledArticle*>& arts,
                             const std::vector<const features::ArticleView*>& views, const TrainOptions& o,
                             std::string_view stage) {
  std::vector<NetExample> examples;
  for (std::size_t a = 0; a < arts.size(); ++a) {
    examples.push_back({views[a], token_labels(*views[a], arts[a]->techniques)});
  }
  const auto& n = o.config.neural;
  NetTrainOptions no;
  no.hidden = n.hidden;
  no.layers = n.layers;
  no.context = n.context;
  no.epochs = n.epochs;
  no.dropout = n.dropout;
  no.span_power = static_cast<float>(n.span_power);
  no.learning_rate = static_cast<float>(n.learning_rate);
  no.batch_size = n.batch_size;
  no.seed = stage_seed(o.config.seed, stage);
  no.progress = [&o](const std::string& m) { report(o, m); };
  return train_network(examples, views.front()->vector_dimension, no);
}

bool wants_neural(const TrainOptions& o, std::size_t articles) {
  return o.config.neural.enabled && articles >= static_cast<std::size_t>(o.config.tune_folds);
}

// What the held-out folds of the training data say about the detector: token
// probabilities of the linear tagger and of the neural one (when the model
// has it) for every training article, each fold tagged by taggers trained on
// the other folds; and the technique classifier trained on each fold's others.
struct Tuning {
  int folds = 0;
  std::vector<int> fold_of;
  std::vector<std::vector<float>> linear;
  std::optional<std::vector<std::vector<float>>> neural;
  std::vector<std::vector<float>> probs;        // the two blended at the tuned weight
  std::vector<std::vector<float>> classifiers;  // technique classifier of each fold (for the reranker)
};

Tuning out_of_fold(const std::vector<const io::LabelledArticle*>& arts, const std::vector<features::ArticleView>& views,
                   const TrainOptions& o) {
  Tuning t;
  t.folds = o.config.tune_folds;
  t.fold_of = assign_folds(arts.size(), t.folds, stage_seed(o.config.seed, "tune_folds"));
  t.linear.resize(arts.size());
  const bool neural = wants_neural(o, arts.size());
  if (neural) t.neural.emplace(arts.size());
  const features::FeatureHasher tagger_hasher(o.config.tagger_bits);
  for (int f = 0; f < t.folds; ++f) {
    std::vector<const io::LabelledArticle*> split_arts;
    std::vector<const features::ArticleView*> split_views;
    for (std::size_t a = 0; a < arts.size(); ++a) {
      if (t.fold_of[a] == f) continue;
      split_arts.push_back(arts[a]);
      split_views.push_back(&views[a]);
    }
    const auto weights = train_tagger(split_arts, split_views, o);
    if (o.config.reranker.enabled) t.classifiers.push_back(train_classifier(split_arts, split_views, o));
    std::optional<neural::Network> net;
    if (neural) net = train_neural(split_arts, split_views, o, "neural.fold" + std::to_string(f));
    for (std::size_t a = 0; a < arts.size(); ++a) {
      if (t.fold_of[a] != f) continue;
      t.linear[a] = linear_tagger_probabilities(views[a], tagger_hasher, weights);
      if (net) (*t.neural)[a] = net->predict(views[a]);
    }
    report(o, "  held-out fold " + std::to_string(f + 1) + "/" + std::to_string(t.folds) + " tagged");
  }
  return t;
}

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
                        const std::vector<std::vector<float>>& ys, const Tuning& t, std::uint32_t dimension,
                        const model::SgdOptions& sgd) {
  auto fit = [&](auto&& include) { return fit_logistic(xs, ys, include, dimension, sgd); };
  HeldOutFit out;
  out.held_out.resize(xs.size());
  for (int f = 0; f < t.folds; ++f) {
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
  const auto sgd = sgd_options(o.config.density.sgd, o.config.seed, "density");
  auto fit = fit_held_out(xs, ys, t, hasher.dimension(), sgd);
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
  const auto sgd = sgd_options(o.config.sentence_scorer.sgd, o.config.seed, "sentence_scorer");
  auto fit = fit_held_out(xs, ys, t, hasher.dimension(), sgd);
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
      features::span_features(views[a], c.span.start, c.span.end, hasher, x);
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
        features::span_features(views[a], whole.span.start, whole.span.end, hasher, x);
      }
      xs[a].push_back(std::move(x));
      ys[a].push_back(rerank::gold_share(whole, covered[a]));
    }
  }
  const int d = views.empty() ? 0 : views.front().vector_dimension;
  const auto sgd = sgd_options(o.config.passage_text.sgd, o.config.seed, "passage_text");
  auto fit = fit_held_out(xs, ys, t, static_cast<std::uint32_t>(Model::classifier_features(model_config(o), d)), sgd);
  for (std::size_t a = 0; a < views.size(); ++a) {
    const std::size_t n = candidates[a].size();
    for (std::size_t k = 0; k < n; ++k) candidates[a][k].text_score = fit.held_out[a][k];
    stats[a].sentence_text.assign(fit.held_out[a].begin() + static_cast<std::ptrdiff_t>(n), fit.held_out[a].end());
  }
  return std::move(fit.weights);
}

// The passage reranker and what it reads, with its held-out SI F1 at the
// threshold chosen for it.
struct RerankerFit {
  double f1 = 0.0;
  double share_weight = 0.5;  // weight of the precision share in its target
  RerankerParts parts;
  std::optional<ScoreCalibration> calibration;
};

// What scores meant on the held-out folds: the passages each fold's reranker
// picks (down to score 0, so the whole range is seen; the passages above any
// threshold are the first of these), binned by score into groups of equal
// size, with the share of each group that overlaps annotated text, made
// non-decreasing (pool adjacent violators); and each article's propaganda
// score at the chosen threshold.
std::optional<ScoreCalibration> calibrate(const std::vector<std::vector<rerank::Candidate>>& scored,
                                          const std::vector<std::vector<std::uint8_t>>& covered,
                                          const std::vector<const io::LabelledArticle*>& arts, float threshold) {
  std::vector<std::pair<float, float>> passages;  // score, 1 when it overlaps a gold span
  ScoreCalibration c;
  for (std::size_t a = 0; a < scored.size(); ++a) {
    Offset marked = 0;
    std::vector<Span> kept;
    for (const auto& p : rerank::select(scored[a], 0.0f)) {
      const bool match = std::any_of(covered[a].begin() + p.start, covered[a].begin() + p.end,
                                     [](std::uint8_t g) { return g != 0; });
      passages.emplace_back(static_cast<float>(p.score), match ? 1.0f : 0.0f);
      if (p.score >= threshold) kept.push_back(p);
    }
    for (const auto& m : metrics::merge_overlapping(kept)) marked += m.length();
    const auto chars = static_cast<double>(arts[a]->doc.text.size());
    c.article_scores.push_back(chars > 0 ? static_cast<float>(static_cast<double>(marked) / chars) : 0.0f);
  }
  constexpr std::size_t kBins = 20, kMinPerBin = 25;
  if (passages.size() < kBins * kMinPerBin) return std::nullopt;
  std::sort(passages.begin(), passages.end());
  // Pool adjacent violators over the bins, each weighted by its size.
  struct Block {
    double score = 0.0, matched = 0.0, n = 0.0;
  };
  std::vector<Block> blocks;
  for (std::size_t b = 0; b < kBins; ++b) {
    Block block;
    for (std::size_t i = passages.size() * b / kBins; i < passages.size() * (b + 1) / kBins; ++i) {
      block.score += passages[i].first;
      block.matched += passages[i].second;
      block.n += 1.0;
    }
    blocks.push_back(block);
    while (blocks.size() > 1 && blocks[blocks.size() - 2].matched / blocks[blocks.size() - 2].n >
                                    blocks.back().matched / blocks.back().n) {
      Block last = blocks.back();
      blocks.pop_back();
      blocks.back().score += last.score;
      blocks.back().matched += last.matched;
      blocks.back().n += last.n;
    }
  }
  for (const auto& b : blocks) {
    c.scores.push_back(static_cast<float>(b.score / b.n));
    c.precision.push_back(static_cast<float>(b.matched / b.n));
  }
  std::sort(c.article_scores.begin(), c.article_scores.end());
  return c;
}

// Trains the passage reranker on the held-out candidates and sets the score
// threshold that gives the best SI F1 on its own held-out scores (each
// tuning fold scored by a reranker trained on the others); returns that F1
// and the reranker trained on all candidates.
RerankerFit train_reranker(const std::vector<const io::LabelledArticle*>& arts,
                           const std::vector<features::ArticleView>& views, const Tuning& t, const TrainOptions& o,
                           ModelConfig& config) {
  const features::FeatureHasher classifier_hasher(o.config.classifier_bits);
  const features::FeatureHasher rerank_hasher(rerank::kBits);
  std::vector<std::vector<rerank::Candidate>> candidates(arts.size());
  std::vector<std::vector<features::SparseVector>> features(arts.size());
  // What each candidate adds to SI precision (the share of it that is gold)
  // and to SI recall (the share of the gold passages it covers).
  std::vector<std::vector<float>> shares(arts.size()), coverages(arts.size()), targets(arts.size());
  std::vector<rerank::ArticleStats> all_stats;
  for (std::size_t a = 0; a < arts.size(); ++a) all_stats.push_back(rerank::article_stats(views[a], t.probs[a]));
  RerankerFit r;
  if (o.config.density.enabled) r.parts.density_weights = train_density(arts, views, t, o, all_stats);
  if (o.config.sentence_scorer.enabled) r.parts.sentence_weights = train_sentence_scorer(arts, views, t, o, all_stats);
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
  if (o.config.passage_text.enabled) {
    r.parts.passage_weights = train_passage_text(views, t, o, candidates, shares, covered, all_stats);
  }
  for (std::size_t a = 0; a < arts.size(); ++a) {
    const TokenProbabilities token_probs{t.probs[a], t.linear[a], t.neural ? (*t.neural)[a] : std::vector<float>{}};
    const auto& classifier = t.classifiers[static_cast<std::size_t>(t.fold_of[a])];
    for (const auto& c : candidates[a]) {
      const auto techniques = classify_passage(views[a], c.span.start, c.span.end, classifier_hasher, classifier);
      features::SparseVector x;
      rerank::candidate_features(views[a], token_probs, all_stats[a], c, techniques, rerank_hasher, x);
      features[a].push_back(std::move(x));
    }
  }
  const auto sgd = sgd_options(o.config.reranker.sgd, o.config.seed, "reranker");
  auto fit = [&](auto&& include) { return fit_logistic(features, targets, include, 1u << rerank::kBits, sgd); };
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
    for (int f = 0; f < t.folds; ++f) {
      const auto w = fit([&](std::size_t a) { return t.fold_of[a] != f; });
      for (std::size_t a = 0; a < arts.size(); ++a) {
        if (t.fold_of[a] != f) continue;
        for (std::size_t k = 0; k < scored[a].size(); ++k) {
          scored[a][k].span.score = model::logistic_predict(w, features[a][k]);
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
  std::vector<std::vector<rerank::Candidate>> best_scored;
  for (double share_weight : o.config.reranker.share_weights) {
    set_targets(static_cast<float>(share_weight));
    auto scored = held_out_scores();
    const auto [f1, threshold] = best_threshold(scored);
    std::ostringstream msg;
    msg << "  reranker share weight " << share_weight << ": held-out SI F1 " << f1;
    report(o, msg.str());
    if (f1 > r.f1) {
      r.f1 = f1;
      r.share_weight = share_weight;
      config.threshold = threshold;
      best_scored = std::move(scored);
    }
  }
  r.calibration = calibrate(best_scored, covered, arts, config.threshold);
  set_targets(static_cast<float>(r.share_weight));
  r.parts.weights = fit([](std::size_t) { return true; });
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
  for (float extent : metrics::threshold_grid()) {
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
    for (float t : metrics::threshold_grid()) {
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
  check_config(o.config, "training configuration");
  std::vector<features::ArticleView> views;
  views.reserve(arts.size());
  for (const auto* a : arts) views.push_back(make_view(a->doc.text, o));
  std::vector<const features::ArticleView*> view_ptrs;
  for (const auto& v : views) view_ptrs.push_back(&v);

  ModelParts parts;
  parts.config = model_config(o);
  ModelConfig& config = parts.config;
  std::optional<Tuning> tuning;
  const bool tune = arts.size() >= static_cast<std::size_t>(o.config.tune_folds);
  const bool neural = wants_neural(o, arts.size());
  // The stages, for a progress bar: each tuning fold, the tagger, the
  // classifier, the neural tagger and the reranker.
  const std::size_t stages = (tune ? static_cast<std::size_t>(o.config.tune_folds) : 0) + 2 + (neural ? 1 : 0) +
                             (tune && o.config.reranker.enabled ? 1 : 0);
  std::size_t stages_done = 0;
  const auto stage_done = [&](std::size_t n = 1) {
    stages_done += n;
    if (o.stages) o.stages(stages_done, stages);
  };
  stage_done(0);
  if (tune) {
    report(o, "tagging " + std::to_string(o.config.tune_folds) + " held-out folds for tuning");
    TrainOptions fold_options = o;
    // Each tuning fold reports its end as a message; count them as stages.
    fold_options.progress = [&](const std::string& m) {
      report(o, m);
      if (m.ends_with(" tagged")) stage_done();
    };
    tuning = out_of_fold(arts, views, fold_options);
  }
  report(o, "training the passage tagger on " + std::to_string(arts.size()) + " articles");
  parts.tagger_weights = train_tagger(arts, view_ptrs, o);
  stage_done();
  report(o, "training the technique classifier");
  parts.classifier_weights = train_classifier(arts, view_ptrs, o);
  stage_done();
  if (neural) {
    report(o, "training the neural sequence tagger");
    parts.network = train_neural(arts, view_ptrs, o, "neural");
    stage_done();
  }
  nlohmann::json tuned;
  if (tuning) {
    tuning->probs = tuning->linear;
    if (tuning->neural) {
      // The blend of the two taggers that decodes best on held-out folds.
      double best = -1.0;
      for (double w : o.config.neural.blend_weights) {
        auto probs = tuning->linear;
        for (std::size_t a = 0; a < probs.size(); ++a) {
          blend_probabilities(probs[a], (*tuning->neural)[a], static_cast<float>(w));
        }
        ModelConfig scratch = config;
        const double f1 = fit_thresholds(arts, view_ptrs, probs, scratch);
        report(o, "  neural weight " + std::to_string(w) + ": held-out SI F1 " + std::to_string(f1));
        if (f1 > best) {
          best = f1;
          config.neural_weight = static_cast<float>(w);
          tuning->probs = std::move(probs);
        }
      }
    }
    const double f1 = fit_thresholds(arts, view_ptrs, tuning->probs, config);
    tuned["held_out_si_f1_decoded"] = f1;
    std::ostringstream msg;
    msg << "  extent threshold " << config.extent_threshold << ", score threshold " << config.threshold
        << " (held-out SI F1 " << f1 << ")";
    report(o, msg.str());
    if (o.config.reranker.enabled) {
      report(o, "training the passage reranker");
      auto reranker = train_reranker(arts, views, *tuning, o, config);
      stage_done();
      std::ostringstream m2;
      m2 << "  reranker score threshold " << config.threshold << " (held-out SI F1 " << reranker.f1 << ")";
      report(o, m2.str());
      tuned["held_out_si_f1_reranked"] = reranker.f1;
      tuned["reranker_share_weight"] = reranker.share_weight;
      parts.reranker = std::move(reranker.parts);
      parts.calibration = std::move(reranker.calibration);
      if (parts.calibration) {
        report(o, "  score calibration from " + std::to_string(parts.calibration->scores.size()) +
                      " held-out score groups and " + std::to_string(parts.calibration->article_scores.size()) +
                      " articles");
      }
    }
  }

  std::size_t spans = 0;
  for (const auto* a : arts) spans += a->techniques.size();
  tuned["extent_threshold"] = config.extent_threshold;
  tuned["threshold"] = config.threshold;
  tuned["neural_weight"] = config.neural_weight;
  const nlohmann::json info = {{"propscan", kVersion},
                               {"config", to_json(o.config)},
                               {"trained_on", {{"articles", arts.size()}, {"technique_spans", spans}}},
                               {"tuned", tuned}};
  parts.info = info.dump();
  parts.lexicons = o.lexicons ? *o.lexicons : ModelLexicons{};
  return std::make_shared<const Model>(std::move(parts));
}

metrics::EvalReport cross_validate(const io::Corpus& corpus, int folds, const TrainOptions& options,
                                   unsigned threads, bool curve, std::optional<std::uint64_t> fold_seed) {
  const std::size_t n = corpus.articles.size();
  if (n < static_cast<std::size_t>(folds)) throw Error("cross-validation: fewer articles than folds");
  const auto fold_of = assign_folds(n, folds, fold_seed.value_or(options.config.seed));
  std::vector<features::ArticleView> views;
  for (const auto& art : corpus.articles) views.push_back(make_view(art.doc.text, options));

  std::vector<std::shared_ptr<const Model>> models(static_cast<std::size_t>(folds));
  std::vector<metrics::ArticleResult> results(n);
  std::atomic<int> next{0};
  std::mutex log_mutex;
  auto worker = [&] {
    for (int f = next++; f < folds; f = next++) {
      TrainOptions o = options;
      o.stages = nullptr;  // folds run in parallel; the caller counts folds
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
        if (fold_of[a] == f) results[a] = metrics::predict_article(*model, corpus.articles[a], views[a]);
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
  auto rep = metrics::score(model_of, corpus, views, results, -1.0f, curve);
  // Each fold has its own tuned threshold; report their mean.
  float sum = 0.0f;
  for (const auto& m : models) sum += m->config().threshold;
  rep.threshold = sum / static_cast<float>(folds);
  return rep;
}

}  // namespace propscan::train
