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
  index();
}

WordVectors::WordVectors(int dimension, std::vector<std::string> words, QuantizedRows rows)
    : dimension_(dimension), words_(std::move(words)), q_(std::move(rows.values)), scales_(std::move(rows.scales)) {
  if (dimension_ <= 0 || q_.size() != words_.size() * dim() || scales_.size() != words_.size()) {
    throw Error("quantized word vectors: sizes do not match");
  }
  if (scales_.empty()) scales_.push_back(1.0f);  // marks the table as quantized
  index();
}

void WordVectors::index() {
  by_word_.resize(words_.size());
  for (std::size_t i = 0; i < words_.size(); ++i) by_word_[i] = static_cast<std::uint32_t>(i);
  // A model's table is stored sorted: then this is one pass.
  const auto less = [&](std::uint32_t a, std::uint32_t b) { return words_[a] < words_[b]; };
  if (!std::is_sorted(by_word_.begin(), by_word_.end(), less)) std::stable_sort(by_word_.begin(), by_word_.end(), less);
  for (std::size_t i = 1; i < by_word_.size(); ++i) {
    if (words_[by_word_[i]] == words_[by_word_[i - 1]]) {
      throw Error("word vectors: '" + words_[by_word_[i]] + "' appears twice");
    }
  }
}

std::int64_t WordVectors::row_of(std::string_view word) const {
  const auto it = std::lower_bound(by_word_.begin(), by_word_.end(), word,
                                   [&](std::uint32_t r, std::string_view w) { return words_[r] < w; });
  if (it == by_word_.end() || words_[*it] != word) return -1;
  return *it;
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
  if (quantized()) throw Error(path + ": cannot save a quantized table as float vectors");
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

std::int64_t WordVectors::find(std::string_view word) const {
  const auto row = row_of(word);
  if (row >= 0) return row;
  const auto apostrophe = word.find('\'');
  if (apostrophe == std::string_view::npos || apostrophe == 0) return -1;
  return row_of(word.substr(0, apostrophe));
}

void WordVectors::copy_row(std::int64_t row, float* out) const {
  const auto r = static_cast<std::size_t>(row);
  if (q_.empty() && !values_.empty()) {
    std::copy_n(values_.data() + r * dim(), dim(), out);
    return;
  }
  const std::int8_t* q = q_.data() + r * dim();
  for (std::size_t k = 0; k < dim(); ++k) out[k] = q[k] * scales_[r];
}

QuantizedRows WordVectors::quantized_rows() const {
  if (quantized()) return {q_, std::vector<float>(scales_.begin(), scales_.begin() + static_cast<std::ptrdiff_t>(size()))};
  const auto d = dim();
  QuantizedRows rows;
  rows.values.resize(values_.size());
  rows.scales.resize(size());
  for (std::size_t r = 0; r < size(); ++r) {
    const float* v = values_.data() + r * d;
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

WordVectors quantize(const WordVectors& vectors) {
  if (vectors.size() == 0) return vectors;
  const auto rows = vectors.quantized_rows();
  const auto d = static_cast<std::size_t>(vectors.dimension());
  std::vector<std::uint32_t> order(vectors.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::uint32_t>(i);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return vectors.words()[a] < vectors.words()[b]; });
  std::vector<std::string> words;
  QuantizedRows sorted;
  for (auto r : order) {
    words.push_back(vectors.words()[r]);
    sorted.scales.push_back(rows.scales[r]);
    sorted.values.insert(sorted.values.end(), rows.values.begin() + static_cast<std::ptrdiff_t>(r * d),
                         rows.values.begin() + static_cast<std::ptrdiff_t>((r + 1) * d));
  }
  return WordVectors(vectors.dimension(), std::move(words), std::move(sorted));
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
