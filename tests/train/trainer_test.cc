#include "train/trainer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>
#include <thread>

#include "model/density.h"
#include "model/sentence.h"
#include "neural/sequence_tagger.h"
#include "propscan/analyzer.h"
#include "propscan/error.h"

namespace propscan::train {
namespace {

const std::string kTiny = std::string(PROPSCAN_TEST_DATA) + "/tiny_corpus";

TrainOptions small_options() {
  TrainOptions o;
  o.config.tagger_bits = 14;
  o.config.classifier_bits = 12;
  o.tune_folds = 2;
  o.tagger_epochs = 20;
  o.classifier_epochs = 20;
  return o;
}

// A tiny network, trained briefly: enough to check what training builds.
TrainOptions small_neural_options() {
  auto o = small_options();
  o.neural_hidden = 8;
  o.neural_epochs = 2;
  return o;
}

std::vector<const io::LabelledArticle*> all_articles(const io::Corpus& c) {
  std::vector<const io::LabelledArticle*> v;
  for (const auto& a : c.articles) v.push_back(&a);
  return v;
}

TEST(TrainerTest, LoadsTinyCorpusWithCodePointOffsets) {
  auto corpus = io::load_corpus(kTiny);
  ASSERT_EQ(corpus.articles.size(), 4u);
  const auto& art = corpus.articles[1];  // article1002: accents and an emoji before the second span
  ASSERT_EQ(art.techniques.size(), 2u);
  const auto& clown = art.techniques[1];
  EXPECT_EQ(art.doc.text.substr(static_cast<std::size_t>(clown.start), static_cast<std::size_t>(clown.length())),
            U"a clown");
  // Without labels-si/, SI gold is the technique spans.
  EXPECT_EQ(art.si.size(), 2u);
}

TEST(TrainerTest, SameSeedGivesIdenticalModels) {
  auto corpus = io::load_corpus(kTiny);
  auto a = train_model(all_articles(corpus), small_options());
  auto b = train_model(all_articles(corpus), small_options());
  EXPECT_EQ(a->tagger_weights(), b->tagger_weights());
  EXPECT_EQ(a->classifier_weights(), b->classifier_weights());
  EXPECT_EQ(a->config().threshold, b->config().threshold);
  auto o = small_options();
  o.seed = 7;
  auto c = train_model(all_articles(corpus), o);
  EXPECT_NE(a->tagger_weights(), c->tagger_weights());
}

TEST(TrainerTest, LearnsTheTinyCorpusPatterns) {
  auto corpus = io::load_corpus(kTiny);
  auto model = train_model(all_articles(corpus), small_options());
  Analyzer analyzer(model);  // at the threshold tuned on held-out folds
  Document doc;
  doc.id = "new";
  doc.text = U"Park fees rise\n\nResidents said the new fees were disgraceful.\nThe mayor is a clown, one wrote.\n";
  auto result = analyzer.analyze(doc);
  std::set<std::u32string> fragments;
  for (const auto& s : result.spans) {
    fragments.insert(doc.text.substr(static_cast<std::size_t>(s.start), static_cast<std::size_t>(s.length())));
  }
  // The tagger ranks the two kinds of propaganda seen in training above
  // every other word.
  const auto view = model->view(doc.text);
  const auto probs = model->token_probabilities(view).blend;
  std::vector<std::pair<float, std::string>> ranked;
  for (std::size_t i = 0; i < probs.size(); ++i) ranked.emplace_back(probs[i], view.words[i]);
  std::sort(ranked.rbegin(), ranked.rend());
  std::set<std::string> top{ranked[0].second, ranked[1].second};
  EXPECT_EQ(top, (std::set<std::string>{"clown", "disgraceful"}));
  // And at its own threshold the analyzer reports at least one of them.
  EXPECT_TRUE(fragments.count(U"disgraceful") || fragments.count(U"a clown") || fragments.count(U"clown"))
      << result.spans.size() << " spans";
  // The classifier separates the two techniques seen in training.
  auto labels = analyzer.classify(doc, {Span{"new", 47, 58, std::nullopt, 1.0}, Span{"new", 73, 80, std::nullopt, 1.0}});
  EXPECT_EQ(labels[0], Technique::kLoadedLanguage);
  EXPECT_EQ(labels[1], Technique::kNameCallingLabeling);
  EXPECT_GT(result.propaganda_score, 0.0);
  EXPECT_LT(result.propaganda_score, 1.0);
}

// Eight articles (the tiny corpus twice over) so the neural tagger trains too.
io::Corpus doubled_corpus() {
  auto corpus = io::load_corpus(kTiny);
  const std::size_t n = corpus.articles.size();
  for (std::size_t i = 0; i < n; ++i) {
    auto copy = corpus.articles[i];
    copy.doc.id += "b";
    for (auto& s : copy.techniques) s.article_id = copy.doc.id;
    for (auto& s : copy.si) s.article_id = copy.doc.id;
    corpus.articles.push_back(std::move(copy));
  }
  return corpus;
}

// Trains a network with the options `o` and again with `set` applied to
// them: the option must change the network, train it reproducibly, and show
// in the model's information as `info_fragment`.
void expect_option_changes_network(const io::Corpus& corpus, TrainOptions o,
                                   const std::function<void(TrainOptions&)>& set, const std::string& info_fragment) {
  const auto plain = train_model(all_articles(corpus), o);
  set(o);
  const auto changed = train_model(all_articles(corpus), o);
  const auto again = train_model(all_articles(corpus), o);
  EXPECT_NE(plain->sequence_tagger()->parameters().back().values,
            changed->sequence_tagger()->parameters().back().values);
  EXPECT_EQ(changed->sequence_tagger()->parameters().back().values,
            again->sequence_tagger()->parameters().back().values);
  EXPECT_NE(changed->info().find(info_fragment), std::string::npos) << changed->info();
}

TEST(TrainerTest, NeuralTaggerIsReproducibleEvenWhenTrainedInParallel) {
  const auto corpus = doubled_corpus();
  const auto o = small_neural_options();
  std::shared_ptr<const Model> a, b, c;
  std::thread t1([&] { a = train_model(all_articles(corpus), o); });
  std::thread t2([&] { b = train_model(all_articles(corpus), o); });
  t1.join();
  t2.join();
  c = train_model(all_articles(corpus), o);
  ASSERT_NE(a->sequence_tagger(), nullptr);
  const auto pa = a->sequence_tagger()->parameters();
  const auto pb = b->sequence_tagger()->parameters();
  const auto pc = c->sequence_tagger()->parameters();
  ASSERT_EQ(pa.size(), pb.size());
  for (std::size_t i = 0; i < pa.size(); ++i) {
    EXPECT_EQ(pa[i].values, pb[i].values) << pa[i].name;
    EXPECT_EQ(pa[i].values, pc[i].values) << pa[i].name;
  }
  EXPECT_EQ(a->config().threshold, c->config().threshold);
  EXPECT_EQ(a->config().neural_weight, c->config().neural_weight);
  // The reranker is trained on the held-out folds, reproducibly too.
  EXPECT_FALSE(a->reranker_weights().empty());
  EXPECT_EQ(a->reranker_weights(), b->reranker_weights());
  EXPECT_EQ(a->reranker_weights(), c->reranker_weights());
}

TEST(TrainerTest, StackedNetworkWithTechniqueOutputsTrainsAndPredictsProbabilities) {
  const auto corpus = doubled_corpus();
  auto o = small_neural_options();
  o.neural_layers = 2;
  o.neural_techniques = true;
  const auto model = train_model(all_articles(corpus), o);
  ASSERT_NE(model->sequence_tagger(), nullptr);
  EXPECT_EQ(model->sequence_tagger()->config().layers, 2u);
  EXPECT_EQ(model->sequence_tagger()->config().outputs, 1u + kNumTechniques);
  const auto view = model->view(corpus.articles.front().doc.text);
  const auto probs = model->sequence_tagger()->predict(view);
  ASSERT_EQ(probs.size(), view.tokens.size());
  for (float p : probs) {
    EXPECT_GE(p, 0.0f);
    EXPECT_LE(p, 1.0f);
  }
  // Training is as reproducible with the second task as without.
  const auto again = train_model(all_articles(corpus), o);
  EXPECT_EQ(model->sequence_tagger()->parameters().back().values,
            again->sequence_tagger()->parameters().back().values);
}

TEST(TrainerTest, StackedNetworkReadsTheLinearTaggersProbabilities) {
  const auto corpus = doubled_corpus();
  auto o = small_neural_options();
  o.neural_stack = true;
  const auto model = train_model(all_articles(corpus), o);
  ASSERT_NE(model->sequence_tagger(), nullptr);
  ASSERT_TRUE(model->sequence_tagger()->config().reads_linear);
  const auto view = model->view(corpus.articles.front().doc.text);
  const auto probs = model->token_probabilities(view);
  ASSERT_EQ(probs.neural.size(), view.tokens.size());
  // What it reads changes what it says; without it, it refuses to guess.
  auto shifted = probs.linear;
  for (float& p : shifted) p = 1.0f - p;
  EXPECT_NE(model->sequence_tagger()->predict(view, shifted), probs.neural);
  EXPECT_THROW(model->sequence_tagger()->predict(view), Error);
}

TEST(TrainerTest, NetworksTrainableWordRepresentationsAreTrainedAndRead) {
  const auto corpus = doubled_corpus();
  auto o = small_neural_options();
  o.neural_word_buckets = 128;
  o.neural_word_dim = 4;
  const auto model = train_model(all_articles(corpus), o);
  ASSERT_NE(model->sequence_tagger(), nullptr);
  const auto& net = *model->sequence_tagger();
  EXPECT_EQ(net.config().word_buckets, 128u);
  EXPECT_EQ(net.config().word_dim, 4u);
  auto params = net.parameters();
  ASSERT_EQ(params.front().name, "words.weight");
  // Training moved them from where a fresh network of the same seed starts.
  const neural::SequenceTagger fresh(net.config(), o.seed);
  EXPECT_NE(params.front().values, fresh.parameters().front().values);
  // The network reads them: other representations, other probabilities.
  const auto view = model->view(corpus.articles.front().doc.text);
  for (float& v : params.front().values) v = -v;
  const neural::SequenceTagger flipped(net.config(), params);
  EXPECT_NE(flipped.predict(view), net.predict(view));
  // Each token's keys are its word's bucket and its suffix's.
  const auto keys = neural::token_keys(view, 128);
  ASSERT_EQ(keys.size(), view.tokens.size() * neural::kWordKeys);
  for (auto k : keys) {
    EXPECT_GE(k, 0);
    EXPECT_LT(k, 128);
  }
  for (std::size_t i = 0; i < view.tokens.size(); ++i) {
    for (std::size_t j = 0; j < view.tokens.size(); ++j) {
      if (view.words[i] == view.words[j]) {
        EXPECT_EQ(keys[i * 2], keys[j * 2]);
      }
    }
  }
}

TEST(TrainerTest, NetworkDropoutIsATrainingOption) {
  const auto corpus = doubled_corpus();
  auto o = small_neural_options();
  o.neural_dropout = 0.0;
  const auto none = train_model(all_articles(corpus), o);
  o.neural_dropout = 0.5;
  const auto half = train_model(all_articles(corpus), o);
  const auto again = train_model(all_articles(corpus), o);
  ASSERT_NE(none->sequence_tagger(), nullptr);
  EXPECT_NE(none->sequence_tagger()->parameters().back().values, half->sequence_tagger()->parameters().back().values);
  EXPECT_EQ(half->sequence_tagger()->parameters().back().values, again->sequence_tagger()->parameters().back().values);
  EXPECT_NE(half->info().find("\"dropout\":0.5"), std::string::npos);
}

TEST(TrainerTest, PassageWordsWeighLessInLongerPassages) {
  const std::vector<std::uint8_t> labels = {0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0};
  EXPECT_EQ(neural::passage_token_weights(labels, 0.0f), std::vector<float>(labels.size(), 1.0f));
  const auto w = neural::passage_token_weights(labels, 1.0f);
  EXPECT_FLOAT_EQ(w[0], 1.0f);
  EXPECT_FLOAT_EQ(w[1], 1.0f);  // 2 words count as 4
  EXPECT_FLOAT_EQ(w[3], 1.0f);
  for (int i = 4; i < 12; ++i) EXPECT_FLOAT_EQ(w[static_cast<std::size_t>(i)], 0.5f);  // 8 words
  EXPECT_FLOAT_EQ(neural::passage_token_weights(labels, 0.5f)[4], std::sqrt(0.5f));

  // Passages of the tiny corpus are short: lengthen them to whole clauses.
  auto corpus = doubled_corpus();
  for (auto& a : corpus.articles) {
    const auto size = static_cast<Offset>(a.doc.text.size());
    for (auto& t : a.techniques) t.end = std::min(t.end + 40, size);
    for (auto& t : a.si) t.end = std::min(t.end + 40, size);
  }
  auto o = small_neural_options();
  o.neural_span_power = 0.0f;
  const auto plain = train_model(all_articles(corpus), o);
  o.neural_span_power = 1.0f;
  const auto weighted = train_model(all_articles(corpus), o);
  EXPECT_NE(plain->sequence_tagger()->parameters().back().values,
            weighted->sequence_tagger()->parameters().back().values);
  EXPECT_NE(weighted->info().find("\"span_length_power\":1.0"), std::string::npos) << weighted->info();
}

TEST(TrainerTest, WordsBesidePassagesCanWeighLess) {
  const auto view = article_view(U"It rained today. They are traitors, he said. The end.", ModelLexicons{});
  ASSERT_EQ(view.sentences.size(), 3u);
  std::vector<std::uint8_t> labels(view.tokens.size(), 0);
  for (std::size_t t = 0; t < view.tokens.size(); ++t) labels[t] = view.words[t] == "traitors" ? 1 : 0;
  auto w = neural::passage_token_weights(labels, 0.0f);
  neural::weigh_words_outside_passages(view, labels, 0.25f, 0.0f, w);
  for (std::size_t t = 0; t < view.tokens.size(); ++t) {
    const bool middle = view.token_sentence[t] == 1;
    EXPECT_FLOAT_EQ(w[t], !middle || labels[t] ? 1.0f : 0.25f) << view.words[t];
  }

  // Outside passages, a word of an n-token sentence weighs (10/max(n,10))^P.
  auto by_length = neural::passage_token_weights(labels, 0.0f);
  neural::weigh_words_outside_passages(view, labels, 1.0f, 1.0f, by_length);
  for (const auto& w0 : by_length) EXPECT_FLOAT_EQ(w0, 1.0f);  // every sentence here is short
  const auto long_view = article_view(U"a b c d e f g h i j k l m n o p q r s t.", ModelLexicons{});
  ASSERT_EQ(long_view.sentences.size(), 1u);
  const std::size_t n = long_view.tokens.size();  // 20 words and the stop
  std::vector<std::uint8_t> long_labels(n, 0);
  long_labels[0] = 1;
  auto lw = neural::passage_token_weights(long_labels, 0.0f);
  neural::weigh_words_outside_passages(long_view, long_labels, 1.0f, 1.0f, lw);
  EXPECT_FLOAT_EQ(lw[0], 1.0f);
  EXPECT_FLOAT_EQ(lw[1], 10.0f / static_cast<float>(n));

  expect_option_changes_network(
      doubled_corpus(), small_neural_options(), [](TrainOptions& o) { o.neural_near_weight = 0.5f; },
      "\"near_weight\":0.5");
}

TEST(TrainerTest, WordVectorsCanBeHiddenInTraining) {
  const auto corpus = doubled_corpus();
  // Made-up 3-value vectors for the corpus's words.
  std::vector<std::string> words;
  std::vector<float> values;
  for (const auto& a : corpus.articles) {
    for (const auto& w : article_view(a.doc.text, ModelLexicons{}).words) {
      if (std::find(words.begin(), words.end(), w) != words.end()) continue;
      const auto k = static_cast<float>(words.size());
      words.push_back(w);
      values.insert(values.end(), {std::sin(k), std::cos(k), 0.1f * k});
    }
  }
  auto lexicons = std::make_shared<ModelLexicons>();
  lexicons->vectors = lexicon::WordVectors(3, std::move(words), std::move(values));
  auto o = small_neural_options();
  o.lexicons = lexicons;
  expect_option_changes_network(
      corpus, o, [](TrainOptions& changed) { changed.neural_word_dropout = 0.3; }, "\"word_dropout\":0.3");
}

TEST(TrainerTest, SentenceLossChangesTheNetworkReproducibly) {
  expect_option_changes_network(
      doubled_corpus(), small_neural_options(), [](TrainOptions& o) { o.neural_sentence_loss = 0.5f; },
      "\"sentence_loss\":0.5");
}

TEST(TrainerTest, EnsembleAveragesItsMembers) {
  const auto corpus = doubled_corpus();
  auto o = small_neural_options();
  o.neural_members = 2;
  const auto model = train_model(all_articles(corpus), o);
  ASSERT_NE(model->sequence_tagger(), nullptr);
  EXPECT_EQ(model->sequence_tagger()->config().members, 2u);
  // Two networks' worth of parameters, the second under its own names.
  const auto params = model->sequence_tagger()->parameters();
  ASSERT_EQ(params.size() % 2, 0u);
  EXPECT_EQ(params[params.size() / 2].name.rfind("m1.", 0), 0u);
  EXPECT_NE(params.front().values, params[params.size() / 2].values);
  const auto view = model->view(corpus.articles.front().doc.text);
  for (float p : model->sequence_tagger()->predict(view)) {
    EXPECT_GE(p, 0.0f);
    EXPECT_LE(p, 1.0f);
  }
}

TEST(TrainerTest, CrossFitNetworkIsTheTuningFoldsNetworks) {
  const auto corpus = doubled_corpus();
  auto o = small_neural_options();
  o.neural_cross_fit = true;
  const auto model = train_model(all_articles(corpus), o);
  ASSERT_NE(model->sequence_tagger(), nullptr);
  EXPECT_EQ(model->sequence_tagger()->config().members, static_cast<std::uint32_t>(o.tune_folds));
  EXPECT_NE(model->info().find("\"cross_fit\":true"), std::string::npos) << model->info();
  // Each member was trained on other articles, so they differ.
  const auto params = model->sequence_tagger()->parameters();
  const auto per_member = params.size() / static_cast<std::size_t>(o.tune_folds);
  EXPECT_NE(params.front().values, params[per_member].values);
  // The analysis forward pass averages the members as libtorch does.
  const auto view = model->view(corpus.articles.front().doc.text);
  const auto probs = model->sequence_tagger()->predict(view);
  const auto reference = model->sequence_tagger()->reference_predict(view);
  ASSERT_EQ(probs.size(), reference.size());
  for (std::size_t i = 0; i < probs.size(); ++i) EXPECT_NEAR(probs[i], reference[i], 1e-4f);
}

TEST(TrainerTest, AnalysisForwardPassComputesWhatLibtorchComputes) {
  // Two stacked layers, word representations, technique outputs and two
  // members: every part of the network the forward pass must reproduce.
  const auto corpus = doubled_corpus();
  auto o = small_neural_options();
  o.neural_layers = 2;
  o.neural_members = 2;
  o.neural_techniques = true;
  o.neural_word_buckets = 64;
  o.neural_word_dim = 4;
  o.neural_context = 12;  // runs of several lengths in one article
  const auto model = train_model(all_articles(corpus), o);
  ASSERT_NE(model->sequence_tagger(), nullptr);
  const auto& net = *model->sequence_tagger();
  for (const auto& article : corpus.articles) {
    const auto view = model->view(article.doc.text);
    const auto fast = net.predict(view);
    const auto reference = net.reference_predict(view);
    ASSERT_EQ(fast.size(), reference.size());
    for (std::size_t t = 0; t < fast.size(); ++t) EXPECT_NEAR(fast[t], reference[t], 1e-5f) << "token " << t;
  }
  // A stored network computes the same as the trained one.
  const neural::SequenceTagger loaded(net.config(), net.parameters());
  const auto view = model->view(corpus.articles.front().doc.text);
  EXPECT_EQ(loaded.predict(view), net.predict(view));
  // Weights far outside anything training gives saturate every gate: the
  // sigmoid and tanh stay finite and in range, and still agree.
  auto huge = net.parameters();
  for (auto& p : huge) {
    for (float& v : p.values) v *= 1000.0f;
  }
  const neural::SequenceTagger saturated(net.config(), huge);
  const auto fast = saturated.predict(view);
  const auto reference = saturated.reference_predict(view);
  for (std::size_t t = 0; t < fast.size(); ++t) {
    ASSERT_GE(fast[t], 0.0f);
    ASSERT_LE(fast[t], 1.0f);
    EXPECT_NEAR(fast[t], reference[t], 1e-5f) << "token " << t;
  }
}

TEST(TrainerTest, RerankerReadsTheSentenceScorerAndArticleDensityUnlessTurnedOff) {
  const auto corpus = doubled_corpus();
  auto o = small_options();
  o.neural = false;
  const auto model = train_model(all_articles(corpus), o);
  ASSERT_FALSE(model->reranker_weights().empty());
  EXPECT_EQ(model->sentence_weights().size(), std::size_t{1} << sentence::kBits);
  EXPECT_EQ(model->density_weights().size(), std::size_t{1} << density::kBits);
  // Trained, not left at zero.
  EXPECT_TRUE(std::any_of(model->sentence_weights().begin(), model->sentence_weights().end(),
                          [](float w) { return w != 0.0f; }));
  EXPECT_TRUE(std::any_of(model->density_weights().begin(), model->density_weights().end(),
                          [](float w) { return w != 0.0f; }));

  o.sentence_scorer = false;
  o.density = false;
  o.reranker_share_weights = {0.5f};
  const auto plain = train_model(all_articles(corpus), o);
  EXPECT_TRUE(plain->sentence_weights().empty());
  EXPECT_TRUE(plain->density_weights().empty());
  EXPECT_FALSE(plain->reranker_weights().empty());
  o.reranker_share_weights.clear();
  EXPECT_THROW(train_model(all_articles(corpus), o), Error);
}

TEST(TrainerTest, PassageTextModelIsTrainedUnlessTurnedOffAndTheRerankerReadsIt) {
  const auto corpus = doubled_corpus();
  auto o = small_options();
  o.neural = false;
  const auto model = train_model(all_articles(corpus), o);
  o.passage_text = false;
  const auto plain = train_model(all_articles(corpus), o);
  EXPECT_TRUE(plain->passage_weights().empty());
  const auto& w = model->passage_weights();
  ASSERT_EQ(w.size(), Model::classifier_features(o.config, 0));
  EXPECT_TRUE(std::any_of(w.begin(), w.end(), [](float v) { return v != 0.0f; }));
  // The reranker learnt something different once it had the estimate.
  EXPECT_NE(model->reranker_weights(), plain->reranker_weights());
  const auto& art = corpus.articles.front();
  const auto view = model->view(art.doc.text);
  const auto& gold = art.techniques.front();
  const float score = model->passage_text_score(view, gold.start, gold.end);
  EXPECT_GE(score, 0.0f);
  EXPECT_LE(score, 1.0f);
}

TEST(TrainerTest, RerankerAndSentenceScorerCanAverageTheirLastPasses) {
  const auto corpus = doubled_corpus();
  auto o = small_options();
  o.neural = false;
  const auto last = train_model(all_articles(corpus), o);
  o.reranker_average = 3;
  const auto averaged = train_model(all_articles(corpus), o);
  const auto again = train_model(all_articles(corpus), o);
  ASSERT_FALSE(averaged->reranker_weights().empty());
  EXPECT_NE(averaged->reranker_weights(), last->reranker_weights());
  EXPECT_NE(averaged->sentence_weights(), last->sentence_weights());
  // The linear tagger is not touched by this option.
  EXPECT_EQ(averaged->tagger_weights(), last->tagger_weights());
  EXPECT_EQ(averaged->reranker_weights(), again->reranker_weights());
}

TEST(TrainerTest, AveragedNetworkIsTheMeanOfItsLastEpochs) {
  const auto corpus = doubled_corpus();
  auto o = small_neural_options();
  o.rerank = false;
  o.neural_epochs = 3;
  const auto last = train_model(all_articles(corpus), o);
  o.neural_average = 2;
  const auto averaged = train_model(all_articles(corpus), o);
  o.neural_epochs = 2;
  o.neural_average = 1;
  const auto second = train_model(all_articles(corpus), o);
  const auto a = last->sequence_tagger()->parameters();
  const auto b = second->sequence_tagger()->parameters();
  const auto m = averaged->sequence_tagger()->parameters();
  ASSERT_EQ(a.size(), m.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    for (std::size_t j = 0; j < a[i].values.size(); ++j) {
      EXPECT_NEAR(m[i].values[j], 0.5f * (a[i].values[j] + b[i].values[j]), 1e-5f);
    }
  }
}

TEST(TrainerTest, FoldsAreDeterministicAndBalanced) {
  auto folds = assign_folds(10, 3, 42);
  EXPECT_EQ(folds, assign_folds(10, 3, 42));
  std::vector<int> size(3);
  for (int f : folds) ++size[static_cast<std::size_t>(f)];
  EXPECT_EQ(size, (std::vector<int>{4, 3, 3}));
}

}  // namespace
}  // namespace propscan::train
