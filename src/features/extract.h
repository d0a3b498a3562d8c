// Feature extraction for the two linear models: the token tagger (is this
// token part of a propaganda passage?) and the technique classifier (which
// technique is this passage?).
#pragma once

#include "features/article.h"
#include "features/hashing.h"
#include "propscan/span.h"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "features/intervals.h"

namespace propscan::features {

// Features of token `i`: the word and its neighbours, shape, affixes, how often
// the word recurs in the article, position in the sentence, quotes, a
// down-weighted bag of the sentence's words for context, sentiment valence,
// cue phrases on the token, around it and in its sentence, and, when the
// view has word vectors, two dense blocks after the hashed ones: the word's
// vector and the mean vector of its +-2 neighbours.
// Dense features each extractor appends after the hashed table.
inline std::uint32_t token_dense_size(int vector_dimension) { return 2u * static_cast<std::uint32_t>(vector_dimension); }
inline std::uint32_t span_dense_size(int vector_dimension) { return 3u * static_cast<std::uint32_t>(vector_dimension); }

// token_features is token_local_features followed by sentence_bag_features
// of the token's sentence. The bag is the same for every token of a sentence,
// so a caller scoring a whole article builds it once per sentence.
void token_features(const ArticleView& view, int i, const FeatureHasher& hasher, SparseVector& out);
void token_local_features(const ArticleView& view, int i, const FeatureHasher& hasher, SparseVector& out);
void sentence_bag_features(const ArticleView& view, int sentence, const FeatureHasher& hasher, SparseVector& out);

// What the linear tagger's features that speak of token j's own word weigh
// (log-odds, summed over the tokens [first, last) of a passage that read
// them, token j's own features included when it lies inside): the word and
// its affixes as the token or a neighbour, its valence, its cue phrases, its
// count in the article and its word vector. Kept beside
// token_local_features, whose feature names it reads back.
struct WordWeights {
  float word = 0.0f;
  float valence = 0.0f;
  float cue = 0.0f;
  float repetition = 0.0f;
  float meaning = 0.0f;
  float total() const { return word + valence + cue + repetition + meaning; }
};
WordWeights token_word_weights(const ArticleView& view, int j, int first, int last, const FeatureHasher& hasher,
                               std::span<const float> weights);

// One feature `prefix` + kind name for each bit of `kinds` (lexicon::CueKind).
void add_cue_kinds(unsigned kinds, std::string_view prefix, const FeatureHasher& hasher, SparseVector& out);

// One feature `prefix` + kind name for each kind of cue phrase
// (lexicon::CueKind) that covers a token of [first, last), skipping token
// `skip`.
void add_cue_features(const ArticleView& view, int first, int last, int skip, std::string_view prefix,
                      const FeatureHasher& hasher, SparseVector& out);

// Features of the passage [start, end): its words and bigrams, boundary and
// context words, length, sentence coverage, repetition in the article,
// punctuation, valence, cue phrases, the sentence around it, and three dense
// blocks of mean word vectors (the passage, the sentence before it, the
// sentence after it).
// `siblings` are all the passages being labelled in the article (the TC
// template, or the detected passages), this one included: repeats of the same
// words and nesting among them are strong cues (Repetition, a loaded word
// inside a longer claim). See span_features below.

// One hashed feature `prefix` + dimension per dimension of sentence k's
// encoder embedding, weighted by its value; nothing without embeddings.
void add_sentence_embedding(const ArticleView& view, std::size_t k, std::string_view prefix,
                            const FeatureHasher& hasher, SparseVector& out);

// The words of tokens [first, last) as one key: equal keys, equal phrases.
std::string phrase_key(const ArticleView& view, int first, int last);

// What span_features reads of the sibling passages, indexed once per
// article so that each passage costs O(log n) instead of a pass over all.
class SiblingIndex {
 public:
  SiblingIndex(const ArticleView& view, std::span<const Span> siblings);
  bool empty() const { return empty_; }

  struct Counts {
    int same_words = 0;   // other passages with the same words
    int same_bounds = 0;  // passages with exactly these bounds (this one included)
    int in_sentence = 0;  // other passages starting in sentence `sentence`
    bool inside = false;  // some other passage contains this one
    bool contains = false;  // this one contains some other passage
  };
  // The passage [start, end), whose tokens are [first, first + n_tokens) (n_tokens > 0)
  // and whose first token lies in sentence `sentence`.
  Counts counts(const ArticleView& view, Offset start, Offset end, int first, int n_tokens, int sentence) const;

 private:
  bool empty_ = true;
  Containment bounds_;
  std::unordered_map<std::string, int> same_bounds_;  // key: start and end
  std::unordered_map<std::string, int> words_;        // phrase_key -> passages
  std::vector<int> per_sentence_;                     // passages starting in each sentence
};

// How often each phrase occurs in the article and its first occurrence,
// remembered across the passages of one article (one cache per article and
// thread: the view itself stays immutable).
struct PhraseCache {
  std::unordered_map<std::string, std::pair<int, int>> occurrences;
};

// span_features with `siblings`, the passages being labelled in the article
// indexed once (null: none), and `phrases`, phrase counts remembered across
// the passages of one article (null: none).
void span_features(const ArticleView& view, Offset start, Offset end, const FeatureHasher& hasher,
                   SparseVector& out, const SiblingIndex* siblings = nullptr, PhraseCache* phrases = nullptr);

}  // namespace propscan::features
