#include "model/model_file.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>

#include "model/density.h"
#include "model/reranker.h"
#include "model/sentence.h"
#include "neural/network.h"
#include "propscan/error.h"

#include <zlib.h>
#include <zstd.h>

#include "../support/errors.h"
#include "../support/files.h"

namespace propscan {
namespace {

namespace fs = std::filesystem;
using test::error_of;
using test::slurp;
using test::spit;
using test::temp_path;

// A tiny hand-made model: 2^4 tagger weights and 14 x 2^4 classifier
// weights, no lexicons, no network, no reranker.
ModelParts tiny_parts() {
  ModelParts p;
  p.config.tagger_bits = 4;
  p.config.classifier_bits = 4;
  p.config.extent_threshold = 0.25f;
  p.config.calibration_a = 6.5f;
  p.config.calibration_b = -2.25f;
  p.config.nested_extent = 0.625f;
  p.config.threshold = 0.4f;
  p.config.neural_weight = 0.375f;
  p.info = R"({"note":"test"})";
  p.tagger_weights.resize(Model::tagger_size(p.config, 0));
  p.classifier_weights.resize(Model::classifier_features(p.config, 0) * kNumTechniques);
  for (std::size_t i = 0; i < p.tagger_weights.size(); ++i) p.tagger_weights[i] = static_cast<float>(i) * 0.5f - 3.0f;
  for (std::size_t i = 0; i < p.classifier_weights.size(); ++i) {
    p.classifier_weights[i] = static_cast<float>(i % 7) - 3.0f;
  }
  return p;
}

Model tiny_model() { return Model(tiny_parts()); }

// A network made by hand (no libtorch), its parameters named as torch names
// them, their values a deterministic function of `seed`.
neural::Network hand_made_network(std::uint32_t input_dim, std::uint32_t hidden, std::uint32_t layers,
                                  std::uint32_t context, float seed) {
  std::vector<neural::NamedTensor> params;
  int k = 0;
  auto add = [&](const std::string& name, std::vector<std::int64_t> shape) {
    std::size_t n = 1;
    for (auto d : shape) n *= static_cast<std::size_t>(d);
    std::vector<float> v(n);
    for (auto& x : v) x = 0.4f * std::sin(0.37f * static_cast<float>(k++) + seed);
    params.push_back({name, std::move(shape), std::move(v)});
  };
  const std::int64_t H = hidden;
  for (std::uint32_t l = 0; l < layers; ++l) {
    const std::string name = l == 0 ? "lstm" : "lstm" + std::to_string(l + 1);
    const std::int64_t in = l == 0 ? static_cast<std::int64_t>(input_dim) : 2 * H;
    for (const std::string suffix : {"_l0", "_l0_reverse"}) {
      add(name + ".weight_ih" + suffix, {4 * H, in});
      add(name + ".weight_hh" + suffix, {4 * H, H});
      add(name + ".bias_ih" + suffix, {4 * H});
      add(name + ".bias_hh" + suffix, {4 * H});
    }
  }
  add("out.weight", {1, 2 * H});
  add("out.bias", {1});
  return neural::Network({input_dim, hidden, layers, context}, std::move(params));
}

std::vector<float> pattern(std::size_t n, int mod, float scale, float offset) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<float>(i % static_cast<std::size_t>(mod)) * scale + offset;
  return v;
}

RerankerParts full_reranker(const ModelConfig& c, int vector_dimension) {
  RerankerParts r;
  r.weights = pattern(std::size_t{1} << rerank::kBits, 11, 0.1f, -0.5f);
  r.sentence_weights = pattern(std::size_t{1} << sentence::kBits, 13, 0.01f, -0.06f);
  r.density_weights = pattern(std::size_t{1} << density::kBits, 5, 0.02f, -0.04f);
  r.passage_weights = pattern(Model::classifier_features(c, vector_dimension), 5, 0.3f, -0.6f);
  return r;
}

std::string saved_bytes(const Model& model) {
  const auto path = temp_path(".bytes.model");
  save_model(model, path);
  auto bytes = slurp(path);
  fs::remove(path);
  return bytes;
}

std::shared_ptr<const Model> round_trip(const Model& model) {
  const auto path = temp_path(".model");
  save_model(model, path);
  auto loaded = load_model(path);
  fs::remove(path);
  return loaded;
}

std::string load_error(const std::string& path) {
  return error_of([&] { load_model(path); });
}

// ---- the layout model_file.h documents, read and written independently of
// model_file.cc: a 24-byte header (magic, version, CRC-32 and length of the
// body), then the body: a section count and the sections, each with its
// values as one zstd frame.

template <typename T>
void put(std::string& out, T value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

template <typename T>
T get(const std::string& bytes, std::size_t& pos) {
  T value{};
  EXPECT_LE(pos + sizeof value, bytes.size());
  if (pos + sizeof value > bytes.size()) return value;
  std::memcpy(&value, bytes.data() + pos, sizeof value);
  pos += sizeof value;
  return value;
}

constexpr std::size_t kHeader = 24;

struct RawSection {
  std::string name;
  std::uint8_t dtype = 0;
  std::vector<std::uint64_t> shape;
  std::string values;  // uncompressed
};

std::string compress(const std::string& bytes) {
  std::string packed(ZSTD_compressBound(bytes.size()), '\0');
  packed.resize(ZSTD_compress(packed.data(), packed.size(), bytes.data(), bytes.size(), 3));
  return packed;
}

std::vector<RawSection> parse_sections(const std::string& file) {
  EXPECT_EQ(file.substr(0, 8), "PSCNMODL");
  std::size_t pos = 8;
  EXPECT_EQ(get<std::uint32_t>(file, pos), kModelFormatVersion);
  const auto crc = get<std::uint32_t>(file, pos);
  const auto length = get<std::uint64_t>(file, pos);
  EXPECT_EQ(length, file.size() - kHeader);
  EXPECT_EQ(crc, crc32(0L, reinterpret_cast<const Bytef*>(file.data() + kHeader), static_cast<uInt>(length)));
  const auto count = get<std::uint32_t>(file, pos);
  std::vector<RawSection> out(count);
  for (auto& s : out) {
    const auto len = get<std::uint16_t>(file, pos);
    s.name = file.substr(pos, len);
    pos += len;
    s.dtype = get<std::uint8_t>(file, pos);
    const auto rank = get<std::uint8_t>(file, pos);
    std::uint64_t n = s.dtype == 0 ? 4 : 1;
    for (int k = 0; k < rank; ++k) {
      s.shape.push_back(get<std::uint64_t>(file, pos));
      n *= s.shape.back();
    }
    const auto packed_size = get<std::uint64_t>(file, pos);
    const std::string packed = file.substr(pos, packed_size);
    pos += packed_size;
    EXPECT_EQ(ZSTD_getFrameContentSize(packed.data(), packed.size()), n) << s.name;
    s.values.resize(n);
    EXPECT_EQ(ZSTD_decompress(s.values.data(), s.values.size(), packed.data(), packed.size()), n) << s.name;
  }
  EXPECT_EQ(pos, file.size()) << "the sections do not account for the whole file";
  return out;
}

std::string pack_body(const std::vector<RawSection>& sections) {
  std::string out;
  put<std::uint32_t>(out, static_cast<std::uint32_t>(sections.size()));
  for (const auto& s : sections) {
    put<std::uint16_t>(out, static_cast<std::uint16_t>(s.name.size()));
    out += s.name;
    put<std::uint8_t>(out, s.dtype);
    put<std::uint8_t>(out, static_cast<std::uint8_t>(s.shape.size()));
    for (auto d : s.shape) put<std::uint64_t>(out, d);
    const auto packed = compress(s.values);
    put<std::uint64_t>(out, std::uint64_t{packed.size()});
    out += packed;
  }
  return out;
}

// A whole file around `body`: a header with its correct length and checksum.
std::string with_header(const std::string& body, std::uint32_t version = kModelFormatVersion) {
  std::string out = "PSCNMODL";
  put(out, version);
  put(out, static_cast<std::uint32_t>(
               crc32(0L, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()))));
  put(out, std::uint64_t{body.size()});
  return out + body;
}

std::string pack_file(const std::vector<RawSection>& sections) { return with_header(pack_body(sections)); }

RawSection* find_section(std::vector<RawSection>& sections, const std::string& name) {
  for (auto& s : sections) {
    if (s.name == name) return &s;
  }
  ADD_FAILURE() << "no section " << name;
  return nullptr;
}

std::vector<std::string> names_of(const std::vector<SectionInfo>& sections) {
  std::vector<std::string> out;
  for (const auto& s : sections) out.push_back(s.name);
  return out;
}

// ---- round trips -------------------------------------------------------------

TEST(ModelFileTest, RoundTripKeepsEveryField) {
  const Model original = tiny_model();
  const auto loaded = round_trip(original);
  EXPECT_EQ(loaded->config().tagger_bits, 4u);
  EXPECT_EQ(loaded->config().classifier_bits, 4u);
  EXPECT_FLOAT_EQ(loaded->config().extent_threshold, 0.25f);
  EXPECT_FLOAT_EQ(loaded->config().calibration_a, 6.5f);
  EXPECT_FLOAT_EQ(loaded->config().calibration_b, -2.25f);
  EXPECT_FLOAT_EQ(loaded->config().nested_extent, 0.625f);
  EXPECT_FLOAT_EQ(loaded->config().threshold, 0.4f);
  EXPECT_FLOAT_EQ(loaded->config().neural_weight, 0.375f);
  // sigmoid(6.5 * 0.5 - 2.25) = sigmoid(1)
  EXPECT_NEAR(loaded->calibrated_score(0.5f), 0.7310586, 1e-6);
  EXPECT_EQ(loaded->info(), R"({"note":"test"})");
  EXPECT_EQ(loaded->parts().tagger_weights, original.parts().tagger_weights);
  EXPECT_EQ(loaded->parts().classifier_weights, original.parts().classifier_weights);
  EXPECT_EQ(saved_bytes(original).substr(0, 8), "PSCNMODL");
}

TEST(ModelFileTest, ModelWithoutOptionalStagesLoadsWithoutThem) {
  const Model original = tiny_model();
  const auto loaded = round_trip(original);
  EXPECT_EQ(loaded->network(), nullptr);
  EXPECT_EQ(loaded->reranker(), nullptr);
  EXPECT_EQ(loaded->lexicons().vectors.size(), 0u);
  EXPECT_TRUE(loaded->lexicons().valence.empty());
  EXPECT_TRUE(loaded->lexicons().cues.empty());
  const std::u32string text = U"A short sentence. And another one.";
  const auto probs = loaded->token_probabilities(loaded->view(text));
  EXPECT_TRUE(probs.neural.empty());
  EXPECT_EQ(probs.blend, original.token_probabilities(original.view(text)).blend);
  EXPECT_LT(loaded->passage_text_score(loaded->view(text), 0, 7), 0.0f);
  // Their sections are absent, not empty.
  const auto path = temp_path(".model");
  save_model(original, path);
  const auto sections = model_sections(path);
  fs::remove(path);
  for (const auto& s : sections) {
    EXPECT_FALSE(s.name.starts_with("network.")) << s.name;
    EXPECT_FALSE(s.name.starts_with("reranker.")) << s.name;
    EXPECT_FALSE(s.name.starts_with("vectors.")) << s.name;
    EXPECT_FALSE(s.name.starts_with("valence.")) << s.name;
    EXPECT_FALSE(s.name.starts_with("cues.")) << s.name;
  }
  EXPECT_EQ(names_of(sections), (std::vector<std::string>{"config", "training", "tagger.weights", "classifier.weights"}));
}

TEST(ModelFileTest, RoundTripKeepsTheCuePhrasesAndTheirMatches) {
  auto parts = tiny_parts();
  parts.lexicons.valence["fraud"] = -2.5f;
  parts.lexicons.cues.add(lexicon::CueKind::kWeasel, "some say");
  parts.lexicons.cues.add(lexicon::CueKind::kCliche, "at the end of the day");
  const Model original(std::move(parts));
  const auto loaded = round_trip(original);
  ASSERT_EQ(loaded->lexicons().cues.size(), 2u);
  const std::u32string text = U"Some say it is a fraud, at the end of the day.";
  const auto view = loaded->view(text);
  EXPECT_EQ(view.cues, original.view(text).cues);
  EXPECT_EQ(view.cues[0], 1u << static_cast<int>(lexicon::CueKind::kWeasel));
  EXPECT_EQ(view.cues[7], 1u << static_cast<int>(lexicon::CueKind::kCliche));  // "at"
  EXPECT_EQ(view.cues[6], 0u);
  EXPECT_FLOAT_EQ(view.valence[5], -2.5f);
}

// A model with every component: word vectors, valence, cues, a two-layer
// network and the reranker with all its readers.
Model full_model() {
  auto parts = tiny_parts();
  parts.lexicons.vectors = lexicon::quantize(lexicon::WordVectors(
      3, {"another", "one", "quotes", "sentence", "short"},
      {0.5f, -0.25f, 1.0f, 0.1f, 0.2f, 0.3f, -1.0f, 0.0f, 0.75f, 0.3f, 0.3f, -0.3f, 0.9f, -0.9f, 0.05f}));
  parts.lexicons.valence["short"] = -1.5f;
  parts.lexicons.cues.add(lexicon::CueKind::kHedge, "and another");
  const int d = 3;
  parts.tagger_weights = pattern(Model::tagger_size(parts.config, d), 9, 0.25f, -1.0f);
  parts.classifier_weights = pattern(Model::classifier_features(parts.config, d) * kNumTechniques, 7, 1.0f, -3.0f);
  parts.network = hand_made_network(neural::input_dim(d), 6, 2, 15, 1.0f);
  parts.reranker = full_reranker(parts.config, d);
  return Model(std::move(parts));
}

TEST(ModelFileTest, RoundTripKeepsTheNetworkTheRerankerAndTheirPredictions) {
  const Model original = full_model();
  const auto loaded = round_trip(original);
  ASSERT_NE(loaded->network(), nullptr);
  EXPECT_FLOAT_EQ(loaded->config().neural_weight, 0.375f);
  const auto& nc = loaded->network()->config();
  EXPECT_EQ(nc.input_dim, neural::input_dim(3));
  EXPECT_EQ(nc.hidden, 6u);
  EXPECT_EQ(nc.layers, 2u);
  EXPECT_EQ(nc.context, 15u);
  // The same tensors, by name.
  std::map<std::string, const neural::NamedTensor*> by_name;
  for (const auto& t : loaded->network()->parameters()) by_name[t.name] = &t;
  ASSERT_EQ(by_name.size(), original.network()->parameters().size());
  for (const auto& t : original.network()->parameters()) {
    ASSERT_TRUE(by_name.count(t.name)) << t.name;
    EXPECT_EQ(by_name[t.name]->shape, t.shape) << t.name;
    EXPECT_EQ(by_name[t.name]->values, t.values) << t.name;
  }
  ASSERT_NE(loaded->reranker(), nullptr);
  const auto& a = *original.reranker();
  const auto& b = *loaded->reranker();
  EXPECT_EQ(b.weights, a.weights);
  EXPECT_EQ(b.sentence_weights, a.sentence_weights);
  EXPECT_EQ(b.density_weights, a.density_weights);
  EXPECT_EQ(b.passage_weights, a.passage_weights);
  EXPECT_EQ(loaded->lexicons().vectors.words(), original.lexicons().vectors.words());
  EXPECT_FLOAT_EQ(loaded->lexicons().valence.at("short"), -1.5f);
  // Everything the model computes from them is the same, to the last bit.
  const std::u32string text = U"A short sentence. And another one, with “quotes” 🙂.";
  const auto view = original.view(text);
  const auto loaded_view = loaded->view(text);
  EXPECT_EQ(neural::token_inputs(loaded_view), neural::token_inputs(view));
  const auto probs = original.token_probabilities(view);
  const auto loaded_probs = loaded->token_probabilities(loaded_view);
  EXPECT_FALSE(probs.neural.empty());
  EXPECT_EQ(loaded_probs.neural, probs.neural);
  EXPECT_EQ(loaded_probs.blend, probs.blend);
  const auto spans = detect_spans(original, view, probs, 0.0f, "a");
  const auto loaded_spans = detect_spans(*loaded, loaded_view, loaded_probs, 0.0f, "a");
  ASSERT_EQ(loaded_spans.size(), spans.size());
  for (std::size_t i = 0; i < spans.size(); ++i) {
    EXPECT_EQ(loaded_spans[i].start, spans[i].start);
    EXPECT_EQ(loaded_spans[i].end, spans[i].end);
    EXPECT_EQ(loaded_spans[i].technique, spans[i].technique);
    EXPECT_EQ(loaded_spans[i].score, spans[i].score);
  }
  EXPECT_EQ(loaded->passage_text_score(loaded_view, 2, 16), original.passage_text_score(view, 2, 16));
}

TEST(ModelFileTest, LoadedModelSavesAsTheSameBytes) {
  auto check = [](const Model& m, const char* which) {
    const auto first = saved_bytes(m);
    const auto path = temp_path(".model");
    spit(path, first);
    const auto loaded = load_model(path);
    fs::remove(path);
    EXPECT_EQ(saved_bytes(*loaded), first) << which;
  };
  check(tiny_model(), "tiny model");
  check(full_model(), "full model");
}

TEST(ModelFileTest, RerankerReadersAreEachOptional) {
  const Model base = tiny_model();
  auto parts = tiny_parts();
  RerankerParts r;
  r.weights = pattern(std::size_t{1} << rerank::kBits, 11, 0.1f, -0.5f);
  r.sentence_weights = pattern(std::size_t{1} << sentence::kBits, 13, 0.01f, -0.06f);
  parts.reranker = r;
  const auto loaded = round_trip(Model(parts));
  ASSERT_NE(loaded->reranker(), nullptr);
  EXPECT_EQ(loaded->reranker()->sentence_weights, r.sentence_weights);
  EXPECT_FALSE(loaded->reranker()->density_weights.has_value());
  EXPECT_FALSE(loaded->reranker()->passage_weights.has_value());
  // Weights of the wrong size do not make a model.
  parts.reranker->sentence_weights = std::vector<float>(7);
  EXPECT_THROW(Model{parts}, Error);
  parts.reranker = r;
  parts.reranker->density_weights = std::vector<float>(7);
  EXPECT_THROW(Model{parts}, Error);
  parts.reranker = r;
  parts.reranker->weights.resize(7);
  EXPECT_THROW(Model{parts}, Error);
  parts.reranker = r;
  parts.reranker->passage_weights = std::vector<float>(7);
  EXPECT_THROW(Model{parts}, Error);
  // Nor do a network for other word vectors, or tagger weights of another size.
  parts.reranker.reset();
  parts.network = hand_made_network(neural::input_dim(3), 4, 1, 20, 0.0f);
  EXPECT_THROW(Model{parts}, Error);
  parts.network.reset();
  parts.tagger_weights.pop_back();
  EXPECT_THROW(Model{parts}, Error);
}

TEST(ModelFileTest, RoundTripKeepsThePassageTextModel) {
  const Model base = tiny_model();
  auto parts = tiny_parts();
  RerankerParts r;
  r.weights.assign(std::size_t{1} << rerank::kBits, 0.0f);
  r.passage_weights = pattern(Model::classifier_features(parts.config, 0), 5, 0.3f, -0.6f);
  parts.reranker = r;
  const Model original(parts);
  const auto loaded = round_trip(original);
  ASSERT_NE(loaded->reranker(), nullptr);
  EXPECT_EQ(loaded->reranker()->passage_weights, r.passage_weights);
  // Offsets in code points: the passage after the accented words.
  const std::u32string text = U"Überall “panic” spreads. Nobody knows why.";
  const auto view = loaded->view(text);
  const float score = loaded->passage_text_score(view, 25, 41);
  EXPECT_GT(score, 0.0f);
  EXPECT_LT(score, 1.0f);
  EXPECT_EQ(score, original.passage_text_score(original.view(text), 25, 41));
  // Without the model there is no estimate.
  EXPECT_LT(base.passage_text_score(base.view(text), 25, 41), 0.0f);
}

TEST(ModelFileTest, RoundTripKeepsTheScoreCalibration) {
  const Model base = tiny_model();
  EXPECT_FALSE(base.precision_estimate(0.5));  // no curve: no estimate, not an invented one
  EXPECT_FALSE(base.article_percentile(0.1));
  auto parts = tiny_parts();
  parts.calibration = ScoreCalibration{{0.1f, 0.3f, 0.7f}, {0.2f, 0.4f, 0.8f}, {0.0f, 0.0f, 0.1f, 0.2f, 0.5f}};
  const auto loaded = round_trip(Model(parts));
  ASSERT_TRUE(loaded->parts().calibration);
  EXPECT_EQ(loaded->parts().calibration->precision, parts.calibration->precision);
  // Interpolated between the points, flat beyond them.
  EXPECT_NEAR(*loaded->precision_estimate(0.5), 0.6, 1e-6);
  EXPECT_NEAR(*loaded->precision_estimate(0.05), 0.2, 1e-6);
  EXPECT_NEAR(*loaded->precision_estimate(0.9), 0.8, 1e-6);
  // Share of the articles strictly below.
  EXPECT_DOUBLE_EQ(*loaded->article_percentile(0.0), 0.0);
  EXPECT_DOUBLE_EQ(*loaded->article_percentile(0.15), 0.6);
  EXPECT_DOUBLE_EQ(*loaded->article_percentile(0.9), 1.0);
  // A curve whose parts disagree is refused.
  parts.calibration->precision.pop_back();
  const auto path = temp_path(".model");
  save_model(Model(parts), path);
  EXPECT_NE(error_of([&] { load_model(path); }).find("calibration sections do not agree"), std::string::npos);
  fs::remove(path);
}

TEST(ModelFileTest, SavingTwiceGivesIdenticalBytes) {
  EXPECT_EQ(saved_bytes(tiny_model()), saved_bytes(tiny_model()));
  EXPECT_EQ(saved_bytes(full_model()), saved_bytes(full_model()));
}

// ---- sections ------------------------------------------------------------------

TEST(ModelFileTest, SectionsAreListedWithTheirTypesAndShapes) {
  const auto path = temp_path(".model");
  save_model(tiny_model(), path);
  const auto sections = model_sections(path);
  fs::remove(path);
  ASSERT_EQ(sections.size(), 4u);
  EXPECT_EQ(sections[0].name, "config");
  EXPECT_EQ(sections[0].dtype, "text");
  ASSERT_EQ(sections[0].shape.size(), 1u);
  EXPECT_EQ(sections[0].bytes, sections[0].shape[0]);
  EXPECT_EQ(sections[1].name, "training");
  EXPECT_EQ(sections[1].dtype, "text");
  EXPECT_EQ(sections[1].shape, (std::vector<std::uint64_t>{15}));  // {"note":"test"}
  EXPECT_EQ(sections[1].bytes, 15u);
  EXPECT_EQ(sections[2].name, "tagger.weights");
  EXPECT_EQ(sections[2].dtype, "float32");
  const auto tagger = tiny_model().parts().tagger_weights.size();
  EXPECT_EQ(sections[2].shape, (std::vector<std::uint64_t>{tagger}));
  EXPECT_EQ(sections[2].bytes, 4 * tagger);
  EXPECT_EQ(sections[3].name, "classifier.weights");
  EXPECT_EQ(sections[3].dtype, "float32");
  const auto features = Model::classifier_features(tiny_model().config(), 0);
  EXPECT_EQ(sections[3].shape, (std::vector<std::uint64_t>{features, kNumTechniques}));
}

TEST(ModelFileTest, EveryComponentIsASectionOfItsOwn) {
  const auto path = temp_path(".model");
  save_model(full_model(), path);
  const auto sections = model_sections(path);
  std::map<std::string, SectionInfo> by_name;
  for (const auto& s : sections) EXPECT_TRUE(by_name.emplace(s.name, s).second) << s.name << " twice";
  for (const char* name : {"config", "training", "tagger.weights", "classifier.weights", "vectors.words",
                           "vectors.scales", "vectors.values", "valence.words", "valence.values", "cues.phrases",
                           "cues.kinds", "network.config", "reranker.weights", "reranker.sentence",
                           "reranker.density", "reranker.passage_text"}) {
    EXPECT_TRUE(by_name.count(name)) << name;
  }
  EXPECT_EQ(by_name["vectors.values"].dtype, "int8");
  EXPECT_EQ(by_name["vectors.values"].shape, (std::vector<std::uint64_t>{5, 3}));
  EXPECT_EQ(by_name["vectors.scales"].shape, (std::vector<std::uint64_t>{5}));
  EXPECT_EQ(by_name["cues.kinds"].dtype, "uint8");
  EXPECT_EQ(by_name["network.config"].dtype, "text");
  const std::uint64_t in = neural::input_dim(3);
  EXPECT_EQ(by_name["network.lstm.weight_ih_l0"].shape, (std::vector<std::uint64_t>{24, in}));
  EXPECT_EQ(by_name["network.lstm2.weight_ih_l0_reverse"].shape, (std::vector<std::uint64_t>{24, 12}));
  EXPECT_EQ(by_name["network.lstm2.weight_hh_l0"].shape, (std::vector<std::uint64_t>{24, 6}));
  EXPECT_EQ(by_name["network.out.weight"].shape, (std::vector<std::uint64_t>{1, 12}));
  EXPECT_EQ(by_name["network.out.bias"].dtype, "float32");
  EXPECT_EQ(by_name["reranker.weights"].shape, (std::vector<std::uint64_t>{std::uint64_t{1} << rerank::kBits}));
  // The listing agrees with the layout the header comment documents.
  const auto raw = parse_sections(slurp(path));
  fs::remove(path);
  ASSERT_EQ(raw.size(), sections.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    EXPECT_EQ(raw[i].name, sections[i].name);
    EXPECT_EQ(raw[i].shape, sections[i].shape);
    EXPECT_EQ(raw[i].values.size(), sections[i].bytes);
  }
}

TEST(ModelFileTest, SectionOrderDoesNotMatter) {
  const auto path = temp_path(".model");
  const Model original = full_model();
  save_model(original, path);
  auto sections = parse_sections(slurp(path));
  std::reverse(sections.begin(), sections.end());
  spit(path, pack_file(sections));
  const auto loaded = load_model(path);
  fs::remove(path);
  const std::u32string text = U"A short sentence. And another one.";
  EXPECT_EQ(loaded->token_probabilities(loaded->view(text)).blend,
            original.token_probabilities(original.view(text)).blend);
}

// ---- damaged files ------------------------------------------------------------

// The message of a bad file: one line that starts with the path.
void expect_one_line_naming(const std::string& message, const std::string& path) {
  EXPECT_EQ(message.rfind(path + ": ", 0), 0u) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

TEST(ModelFileTest, MissingFileIsAClearError) {
  EXPECT_EQ(load_error("/nonexistent/dir/x.model"), "/nonexistent/dir/x.model: model file not found or unreadable");
  EXPECT_EQ(error_of([] { model_sections("/nonexistent/dir/x.model"); }),
            "/nonexistent/dir/x.model: model file not found or unreadable");
}

TEST(ModelFileTest, DetectsForeignTruncatedCorruptAndOtherVersionFiles) {
  const auto path = temp_path(".model");
  save_model(tiny_model(), path);
  const std::string good = slurp(path);

  spit(path, "hello, I am not a model at all, just some text");
  EXPECT_EQ(load_error(path), path + ": not a propscan model file (bad magic number)");

  spit(path, good.substr(0, good.size() - 10));
  EXPECT_EQ(load_error(path), path + ": model file is truncated or has trailing bytes");

  spit(path, good + "x");
  EXPECT_EQ(load_error(path), path + ": model file is truncated or has trailing bytes");

  spit(path, good.substr(0, 12));
  EXPECT_EQ(load_error(path), path + ": not a propscan model file (bad magic number)");

  std::string flipped = good;
  flipped[flipped.size() - 5] = static_cast<char>(flipped[flipped.size() - 5] ^ 0x40);
  spit(path, flipped);
  EXPECT_EQ(load_error(path), path + ": model checksum mismatch (file is corrupt)");

  // The header's length disagrees with the file's.
  std::string wrong_length = good;
  wrong_length[16] = static_cast<char>(wrong_length[16] + 1);  // u64 at offset 16
  spit(path, wrong_length);
  EXPECT_EQ(load_error(path), path + ": model file is truncated or has trailing bytes");

  // Every way in: model_sections checks the file as load_model does.
  spit(path, flipped);
  EXPECT_EQ(error_of([&] { model_sections(path); }), path + ": model checksum mismatch (file is corrupt)");

  for (const std::uint32_t version : {kModelFormatVersion + 1, kModelFormatVersion - 1, 7u}) {
    std::string other = good;
    std::memcpy(other.data() + 8, &version, sizeof version);  // format version, little-endian u32 at offset 8
    spit(path, other);
    const auto message = load_error(path);
    expect_one_line_naming(message, path);
    EXPECT_EQ(message.rfind(path + ": model format version " + std::to_string(version) + ", ", 0), 0u) << message;
    EXPECT_NE(message.find("reads version " + std::to_string(kModelFormatVersion)), std::string::npos) << message;
  }

  spit(path, "");
  EXPECT_EQ(load_error(path), path + ": not a propscan model file (bad magic number)");
  fs::remove(path);
}

// Saves `tiny_model()` with its sections changed by `edit` (the header kept
// consistent, so only the payload is wrong) and returns the load error.
std::string error_with_sections(const std::function<void(std::vector<RawSection>&)>& edit,
                                const Model& model = tiny_model(), bool listing = false) {
  const auto path = temp_path(".model");
  save_model(model, path);
  auto sections = parse_sections(slurp(path));
  edit(sections);
  spit(path, pack_file(sections));
  const auto message = listing ? error_of([&] { model_sections(path); }) : load_error(path);
  fs::remove(path);
  expect_one_line_naming(message, path);
  return message.substr(path.size() + 2);
}

TEST(ModelFileTest, DuplicatedSectionIsAnError) {
  EXPECT_EQ(error_with_sections([](auto& s) { s.push_back(s[2]); }),
            "corrupt model (section 'tagger.weights' appears twice)");
  EXPECT_EQ(error_with_sections([](auto& s) { s.insert(s.begin(), s[0]); }),
            "corrupt model (section 'config' appears twice)");
  // `propscan info` refuses such a file too.
  EXPECT_EQ(error_with_sections([](auto& s) { s.push_back(s[2]); }, tiny_model(), /*listing=*/true),
            "corrupt model (section 'tagger.weights' appears twice)");
}

TEST(ModelFileTest, TruncatedSectionIsAnError) {
  // A section holds fewer values than its shape says.
  EXPECT_EQ(error_with_sections([](auto& s) { s.back().values.resize(s.back().values.size() - 3); }),
            "corrupt model (section 'classifier.weights' does not hold what its shape says)");
  EXPECT_EQ(error_with_sections([](auto& s) { s[2].values.resize(8); }),
            "corrupt model (section 'tagger.weights' does not hold what its shape says)");
  // Or more.
  EXPECT_EQ(error_with_sections([](auto& s) { s[2].values += "abcd"; }),
            "corrupt model (section 'tagger.weights' does not hold what its shape says)");
  // One whose shape is far larger than any model.
  const auto huge = error_with_sections([](auto& s) { s.back().shape = {std::uint64_t{1} << 40, 14}; });
  EXPECT_EQ(huge.rfind("corrupt model (section 'classifier.weights' ", 0), 0u) << huge;
  // The file ends inside a section (its header still consistent).
  const auto path = temp_path(".model");
  save_model(tiny_model(), path);
  const auto body = slurp(path).substr(kHeader);
  spit(path, with_header(body.substr(0, body.size() - 7)));
  EXPECT_EQ(load_error(path), path + ": corrupt model (file is truncated)");
  EXPECT_EQ(error_of([&] { model_sections(path); }), path + ": corrupt model (file is truncated)");
  spit(path, with_header(body + "junk"));
  const auto trailing = load_error(path);
  expect_one_line_naming(trailing, path);
  EXPECT_NE(trailing.find("trailing bytes"), std::string::npos) << trailing;
  fs::remove(path);
}

TEST(ModelFileTest, FileCutAnywhereIsAnErrorNotACrash) {
  const auto path = temp_path(".model");
  // Every component but the reranker (whose tables are large): cut at every byte.
  auto parts = full_model().parts();
  parts.reranker.reset();
  save_model(Model(parts), path);
  const auto body = slurp(path).substr(kHeader);
  ASSERT_LT(body.size(), 64u * 1024);
  for (std::size_t cut = 0; cut < body.size(); ++cut) {
    spit(path, with_header(body.substr(0, cut)));
    const auto message = load_error(path);
    ASSERT_FALSE(message.empty()) << "cut at " << cut << " loads";
    expect_one_line_naming(message, path);
    const auto listing = error_of([&] { model_sections(path); });
    ASSERT_FALSE(listing.empty()) << "cut at " << cut << " lists";
    expect_one_line_naming(listing, path);
  }
  fs::remove(path);
}

TEST(ModelFileTest, MissingOrMistypedSectionIsAnError) {
  auto drop = [](const std::string& name) {
    return [name](std::vector<RawSection>& s) {
      std::erase_if(s, [&](const RawSection& x) { return x.name == name; });
    };
  };
  EXPECT_EQ(error_with_sections(drop("tagger.weights")), "corrupt model (section 'tagger.weights' is missing)");
  EXPECT_EQ(error_with_sections(drop("config")), "corrupt model (section 'config' is missing)");
  EXPECT_EQ(error_with_sections(drop("training")), "corrupt model (section 'training' is missing)");
  // The same bytes read as 8-bit values.
  EXPECT_EQ(error_with_sections([](auto& s) {
              s[2].dtype = 2;
              s[2].shape[0] *= 4;
            }),
            "corrupt model (section 'tagger.weights' is not float32 of rank 1)");
  EXPECT_EQ(error_with_sections([](auto& s) { s[2].dtype = 9; }),
            "corrupt model (section 'tagger.weights' has an unknown dtype)");
  EXPECT_EQ(error_with_sections([](auto& s) {
              s[0].values = "{not json";
              s[0].shape = {s[0].values.size()};
            }),
            "corrupt model (section 'config' is not valid JSON)");
  // A config without one of its settings.
  const auto no_threshold = error_with_sections([](auto& s) {
    s[0].values = R"({"tagger_bits":4,"classifier_bits":4})";
    s[0].shape = {s[0].values.size()};
  });
  EXPECT_EQ(no_threshold.rfind("corrupt model (section 'config'", 0), 0u) << no_threshold;
  // Weights that do not fit the configuration.
  const auto short_tagger = error_with_sections([](auto& s) {
    s[2].values.resize(s[2].values.size() - 4);
    s[2].shape[0] -= 1;
  });
  EXPECT_EQ(short_tagger.rfind("corrupt model (", 0), 0u) << short_tagger;
}

TEST(ModelFileTest, NetworkSectionsThatDoNotFitAreAnError) {
  const auto wrong_hidden = error_with_sections(
      [](auto& s) {
        auto* config = find_section(s, "network.config");
        config->values = R"({"context":15,"hidden":7,"input_dim":)" + std::to_string(neural::input_dim(3)) +
                        R"(,"layers":2})";
        config->shape = {config->values.size()};
      },
      full_model());
  EXPECT_EQ(wrong_hidden.rfind("corrupt model (", 0), 0u) << wrong_hidden;
  const auto missing_tensor = error_with_sections(
      [](auto& s) { std::erase_if(s, [](const RawSection& x) { return x.name == "network.out.bias"; }); },
      full_model());
  EXPECT_EQ(missing_tensor.rfind("corrupt model (", 0), 0u) << missing_tensor;
  const auto extra_tensor = error_with_sections(
      [](auto& s) {
        RawSection extra = *find_section(s, "network.out.bias");
        extra.name = "network.words.weight";
        s.push_back(extra);
      },
      full_model());
  EXPECT_EQ(extra_tensor.rfind("corrupt model (", 0), 0u) << extra_tensor;
  const auto misshapen = error_with_sections(
      [](auto& s) {
        auto* w = find_section(s, "network.out.weight");
        w->shape = {2, 6};
      },
      full_model());
  EXPECT_EQ(misshapen.rfind("corrupt model (", 0), 0u) << misshapen;
}

// Runs whose inputs repeat an earlier run's take its probabilities instead
// of a second forward pass: the result is what the network gives every run
// read afresh, across the 4,096-token chunks too.
TEST(NetworkTest, RepeatedRunsGetTheProbabilitiesOfAFreshForwardPass) {
  const Model model = full_model();
  const neural::Network& net = *model.network();
  std::u32string text = U"Opening line, once.\n";
  for (int i = 0; i < 1500; ++i) {
    text += U"No. No. Never!\n";
    if (i % 97 == 0) text += U"A line of its own, number " + std::u32string(1, U'0' + static_cast<char32_t>(i % 10)) + U".\n";
  }
  const auto view = model.view(text);
  ASSERT_GT(view.tokens.size(), 4096u * 2);
  const auto probs = net.predict(view);

  const auto runs = neural::sentence_runs(view, net.config().context);
  const neural::LstmInference fresh(net.parameters(), net.config().input_dim, net.config().hidden,
                                    net.config().layers);
  const auto inputs = neural::token_inputs(view);
  std::vector<float> expected(view.tokens.size(), 0.0f);
  for (const auto& run : runs) {  // one run at a time: nothing shared
    fresh.predict(inputs, {run}, expected);
  }
  ASSERT_EQ(probs.size(), expected.size());
  for (std::size_t i = 0; i < probs.size(); ++i) EXPECT_NEAR(probs[i], expected[i], 1e-6f) << "token " << i;
  EXPECT_GT(*std::max_element(probs.begin(), probs.end()), 0.0f);
}

}  // namespace
}  // namespace propscan
