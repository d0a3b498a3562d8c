#include "io/corpus.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "io/input.h"
#include "io/labels.h"
#include "propscan/error.h"

namespace propscan::io {
namespace fs = std::filesystem;

std::vector<Document> load_articles(const std::string& dir, std::vector<std::string>* problems) {
  std::vector<Document> docs;
  std::map<std::string, std::string> file_of;  // id -> the file that gave it
  read_input(dir, false, InputLimits{}, [&](InputItem&& item) {
    // "article7.txt" and "7.txt" both give id 7.
    if (item.ok()) {
      if (auto [it, fresh] = file_of.emplace(item.doc.id, item.name); !fresh) {
        item.error = item.name + ": duplicate article id " + item.doc.id + " (also " + it->second + "); skipped";
      }
    }
    if (!item.ok()) {
      if (!problems) throw Error(item.error);
      problems->push_back(item.error);
      return;
    }
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
  for (auto& doc : load_articles(articles_dir, &corpus.problems)) {
    index[doc.id] = corpus.articles.size();
    corpus.articles.push_back(LabelledArticle{std::move(doc), {}, {}});
  }
  // Ids of the article files that failed to read: their rows go with them.
  std::set<std::string> unreadable;
  for (const auto& entry : fs::directory_iterator(articles_dir, ec)) {
    if (entry.path().extension() != ".txt") continue;
    const auto id = article_id_from_path(entry.path().string());
    if (!index.count(id)) unreadable.insert(id);
  }
  auto attach = [&](LabelRows rows, bool si) {
    corpus.problems.insert(corpus.problems.end(), rows.errors.begin(), rows.errors.end());
    for (std::size_t i = 0; i < rows.spans.size(); ++i) {
      Span& s = rows.spans[i];
      auto it = index.find(s.article_id);
      if (it == index.end()) {
        if (!unreadable.count(s.article_id)) {
          corpus.problems.push_back(rows.where[i] + ": label for unknown article " + s.article_id);
        }
        continue;
      }
      auto& art = corpus.articles[it->second];
      if (s.end > static_cast<Offset>(art.doc.text.size())) {
        corpus.problems.push_back(rows.where[i] + ": span " + std::to_string(s.start) + "-" + std::to_string(s.end) +
                                  " ends past article " + s.article_id + " (" +
                                  std::to_string(art.doc.text.size()) + " characters)");
        continue;
      }
      (si ? art.si : art.techniques).push_back(std::move(s));
    }
  };
  attach(read_labels_dir(tc_dir, LabelFormat::kTechnique), false);
  const bool have_si = fs::is_directory(si_dir, ec);
  if (have_si) attach(read_labels_dir(si_dir, LabelFormat::kSpanOnly), true);
  for (auto& art : corpus.articles) {
    if (!have_si) {
      art.si = art.techniques;
    }
  }
  return corpus;
}

}  // namespace propscan::io
