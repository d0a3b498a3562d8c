// Everything the feature extractors need to know about one article,
// computed once: tokens, their normalized forms, sentences and word counts.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "lexicon/cues.h"
#include "lexicon/word_vectors.h"
#include "propscan/document.h"
#include "text/tokenizer.h"

namespace propscan::features {

// Embeds a passage (code points [start, end) of the article) with the
// pretrained sentence encoder; set by the model's article_view when the model
// reads the encoder. Thread-safe.
class PassageEncoder {
 public:
  virtual ~PassageEncoder() = default;
  virtual std::vector<float> embed(std::int64_t start, std::int64_t end) const = 0;
};

struct ArticleView {
  const std::u32string* text = nullptr;
  std::vector<text::Token> tokens;
  std::vector<std::string> words;     // normalized (lower-case UTF-8) form of each token
  std::vector<std::string> shapes;    // "Xx", "x", "X", "d", "p" ... of each token
  std::vector<int> token_sentence;    // sentence index of each token
  std::vector<SentenceBounds> sentences;
  std::vector<int> sentence_first_token;  // first token of each sentence
  std::vector<int> sentence_end_token;    // one past the last token of each sentence
  std::vector<int> line_of_token;         // 0 for the title line
  std::vector<bool> in_quotes;            // token lies between opening and closing quotes
  std::unordered_map<std::string, int> word_count;
  // Where each word recurs: the next token with the same word, -1 after the
  // last. Finding every occurrence of a phrase then visits only the tokens
  // that share its first word.
  std::vector<int> next_same_word;
  std::vector<int> first_same_word;  // per token: the first token with its word
  // Per token t, the number of words and numbers (not punctuation) among
  // tokens [0, t); one entry more than there are tokens. Counts over a range
  // are then a subtraction.
  std::vector<int> words_before;
  // Filled by attach_lexicons; empty (dimension 0) when the model has none.
  int vector_dimension = 0;
  std::vector<const float*> vectors;  // word vector of each token, or nullptr
  // The vectors `vectors` points into (shared, so that a copy of the view
  // points into the same rows).
  std::shared_ptr<const std::vector<float>> vector_rows;
  std::vector<float> valence;         // VADER valence of each token, 0 when unknown
  // Per token, a bit for each lexicon::CueKind whose phrase covers it.
  std::vector<std::uint8_t> cues;
  // Per sentence, counted once for all its tokens: how many tokens have a
  // valence of at least 1.5 either way, and the cue kinds of its tokens.
  std::vector<int> sentence_strong_valence;
  std::vector<std::uint8_t> sentence_cues;
  // Per sentence, the pretrained sentence encoder's embedding
  // ([sentences x embedding_dimension]); empty (dimension 0) unless the model
  // reads the encoder (the accurate model).
  int embedding_dimension = 0;
  std::vector<float> sentence_embeddings;
  // The same encoder for a passage; null unless the model reads it.
  std::shared_ptr<const PassageEncoder> passage_encoder;

  // First token whose end is after `pos`, i.e. the token containing or following pos.
  int token_at_or_after(std::int64_t pos) const;
  // Calls visit(i) for the first token i of each occurrence of the phrase of
  // tokens [first, last) (first < last) in the article, in text order, until
  // visit returns false. It walks the occurrences of the phrase's rarest
  // word, not of its first one: "the" starts many passages.
  template <typename Visit>
  void for_each_occurrence(int first, int last, Visit visit) const;
  // Whether token t is a word or number rather than punctuation.
  bool is_word(std::size_t t) const { return tokens[t].kind != text::TokenKind::kPunct; }
};

template <typename Visit>
void ArticleView::for_each_occurrence(int first, int last, Visit visit) const {
  const int len = last - first;
  int anchor = 0, rarest = 0;
  for (int k = 0; k < len; ++k) {
    const auto it = word_count.find(words[static_cast<std::size_t>(first + k)]);
    const int count = it == word_count.end() ? 0 : it->second;
    if (k == 0 || count < rarest) {
      anchor = k;
      rarest = count;
    }
  }
  const int n = static_cast<int>(words.size());
  // Tokens with equal words share their first token: compared as integers.
  const auto same = [&](int a, int b) {
    return first_same_word[static_cast<std::size_t>(a)] == first_same_word[static_cast<std::size_t>(b)];
  };
  for (int at = first_same_word[static_cast<std::size_t>(first + anchor)]; at >= 0;
       at = next_same_word[static_cast<std::size_t>(at)]) {
    const int i = at - anchor;
    if (i < 0) continue;
    if (i + len > n) break;
    bool match = true;
    for (int k = 0; k < len && match; ++k) match = k == anchor || same(i + k, first + k);
    if (match && !visit(i)) return;
  }
}

ArticleView make_article_view(const std::u32string& text);

// Looks up every token's word vector, valence and cue phrases. Any table may be null.
void attach_lexicons(ArticleView& view, const lexicon::WordVectors* vectors, const lexicon::Valence* valence,
                     const lexicon::CuePhrases* cues = nullptr);

}  // namespace propscan::features
