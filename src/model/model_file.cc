#include "model/model_file.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>  // crc32 of the compressed payload
#include <zstd.h>

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

enum class DType : std::uint8_t { kFloat32, kInt8, kUInt8, kText };
constexpr const char* kDTypeNames[] = {"float32", "int8", "uint8", "text"};
std::size_t dtype_size(DType t) { return t == DType::kFloat32 ? 4 : 1; }

struct Section {
  std::string name;
  DType dtype = DType::kFloat32;
  std::vector<std::uint64_t> shape;
  std::string bytes;
};

// ---- writing ----------------------------------------------------------------

template <typename T>
void put(std::string& out, T value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

Section floats(std::string name, const std::vector<float>& v, std::vector<std::uint64_t> shape = {}) {
  if (shape.empty()) shape = {v.size()};
  return {std::move(name), DType::kFloat32, std::move(shape),
          std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float))};
}

Section text(std::string name, std::string s) {
  const std::uint64_t n = s.size();
  return {std::move(name), DType::kText, {n}, std::move(s)};
}

// Words, one a line: none holds a line break (the tokenizer splits there).
Section lines(std::string name, const std::vector<std::string>& items) {
  std::string joined;
  for (const auto& w : items) {
    if (w.find('\n') != std::string::npos) throw Error("model: cannot store '" + w + "' (holds a line break)");
    joined += w;
    joined += '\n';
  }
  return text(std::move(name), std::move(joined));
}

// The section table and data, each section's values one zstd frame.
std::string pack(const std::vector<Section>& sections, const std::string& path) {
  std::string out;
  put<std::uint32_t>(out, static_cast<std::uint32_t>(sections.size()));
  for (const auto& s : sections) {
    put<std::uint16_t>(out, static_cast<std::uint16_t>(s.name.size()));
    out += s.name;
    put<std::uint8_t>(out, static_cast<std::uint8_t>(s.dtype));
    put<std::uint8_t>(out, static_cast<std::uint8_t>(s.shape.size()));
    for (auto d : s.shape) put<std::uint64_t>(out, d);
    std::string packed(ZSTD_compressBound(s.bytes.size()), '\0');
    const std::size_t n = ZSTD_compress(packed.data(), packed.size(), s.bytes.data(), s.bytes.size(), kZstdLevel);
    if (ZSTD_isError(n)) throw Error(path + ": cannot compress model (" + ZSTD_getErrorName(n) + ")");
    put<std::uint64_t>(out, n);
    out.append(packed, 0, n);
  }
  return out;
}

nlohmann::json config_json(const ModelConfig& c) {
  nlohmann::json j = {{"tagger_bits", c.tagger_bits},       {"classifier_bits", c.classifier_bits},
          {"extent_threshold", c.extent_threshold}, {"calibration_a", c.calibration_a},
          {"calibration_b", c.calibration_b},   {"nested_extent", c.nested_extent},
          {"threshold", c.threshold},           {"neural_weight", c.neural_weight}};
  // Written only when set, so that a model without the encoder reads as before.
  if (c.sentence_encoder) j["sentence_encoder"] = true;
  return j;
}

std::vector<Section> sections_of(const Model& model) {
  const ModelParts& p = model.parts();
  std::vector<Section> out;
  out.push_back(text("config", config_json(p.config).dump()));
  out.push_back(text("training", p.info));
  out.push_back(floats("tagger.weights", p.tagger_weights));
  out.push_back(floats("classifier.weights", p.classifier_weights,
                       {p.classifier_weights.size() / kNumTechniques, kNumTechniques}));
  const auto& vectors = p.lexicons.vectors;
  if (vectors.size()) {
    const auto rows = vectors.quantized_rows();
    out.push_back(lines("vectors.words", vectors.words()));
    out.push_back(floats("vectors.scales", rows.scales));
    out.push_back({"vectors.values", DType::kInt8,
                   {vectors.size(), static_cast<std::uint64_t>(vectors.dimension())},
                   std::string(reinterpret_cast<const char*>(rows.values.data()), rows.values.size())});
  }
  if (!p.lexicons.valence.empty()) {
    // Sorted, so the same model always gives the same bytes.
    std::vector<std::pair<std::string, float>> valence(p.lexicons.valence.begin(), p.lexicons.valence.end());
    std::sort(valence.begin(), valence.end());
    std::vector<std::string> words;
    std::vector<float> values;
    for (const auto& [w, v] : valence) {
      words.push_back(w);
      values.push_back(v);
    }
    out.push_back(lines("valence.words", words));
    out.push_back(floats("valence.values", values));
  }
  if (!p.lexicons.cues.empty()) {
    std::vector<std::string> phrases;
    std::string kinds;
    for (const auto* phrase : p.lexicons.cues.sorted()) {
      phrases.push_back(phrase->text);
      kinds.push_back(static_cast<char>(phrase->kind));
    }
    out.push_back(lines("cues.phrases", phrases));
    out.push_back({"cues.kinds", DType::kUInt8, {kinds.size()}, kinds});
  }
  if (const auto* net = model.network()) {
    const auto& c = net->config();
    out.push_back(text("network.config", nlohmann::json{{"input_dim", c.input_dim},
                                                         {"hidden", c.hidden},
                                                         {"layers", c.layers},
                                                         {"context", c.context}}
                                             .dump()));
    for (const auto& t : net->parameters()) {
      std::vector<std::uint64_t> shape(t.shape.begin(), t.shape.end());
      out.push_back(floats("network." + t.name, t.values, shape));
    }
  }
  if (const auto* r = model.reranker()) {
    out.push_back(floats("reranker.weights", r->weights));
    if (r->sentence_weights) out.push_back(floats("reranker.sentence", *r->sentence_weights));
    if (r->density_weights) out.push_back(floats("reranker.density", *r->density_weights));
    if (r->passage_weights) out.push_back(floats("reranker.passage_text", *r->passage_weights));
  }
  if (const auto& c = model.parts().calibration) {
    out.push_back(floats("calibration.scores", c->scores));
    out.push_back(floats("calibration.precision", c->precision));
    out.push_back(floats("calibration.articles", c->article_scores));
  }
  return out;
}

// ---- reading ----------------------------------------------------------------

// The file mapped into memory, read-only.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st {};
    if (fd_ < 0 || ::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
      if (fd_ >= 0) ::close(fd_);
      throw Error(path + ": model file not found or unreadable");
    }
    size_ = static_cast<std::size_t>(st.st_size);
    if (size_ > 0) {
      void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd_, 0);
      if (p == MAP_FAILED) {
        ::close(fd_);
        throw Error(path + ": cannot map the model file");
      }
      data_ = static_cast<const char*>(p);
    }
  }
  ~MappedFile() {
    if (data_) ::munmap(const_cast<char*>(data_), size_);
    if (fd_ >= 0) ::close(fd_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  std::string_view bytes() const { return {data_, size_}; }

 private:
  int fd_ = -1;
  const char* data_ = nullptr;
  std::size_t size_ = 0;
};

// Bounds-checked reading: a short file is an error, never a crash.
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
  std::string_view take(std::uint64_t n) {
    need(n);
    const auto s = bytes_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  bool at_end() const { return pos_ == bytes_.size(); }
  [[noreturn]] void fail(const std::string& what) const { throw Error(path_ + ": corrupt model (" + what + ")"); }

 private:
  void need(std::uint64_t n) const {
    if (n > bytes_.size() - pos_) fail("file is truncated");
  }
  std::string_view bytes_;
  std::size_t pos_ = 0;
  const std::string& path_;
};

// Memory for `n` values whose pages the kernel may back with huge pages:
// the weight tables are tens of megabytes, and faulting them in 4 KiB pages
// is a large part of the time a model takes to load.
template <typename T>
std::vector<T> huge_buffer(std::uint64_t n) {
  std::vector<T> v;
  v.reserve(n);
  constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
  const auto begin = (reinterpret_cast<std::uintptr_t>(v.data()) + kHuge - 1) & ~(kHuge - 1);
  const auto end = reinterpret_cast<std::uintptr_t>(v.data() + n) & ~(kHuge - 1);
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);  // a hint only
  v.resize(n);
  return v;
}

// A section as the file holds it: its compressed values are decompressed
// only when taken, straight into the array that keeps them.
struct StoredSection {
  std::string name;
  DType dtype = DType::kFloat32;
  std::vector<std::uint64_t> shape;
  std::uint64_t size_bytes = 0;  // once decompressed
  std::string_view packed;
};

// The model file checked (magic, version, length, checksum) and its section
// table read; the file stays mapped while sections are taken.
class ModelReader {
 public:
  explicit ModelReader(const std::string& path) : file_(path), path_(path) {
    const auto bytes = file_.bytes();
    if (bytes.size() < kHeaderSize || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
      throw Error(path + ": not a propscan model file (bad magic number)");
    }
    std::uint32_t version = 0, checksum = 0;
    std::uint64_t length = 0;
    std::memcpy(&version, bytes.data() + 8, 4);
    std::memcpy(&checksum, bytes.data() + 12, 4);
    std::memcpy(&length, bytes.data() + 16, 8);
    if (version != kModelFormatVersion) {
      throw Error(path + ": model format version " + std::to_string(version) + ", this propscan reads version " +
                  std::to_string(kModelFormatVersion) + " (retrain the model or use the propscan that wrote it)");
    }
    if (length != bytes.size() - kHeaderSize) throw Error(path + ": model file is truncated or has trailing bytes");
    const auto body = bytes.substr(kHeaderSize);
    if (crc32(0L, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size())) != checksum) {
      throw Error(path + ": model checksum mismatch (file is corrupt)");
    }
    Reader r(body, path);
    const auto count = r.get<std::uint32_t>();
    if (count > 4096) r.fail("too many sections");
    for (std::uint32_t k = 0; k < count; ++k) {
      StoredSection s;
      s.name = std::string(r.take(r.get<std::uint16_t>()));
      const auto dtype = r.get<std::uint8_t>();
      if (dtype > static_cast<std::uint8_t>(DType::kText)) r.fail("section '" + s.name + "' has an unknown dtype");
      s.dtype = static_cast<DType>(dtype);
      const auto rank = r.get<std::uint8_t>();
      if (rank > 4) r.fail("section '" + s.name + "' has rank " + std::to_string(rank));
      std::uint64_t n = 1;
      for (int d = 0; d < rank; ++d) {
        const auto dim = r.get<std::uint64_t>();
        if (dim != 0 && n > (std::uint64_t{1} << 34) / dim) r.fail("section '" + s.name + "' is too large");
        n *= dim;
        s.shape.push_back(dim);
      }
      s.size_bytes = n * dtype_size(s.dtype);
      s.packed = r.take(r.get<std::uint64_t>());
      const auto content = ZSTD_getFrameContentSize(s.packed.data(), s.packed.size());
      if (content != s.size_bytes) r.fail("section '" + s.name + "' does not hold what its shape says");
      sections_.push_back(std::move(s));
    }
    if (!r.at_end()) r.fail("trailing bytes after the sections");
    for (std::size_t k = 0; k < sections_.size(); ++k) {
      if (!by_name_.emplace(sections_[k].name, k).second) fail("section '" + sections_[k].name + "' appears twice");
    }
    dctx_ = ZSTD_createDCtx();
    if (!dctx_) throw std::bad_alloc();
  }
  ~ModelReader() { ZSTD_freeDCtx(dctx_); }
  ModelReader(const ModelReader&) = delete;
  ModelReader& operator=(const ModelReader&) = delete;

  const std::vector<StoredSection>& sections() const { return sections_; }
  bool has(const std::string& name) const { return by_name_.count(name) > 0; }

  std::vector<float> floats(const std::string& name, std::size_t rank = 1) {
    const auto& s = get(name, DType::kFloat32, rank);
    auto v = huge_buffer<float>(s.size_bytes / sizeof(float));
    decompress(s, v.data());
    return v;
  }
  std::optional<std::vector<float>> optional_floats(const std::string& name) {
    if (!has(name)) return std::nullopt;
    return floats(name);
  }
  template <typename T>
  std::vector<T> bytes(const std::string& name, DType dtype, std::size_t rank) {
    const auto& s = get(name, dtype, rank);
    auto v = huge_buffer<T>(s.size_bytes);
    decompress(s, v.data());
    return v;
  }
  std::string text(const std::string& name) {
    const auto& s = get(name, DType::kText, 1);
    std::string t(s.size_bytes, '\0');
    decompress(s, t.data());
    return t;
  }
  nlohmann::json json(const std::string& name) {
    try {
      return nlohmann::json::parse(text(name));
    } catch (const nlohmann::json::exception&) {
      fail("section '" + name + "' is not valid JSON");
    }
  }
  std::vector<std::string> lines(const std::string& name) {
    const std::string t = text(name);
    if (!t.empty() && t.back() != '\n') fail("section '" + name + "' does not end with a line break");
    std::vector<std::string> out;
    out.reserve(static_cast<std::size_t>(std::count(t.begin(), t.end(), '\n')));
    for (std::size_t pos = 0; pos < t.size();) {
      const auto nl = t.find('\n', pos);
      out.emplace_back(t, pos, nl - pos);
      pos = nl + 1;
    }
    return out;
  }
  const std::vector<std::uint64_t>& shape(const std::string& name) { return sections_[index(name)].shape; }
  // The network's parameters: every "network.<name>" float section but the config.
  std::vector<neural::NamedTensor> network_parameters() {
    std::vector<neural::NamedTensor> out;
    for (const auto& s : sections_) {
      if (!s.name.starts_with("network.") || s.name == "network.config") continue;
      neural::NamedTensor t;
      t.name = s.name.substr(8);
      t.shape.assign(s.shape.begin(), s.shape.end());
      t.values = floats(s.name, s.shape.size());
      out.push_back(std::move(t));
    }
    return out;
  }
  [[noreturn]] void fail(const std::string& what) const { throw Error(path_ + ": corrupt model (" + what + ")"); }

 private:
  std::size_t index(const std::string& name) const {
    auto it = by_name_.find(name);
    if (it == by_name_.end()) fail("section '" + name + "' is missing");
    return it->second;
  }
  const StoredSection& get(const std::string& name, DType dtype, std::size_t rank) const {
    const auto& s = sections_[index(name)];
    if (s.dtype != dtype || s.shape.size() != rank) {
      fail("section '" + name + "' is not " + kDTypeNames[static_cast<int>(dtype)] + " of rank " +
           std::to_string(rank));
    }
    return s;
  }
  void decompress(const StoredSection& s, void* out) {
    const std::size_t n = ZSTD_decompressDCtx(dctx_, out, s.size_bytes, s.packed.data(), s.packed.size());
    if (ZSTD_isError(n) || n != s.size_bytes) fail("section '" + s.name + "' cannot be decompressed");
  }

  MappedFile file_;
  const std::string& path_;
  std::vector<StoredSection> sections_;
  std::map<std::string, std::size_t> by_name_;
  ZSTD_DCtx* dctx_ = nullptr;
};

ModelConfig parse_config(const nlohmann::json& j) {
  ModelConfig c;
  c.tagger_bits = j.at("tagger_bits").get<std::uint32_t>();
  c.classifier_bits = j.at("classifier_bits").get<std::uint32_t>();
  c.extent_threshold = j.at("extent_threshold").get<float>();
  c.calibration_a = j.at("calibration_a").get<float>();
  c.calibration_b = j.at("calibration_b").get<float>();
  c.nested_extent = j.at("nested_extent").get<float>();
  c.threshold = j.at("threshold").get<float>();
  c.neural_weight = j.at("neural_weight").get<float>();
  c.sentence_encoder = j.value("sentence_encoder", false);
  return c;
}

ModelParts parts_of(ModelReader& s) {
  ModelParts p;
  try {
    p.config = parse_config(s.json("config"));
  } catch (const nlohmann::json::exception& e) {
    s.fail(std::string("section 'config': ") + e.what());
  }
  p.info = s.text("training");
  p.tagger_weights = s.floats("tagger.weights");
  p.classifier_weights = s.floats("classifier.weights", 2);
  if (s.has("vectors.words")) {
    auto words = s.lines("vectors.words");
    lexicon::QuantizedRows rows;
    rows.values = s.bytes<std::int8_t>("vectors.values", DType::kInt8, 2);
    rows.scales = s.floats("vectors.scales");
    const auto& shape = s.shape("vectors.values");
    const auto dimension = shape[1];
    if (shape[0] != words.size() || rows.scales.size() != words.size() || dimension == 0 || dimension > 4096) {
      s.fail("word-vector sections do not agree");
    }
    p.lexicons.vectors = lexicon::WordVectors(static_cast<int>(dimension), std::move(words), std::move(rows));
  }
  if (s.has("valence.words")) {
    const auto words = s.lines("valence.words");
    const auto values = s.floats("valence.values");
    if (words.size() != values.size()) s.fail("valence sections do not agree");
    p.lexicons.valence.reserve(words.size());
    for (std::size_t i = 0; i < words.size(); ++i) p.lexicons.valence[words[i]] = values[i];
  }
  if (s.has("cues.phrases")) {
    const auto phrases = s.lines("cues.phrases");
    const auto kinds = s.bytes<std::uint8_t>("cues.kinds", DType::kUInt8, 1);
    if (phrases.size() != kinds.size()) s.fail("cue phrase sections do not agree");
    for (std::size_t i = 0; i < phrases.size(); ++i) {
      const auto kind = static_cast<std::uint8_t>(kinds[i]);
      if (kind >= lexicon::kNumCueKinds) s.fail("bad cue phrase kind");
      p.lexicons.cues.add(static_cast<lexicon::CueKind>(kind), phrases[i]);
    }
  }
  if (s.has("network.config")) {
    neural::NetConfig nc;
    try {
      const auto j = s.json("network.config");
      nc.input_dim = j.at("input_dim").get<std::uint32_t>();
      nc.hidden = j.at("hidden").get<std::uint32_t>();
      nc.layers = j.at("layers").get<std::uint32_t>();
      nc.context = j.at("context").get<std::uint32_t>();
    } catch (const nlohmann::json::exception& e) {
      s.fail(std::string("section 'network.config': ") + e.what());
    }
    p.network.emplace(nc, s.network_parameters());
  }
  if (s.has("reranker.weights")) {
    RerankerParts r;
    r.weights = s.floats("reranker.weights");
    r.sentence_weights = s.optional_floats("reranker.sentence");
    r.density_weights = s.optional_floats("reranker.density");
    r.passage_weights = s.optional_floats("reranker.passage_text");
    p.reranker = std::move(r);
  }
  if (s.has("calibration.scores")) {
    ScoreCalibration c;
    c.scores = s.floats("calibration.scores");
    c.precision = s.floats("calibration.precision");
    c.article_scores = s.floats("calibration.articles");
    if (c.scores.empty() || c.scores.size() != c.precision.size() || c.article_scores.empty() ||
        !std::is_sorted(c.scores.begin(), c.scores.end()) ||
        !std::is_sorted(c.article_scores.begin(), c.article_scores.end())) {
      s.fail("calibration sections do not agree");
    }
    p.calibration = std::move(c);
  }
  return p;
}

}  // namespace

void save_model(const Model& model, const std::string& path) {
  const std::string body = pack(sections_of(model), path);
  std::string file(kMagic, sizeof kMagic);
  put<std::uint32_t>(file, kModelFormatVersion);
  put<std::uint32_t>(file, static_cast<std::uint32_t>(
                               crc32(0L, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()))));
  put<std::uint64_t>(file, body.size());
  file += body;

  // Write to a temporary name first so a crash never leaves half a model.
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(path + ": cannot open for writing");
    out.write(file.data(), static_cast<std::streamsize>(file.size()));
    if (!out) throw Error(path + ": write failed");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw Error(path + ": cannot move model into place (" + ec.message() + ")");
}

std::shared_ptr<const Model> load_model(const std::string& path) {
  try {
    ModelReader reader(path);
    ModelParts parts = parts_of(reader);
    if (parts.config.sentence_encoder) {
      const std::string dir = encoder::SentenceEncoder::default_dir();
      try {
        parts.lexicons.encoder = std::make_shared<const encoder::SentenceEncoder>(encoder::SentenceEncoder::load(dir));
      } catch (const Error& e) {
        throw Error(path + ": this model needs the sentence encoder, the npm package " +
                    std::string(encoder::SentenceEncoder::kPackage) + " (scripts/setup.sh installs it): " + e.what());
      }
    }
    return std::make_shared<const Model>(std::move(parts));
  } catch (const Error& e) {
    if (std::string_view(e.what()).starts_with(path)) throw;
    throw Error(path + ": corrupt model (" + e.what() + ")");
  }
}

std::vector<SectionInfo> model_sections(const std::string& path) {
  const ModelReader reader(path);
  std::vector<SectionInfo> out;
  for (const auto& s : reader.sections()) {
    out.push_back({s.name, kDTypeNames[static_cast<int>(s.dtype)], s.shape, s.size_bytes});
  }
  return out;
}

}  // namespace propscan
