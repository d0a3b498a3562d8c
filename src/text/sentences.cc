#include "text/sentences.h"

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <string_view>

#include "text/chars.h"

namespace propscan::text {
namespace {

// Words that take a period without ending a sentence, compared exactly (case
// matters: "Gen." is a title, "gen." is not). Kept short on purpose: "Inc.",
// "Co." or "etc." end sentences as often as not, and a missed split only
// merges two sentences while a wrong entry merges many.
constexpr std::u32string_view kAbbreviations[] = {
    U"Mr",   U"Mrs",  U"Ms",   U"Mx",   U"Dr",   U"Prof", U"Sr",    U"Jr",   U"St",
    U"Mt",   U"Ft",   U"Gen",  U"Col",  U"Lt",   U"Sgt",  U"Capt",  U"Cmdr", U"Adm",
    U"Maj",  U"Cpl",  U"Gov",  U"Sen",  U"Rep",  U"Rev",  U"Hon",   U"Rt",   U"Pres",
    U"Supt", U"Fr",   U"Mme",  U"Mlle", U"Jan",  U"Feb",  U"Mar",   U"Apr",  U"Jun",
    U"Jul",  U"Aug",  U"Sep",  U"Sept", U"Oct",  U"Nov",  U"Dec",   U"vs",   U"Messrs",
    // Citations: "No. 5", "pp. 12-14", "Vol. 3", "Fig. 2", "nn. 84-86".
    U"No",   U"Nos",  U"pp",   U"nn",   U"Vol",  U"vol",  U"Fig",   U"fig",
};

// Longer "words" before a period are never abbreviations; the cap also keeps
// the look-back short.
constexpr std::size_t kMaxAbbreviationLength = 16;

// A sentence longer than this many code points is broken at its last space
// before the limit (or at the limit when it has none). Features look at the
// whole sentence of each token, so a text without sentence ends ("No. No.
// ...", a page without punctuation) would otherwise cost time quadratic in
// its length. News sentences are far shorter: the longest line in the PTC
// training articles has 818.
constexpr std::size_t kMaxSentenceLength = 2000;

bool is_line_break(char32_t c) {
  return c == U'\n' || c == U'\r' || c == U'\v' || c == U'\f' || c == U'\u0085' ||
         c == U'\u2028' || c == U'\u2029';
}

bool is_terminator(char32_t c) { return c == U'.' || c == U'!' || c == U'?'; }

bool is_closing(char32_t c) {
  switch (c) {
    case U'"':
    case U'\'':
    case U'\u201D':  // ”
    case U'\u2019':  // ’
    case U'\u00BB':  // »
    case U'\u203A':  // ›
    case U')':
    case U']':
    case U'}':
      return true;
    default:
      return false;
  }
}

bool is_opening_quote(char32_t c) {
  switch (c) {
    case U'"':
    case U'\'':
    case U'\u201C':  // “
    case U'\u2018':  // ‘
    case U'\u201E':  // „
    case U'\u00AB':  // «
    case U'\u2039':  // ‹
      return true;
    default:
      return false;
  }
}

bool can_start_sentence(char32_t c) { return is_upper(c) || is_digit(c) || is_opening_quote(c); }

// "U.S", "e.g", "Ph.D": letters with inner periods, each piece at most two
// letters long (so "example.com" does not count).
bool is_dotted_abbreviation(std::u32string_view word) {
  if (word.find(U'.') == std::u32string_view::npos) return false;
  std::size_t piece = 0;
  for (char32_t c : word) {
    if (c == U'.') {
      if (piece == 0) return false;
      piece = 0;
    } else if (++piece > 2) {
      return false;
    }
  }
  return piece > 0;
}

// Whether the period at `period` follows an abbreviation, judging by the run
// of letters and periods right before it.
bool ends_abbreviation(std::u32string_view text, std::size_t period) {
  std::size_t begin = period;
  while (begin > 0 && (is_letter(text[begin - 1]) || text[begin - 1] == U'.')) {
    if (period - begin == kMaxAbbreviationLength) return false;
    --begin;
  }
  const std::u32string_view word = text.substr(begin, period - begin);
  if (word.empty()) return false;
  // An initial ("John F. Kennedy") or a one-letter citation abbreviation
  // ("p. 12", "n. 84", "Smith v. Jones"); few sentences end in a lone letter.
  if (word.size() == 1) return true;
  if (is_dotted_abbreviation(word)) return true;
  return std::find(std::begin(kAbbreviations), std::end(kAbbreviations), word) !=
         std::end(kAbbreviations);
}

void add_trimmed(std::u32string_view text, std::size_t begin, std::size_t end,
                 std::vector<SentenceBounds>& sentences) {
  while (begin < end && is_space(text[begin])) ++begin;
  while (end > begin && is_space(text[end - 1])) --end;
  if (begin < end) {
    sentences.push_back(SentenceBounds{static_cast<Offset>(begin), static_cast<Offset>(end)});
  }
}

}  // namespace

std::vector<SentenceBounds> split_sentences(std::u32string_view text) {
  std::vector<SentenceBounds> sentences;
  const std::size_t n = text.size();
  std::size_t sentence_start = 0;
  std::size_t pos = 0;
  // One pass; every look-ahead below is skipped over afterwards and the
  // abbreviation look-back is capped, so the whole is linear.
  std::size_t last_space = 0;  // latest space in the current sentence, 0 for none
  while (pos < n) {
    if (pos - sentence_start >= kMaxSentenceLength) {
      const std::size_t cut = last_space > sentence_start ? last_space : pos;
      add_trimmed(text, sentence_start, cut, sentences);
      sentence_start = cut;
      last_space = 0;
      continue;
    }
    const char32_t c = text[pos];
    if (is_space(c)) last_space = pos;
    if (is_line_break(c)) {
      add_trimmed(text, sentence_start, pos, sentences);
      sentence_start = ++pos;
      continue;
    }
    if (!is_terminator(c)) {
      ++pos;
      continue;
    }

    // Runs stop at the length limit too, so that a page of dots is cut.
    const std::size_t limit = std::min(n, sentence_start + kMaxSentenceLength);
    std::size_t run_end = pos;  // "?!" and "..." end a sentence as one
    while (run_end < limit && is_terminator(text[run_end])) ++run_end;
    std::size_t sentence_end = run_end;  // closing quotes stay with the sentence
    while (sentence_end < limit && is_closing(text[sentence_end])) ++sentence_end;
    std::size_t next = sentence_end;
    while (next < n && is_space(text[next]) && !is_line_break(text[next])) ++next;

    const bool splits = next > sentence_end && next < n && can_start_sentence(text[next]) &&
                        !(c == U'.' && run_end == pos + 1 && ends_abbreviation(text, pos));
    if (splits) {
      add_trimmed(text, sentence_start, sentence_end, sentences);
      sentence_start = sentence_end;
      pos = next;
    } else {
      pos = sentence_end;
    }
  }
  add_trimmed(text, sentence_start, n, sentences);
  return sentences;
}

int sentence_index_at(const std::vector<SentenceBounds>& sentences, std::int64_t pos) {
  if (sentences.empty()) return -1;
  // First sentence starting after pos; the one before it holds pos or is the
  // nearest before. Text before the first sentence (a byte order mark,
  // leading blank lines) belongs to the first.
  const auto after = std::upper_bound(
      sentences.begin(), sentences.end(), pos,
      [](std::int64_t value, const SentenceBounds& s) { return value < s.start; });
  if (after == sentences.begin()) return 0;
  return static_cast<int>(after - sentences.begin() - 1);
}

}  // namespace propscan::text
