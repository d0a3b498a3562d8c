#include "model/model_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "model/reranker.h"
#include "model/sentence.h"
#include "propscan/error.h"

#include <zlib.h>
#include <zstd.h>

namespace propscan {
namespace {

namespace fs = std::filesystem;

// A tiny hand-made model: 2^4 tagger weights and 14 x 2^4 classifier weights.
Model tiny_model() {
  ModelConfig c;
  c.tagger_bits = 4;
  c.classifier_bits = 4;
  c.extent_threshold = 0.25f;
  c.calibration_a = 6.5f;
  c.calibration_b = -2.25f;
  c.threshold = 0.4f;
  std::vector<float> tagger(16);
  std::vector<float> classifier(16 * kNumTechniques);
  for (std::size_t i = 0; i < tagger.size(); ++i) tagger[i] = static_cast<float>(i) * 0.5f - 3.0f;
  for (std::size_t i = 0; i < classifier.size(); ++i) classifier[i] = static_cast<float>(i % 7) - 3.0f;
  return Model(c, tagger, classifier, R"({"note":"test"})");
}

std::string temp_path(const std::string& name) {
  return (fs::temp_directory_path() /
          ("propscan_model_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + name))
      .string();
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void spit(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

std::string load_error(const std::string& path) {
  try {
    load_model(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(ModelFileTest, RoundTripKeepsEveryField) {
  const auto path = temp_path(".model");
  const Model original = tiny_model();
  save_model(original, path);
  auto loaded = load_model(path);
  EXPECT_EQ(loaded->config().tagger_bits, 4u);
  EXPECT_EQ(loaded->config().classifier_bits, 4u);
  EXPECT_FLOAT_EQ(loaded->config().extent_threshold, 0.25f);
  EXPECT_FLOAT_EQ(loaded->config().calibration_a, 6.5f);
  EXPECT_FLOAT_EQ(loaded->config().calibration_b, -2.25f);
  EXPECT_FLOAT_EQ(loaded->config().threshold, 0.4f);
  // sigmoid(6.5 * 0.5 - 2.25) = sigmoid(1)
  EXPECT_NEAR(loaded->calibrated_score(0.5f), 0.7310586, 1e-6);
  EXPECT_EQ(loaded->info(), R"({"note":"test"})");
  EXPECT_EQ(loaded->tagger_weights(), original.tagger_weights());
  EXPECT_EQ(loaded->classifier_weights(), original.classifier_weights());
  EXPECT_EQ(slurp(path).substr(0, 8), "PSCNMODL");
  fs::remove(path);
}

TEST(ModelFileTest, RoundTripKeepsTheCuePhrasesAndTheirMatches) {
  const Model plain = tiny_model();
  ModelLexicons lexicons;
  lexicons.valence["fraud"] = -2.5f;
  lexicons.cues.add(lexicon::CueKind::kWeasel, "some say");
  lexicons.cues.add(lexicon::CueKind::kCliche, "at the end of the day");
  const Model original(plain.config(), plain.tagger_weights(), plain.classifier_weights(), plain.info(), lexicons);
  const auto path = temp_path(".model");
  save_model(original, path);
  auto loaded = load_model(path);
  ASSERT_EQ(loaded->lexicons().cues.size(), 2u);
  const std::u32string text = U"Some say it is a fraud, at the end of the day.";
  const auto view = loaded->view(text);
  EXPECT_EQ(view.cues, original.view(text).cues);
  EXPECT_EQ(view.cues[0], 1u << static_cast<int>(lexicon::CueKind::kWeasel));
  EXPECT_EQ(view.cues[7], 1u << static_cast<int>(lexicon::CueKind::kCliche));  // "at"
  EXPECT_EQ(view.cues[6], 0u);
  EXPECT_FLOAT_EQ(view.valence[5], -2.5f);
  fs::remove(path);
}

TEST(ModelFileTest, RoundTripKeepsTheRerankerTrees) {
  const Model base = tiny_model();
  // Candidates whose mean token probability is below 0.4 score low, others high.
  std::vector<model::TreeNode> tree = {{0, 0.4f, 1, 2, 0.0f}, {-1, 0.0f, 0, 0, -2.0f}, {-1, 0.0f, 0, 0, 2.0f}};
  const Model original(base.config(), base.tagger_weights(), base.classifier_weights(), base.info(), {}, nullptr, {},
                       model::TreeEnsemble({tree, tree}, rerank::kDenseFeatures));
  const auto path = temp_path(".model");
  save_model(original, path);
  auto loaded = load_model(path);
  fs::remove(path);
  ASSERT_EQ(loaded->reranker_trees().trees().size(), 2u);
  std::vector<float> row(rerank::kDenseFeatures, 0.0f);
  row[0] = 0.5f;
  EXPECT_FLOAT_EQ(loaded->reranker_trees().margin(row), 4.0f);
  row[0] = 0.1f;
  EXPECT_FLOAT_EQ(loaded->reranker_trees().margin(row), -4.0f);
  // Trees over the wrong number of features do not make a model.
  EXPECT_THROW(Model(base.config(), base.tagger_weights(), base.classifier_weights(), base.info(), {}, nullptr, {},
                     model::TreeEnsemble({tree}, 3)),
               Error);
}

TEST(ModelFileTest, RoundTripKeepsTheNeuralTaggerRerankerAndTheirPredictions) {
  const Model base = tiny_model();
  // Two stacked layers, technique outputs, two members: the file keeps the whole shape.
  auto net =
      std::make_shared<const neural::SequenceTagger>(neural::NetConfig{neural::input_dim(0), 6, 2, 15, false, 2, 40}, 3);
  ModelConfig config = base.config();
  config.neural_weight = 0.3f;
  std::vector<float> reranker(std::size_t{1} << rerank::kBits);
  for (std::size_t i = 0; i < reranker.size(); ++i) reranker[i] = static_cast<float>(i % 11) * 0.1f - 0.5f;
  const Model original(config, base.tagger_weights(), base.classifier_weights(), base.info(), {}, net, reranker);
  const auto path = temp_path(".model");
  save_model(original, path);
  auto loaded = load_model(path);
  ASSERT_NE(loaded->sequence_tagger(), nullptr);
  EXPECT_FLOAT_EQ(loaded->config().neural_weight, 0.3f);
  EXPECT_EQ(loaded->reranker_weights(), reranker);
  EXPECT_EQ(loaded->sequence_tagger()->config().hidden, 6u);
  EXPECT_EQ(loaded->sequence_tagger()->config().layers, 2u);
  EXPECT_EQ(loaded->sequence_tagger()->config().outputs, 15u);
  EXPECT_EQ(loaded->sequence_tagger()->config().members, 2u);
  EXPECT_EQ(loaded->sequence_tagger()->config().context, 40u);
  const auto a = original.sequence_tagger()->parameters();
  const auto b = loaded->sequence_tagger()->parameters();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].name, b[i].name);
    EXPECT_EQ(a[i].shape, b[i].shape);
    EXPECT_EQ(a[i].values, b[i].values);
  }
  const std::u32string text = U"A short sentence. And another one, with “quotes” 🙂.";
  const auto view = original.view(text);
  const auto probs = original.token_probabilities(view);
  EXPECT_EQ(probs.blend, loaded->token_probabilities(loaded->view(text)).blend);
  EXPECT_EQ(detect_spans(original, view, probs, 0.0f, "a").size(), detect_spans(*loaded, view, probs, 0.0f, "a").size());
  fs::remove(path);
}

TEST(ModelFileTest, RoundTripKeepsTheNetworksTrainableWordRepresentations) {
  const Model base = tiny_model();
  neural::NetConfig nc{neural::input_dim(0), 5, 1, 1, false, 1, 30, 64, 3};
  auto net = std::make_shared<const neural::SequenceTagger>(nc, 11);
  const Model original(base.config(), base.tagger_weights(), base.classifier_weights(), base.info(), {}, net);
  const auto path = temp_path(".model");
  save_model(original, path);
  auto loaded = load_model(path);
  ASSERT_NE(loaded->sequence_tagger(), nullptr);
  EXPECT_EQ(loaded->sequence_tagger()->config().word_buckets, 64u);
  EXPECT_EQ(loaded->sequence_tagger()->config().word_dim, 3u);
  const auto params = loaded->sequence_tagger()->parameters();
  ASSERT_EQ(params.front().name, "words.weight");
  EXPECT_EQ(params.front().shape, (std::vector<std::int64_t>{64, 3}));
  const std::u32string text = U"Überall “panic” spreads. Nobody knows why — not even the mayor.";
  EXPECT_EQ(original.sequence_tagger()->predict(original.view(text)),
            loaded->sequence_tagger()->predict(loaded->view(text)));
  fs::remove(path);
}

TEST(ModelFileTest, RoundTripKeepsTheSentenceScorer) {
  const Model base = tiny_model();
  std::vector<float> sentence(std::size_t{1} << sentence::kBits);
  for (std::size_t i = 0; i < sentence.size(); ++i) sentence[i] = static_cast<float>(i % 13) * 0.01f - 0.06f;
  const Model original(base.config(), base.tagger_weights(), base.classifier_weights(), base.info(), {}, nullptr, {},
                       {}, sentence);
  const auto path = temp_path(".model");
  save_model(original, path);
  auto loaded = load_model(path);
  fs::remove(path);
  EXPECT_EQ(loaded->sentence_weights(), sentence);
  // Weights of the wrong size do not make a model.
  EXPECT_THROW(Model(base.config(), base.tagger_weights(), base.classifier_weights(), base.info(), {}, nullptr, {}, {},
                     std::vector<float>(7)),
               Error);
}

TEST(ModelFileTest, RoundTripKeepsThePassageTextModel) {
  const Model base = tiny_model();
  std::vector<float> passage(Model::classifier_features(base.config(), 0));
  for (std::size_t i = 0; i < passage.size(); ++i) passage[i] = static_cast<float>(i % 5) * 0.3f - 0.6f;
  const Model original(base.config(), base.tagger_weights(), base.classifier_weights(), base.info(), {}, nullptr, {},
                       {}, {}, {}, passage);
  const auto path = temp_path(".model");
  save_model(original, path);
  auto loaded = load_model(path);
  fs::remove(path);
  EXPECT_EQ(loaded->passage_weights(), passage);
  // Offsets in code points: the passage after the accented words.
  const std::u32string text = U"Überall “panic” spreads. Nobody knows why.";
  const auto view = loaded->view(text);
  const float score = loaded->passage_text_score(view, 25, 41);
  EXPECT_GT(score, 0.0f);
  EXPECT_LT(score, 1.0f);
  EXPECT_EQ(score, original.passage_text_score(original.view(text), 25, 41));
  // Without the model there is no estimate.
  EXPECT_LT(base.passage_text_score(base.view(text), 25, 41), 0.0f);
  // Weights of the wrong size do not make a model.
  EXPECT_THROW(Model(base.config(), base.tagger_weights(), base.classifier_weights(), base.info(), {}, nullptr, {}, {},
                     {}, {}, std::vector<float>(7)),
               Error);
}

TEST(ModelFileTest, SavingTwiceGivesIdenticalBytes) {
  const auto a = temp_path("a.model"), b = temp_path("b.model");
  save_model(tiny_model(), a);
  save_model(tiny_model(), b);
  EXPECT_EQ(slurp(a), slurp(b));
  fs::remove(a);
  fs::remove(b);
}

// The same model as format version 7 wrote it: the payload without the
// passage text model's (empty) weight array at its end, packed again.
std::string as_version_7(const std::string& file) {
  const std::string packed = file.substr(32);
  std::string raw(ZSTD_getFrameContentSize(packed.data(), packed.size()), '\0');
  EXPECT_EQ(ZSTD_decompress(raw.data(), raw.size(), packed.data(), packed.size()), raw.size());
  EXPECT_EQ(raw.substr(raw.size() - 8), std::string(8, '\0'));  // an empty array: its u64 length
  raw.resize(raw.size() - 8);
  std::string repacked(ZSTD_compressBound(raw.size()), '\0');
  repacked.resize(ZSTD_compress(repacked.data(), repacked.size(), raw.data(), raw.size(), 3));
  auto put = [](std::string& out, auto value) { out.append(reinterpret_cast<const char*>(&value), sizeof value); };
  std::string out = file.substr(0, 8);
  put(out, std::uint32_t{7});
  put(out, std::uint64_t{repacked.size()});
  put(out, static_cast<std::uint32_t>(
               crc32(0L, reinterpret_cast<const Bytef*>(repacked.data()), static_cast<uInt>(repacked.size()))));
  put(out, std::uint64_t{raw.size()});
  return out + repacked;
}

TEST(ModelFileTest, ReadsVersion7ModelsWithoutThePassageTextModel) {
  const auto path = temp_path(".model");
  const Model original = tiny_model();
  save_model(original, path);
  spit(path, as_version_7(slurp(path)));
  auto loaded = load_model(path);
  fs::remove(path);
  EXPECT_TRUE(loaded->passage_weights().empty());
  EXPECT_EQ(loaded->tagger_weights(), original.tagger_weights());
  EXPECT_EQ(loaded->classifier_weights(), original.classifier_weights());
}

TEST(ModelFileTest, MissingFileIsAClearError) {
  EXPECT_EQ(load_error("/nonexistent/dir/x.model"), "/nonexistent/dir/x.model: model file not found or unreadable");
}

TEST(ModelFileTest, DetectsForeignTruncatedCorruptAndNewerFiles) {
  const auto path = temp_path(".model");
  save_model(tiny_model(), path);
  const std::string good = slurp(path);

  spit(path, "hello, I am not a model at all, just some text");
  EXPECT_EQ(load_error(path), path + ": not a propscan model file (bad magic number)");

  spit(path, good.substr(0, good.size() - 10));
  EXPECT_EQ(load_error(path), path + ": model file is truncated or has trailing bytes");

  spit(path, good.substr(0, 12));
  EXPECT_EQ(load_error(path), path + ": not a propscan model file (bad magic number)");

  std::string flipped = good;
  flipped[flipped.size() - 5] = static_cast<char>(flipped[flipped.size() - 5] ^ 0x40);
  spit(path, flipped);
  EXPECT_EQ(load_error(path), path + ": model checksum mismatch (file is corrupt)");

  // The payload is intact (its checksum holds) but the header's unpacked
  // length does not match what it unpacks to.
  std::string wrong_length = good;
  wrong_length[24] = static_cast<char>(wrong_length[24] + 1);  // u64 at offset 24
  spit(path, wrong_length);
  EXPECT_EQ(load_error(path), path + ": corrupt model (cannot decompress)");

  std::string newer = good;
  newer[8] = static_cast<char>(kModelFormatVersion + 1);  // format version, little-endian u32 at offset 8
  spit(path, newer);
  EXPECT_EQ(load_error(path), path + ": model format version " + std::to_string(kModelFormatVersion + 1) +
                                  ", this propscan reads versions " + std::to_string(kOldestModelFormatVersion) +
                                  " to " + std::to_string(kModelFormatVersion));

  spit(path, "");
  EXPECT_EQ(load_error(path), path + ": not a propscan model file (bad magic number)");
  fs::remove(path);
}

}  // namespace
}  // namespace propscan
