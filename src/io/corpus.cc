#include "io/corpus.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "io/input.h"
#include "io/labels.h"
#include "propscan/error.h"

namespace propscan::io {
namespace fs = std::filesystem;

std::vector<Document> load_articles(const std::string& dir) {
  std::vector<Document> docs;
  read_input(dir, false, InputLimits{}, [&](InputItem&& item) {
    if (!item.ok()) throw Error(item.error);
    docs.push_back(std::move(item.doc));
  });
  std::sort(docs.begin(), docs.end(), [](const Document& a, const Document& b) { return a.id < b.id; });
  return docs;
}

Corpus load_corpus(const std::string& dir) {
  const std::string articles_dir = (fs::path(dir) / "articles").string();
  const std::string tc_dir = (fs::path(dir) / "labels-tc").string();
  const std::string si_dir = (fs::path(dir) / "labels-si").string();
  std::error_code ec;
  if (!fs::is_directory(articles_dir, ec)) throw Error(dir + ": no articles/ directory");
  if (!fs::is_directory(tc_dir, ec)) throw Error(dir + ": no labels-tc/ directory");

  Corpus corpus;
  std::map<std::string, std::size_t> index;
  for (auto& doc : load_articles(articles_dir)) {
    index[doc.id] = corpus.articles.size();
    corpus.articles.push_back(LabelledArticle{std::move(doc), {}, {}});
  }
  auto attach = [&](std::vector<Span> spans, bool si, const std::string& from) {
    for (auto& s : spans) {
      auto it = index.find(s.article_id);
      if (it == index.end()) throw Error(from + ": label for unknown article " + s.article_id);
      auto& art = corpus.articles[it->second];
      if (s.end > static_cast<Offset>(art.doc.text.size())) {
        throw Error(from + ": span " + std::to_string(s.start) + "-" + std::to_string(s.end) +
                    " ends past article " + s.article_id + " (" + std::to_string(art.doc.text.size()) +
                    " characters)");
      }
      (si ? art.si : art.techniques).push_back(std::move(s));
    }
  };
  attach(read_labels_dir(tc_dir, LabelFormat::kTechnique), false, tc_dir);
  const bool have_si = fs::is_directory(si_dir, ec);
  if (have_si) attach(read_labels_dir(si_dir, LabelFormat::kSpanOnly), true, si_dir);
  for (auto& art : corpus.articles) {
    if (!have_si) {
      art.si = art.techniques;
    }
  }
  return corpus;
}

}  // namespace propscan::io
