#include "lexicon/word_vectors.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "propscan/error.h"

namespace propscan::lexicon {
namespace {

constexpr char kMagic[8] = {'P', 'S', 'C', 'N', 'V', 'E', 'C', '1'};

// SAX handler that keeps only the "vectors" object: for each key (a word) the
// first `dimension` numbers of its array.
class WinkHandler : public nlohmann::json_sax<nlohmann::json> {
 public:
  int dimension = 0;
  std::vector<std::string> words;
  std::vector<float> values;

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t v) override { return number(static_cast<double>(v)); }
  bool number_unsigned(number_unsigned_t v) override { return number(static_cast<double>(v)); }
  bool number_float(number_float_t v, const string_t&) override { return number(v); }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override {
    ++depth_;
    return true;
  }
  bool end_object() override {
    if (depth_ == 2) in_vectors_ = false;
    --depth_;
    return true;
  }
  bool key(string_t& k) override {
    if (depth_ == 1) {
      in_vectors_ = k == "vectors";
    } else if (depth_ == 2 && in_vectors_) {
      words.push_back(k);
      seen_ = 0;
    }
    last_top_key_ = depth_ == 1 ? k : last_top_key_;
    return true;
  }
  bool start_array(std::size_t) override {
    ++depth_;
    return true;
  }
  bool end_array() override {
    if (in_vectors_ && depth_ == 3 && seen_ < dimension) {
      throw Error("word vector of '" + words.back() + "' is shorter than " + std::to_string(dimension));
    }
    --depth_;
    return true;
  }
  bool parse_error(std::size_t pos, const std::string&, const nlohmann::detail::exception&) override {
    throw Error("malformed JSON near byte " + std::to_string(pos));
  }

 private:
  bool number(double v) {
    if (depth_ == 1 && last_top_key_ == "dimensions") dimension = static_cast<int>(v);
    if (in_vectors_ && depth_ == 3) {
      if (dimension <= 0) throw Error("'dimensions' must come before 'vectors'");
      if (seen_ < dimension) values.push_back(static_cast<float>(v));
      ++seen_;
    }
    return true;
  }
  int depth_ = 0;
  int seen_ = 0;
  bool in_vectors_ = false;
  std::string last_top_key_;
};

}  // namespace

WordVectors::WordVectors(int dimension, std::vector<std::string> words, std::vector<float> values)
    : dimension_(dimension), words_(std::move(words)), values_(std::move(values)) {
  if (dimension_ <= 0 || values_.size() != words_.size() * dim()) {
    throw Error("word vectors: " + std::to_string(values_.size()) + " values do not fit " +
                std::to_string(words_.size()) + " words of dimension " + std::to_string(dimension_));
  }
  index_.reserve(words_.size());
  for (std::size_t i = 0; i < words_.size(); ++i) index_.emplace(words_[i], static_cast<std::uint32_t>(i));
}

WordVectors WordVectors::from_wink_json(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open word vectors");
  WinkHandler handler;
  try {
    nlohmann::json::sax_parse(in, &handler);
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
  if (handler.words.empty()) throw Error(path + ": no \"vectors\" found");
  return WordVectors(handler.dimension, std::move(handler.words), std::move(handler.values));
}

void WordVectors::save(const std::string& path) const {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(path + ": cannot open for writing");
  const std::uint32_t d = static_cast<std::uint32_t>(dimension_);
  const std::uint64_t n = words_.size();
  out.write(kMagic, sizeof kMagic);
  out.write(reinterpret_cast<const char*>(&d), sizeof d);
  out.write(reinterpret_cast<const char*>(&n), sizeof n);
  for (const auto& w : words_) {
    const std::uint32_t len = static_cast<std::uint32_t>(w.size());
    out.write(reinterpret_cast<const char*>(&len), sizeof len);
    out.write(w.data(), len);
  }
  out.write(reinterpret_cast<const char*>(values_.data()), static_cast<std::streamsize>(values_.size() * sizeof(float)));
  if (!out) throw Error(path + ": write failed");
}

WordVectors WordVectors::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open word vectors (run `make data`)");
  char magic[8];
  std::uint32_t d = 0;
  std::uint64_t n = 0;
  in.read(magic, sizeof magic);
  in.read(reinterpret_cast<char*>(&d), sizeof d);
  in.read(reinterpret_cast<char*>(&n), sizeof n);
  if (!in || std::memcmp(magic, kMagic, sizeof kMagic) != 0) throw Error(path + ": not a propscan word-vector file");
  if (d == 0 || d > 4096 || n > 50'000'000) throw Error(path + ": corrupt word-vector header");
  std::vector<std::string> words(n);
  for (auto& w : words) {
    std::uint32_t len = 0;
    in.read(reinterpret_cast<char*>(&len), sizeof len);
    if (!in || len > 4096) throw Error(path + ": corrupt word list");
    w.resize(len);
    in.read(w.data(), len);
  }
  std::vector<float> values(n * d);
  in.read(reinterpret_cast<char*>(values.data()), static_cast<std::streamsize>(values.size() * sizeof(float)));
  if (!in) throw Error(path + ": truncated word-vector file");
  return WordVectors(static_cast<int>(d), std::move(words), std::move(values));
}

const float* WordVectors::find(std::string_view word) const {
  auto it = index_.find(std::string(word));
  if (it == index_.end()) {
    auto apostrophe = word.find('\'');
    if (apostrophe == std::string_view::npos || apostrophe == 0) return nullptr;
    it = index_.find(std::string(word.substr(0, apostrophe)));
    if (it == index_.end()) return nullptr;
  }
  return values_.data() + static_cast<std::size_t>(it->second) * dim();
}

QuantizedRows quantize_rows(const WordVectors& vectors) {
  const auto d = static_cast<std::size_t>(vectors.dimension());
  QuantizedRows rows;
  rows.values.resize(vectors.values().size());
  rows.scales.resize(vectors.size());
  for (std::size_t r = 0; r < vectors.size(); ++r) {
    const float* v = vectors.values().data() + r * d;
    float largest = 0.0f;
    for (std::size_t k = 0; k < d; ++k) largest = std::max(largest, std::abs(v[k]));
    const float scale = largest > 0.0f ? largest / 127.0f : 1.0f;
    rows.scales[r] = scale;
    for (std::size_t k = 0; k < d; ++k) {
      rows.values[r * d + k] = static_cast<std::int8_t>(std::lround(v[k] / scale));
    }
  }
  return rows;
}

WordVectors dequantize_rows(int dimension, std::vector<std::string> words, const QuantizedRows& rows) {
  const auto d = static_cast<std::size_t>(dimension);
  if (rows.scales.size() != words.size() || rows.values.size() != words.size() * d) {
    throw Error("quantized word vectors: sizes do not match");
  }
  std::vector<float> values(rows.values.size());
  for (std::size_t r = 0; r < words.size(); ++r) {
    for (std::size_t k = 0; k < d; ++k) values[r * d + k] = rows.values[r * d + k] * rows.scales[r];
  }
  return WordVectors(dimension, std::move(words), std::move(values));
}

WordVectors quantize(const WordVectors& vectors) {
  if (vectors.size() == 0) return vectors;
  return dequantize_rows(vectors.dimension(), vectors.words(), quantize_rows(vectors));
}

Valence load_vader(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open the VADER lexicon");
  Valence valence;
  std::string line;
  std::size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    auto tab = line.find('\t');
    if (tab == std::string::npos || tab == 0) continue;
    auto tab2 = line.find('\t', tab + 1);
    try {
      valence[line.substr(0, tab)] = std::stof(line.substr(tab + 1, tab2 - tab - 1));
    } catch (const std::exception&) {
      throw Error(path + ":" + std::to_string(line_no) + ": valence is not a number");
    }
  }
  if (valence.empty()) throw Error(path + ": empty lexicon");
  return valence;
}

std::string default_data_dir() {
  if (const char* env = std::getenv("PROPSCAN_DATA"); env && *env) return env;
  return (std::filesystem::path(PROPSCAN_SOURCE_DIR) / "data").string();
}

}  // namespace propscan::lexicon
