// An article as propscan reads it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "propscan/span.h"

namespace propscan {

struct Document {
  // A document from UTF-8 text. Throws propscan::Error naming `id` when the
  // bytes are not valid UTF-8 (malformed, overlong, surrogates), hold NUL
  // bytes, or hold no text. A byte order mark is kept as character 0, as the
  // corpus counts it.
  static Document from_utf8(std::string id, std::string_view bytes);

  std::string id;
  // The article decoded to code points; all offsets index into this.
  std::u32string text;
  // Optional metadata from JSONL input; empty when unknown.
  std::string title;
  std::string source;
  std::string date;
  std::string url;
};

struct SentenceBounds {
  Offset start = 0;
  Offset end = 0;
};

// A word or cue phrase that raised a span's score or its technique the most.
struct Evidence {
  Offset start = 0;  // code points, inside the span or beside it
  Offset end = 0;
  // What kind of cue the models weighed: "cue:hedge", "cue:weasel",
  // "cue:filler", "cue:cliche", "valence", "repetition", "technique", "word".
  std::string kind;
  std::string reason;   // for people: "hedge", "repeated 3 times in this article", ...
  double weight = 0.0;  // its contribution to the models' log-odds
};

enum class Voice { kAuthor, kQuoted };

// Why a span was flagged: what weighed most and who is speaking.
struct SpanExplanation {
  std::vector<Evidence> evidence;  // strongest first, at most 3
  Voice voice = Voice::kAuthor;
  std::string speaker;  // for a quotation whose speaker the article names; else empty
  // Share of the passages scored like this one on held-out training folds
  // that matched annotated text; unset when the model has no such curve.
  std::optional<double> precision_estimate;
};

// A quotation in the article: [start, end) from its opening to its closing
// quote mark (or the end of its paragraph when it is never closed).
struct Quotation {
  Offset start = 0;
  Offset end = 0;
  std::string speaker;  // empty when the article does not name one
  // Someone speaking: a named speaker or more than a few words. A short
  // unattributed quotation is a term the author puts in quotes
  // (so-called "experts"), and stays in the author's voice.
  bool speech = false;
};

// What the analyzer found in one article.
struct Analysis {
  std::string article_id;
  // Sorted by start, then end, then technique.
  std::vector<Span> spans;
  // span_sentence[i] is the index in `sentences` of the sentence where spans[i] starts.
  std::vector<int> span_sentence;
  std::vector<SentenceBounds> sentences;
  // sentence_scores[k]: the model's probability that sentence k holds a
  // technique; empty when the model has no sentence scorer.
  std::vector<double> sentence_scores;
  // explanations[i] explains spans[i].
  std::vector<SpanExplanation> explanations;
  std::vector<Quotation> quotations;
  // Share of the article's characters covered by at least one span, in [0, 1].
  double propaganda_score = 0.0;
  // The same over the author's own prose and over quoted material (spans
  // counted by their voice, characters by whether they lie in a quotation);
  // 0 when the article has no such characters.
  // Share of the model's training articles with a lower propaganda score
  // (scored on held-out folds), in [0, 1], this article's taken at the
  // model's tuned threshold whatever AnalyzerOptions::threshold says; unset
  // when the model has none.
  std::optional<double> propaganda_percentile;
  double author_score = 0.0;
  double quoted_score = 0.0;
  Offset author_chars = 0;
  Offset quoted_chars = 0;
};

// The analysis as one JSON object (compact, one line): exactly what
// `propscan analyze --format json` prints for the document, with each
// span's text. docs/api.md describes the fields.
std::string to_json(const Analysis& analysis, const Document& doc);
// The same without the document: offsets, techniques, scores and sentences,
// no text.
std::string to_json(const Analysis& analysis);

}  // namespace propscan
