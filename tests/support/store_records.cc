#include "store_records.h"

#include <gtest/gtest.h>

#include <utility>

#include "store/sha256.h"
#include "text/utf8.h"

namespace propscan::test {

Span span(Offset start, Offset end, Technique t, double score) {
  Span s;
  s.start = start;
  s.end = end;
  s.technique = t;
  s.score = score;
  return s;
}

store::ArticleRecord article(const std::string& id, const std::string& source, const std::string& date,
                             const std::string& text, std::int64_t words, double score, std::vector<Span> spans,
                             const std::string& model) {
  store::ArticleRecord a;
  a.input = "in/" + id;
  a.ext_id = id;
  a.source = source;
  if (!date.empty()) a.published = store::normalise_date(date);
  a.title = "Title " + id;
  a.text = text;
  a.text_hash = store::sha256_hex(text);
  a.chars = static_cast<std::int64_t>(text::decode_utf8(text).size());
  a.words = words;
  a.propaganda_score = score;
  a.spans = std::move(spans);
  a.model = model;
  return a;
}

std::vector<store::ArticleRecord> small_corpus() {
  auto a1 = article("a1", "Daily", "2024-03-01", "The corrupt pipeline deal is a disgrace.", 100, 0.5,
                    {span(4, 11, LL), span(30, 39, LL), span(0, 20, NC)});
  a1.topics = {"energy"};
  auto a2 = article("a2", "Daily", "2024-03-05", "The council approved the new pipeline on Tuesday.", 200, 0.1,
                    {span(0, 3, LL)});
  auto a3 = article("a3", "Herald", "2024-03-02T10:00:00Z", "Can we really trust the budget figures?", 50, 0.3,
                    {span(0, 38, DOUBT), span(4, 10, LL)});
  a3.topics = {"energy", "budget"};
  auto a4 = article("a4", "Herald", "", "Rain is expected this weekend.", 150, 0.0, {});
  auto a5 = article("a5", "", "2024-04-10", "These traitors sold the harbour.", 100, 0.2, {span(6, 14, NC)});
  return {a1, a2, a3, a4, a5};
}

void expect_same_stats(const store::StatsResult& a, const store::StatsResult& b, const std::string& what) {
  ASSERT_EQ(a.rows.size(), b.rows.size()) << what;
  for (std::size_t i = 0; i < a.rows.size(); ++i) {
    const auto &x = a.rows[i], &y = b.rows[i];
    EXPECT_EQ(x.keys, y.keys) << what;
    EXPECT_EQ(x.articles, y.articles) << what;
    EXPECT_EQ(x.spans, y.spans) << what;
    EXPECT_EQ(x.words, y.words) << what;
    EXPECT_EQ(x.total_spans, y.total_spans) << what;
    EXPECT_EQ(x.technique_spans, y.technique_spans) << what;
    EXPECT_NEAR(x.mean_score, y.mean_score, 1e-12) << what;
    ASSERT_EQ(x.top.size(), y.top.size()) << what;
    for (std::size_t k = 0; k < x.top.size(); ++k) {
      EXPECT_EQ(x.top[k].ext_id, y.top[k].ext_id) << what;
      EXPECT_EQ(x.top[k].title, y.top[k].title) << what;
      EXPECT_EQ(x.top[k].source, y.top[k].source) << what;
      EXPECT_EQ(x.top[k].published, y.top[k].published) << what;
      EXPECT_EQ(x.top[k].spans, y.top[k].spans) << what;
      EXPECT_DOUBLE_EQ(x.top[k].propaganda_score, y.top[k].propaganda_score) << what;
    }
  }
}

}  // namespace propscan::test
