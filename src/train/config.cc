#include "train/config.h"

#include <fstream>

#include "features/hashing.h"
#include "propscan/error.h"

namespace propscan::train {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(SgdStage, epochs, learning_rate, l2)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(OptionalStage, enabled, sgd)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(NeuralConfig, enabled, epochs, hidden, layers, context, dropout,
                                                span_power, learning_rate, batch_size, blend_weights)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RerankerConfig, enabled, sgd, share_weights)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TrainConfig, seed, tune_folds, tagger_bits, classifier_bits,
                                                vector_words, nested_extent, sentence_encoder, tagger, classifier, neural, density,
                                                sentence_scorer, passage_text, reranker)

namespace {

// Every key of `given` must be a key of `known` (the defaults), at every level.
void check_keys(const nlohmann::json& given, const nlohmann::json& known, const std::string& prefix,
                const std::string& origin) {
  if (!given.is_object()) return;
  for (const auto& [key, value] : given.items()) {
    const std::string path = prefix.empty() ? key : prefix + "." + key;
    if (!known.contains(key)) throw Error(origin + ": unknown training setting '" + path + "'");
    const auto& want = known[key];
    if (want.is_object()) {
      if (!value.is_object()) throw Error(origin + ": '" + path + "' must be an object of settings");
      check_keys(value, want, path, origin);
    } else if (want.is_boolean() && !value.is_boolean()) {
      throw Error(origin + ": '" + path + "' must be true or false");
    } else if (want.is_number() && !value.is_number()) {
      throw Error(origin + ": '" + path + "' must be a number");
    } else if (want.is_number_unsigned() && value.is_number_float()) {
      throw Error(origin + ": '" + path + "' must be a whole number");
    } else if (want.is_number_integer() && value.is_number_float()) {
      throw Error(origin + ": '" + path + "' must be a whole number");
    } else if (want.is_number_unsigned() && value.is_number_integer() && value.get<std::int64_t>() < 0) {
      throw Error(origin + ": '" + path + "' must not be negative");
    } else if (want.is_array()) {
      if (!value.is_array()) throw Error(origin + ": '" + path + "' must be a list");
      for (const auto& item : value) {
        if (!item.is_number()) throw Error(origin + ": '" + path + "' must be a list of numbers");
      }
    }
  }
}

void require(bool ok, const std::string& origin, const std::string& key, const std::string& what) {
  if (!ok) throw Error(origin + ": '" + key + "' " + what);
}

void check_stage(const SgdStage& s, const std::string& origin, const std::string& key) {
  require(s.epochs >= 1 && s.epochs <= 1000, origin, key + ".epochs", "must be between 1 and 1000");
  require(s.learning_rate > 0.0 && s.learning_rate <= 10.0, origin, key + ".learning_rate", "must be in (0, 10]");
  require(s.l2 >= 0.0 && s.l2 < 1.0, origin, key + ".l2", "must be in [0, 1)");
}

}  // namespace

void check_config(const TrainConfig& c, const std::string& o) {
  require(c.tune_folds >= 2 && c.tune_folds <= 20, o, "tune_folds", "must be between 2 and 20");
  require(c.tagger_bits >= 4 && c.tagger_bits <= 26, o, "tagger_bits", "must be between 4 and 26");
  require(c.classifier_bits >= 4 && c.classifier_bits <= 26, o, "classifier_bits", "must be between 4 and 26");
  require(c.nested_extent > 0.0 && c.nested_extent <= 1.0, o, "nested_extent", "must be in (0, 1]");
  check_stage(c.tagger, o, "tagger");
  check_stage(c.classifier, o, "classifier");
  check_stage(c.density.sgd, o, "density.sgd");
  check_stage(c.sentence_scorer.sgd, o, "sentence_scorer.sgd");
  check_stage(c.passage_text.sgd, o, "passage_text.sgd");
  check_stage(c.reranker.sgd, o, "reranker.sgd");
  const auto& n = c.neural;
  require(n.epochs >= 1 && n.epochs <= 1000, o, "neural.epochs", "must be between 1 and 1000");
  require(n.hidden >= 1 && n.hidden <= 1024, o, "neural.hidden", "must be between 1 and 1024");
  require(n.layers >= 1 && n.layers <= 4, o, "neural.layers", "must be between 1 and 4");
  require(n.context >= 1 && n.context <= 100'000, o, "neural.context", "must be between 1 and 100000");
  require(n.dropout >= 0.0 && n.dropout < 1.0, o, "neural.dropout", "must be in [0, 1)");
  require(n.span_power >= 0.0 && n.span_power <= 4.0, o, "neural.span_power", "must be in [0, 4]");
  require(n.learning_rate > 0.0 && n.learning_rate <= 1.0, o, "neural.learning_rate", "must be in (0, 1]");
  require(n.batch_size >= 1 && n.batch_size <= 4096, o, "neural.batch_size", "must be between 1 and 4096");
  require(!n.blend_weights.empty(), o, "neural.blend_weights", "must list at least one weight");
  for (double w : n.blend_weights) require(w >= 0.0 && w <= 1.0, o, "neural.blend_weights", "must be in [0, 1]");
  require(!c.reranker.share_weights.empty(), o, "reranker.share_weights", "must list at least one weight");
  for (double w : c.reranker.share_weights) {
    require(w >= 0.0 && w <= 1.0, o, "reranker.share_weights", "must be in [0, 1]");
  }
}

nlohmann::json to_json(const TrainConfig& config) {
  nlohmann::json j = config;
  return j;
}

TrainConfig config_from_json(const nlohmann::json& j, const std::string& origin) {
  if (!j.is_object()) throw Error(origin + ": a training configuration must be a JSON object");
  const nlohmann::json defaults = to_json(TrainConfig{});
  check_keys(j, defaults, "", origin);
  // A key left out keeps its default, at every level.
  nlohmann::json full = defaults;
  full.merge_patch(j);
  TrainConfig c;
  try {
    c = full.get<TrainConfig>();
  } catch (const nlohmann::json::exception& e) {
    throw Error(origin + ": " + e.what());
  }
  check_config(c, origin);
  return c;
}

TrainConfig load_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(path + ": cannot open the training configuration");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(path + ": not valid JSON (" + e.what() + ")");
  }
  return config_from_json(j, path);
}

TrainConfig with_overrides(const TrainConfig& config, const std::vector<std::string>& assignments) {
  nlohmann::json j = to_json(config);
  for (const auto& a : assignments) {
    const auto eq = a.find('=');
    if (eq == std::string::npos || eq == 0) throw Error("--set " + a + ": expected key=value");
    const std::string key = a.substr(0, eq), text = a.substr(eq + 1);
    nlohmann::json* node = &j;
    for (std::size_t pos = 0;;) {
      const auto dot = key.find('.', pos);
      const std::string part = key.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos);
      if (!node->is_object() || !node->contains(part)) throw Error("--set " + a + ": unknown training setting '" + key + "'");
      node = &(*node)[part];
      if (dot == std::string::npos) break;
      pos = dot + 1;
    }
    if (node->is_object()) throw Error("--set " + a + ": '" + key + "' is a group of settings; set one of its keys");
    nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) value = text;
    *node = std::move(value);
  }
  return config_from_json(j, "--set");
}

std::uint64_t stage_seed(std::uint64_t seed, std::string_view stage) {
  // splitmix64 of the seed mixed with the name's FNV-1a hash.
  std::uint64_t z = seed ^ features::fnv1a(stage);
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace propscan::train
