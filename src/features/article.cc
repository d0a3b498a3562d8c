#include "features/article.h"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <unordered_map>

#include "text/chars.h"
#include "text/sentences.h"

namespace propscan::features {
namespace {

std::string shape_of(std::u32string_view w) {
  std::string shape;
  for (char32_t c : w) {
    char k = text::is_upper(c) ? 'X' : text::is_letter(c) ? 'x' : text::is_digit(c) ? 'd' : 'p';
    if (shape.empty() || shape.back() != k) shape.push_back(k);
    if (shape.size() >= 4) break;
  }
  return shape;
}

bool is_quote(char32_t c) {
  return c == U'"' || c == U'\u201C' || c == U'\u201D' || c == U'\u00AB' || c == U'\u00BB';
}

}  // namespace

int ArticleView::token_at_or_after(std::int64_t pos) const {
  auto it = std::upper_bound(tokens.begin(), tokens.end(), pos,
                             [](std::int64_t p, const text::Token& t) { return p < t.end; });
  return static_cast<int>(it - tokens.begin());
}

ArticleView make_article_view(const std::u32string& text) {
  ArticleView view;
  view.text = &text;
  view.tokens = text::tokenize(text);
  view.sentences = text::split_sentences(text);
  const std::size_t n = view.tokens.size();
  view.words.reserve(n);
  view.shapes.reserve(n);
  view.token_sentence.assign(n, 0);
  view.line_of_token.assign(n, 0);
  view.in_quotes.assign(n, false);

  std::size_t sent = 0;
  int line = 0;
  std::int64_t scanned = 0;
  bool quoted = false;
  view.sentence_first_token.assign(view.sentences.size(), static_cast<int>(n));
  view.sentence_end_token.assign(view.sentences.size(), static_cast<int>(n));
  for (std::size_t i = 0; i < n; ++i) {
    const auto& tok = view.tokens[i];
    std::u32string_view w(text.data() + tok.start, static_cast<std::size_t>(tok.end - tok.start));
    view.words.push_back(text::normalize_word(w));
    view.shapes.push_back(shape_of(w));
    for (; scanned < tok.start; ++scanned) {
      if (text[static_cast<std::size_t>(scanned)] == U'\n') {
        ++line;
        quoted = false;  // quotes do not run across lines in news text
      }
    }
    scanned = tok.end;
    view.line_of_token[i] = line;
    while (sent + 1 < view.sentences.size() && view.sentences[sent].end <= tok.start) ++sent;
    view.token_sentence[i] = static_cast<int>(sent);
    if (w.size() == 1 && is_quote(w[0])) {
      quoted = !quoted;
      view.in_quotes[i] = true;
    } else {
      view.in_quotes[i] = quoted;
    }
    ++view.word_count[view.words.back()];
  }
  view.next_same_word.assign(n, -1);
  view.first_same_word.assign(n, 0);
  {
    // Per word: its first and its latest token so far.
    std::unordered_map<std::string_view, std::pair<int, int>> seen;
    for (std::size_t i = 0; i < n; ++i) {
      const int at = static_cast<int>(i);
      const auto [it, fresh] = seen.try_emplace(view.words[i], at, at);
      auto& [first, latest] = it->second;
      if (!fresh) view.next_same_word[static_cast<std::size_t>(latest)] = at;
      latest = at;
      view.first_same_word[i] = first;
    }
  }
  view.words_before.assign(n + 1, 0);
  for (std::size_t i = 0; i < n; ++i) view.words_before[i + 1] = view.words_before[i] + (view.is_word(i) ? 1 : 0);
  for (std::size_t i = n; i-- > 0;) {
    auto s = static_cast<std::size_t>(view.token_sentence[i]);
    if (s < view.sentences.size()) view.sentence_first_token[s] = static_cast<int>(i);
  }
  for (std::size_t i = 0; i < n; ++i) {
    auto s = static_cast<std::size_t>(view.token_sentence[i]);
    if (s < view.sentences.size()) view.sentence_end_token[s] = static_cast<int>(i + 1);
  }
  return view;
}

void attach_lexicons(ArticleView& view, const lexicon::WordVectors* vectors, const lexicon::Valence* valence,
                     const lexicon::CuePhrases* cues) {
  const std::size_t n = view.words.size();
  view.vector_dimension = vectors && vectors->size() ? vectors->dimension() : 0;
  view.vectors.assign(n, nullptr);
  view.valence.assign(n, 0.0f);
  if (view.vector_dimension) {
    // One row per distinct word, not per token: a long or repetitive text
    // would otherwise hold (and clear) a copy of the same row for every token.
    const auto d = static_cast<std::size_t>(view.vector_dimension);
    constexpr std::size_t kNone = static_cast<std::size_t>(-1);
    std::unordered_map<std::string_view, std::size_t> slot_of;  // word -> its row here, kNone without one
    std::vector<std::int64_t> lexicon_rows;                      // the lexicon's row of each
    std::vector<std::size_t> slot(n, kNone);
    for (std::size_t i = 0; i < n; ++i) {
      const auto [it, fresh] = slot_of.try_emplace(view.words[i], kNone);
      if (fresh) {
        const auto row = vectors->find(view.words[i]);
        if (row >= 0) {
          it->second = lexicon_rows.size();
          lexicon_rows.push_back(row);
        }
      }
      slot[i] = it->second;
    }
    auto rows = std::make_shared<std::vector<float>>(lexicon_rows.size() * d);
    for (std::size_t k = 0; k < lexicon_rows.size(); ++k) vectors->copy_row(lexicon_rows[k], rows->data() + k * d);
    for (std::size_t i = 0; i < n; ++i) {
      if (slot[i] != kNone) view.vectors[i] = rows->data() + slot[i] * d;
    }
    view.vector_rows = std::move(rows);
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (valence) {
      auto it = valence->find(view.words[i]);
      if (it != valence->end()) view.valence[i] = it->second;
    }
  }
  view.cues = cues ? cues->match(view.words) : std::vector<std::uint8_t>(n, 0);
  view.sentence_strong_valence.assign(view.sentences.size(), 0);
  view.sentence_cues.assign(view.sentences.size(), 0);
  for (std::size_t i = 0; i < n; ++i) {
    const auto s = static_cast<std::size_t>(view.token_sentence[i]);
    if (s >= view.sentences.size()) continue;
    view.sentence_strong_valence[s] += std::abs(view.valence[i]) >= 1.5f;
    view.sentence_cues[s] |= view.cues[i];
  }
}

}  // namespace propscan::features
