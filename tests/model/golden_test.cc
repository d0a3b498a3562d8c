// The analysis of a fixed text with a tiny fixture model (tests/data/fixture/,
// trained on the test corpus by train_fixture below) must match the
// checked-in expected output. PROPSCAN_UPDATE_FIXTURES=1 retrains the
// fixture and rewrites the expected output; review the diff before
// committing it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "io/corpus.h"
#include "lexicon/cues.h"
#include "lexicon/word_vectors.h"
#include "model/model_file.h"
#include "propscan/analyzer.h"
#include "text/utf8.h"
#include "train/config.h"
#include "train/trainer.h"

namespace propscan {
namespace {

const std::string kData = PROPSCAN_TEST_DATA;
const std::string kFixture = kData + "/fixture";

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Trains the fixture model: the test corpus, its tiny lexicons, and
// tests/data/fixture/config.json.
std::shared_ptr<const Model> train_fixture() {
  const auto corpus = io::load_corpus(kData + "/tiny_corpus");
  const auto vectors = lexicon::WordVectors::from_wink_json(kData + "/tiny_vectors.json");
  const auto valence = lexicon::load_vader(kData + "/tiny_vader.txt");
  const auto cues = lexicon::load_cue_packages(kData + "/tiny_cues");
  train::TrainOptions o;
  o.config = train::load_config(kFixture + "/config.json");
  o.lexicons = train::prepare_lexicons(&vectors, &valence, &cues, corpus, o.config.vector_words);
  std::vector<const io::LabelledArticle*> arts;
  for (const auto& a : corpus.articles) arts.push_back(&a);
  return train::train_model(arts, o);
}

nlohmann::json analysis_of(const std::shared_ptr<const Model>& model) {
  const auto doc = Document::from_utf8("article", read(kFixture + "/article.txt"));
  const Analyzer analyzer(model);
  return nlohmann::json::parse(to_json(analyzer.analyze(doc), doc));
}

// Equal, but for scores, which may move in their last bits with another
// BLAS kernel.
void expect_same(const nlohmann::json& got, const nlohmann::json& want, const std::string& where = "") {
  ASSERT_EQ(got.type(), want.type()) << where;
  if (want.is_number_float()) {
    EXPECT_NEAR(got.get<double>(), want.get<double>(), 1e-5) << where;
  } else if (want.is_object()) {
    ASSERT_EQ(got.size(), want.size()) << where << ": " << got.dump();
    for (const auto& [key, value] : want.items()) {
      ASSERT_TRUE(got.contains(key)) << where << "." << key;
      expect_same(got[key], value, where + "." + key);
    }
  } else if (want.is_array()) {
    ASSERT_EQ(got.size(), want.size()) << where << ": " << got.dump();
    for (std::size_t i = 0; i < want.size(); ++i) expect_same(got[i], want[i], where + "[" + std::to_string(i) + "]");
  } else {
    EXPECT_EQ(got, want) << where;
  }
}

TEST(GoldenTest, FixtureModelGivesTheCheckedInAnalysis) {
  if (std::getenv("PROPSCAN_UPDATE_FIXTURES")) {
    const auto model = train_fixture();
    save_model(*model, kFixture + "/tiny.model");
    std::ofstream(kFixture + "/article.expected.json") << analysis_of(model).dump(2) << '\n';
  }
  const auto want = nlohmann::json::parse(read(kFixture + "/article.expected.json"));
  const auto got = analysis_of(load_model(kFixture + "/tiny.model"));
  ASSERT_FALSE(want["spans"].empty()) << "the fixture should find something";
  expect_same(got, want);
  // Offsets are code points: the text of each span is the article's
  // characters from start to end (the article has curly quotes, a dash and
  // an umlaut before some of them).
  const auto text = text::decode_utf8(read(kFixture + "/article.txt"));
  for (const auto& s : got["spans"]) {
    const auto start = s["start"].get<std::size_t>(), end = s["end"].get<std::size_t>();
    EXPECT_EQ(s["text"].get<std::string>(), text::encode_utf8(text.substr(start, end - start)));
  }
}

TEST(GoldenTest, RetrainingTheFixtureGivesTheSameAnalysis) {
  expect_same(analysis_of(train_fixture()), nlohmann::json::parse(read(kFixture + "/article.expected.json")));
}

TEST(GoldenTest, FixtureModelIsSmallAndHasEveryPart) {
  EXPECT_LT(std::filesystem::file_size(kFixture + "/tiny.model"), 64u * 1024);
  const auto model = load_model(kFixture + "/tiny.model");
  EXPECT_NE(model->network(), nullptr);
  ASSERT_NE(model->reranker(), nullptr);
  EXPECT_TRUE(model->reranker()->sentence_weights && model->reranker()->density_weights &&
              model->reranker()->passage_weights);
  EXPECT_GT(model->lexicons().vectors.size(), 0u);
  const auto info = nlohmann::json::parse(model->info());
  EXPECT_EQ(info["config"]["tagger_bits"], 12);
}

}  // namespace
}  // namespace propscan
