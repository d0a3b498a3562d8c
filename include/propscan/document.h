// An article as propscan reads it.
#pragma once

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

// What the analyzer found in one article.
struct Analysis {
  std::string article_id;
  // Sorted by start, then end, then technique.
  std::vector<Span> spans;
  // span_sentence[i] is the index in `sentences` of the sentence where spans[i] starts.
  std::vector<int> span_sentence;
  std::vector<SentenceBounds> sentences;
  // Share of the article's characters covered by at least one span, in [0, 1].
  double propaganda_score = 0.0;
};

// The analysis as one JSON object (compact, one line): exactly what
// `propscan analyze --format json` prints for the document, with each
// span's text. docs/api.md describes the fields.
std::string to_json(const Analysis& analysis, const Document& doc);
// The same without the document: offsets, techniques, scores and sentences,
// no text.
std::string to_json(const Analysis& analysis);

}  // namespace propscan
