#include "model/model_file.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <zlib.h>  // crc32 of the compressed payload
#include <zstd.h>

#include "io/input.h"
#include "propscan/error.h"

namespace propscan {
namespace {

static_assert(std::endian::native == std::endian::little, "model files are little-endian");

constexpr char kMagic[8] = {'P', 'S', 'C', 'N', 'M', 'O', 'D', 'L'};
constexpr std::size_t kHeaderSize = 24;
// zstd at this level packs the shipped model a little smaller than zlib's
// best and unpacks it about three times as fast (model load is part of every
// run); higher levels take many times longer to save for under 3% less.
constexpr int kZstdLevel = 12;

class Writer {
 public:
  template <typename T>
  void put(T value) {
    const auto* p = reinterpret_cast<const char*>(&value);
    bytes_.append(p, sizeof value);
  }
  void put_string(const std::string& s) {
    put<std::uint64_t>(s.size());
    bytes_ += s;
  }
  void put_floats(const std::vector<float>& v) {
    put<std::uint64_t>(v.size());
    bytes_.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
  }
  std::string& bytes() { return bytes_; }

 private:
  std::string bytes_;
};

// Bounds-checked reading: a short payload is an error, never a crash.
class Reader {
 public:
  Reader(std::string_view bytes, const std::string& path) : bytes_(bytes), path_(path) {}
  template <typename T>
  T get() {
    need(sizeof(T));
    T value;
    std::memcpy(&value, bytes_.data() + pos_, sizeof value);
    pos_ += sizeof value;
    return value;
  }
  std::string get_string() {
    auto n = get<std::uint64_t>();
    need(n);
    std::string s(bytes_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  std::vector<float> get_floats() {
    auto n = get<std::uint64_t>();
    if (n > (bytes_.size() - pos_) / sizeof(float)) fail("weight array runs past the end");
    std::vector<float> v(n);
    std::memcpy(v.data(), bytes_.data() + pos_, n * sizeof(float));
    pos_ += n * sizeof(float);
    return v;
  }
  bool at_end() const { return pos_ == bytes_.size(); }
  [[noreturn]] void fail(const std::string& what) const { throw Error(path_ + ": corrupt model (" + what + ")"); }

 private:
  void need(std::uint64_t n) const {
    if (n > bytes_.size() - pos_) fail("payload is truncated");
  }
  std::string_view bytes_;
  std::size_t pos_ = 0;
  const std::string& path_;
};

}  // namespace

void save_model(const Model& model, const std::string& path) {
  Writer payload;
  const auto& c = model.config();
  payload.put<std::uint32_t>(c.tagger_bits);
  payload.put<std::uint32_t>(c.classifier_bits);
  payload.put<float>(c.extent_threshold);
  payload.put<float>(c.calibration_a);
  payload.put<float>(c.calibration_b);
  payload.put<float>(c.nested_extent);
  payload.put<float>(c.threshold);
  payload.put<float>(c.neural_weight);
  payload.put_string(model.info());
  payload.put_floats(model.tagger_weights());
  payload.put_floats(model.classifier_weights());

  const auto& vectors = model.lexicons().vectors;
  payload.put<std::uint32_t>(static_cast<std::uint32_t>(vectors.dimension()));
  payload.put<std::uint64_t>(vectors.size());
  for (const auto& w : vectors.words()) payload.put_string(w);
  if (vectors.size()) {
    auto rows = lexicon::quantize_rows(vectors);
    payload.put_floats(rows.scales);
    payload.put_string(std::string(rows.values.begin(), rows.values.end()));
  }
  // Sorted, so the same model always gives the same bytes.
  std::vector<std::pair<std::string, float>> valence(model.lexicons().valence.begin(),
                                                     model.lexicons().valence.end());
  std::sort(valence.begin(), valence.end());
  payload.put<std::uint64_t>(valence.size());
  for (const auto& [word, v] : valence) {
    payload.put_string(word);
    payload.put<float>(v);
  }
  const auto cues = model.lexicons().cues.sorted();
  payload.put<std::uint64_t>(cues.size());
  for (const auto* phrase : cues) {
    payload.put<std::uint8_t>(static_cast<std::uint8_t>(phrase->kind));
    payload.put_string(phrase->text);
  }
  const auto* net = model.sequence_tagger();
  payload.put<std::uint8_t>(net ? 1 : 0);
  if (net) {
    payload.put<std::uint32_t>(net->config().input_dim);
    payload.put<std::uint32_t>(net->config().hidden);
    payload.put<std::uint32_t>(net->config().layers);
    payload.put<std::uint32_t>(net->config().outputs);
    payload.put<std::uint8_t>(net->config().reads_linear ? 1 : 0);
    payload.put<std::uint32_t>(net->config().members);
    payload.put<std::uint32_t>(net->config().context);
    payload.put<std::uint32_t>(net->config().word_buckets);
    payload.put<std::uint32_t>(net->config().word_dim);
    const auto params = net->parameters();
    payload.put<std::uint64_t>(params.size());
    for (const auto& p : params) {
      payload.put_string(p.name);
      payload.put<std::uint64_t>(p.shape.size());
      for (auto d : p.shape) payload.put<std::int64_t>(d);
      payload.put_floats(p.values);
    }
  }
  payload.put_floats(model.reranker_weights());
  // The boosted-tree reranker: trees of (feature, threshold, yes, no, leaf).
  const auto& trees = model.reranker_trees();
  payload.put<std::uint32_t>(trees.features());
  payload.put<std::uint64_t>(trees.trees().size());
  for (const auto& nodes : trees.trees()) {
    payload.put<std::uint64_t>(nodes.size());
    for (const auto& node : nodes) {
      payload.put<std::int32_t>(node.feature);
      payload.put<float>(node.threshold);
      payload.put<std::int32_t>(node.yes);
      payload.put<std::int32_t>(node.no);
      payload.put<float>(node.leaf);
    }
  }
  payload.put_floats(model.sentence_weights());
  payload.put_floats(model.density_weights());
  payload.put_floats(model.passage_weights());
  const std::string& raw = payload.bytes();

  std::string packed(ZSTD_compressBound(raw.size()), '\0');
  const std::size_t packed_size = ZSTD_compress(packed.data(), packed.size(), raw.data(), raw.size(), kZstdLevel);
  if (ZSTD_isError(packed_size)) throw Error(path + ": cannot compress model (" + ZSTD_getErrorName(packed_size) + ")");
  packed.resize(packed_size);

  Writer file;
  file.bytes().append(kMagic, sizeof kMagic);
  file.put<std::uint32_t>(kModelFormatVersion);
  file.put<std::uint64_t>(packed.size());
  file.put<std::uint32_t>(static_cast<std::uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(packed.data()), static_cast<uInt>(packed.size()))));
  file.put<std::uint64_t>(raw.size());
  file.bytes() += packed;

  // Write to a temporary name first so a crash never leaves half a model.
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(path + ": cannot open for writing");
    out.write(file.bytes().data(), static_cast<std::streamsize>(file.bytes().size()));
    if (!out) throw Error(path + ": write failed");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw Error(path + ": cannot move model into place (" + ec.message() + ")");
}

std::shared_ptr<const Model> load_model(const std::string& path) {
  std::string bytes;
  try {
    bytes = io::read_file_bytes(path);
  } catch (const Error&) {
    throw Error(path + ": model file not found or unreadable");
  }
  if (bytes.size() < kHeaderSize + 8 || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    throw Error(path + ": not a propscan model file (bad magic number)");
  }
  Reader header(std::string_view(bytes).substr(sizeof kMagic, kHeaderSize - sizeof kMagic + 8), path);
  const auto version = header.get<std::uint32_t>();
  if (version < kOldestModelFormatVersion || version > kModelFormatVersion) {
    throw Error(path + ": model format version " + std::to_string(version) + ", this propscan reads versions " +
                std::to_string(kOldestModelFormatVersion) + " to " + std::to_string(kModelFormatVersion));
  }
  const auto packed_size = header.get<std::uint64_t>();
  const auto checksum = header.get<std::uint32_t>();
  const auto raw_size = header.get<std::uint64_t>();
  if (packed_size != bytes.size() - kHeaderSize - 8) {
    throw Error(path + ": model file is truncated or has trailing bytes");
  }
  const auto* packed = reinterpret_cast<const Bytef*>(bytes.data() + kHeaderSize + 8);
  if (crc32(0L, packed, static_cast<uInt>(packed_size)) != checksum) {
    throw Error(path + ": model checksum mismatch (file is corrupt)");
  }
  if (raw_size > (std::uint64_t{1} << 32)) throw Error(path + ": corrupt model (payload too large)");
  // The frame's own length must agree before anything is allocated for it.
  const auto corrupt = [&] { return Error(path + ": corrupt model (cannot decompress)"); };
  if (ZSTD_getFrameContentSize(packed, packed_size) != raw_size) throw corrupt();
  std::string raw(raw_size, '\0');
  if (ZSTD_decompress(raw.data(), raw.size(), packed, packed_size) != raw_size) throw corrupt();

  Reader r(raw, path);
  ModelConfig c;
  c.tagger_bits = r.get<std::uint32_t>();
  c.classifier_bits = r.get<std::uint32_t>();
  c.extent_threshold = r.get<float>();
  c.calibration_a = r.get<float>();
  c.calibration_b = r.get<float>();
  c.nested_extent = r.get<float>();
  c.threshold = r.get<float>();
  c.neural_weight = r.get<float>();
  if (c.tagger_bits < 4 || c.tagger_bits > 26 || c.classifier_bits < 4 || c.classifier_bits > 26) {
    r.fail("feature table sizes out of range");
  }
  std::string info = r.get_string();
  auto tagger = r.get_floats();
  auto classifier = r.get_floats();

  ModelLexicons lexicons;
  const auto dimension = r.get<std::uint32_t>();
  const auto n_words = r.get<std::uint64_t>();
  if (dimension > 4096 || (n_words > 0 && dimension == 0) || n_words > raw.size()) r.fail("bad word-vector table");
  std::vector<std::string> words(n_words);
  for (auto& w : words) w = r.get_string();
  try {
    if (n_words) {
      lexicon::QuantizedRows rows;
      rows.scales = r.get_floats();
      std::string q = r.get_string();
      rows.values.assign(q.begin(), q.end());
      lexicons.vectors = lexicon::dequantize_rows(static_cast<int>(dimension), std::move(words), rows);
    }
    const auto n_valence = r.get<std::uint64_t>();
    if (n_valence > raw.size()) r.fail("bad lexicon size");
    for (std::uint64_t i = 0; i < n_valence; ++i) {
      std::string word = r.get_string();
      lexicons.valence[word] = r.get<float>();
    }
    const auto n_cues = r.get<std::uint64_t>();
    if (n_cues > raw.size()) r.fail("bad cue phrase count");
    for (std::uint64_t i = 0; i < n_cues; ++i) {
      const auto kind = r.get<std::uint8_t>();
      if (kind >= lexicon::kNumCueKinds) r.fail("bad cue phrase kind");
      lexicons.cues.add(static_cast<lexicon::CueKind>(kind), r.get_string());
    }
    std::shared_ptr<const neural::SequenceTagger> net;
    if (r.get<std::uint8_t>()) {
      neural::NetConfig nc;
      nc.input_dim = r.get<std::uint32_t>();
      nc.hidden = r.get<std::uint32_t>();
      nc.layers = r.get<std::uint32_t>();
      nc.outputs = r.get<std::uint32_t>();
      const auto reads_linear = r.get<std::uint8_t>();
      if (reads_linear > 1) r.fail("bad network flag");
      nc.reads_linear = reads_linear == 1;
      nc.members = r.get<std::uint32_t>();
      nc.context = r.get<std::uint32_t>();
      nc.word_buckets = r.get<std::uint32_t>();
      nc.word_dim = r.get<std::uint32_t>();
      if (nc.input_dim == 0 || nc.input_dim > 4096 || nc.hidden == 0 || nc.hidden > 4096 || nc.layers == 0 ||
          nc.layers > 8 || nc.outputs == 0 || nc.outputs > 64 || nc.members == 0 || nc.members > 16 ||
          nc.context == 0 || nc.context > 100'000 || nc.word_buckets > (1u << 24) || nc.word_dim > 1024 ||
          (nc.word_buckets > 0) != (nc.word_dim > 0)) {
        r.fail("bad network size");
      }
      const auto n_params = r.get<std::uint64_t>();
      if (n_params > 1024) r.fail("bad parameter count");
      std::vector<neural::NamedTensor> params(n_params);
      for (auto& p : params) {
        p.name = r.get_string();
        const auto ndim = r.get<std::uint64_t>();
        if (ndim > 4) r.fail("bad tensor rank");
        for (std::uint64_t k = 0; k < ndim; ++k) p.shape.push_back(r.get<std::int64_t>());
        p.values = r.get_floats();
      }
      net = std::make_shared<const neural::SequenceTagger>(nc, params);
    }
    auto reranker = r.get_floats();
    const auto tree_features = r.get<std::uint32_t>();
    const auto n_trees = r.get<std::uint64_t>();
    if (n_trees > 100'000) r.fail("bad tree count");
    std::vector<std::vector<model::TreeNode>> trees(n_trees);
    for (auto& nodes : trees) {
      const auto n_nodes = r.get<std::uint64_t>();
      if (n_nodes > 1'000'000) r.fail("bad tree size");
      nodes.resize(n_nodes);
      for (auto& node : nodes) {
        node.feature = r.get<std::int32_t>();
        node.threshold = r.get<float>();
        node.yes = r.get<std::int32_t>();
        node.no = r.get<std::int32_t>();
        node.leaf = r.get<float>();
      }
    }
    auto sentence_weights = r.get_floats();
    auto density_weights = r.get_floats();
    std::vector<float> passage_weights;
    if (version >= 8) passage_weights = r.get_floats();
    if (!r.at_end()) r.fail("trailing bytes in payload");
    return std::make_shared<const Model>(c, std::move(tagger), std::move(classifier), std::move(info),
                                         std::move(lexicons), std::move(net), std::move(reranker),
                                         model::TreeEnsemble(std::move(trees), tree_features),
                                         std::move(sentence_weights), std::move(density_weights),
                                         std::move(passage_weights));
  } catch (const Error& e) {
    if (std::string_view(e.what()).starts_with(path)) throw;
    r.fail(e.what());
  }
}

}  // namespace propscan
