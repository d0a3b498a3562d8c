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
  // Filled by attach_lexicons; empty (dimension 0) when the model has none.
  int vector_dimension = 0;
  std::vector<const float*> vectors;  // word vector of each token, or nullptr
  // The vectors `vectors` points into (shared, so that a copy of the view
  // points into the same rows).
  std::shared_ptr<const std::vector<float>> vector_rows;
  std::vector<float> valence;         // VADER valence of each token, 0 when unknown
  // Per token, a bit for each lexicon::CueKind whose phrase covers it.
  std::vector<std::uint8_t> cues;

  // First token whose end is after `pos`, i.e. the token containing or following pos.
  int token_at_or_after(std::int64_t pos) const;
  // Whether token t is a word or number rather than punctuation.
  bool is_word(std::size_t t) const { return tokens[t].kind != text::TokenKind::kPunct; }
};

ArticleView make_article_view(const std::u32string& text);

// Looks up every token's word vector, valence and cue phrases. Any table may be null.
void attach_lexicons(ArticleView& view, const lexicon::WordVectors* vectors, const lexicon::Valence* valence,
                     const lexicon::CuePhrases* cues = nullptr);

}  // namespace propscan::features
