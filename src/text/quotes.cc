#include "text/quotes.h"

#include <algorithm>
#include <array>
#include <optional>

#include "text/chars.h"
#include "text/utf8.h"

namespace propscan::text {
namespace {

bool opens_only(char32_t c) { return c == U'\u201C' || c == U'\u201E' || c == U'\u00AB'; }
bool closes_only(char32_t c) { return c == U'\u201D' || c == U'\u00BB'; }
bool is_newline(char32_t c) { return c == U'\n' || c == U'\r' || c == U'\u2029'; }

// A straight quote opens when space, an opening bracket, a dash or a colon
// comes before it, or a word right after it (`said:"No`).
bool straight_opens(std::u32string_view t, std::size_t i) {
  if (i == 0) return true;
  const char32_t p = t[i - 1];
  if (is_space(p) || p == U'(' || p == U'[' || p == U'\u2014' || p == U'\u2013' || p == U':' || opens_only(p)) {
    return true;
  }
  return !is_letter(p) && !is_digit(p) && i + 1 < t.size() && is_letter(t[i + 1]);
}

// Past the newlines and spaces at i: where the next paragraph starts.
std::size_t skip_space(std::u32string_view t, std::size_t i) {
  while (i < t.size() && is_space(t[i])) ++i;
  return i;
}

struct Word {
  std::u32string text;  // as written
  std::string lower;    // normalized
  std::size_t start = 0, end = 0;
  bool capital = false;
  bool punct = false;
};

// The words and punctuation of a piece of text, with abbreviations ("Sen.",
// "J.") kept whole.
std::vector<Word> words_of(std::u32string_view t, std::size_t from, std::size_t to) {
  std::vector<Word> out;
  std::size_t i = from;
  while (i < to) {
    if (is_space(t[i])) {
      ++i;
      continue;
    }
    Word w;
    w.start = i;
    if (is_letter(t[i]) || is_digit(t[i])) {
      while (i < to && (is_letter(t[i]) || is_digit(t[i]) || is_mark(t[i]) ||
                        ((t[i] == U'\'' || t[i] == U'\u2019' || t[i] == U'-') && i + 1 < to && is_letter(t[i + 1])))) {
        ++i;
      }
      // "Sen." and "J." but not the end of a sentence after a long word.
      if (i < to && t[i] == U'.' && i - w.start <= 3 && is_upper(t[w.start])) ++i;
      w.capital = is_upper(t[w.start]);
    } else {
      ++i;
      w.punct = true;
    }
    w.end = i;
    w.text = std::u32string(t.substr(w.start, w.end - w.start));
    w.lower = normalize_word(w.text);
    out.push_back(std::move(w));
  }
  return out;
}

bool is_speech_verb(const std::string& w) {
  static const std::array<std::string_view, 44> kVerbs = {
      "said",      "says",     "say",      "told",      "tells",     "tweeted",  "tweets",    "wrote",
      "writes",    "added",    "adds",     "stated",    "states",    "declared", "declares",  "claimed",
      "claims",    "insisted", "insists",  "argued",    "argues",    "warned",   "warns",     "explained",
      "explains",  "asked",    "asks",     "continued", "noted",     "notes",    "remarked",  "replied",
      "recalled",  "announced", "posted",  "shouted",   "testified", "blasted",  "responded", "admitted",
      "conceded",  "suggested", "reported", "charged"};
  return std::find(kVerbs.begin(), kVerbs.end(), w) != kVerbs.end();
}

bool is_pronoun(const std::string& w) { return w == "he" || w == "she"; }

bool is_preposition(const std::string& w) {
  static const std::array<std::string_view, 16> kWords = {"on",   "in",   "at",  "during", "after", "before",
                                                          "while", "that", "to", "of",     "for",   "with",
                                                          "as",   "when", "by",  "from"};
  return std::find(kWords.begin(), kWords.end(), w) != kWords.end();
}

// Capitalised words that are no speaker: `said Tuesday`.
bool is_calendar_word(const std::string& w) {
  static const std::array<std::string_view, 19> kWords = {
      "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february", "march",
      "april",  "may",     "june",      "july",     "august", "september", "october", "november", "december"};
  return std::find(kWords.begin(), kWords.end(), w) != kWords.end();
}

// Lower-case words allowed inside a name ("Nancy de la Cruz", "Osama bin Laden").
bool is_name_particle(const std::string& w) {
  return w == "de" || w == "la" || w == "van" || w == "von" || w == "der" || w == "bin" || w == "al" || w == "del";
}

// Words that start a sentence with a capital without being a name.
bool is_capitalized_function_word(const std::string& w) {
  return w == "the" || w == "a" || w == "an" || w == "but" || w == "and" || w == "as" || w == "then" || w == "this" ||
         w == "i" || w == "we" || w == "they" || w == "it" || w == "he" || w == "she" || w == "in" || w == "on" ||
         w == "later" || w == "also";
}

// The name formed by capitalized words from words[k] onwards, or empty.
std::string name_from(const std::vector<Word>& words, std::size_t k) {
  while (k < words.size() && words[k].capital && is_capitalized_function_word(words[k].lower)) ++k;
  std::size_t end = k;
  while (end < words.size() && !words[end].punct &&
         (words[end].capital || (end > k && end + 1 < words.size() && is_name_particle(words[end].lower) &&
                                 words[end + 1].capital))) {
    ++end;
  }
  if (end == k) return {};
  std::string s;
  for (std::size_t j = k; j < end; ++j) {
    if (j > k) s.push_back(' ');
    s += encode_utf8(words[j].text);
  }
  // `said Lee.`: the full stop ends the sentence, not an abbreviation.
  if (s.size() > 2 && s.back() == '.') s.pop_back();
  return s;
}

// The name formed by capitalized words ending at words[k] (inclusive), or empty.
std::string name_before(const std::vector<Word>& words, std::size_t k) {
  if (k >= words.size() || words[k].punct || !words[k].capital) return {};
  std::size_t first = k;
  while (first > 0 && !words[first - 1].punct &&
         (words[first - 1].capital || (first >= 2 && is_name_particle(words[first - 1].lower) && words[first - 2].capital))) {
    --first;
  }
  return name_from(words, first);
}

// The speaker named right after a quotation: `, said Pence`, `Pence said`,
// `according to Pence`, `he said` (then `last`, the previous speaker).
std::optional<std::string> speaker_after(const std::vector<Word>& words, const std::string& last) {
  std::size_t k = 0;
  while (k < words.size() && words[k].punct && words[k].lower != ".") ++k;  // , — –
  if (k >= words.size() || words[k].punct) return std::nullopt;
  if (is_speech_verb(words[k].lower)) {
    if (k + 1 < words.size() && is_pronoun(words[k + 1].lower)) return last;
    // A title or role before the name: `said councillor Dana Whitfield`,
    // `said the group's chair, Tomás Ibáñez`; never past a preposition
    // (`said on Tuesday`).
    std::size_t at = k + 1;
    for (int skipped = 0; at < words.size() && skipped < 5 && !words[at].capital; ++at, ++skipped) {
      if (words[at].punct ? words[at].lower != "," : is_preposition(words[at].lower)) return std::nullopt;
    }
    const auto name = name_from(words, at);
    if (!name.empty() && !is_calendar_word(words[at].lower)) return name;
    return std::nullopt;
  }
  if (words[k].lower == "according" && k + 1 < words.size() && words[k + 1].lower == "to") {
    const auto name = name_from(words, k + 2);
    if (!name.empty()) return name;
    return std::nullopt;
  }
  if (is_pronoun(words[k].lower)) {
    std::size_t v = k + 1;
    if (v < words.size() && words[v].lower.size() > 2 && words[v].lower.ends_with("ly")) ++v;  // he later said
    if (v < words.size() && is_speech_verb(words[v].lower)) return last;
    return std::nullopt;
  }
  if (words[k].capital) {
    std::size_t end = k;
    while (end < words.size() && !words[end].punct && (words[end].capital || is_name_particle(words[end].lower))) ++end;
    std::size_t v = end;
    if (v < words.size() && !words[v].punct && words[v].lower.ends_with("ly")) ++v;
    if (v < words.size() && is_speech_verb(words[v].lower)) return name_from(words, k);
  }
  return std::nullopt;
}

// The speaker named in the clause that introduces a quotation:
// `Bolton said on Twitter:`, `Pence, speaking in Ohio, said`, `According to Pence,`.
std::optional<std::string> speaker_before(const std::vector<Word>& words, const std::string& last) {
  if (words.empty()) return std::nullopt;
  for (std::size_t k = words.size(); k-- > 0;) {
    if (words.size() - k > 10) break;
    const std::string& w = words[k].lower;
    if (w == "according" && k + 1 < words.size() && words[k + 1].lower == "to") {
      const auto name = name_from(words, k + 2);
      if (!name.empty()) return name;
    }
    if (!is_speech_verb(w)) continue;
    std::size_t before = k;
    if (before > 0 && !words[before - 1].punct && words[before - 1].lower.ends_with("ly")) --before;
    if (before > 0 && is_pronoun(words[before - 1].lower)) return last;
    if (before > 0 && words[before - 1].lower == ",") {
      // A clause between the name and the verb: `Pence, speaking in Ohio, said`.
      std::size_t j = before - 1;
      while (j > 0 && words[j - 1].lower != ",") --j;
      if (j >= 2) {
        const auto name = name_before(words, j - 2);
        if (!name.empty()) return name;
      }
      continue;
    }
    if (before > 0) {
      const auto name = name_before(words, before - 1);
      if (!name.empty()) return name;
    }
    const auto name = name_from(words, k + 1);  // said Pence:
    if (!name.empty()) return name;
  }
  return std::nullopt;
}

std::size_t paragraph_start(std::u32string_view t, std::size_t i) {
  while (i > 0 && !is_newline(t[i - 1])) --i;
  return i;
}

std::size_t paragraph_end(std::u32string_view t, std::size_t i) {
  while (i < t.size() && !is_newline(t[i])) ++i;
  return i;
}

// Start of the sentence around position i within [floor, i): after the
// last . ! ? followed by space.
std::size_t clause_start(std::u32string_view t, std::size_t floor, std::size_t i) {
  for (std::size_t k = i; k > floor + 1; --k) {
    const char32_t c = t[k - 2];
    if ((c == U'.' || c == U'!' || c == U'?') && is_space(t[k - 1])) return k - 1;
  }
  return floor;
}

// End of the sentence that starts at i, within the paragraph.
std::size_t sentence_end(std::u32string_view t, std::size_t i, std::size_t limit) {
  for (std::size_t k = i; k < limit; ++k) {
    if ((t[k] == U'.' || t[k] == U'!' || t[k] == U'?') && (k + 1 >= limit || is_space(t[k + 1]))) {
      // "Sen." inside an attribution is not the end.
      std::size_t b = k;
      while (b > i && is_letter(t[b - 1])) --b;
      if (t[k] == U'.' && k - b <= 3 && b < k && is_upper(t[b]) && k + 2 < limit && is_upper(t[k + 2])) continue;
      return k;
    }
  }
  return limit;
}

}  // namespace

std::vector<Quotation> find_quotations(std::u32string_view t) {
  // First the regions between quote marks.
  std::vector<Quotation> out;
  const std::size_t n = t.size();
  std::size_t i = 0;
  while (i < n) {
    const char32_t c = t[i];
    const bool opener = opens_only(c) || (c == U'"' && straight_opens(t, i));
    if (!opener) {
      ++i;
      continue;
    }
    const std::size_t start = i;
    int depth = 0;  // curly quotes opened inside this one
    std::size_t end = n;
    bool closed = false;
    std::size_t k = i + 1;
    while (k < n) {
      const char32_t d = t[k];
      if (is_newline(d)) {
        // A quotation that runs on reopens at the next paragraph; one that
        // does not was never closed and ends with its paragraph.
        const std::size_t next = skip_space(t, k);
        if (next < n && (opens_only(t[next]) || t[next] == U'"')) {
          k = next + 1;
          continue;
        }
        end = k;
        while (end > start + 1 && is_space(t[end - 1])) --end;
        break;
      }
      if (opens_only(d)) {
        ++depth;
      } else if (closes_only(d)) {
        if (depth > 0) {
          --depth;
        } else {
          end = k + 1;
          closed = true;
          break;
        }
      } else if (d == U'"') {
        // A straight quote inside a curly one, opening: nested.
        if (c != U'"' && straight_opens(t, k)) {
          ++depth;
        } else if (c != U'"' && depth > 0) {
          --depth;
        } else {
          end = k + 1;
          closed = true;
          break;
        }
      }
      ++k;
    }
    if (k >= n && !closed) {
      end = n;
      while (end > start + 1 && is_space(t[end - 1])) --end;
    }
    if (end > start + 1) out.push_back(Quotation{static_cast<Offset>(start), static_cast<Offset>(end), {}});
    i = std::max(end, i + 1);
  }

  // Then their speakers, in order, so that `he said` finds the last one.
  std::string last;
  std::vector<bool> reported(out.size(), false);  // a verb of speech introduces or follows it
  const auto speech_verb_in = [](const std::vector<Word>& words, std::size_t from, std::size_t to) {
    for (std::size_t k = from; k < std::min(to, words.size()); ++k) {
      if (is_speech_verb(words[k].lower)) return true;
    }
    return false;
  };
  for (std::size_t q = 0; q < out.size(); ++q) {
    const auto qs = static_cast<std::size_t>(out[q].start), qe = static_cast<std::size_t>(out[q].end);
    const std::size_t para_end = paragraph_end(t, qe > 0 ? qe - 1 : 0);
    std::optional<std::string> who;
    if (qe < para_end) {
      const auto after = words_of(t, qe, sentence_end(t, qe, para_end));
      who = speaker_after(after, last);
      if (speech_verb_in(after, 0, 5)) reported[q] = true;
    }
    if (!who || who->empty()) {
      std::size_t floor = paragraph_start(t, qs);
      if (q > 0 && static_cast<std::size_t>(out[q - 1].end) > floor) floor = static_cast<std::size_t>(out[q - 1].end);
      const auto before = words_of(t, clause_start(t, floor, qs), qs);
      who = speaker_before(before, last);
      if (speech_verb_in(before, before.size() > 10 ? before.size() - 10 : 0, before.size())) reported[q] = true;
    }
    // `"A," said Pence. "B."`: the next quotation of the paragraph is his too.
    if ((!who || who->empty()) && q > 0 && paragraph_start(t, qs) <= static_cast<std::size_t>(out[q - 1].start)) {
      who = out[q - 1].speaker;
    }
    if (who && !who->empty()) {
      out[q].speaker = *who;
      last = *who;
    }
  }
  for (std::size_t q = 0; q < out.size(); ++q) out[q].speech = reported[q] || is_speech(t, out[q]);
  return out;
}

int quotation_at(const std::vector<Quotation>& quotes, Offset start, Offset end) {
  auto it = std::upper_bound(quotes.begin(), quotes.end(), start,
                             [](Offset pos, const Quotation& q) { return pos < q.end; });
  for (; it != quotes.end() && it->start < end; ++it) {
    const Offset inside = std::min(end, it->end) - std::max(start, it->start);
    if (2 * inside > end - start) return static_cast<int>(it - quotes.begin());
  }
  return -1;
}

bool is_speech(std::u32string_view text, const Quotation& q) {
  if (!q.speaker.empty()) return true;
  int words = 0;
  bool in_word = false;
  for (Offset i = q.start; i < q.end; ++i) {
    const bool w = is_letter(text[static_cast<std::size_t>(i)]) || is_digit(text[static_cast<std::size_t>(i)]);
    if (w && !in_word) ++words;
    in_word = w;
  }
  return words > kScareQuoteWords;
}

}  // namespace propscan::text
