// A corpus in the PTC layout: DIR/articles/article<ID>.txt, DIR/labels-tc/
// (technique spans) and, optionally, DIR/labels-si/ (span identification).
#pragma once

#include <string>
#include <vector>

#include "propscan/document.h"
#include "propscan/span.h"

namespace propscan::io {

struct LabelledArticle {
  Document doc;
  std::vector<Span> techniques;  // TC gold
  std::vector<Span> si;          // SI gold (from labels-si/, else the TC spans)
};

struct Corpus {
  std::vector<LabelledArticle> articles;  // sorted by id
  // One line for each article that could not be read and each label row
  // that is malformed, names a missing article or falls outside its
  // article: all skipped, so that one bad file does not sink the rest.
  std::vector<std::string> problems;
};

// Loads the corpus; throws propscan::Error only when DIR has no articles/ or
// labels-tc/ directory. The rows of an article that could not be read are
// dropped with it (its own problem line stands for them).
Corpus load_corpus(const std::string& dir);

// Reads a directory of article<ID>.txt files, sorted by id. A file that
// cannot be read is skipped with a line in `problems`, or, when `problems`
// is null, throws propscan::Error.
std::vector<Document> load_articles(const std::string& dir, std::vector<std::string>* problems = nullptr);

}  // namespace propscan::io
