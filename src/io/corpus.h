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
};

// Loads the corpus; throws propscan::Error naming the first bad file. Label
// rows whose article is missing, or whose offsets fall outside it, are errors.
Corpus load_corpus(const std::string& dir);

// Reads a directory of article<ID>.txt files, keyed by id; every file must decode.
std::vector<Document> load_articles(const std::string& dir);

}  // namespace propscan::io
