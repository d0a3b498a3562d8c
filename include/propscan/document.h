// An article as propscan reads it.
#pragma once

#include <string>
#include <vector>

#include "propscan/span.h"

namespace propscan {

struct Document {
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

}  // namespace propscan
