#include "train/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "propscan/error.h"

#include "../support/errors.h"
#include "../support/files.h"

namespace propscan::train {
namespace {

namespace fs = std::filesystem;
using test::error_of;
using test::temp_path;

const std::string kShippedConfig = std::string(PROPSCAN_SOURCE_DIR) + "/configs/propscan.json";

std::string override_error(const std::vector<std::string>& assignments) {
  return error_of([&] { with_overrides(TrainConfig{}, assignments); });
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(TrainConfigTest, TheAccurateConfigIsTheDefaultWithTheSentenceEncoder) {
  TrainConfig want;
  want.sentence_encoder = true;
  EXPECT_EQ(to_json(load_config(std::string(PROPSCAN_SOURCE_DIR) + "/configs/propscan-accurate.json")), to_json(want));
}

TEST(TrainConfigTest, ShippedConfigIsTheDefault) {
  ASSERT_TRUE(fs::exists(kShippedConfig)) << kShippedConfig << " is missing: `propscan-train config > " << kShippedConfig
                                          << "` writes it";
  std::ifstream in(kShippedConfig);
  const auto file = nlohmann::json::parse(in);
  // Every setting is written out, with its default value...
  EXPECT_EQ(file, to_json(TrainConfig{})) << "configs/propscan.json and the defaults in src/train/config.h differ";
  // ...and it reads back as the defaults.
  EXPECT_EQ(to_json(load_config(kShippedConfig)), to_json(TrainConfig{}));
}

TEST(TrainConfigTest, EverySettingIsInTheJson) {
  const auto j = to_json(TrainConfig{});
  for (const char* key : {"seed", "tune_folds", "tagger_bits", "classifier_bits", "vector_words", "nested_extent",
                          "extra_technique_data", "tagger", "classifier", "neural", "density", "sentence_scorer",
                          "passage_text", "reranker"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  for (const char* key : {"enabled", "epochs", "hidden", "layers", "context", "dropout", "span_power", "learning_rate",
                          "batch_size", "blend_weights"}) {
    EXPECT_TRUE(j["neural"].contains(key)) << "neural." << key;
  }
  for (const char* stage : {"tagger", "classifier"}) {
    for (const char* key : {"epochs", "learning_rate", "l2"}) EXPECT_TRUE(j[stage].contains(key)) << stage << "." << key;
  }
  for (const char* stage : {"density", "sentence_scorer", "passage_text", "reranker"}) {
    EXPECT_TRUE(j[stage].contains("enabled")) << stage;
    for (const char* key : {"epochs", "learning_rate", "l2"}) {
      EXPECT_TRUE(j[stage]["sgd"].contains(key)) << stage << ".sgd." << key;
    }
  }
  EXPECT_TRUE(j["reranker"].contains("share_weights"));
}

TEST(TrainConfigTest, JsonRoundTripKeepsEverySetting) {
  TrainConfig c;
  c.seed = 13;
  c.tune_folds = 3;
  c.tagger_bits = 16;
  c.vector_words = 5000;
  c.tagger.l2 = 1e-4;
  c.neural.enabled = false;
  c.neural.hidden = 32;
  c.neural.blend_weights = {0.25, 0.75};
  c.density.enabled = false;
  c.density.sgd.epochs = 3;
  c.reranker.share_weights = {0.4, 0.6};
  const auto j = to_json(c);
  EXPECT_EQ(to_json(config_from_json(j, "test")), j);
  EXPECT_EQ(j["neural"]["blend_weights"], nlohmann::json({0.25, 0.75}));
  EXPECT_EQ(j["density"]["enabled"], false);
  EXPECT_EQ(j["seed"], 13);
}

TEST(TrainConfigTest, EveryKeyIsOptional) {
  const auto c = config_from_json(nlohmann::json::parse(R"({"neural": {"epochs": 3}, "tagger": {"l2": 0.001}})"), "t");
  EXPECT_EQ(c.neural.epochs, 3);
  EXPECT_EQ(c.tagger.l2, 0.001);
  // The rest, even of the same group, keep their defaults.
  TrainConfig expected;
  expected.neural.epochs = 3;
  expected.tagger.l2 = 0.001;
  EXPECT_EQ(to_json(c), to_json(expected));
  EXPECT_EQ(to_json(config_from_json(nlohmann::json::object(), "t")), to_json(TrainConfig{}));
  // A stage's other settings keep the stage's own defaults, not another stage's.
  const auto density = config_from_json(nlohmann::json::parse(R"({"density": {"sgd": {"epochs": 3}}})"), "t");
  EXPECT_EQ(density.density.sgd.epochs, 3);
  EXPECT_EQ(density.density.sgd.learning_rate, TrainConfig{}.density.sgd.learning_rate);
  EXPECT_EQ(density.density.sgd.l2, TrainConfig{}.density.sgd.l2);
  const auto reranker = config_from_json(nlohmann::json::parse(R"({"reranker": {"enabled": false}})"), "t");
  EXPECT_FALSE(reranker.reranker.enabled);
  EXPECT_EQ(reranker.reranker.sgd.epochs, TrainConfig{}.reranker.sgd.epochs);
}

TEST(TrainConfigTest, OverridesSetNestedKeysListsAndBooleans) {
  const auto c = with_overrides(TrainConfig{}, {"neural.epochs=4", "reranker.share_weights=[0.4,0.5]",
                                                "neural.enabled=false", "density.sgd.l2=0.001", "seed=7",
                                                "tune_folds=2", "neural.blend_weights=[1]"});
  EXPECT_EQ(c.neural.epochs, 4);
  EXPECT_EQ(c.reranker.share_weights, (std::vector<double>{0.4, 0.5}));
  EXPECT_FALSE(c.neural.enabled);
  EXPECT_EQ(c.density.sgd.l2, 0.001);
  EXPECT_EQ(c.seed, 7u);
  EXPECT_EQ(c.tune_folds, 2);
  EXPECT_EQ(c.neural.blend_weights, (std::vector<double>{1.0}));
  // Nothing else moved.
  TrainConfig expected;
  expected.neural.epochs = 4;
  expected.reranker.share_weights = {0.4, 0.5};
  expected.neural.enabled = false;
  expected.density.sgd.l2 = 0.001;
  expected.seed = 7;
  expected.tune_folds = 2;
  expected.neural.blend_weights = {1.0};
  EXPECT_EQ(to_json(c), to_json(expected));
  // Applied in order: the last one wins.
  EXPECT_EQ(with_overrides(TrainConfig{}, {"neural.hidden=8", "neural.hidden=16"}).neural.hidden, 16u);
  // On top of the given configuration, not the defaults.
  TrainConfig base;
  base.tagger.epochs = 2;
  EXPECT_EQ(with_overrides(base, {"classifier.epochs=3"}).tagger.epochs, 2);
  EXPECT_EQ(to_json(with_overrides(base, {})), to_json(base));
  // A booleans accepts true as well.
  EXPECT_TRUE(with_overrides(c, {"neural.enabled=true"}).neural.enabled);
  // A path is taken as a string, and an empty one turns the setting off.
  EXPECT_EQ(with_overrides(TrainConfig{}, {"extra_technique_data=../data/memes"}).extra_technique_data,
            "../data/memes");
  EXPECT_EQ(with_overrides(c, {"extra_technique_data="}).extra_technique_data, "");
  EXPECT_TRUE(contains(override_error({"extra_technique_data=3"}), "'extra_technique_data' must be a string"));
}

TEST(TrainConfigTest, UnknownKeyIsAnErrorNamingIt) {
  const auto nested = override_error({"neural.epoch=3"});
  EXPECT_TRUE(contains(nested, "'neural.epoch'")) << nested;
  EXPECT_TRUE(contains(nested, "unknown")) << nested;
  const auto top = override_error({"tagger_epochs=20"});
  EXPECT_TRUE(contains(top, "'tagger_epochs'")) << top;
  // Removed experiments are gone from the configuration.
  for (const char* removed : {"neural.members=2", "neural.techniques=true", "reranker.trees=100",
                              "neural.word_dropout=0.1", "tagger.average=3"}) {
    const std::string key = std::string(removed).substr(0, std::string(removed).find('='));
    const auto message = override_error({removed});
    EXPECT_TRUE(contains(message, "'" + key + "'")) << message;
  }
  // A key below a setting that is not a group.
  const auto below = override_error({"seed.x=1"});
  EXPECT_TRUE(contains(below, "seed.x")) << below;

  // In a file: the error names the file and the key.
  const auto from_json =
      error_of([] { config_from_json(nlohmann::json::parse(R"({"neural": {"hiden": 8}})"), "my.json"); });
  EXPECT_EQ(from_json.rfind("my.json: ", 0), 0u) << from_json;
  EXPECT_TRUE(contains(from_json, "'neural.hiden'")) << from_json;
  const auto path = temp_path(".json");
  std::ofstream(path) << R"({"seed": 3, "reranker": {"sgd": {"epochs": 2, "momentum": 0.9}}})";
  const auto from_file = error_of([&] { load_config(path); });
  fs::remove(path);
  EXPECT_EQ(from_file.rfind(path + ": ", 0), 0u) << from_file;
  EXPECT_TRUE(contains(from_file, "'reranker.sgd.momentum'")) << from_file;
  EXPECT_EQ(from_file.find('\n'), std::string::npos) << from_file;
}

TEST(TrainConfigTest, OutOfRangeValueIsAnErrorNamingTheKey) {
  for (const auto& [assignment, key] : std::vector<std::pair<std::string, std::string>>{
           {"tune_folds=1", "tune_folds"},
           {"tagger_bits=30", "tagger_bits"},
           {"classifier_bits=2", "classifier_bits"},
           {"nested_extent=0", "nested_extent"},
           {"tagger.epochs=0", "tagger.epochs"},
           {"classifier.learning_rate=-1", "classifier.learning_rate"},
           {"density.sgd.learning_rate=0", "density.sgd.learning_rate"},
           {"sentence_scorer.sgd.l2=2", "sentence_scorer.sgd.l2"},
           {"reranker.sgd.epochs=100000", "reranker.sgd.epochs"},
           {"neural.dropout=1.5", "neural.dropout"},
           {"neural.hidden=0", "neural.hidden"},
           {"neural.layers=9", "neural.layers"},
           {"neural.span_power=-1", "neural.span_power"},
           {"neural.batch_size=0", "neural.batch_size"},
           {"neural.blend_weights=[]", "neural.blend_weights"},
           {"neural.blend_weights=[0.5,1.5]", "neural.blend_weights"},
           {"reranker.share_weights=[]", "reranker.share_weights"},
           {"reranker.share_weights=[-0.1]", "reranker.share_weights"},
       }) {
    const auto message = override_error({assignment});
    EXPECT_TRUE(contains(message, "'" + key + "'")) << assignment << ": " << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
  // The same from a file.
  const auto message =
      error_of([] { config_from_json(nlohmann::json::parse(R"({"neural": {"dropout": 1.0}})"), "c.json"); });
  EXPECT_EQ(message.rfind("c.json: ", 0), 0u) << message;
  EXPECT_TRUE(contains(message, "'neural.dropout'")) << message;
}

TEST(TrainConfigTest, MalformedInputsAreOneLineErrors) {
  for (const char* bad : {"neural.epochs", "=3", "neural=3"}) {
    const auto message = override_error({bad});
    EXPECT_FALSE(message.empty()) << bad;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
  // A group cannot be set as a whole.
  EXPECT_TRUE(contains(override_error({"neural=3"}), "'neural'"));
  // A value of the wrong type.
  for (const char* bad : {"neural.enabled=maybe", "neural.epochs=[1]", "reranker.share_weights=0.5", "seed=\"x\""}) {
    const auto message = override_error({bad});
    EXPECT_FALSE(message.empty()) << bad;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
  EXPECT_FALSE(error_of([] { config_from_json(nlohmann::json::array(), "a.json"); }).empty());
  // Files that are missing or not JSON name themselves.
  EXPECT_EQ(error_of([] { load_config("/nonexistent/c.json"); }).rfind("/nonexistent/c.json: ", 0), 0u);
  const auto path = temp_path(".json");
  std::ofstream(path) << "{\"seed\": 3,";
  const auto message = error_of([&] { load_config(path); });
  fs::remove(path);
  EXPECT_EQ(message.rfind(path + ": ", 0), 0u) << message;
}

TEST(TrainConfigTest, StageSeedsDifferByNameAndAreStable) {
  std::set<std::uint64_t> seeds;
  const std::vector<std::string> stages = {"tagger",         "classifier",      "neural",     "neural.fold0",
                                           "neural.fold1",   "density",         "sentence_scorer",
                                           "passage_text",   "reranker",        "tune_folds"};
  for (const auto& s : stages) seeds.insert(stage_seed(42, s));
  EXPECT_EQ(seeds.size(), stages.size());
  // Stable: the same seed and name, the same stage seed.
  EXPECT_EQ(stage_seed(42, "tagger"), stage_seed(42, "tagger"));
  EXPECT_EQ(stage_seed(42, std::string("tag") + "ger"), stage_seed(42, "tagger"));
  // Another base seed moves every stage.
  for (const auto& s : stages) EXPECT_NE(stage_seed(42, s), stage_seed(43, s)) << s;
  // And across builds and machines: the shipped model's stages are trained
  // from these (a change here retrains everything differently).
  EXPECT_EQ(stage_seed(42, "tagger"), 238555071187116213ull);
}

}  // namespace
}  // namespace propscan::train
