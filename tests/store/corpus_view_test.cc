// The corpus view's queries (list_articles, article, date_range) and the JSON
// of the dashboard and report (store/corpus_view.h) on a five-article corpus
// counted by hand, with non-ASCII text so that offsets are code points.
#include "store/corpus_view.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "../support/files.h"
#include "../support/store_records.h"

namespace propscan::store {
namespace {

namespace fs = std::filesystem;

using test::DOUBT;
using test::LL;
using test::NC;
using test::span;

ArticleRecord article(const std::string& id, const std::string& source, const std::string& date,
                      const std::string& text, double score, std::vector<Span> spans) {
  return test::article(id, source, date, text, 10, score, std::move(spans));
}

// Weeks: 2024-03-01 and 03-02 are in 2024-W09, 03-12 in W11, 04-01 in W14.
std::vector<ArticleRecord> corpus() {
  // "Ça, the corrupt élite lies.": "corrupt" is 8..15, "élite" 16..21 in code points.
  auto b1 = article("b1", "Daily", "2024-03-01", "\u00c7a, the corrupt \u00e9lite lies.", 0.6,
                    {span(16, 21, NC), span(8, 15, LL)});
  b1.topics = {"energy"};
  auto b2 = article("b2", "Daily", "2024-03-12", "A shameful vote.", 0.2, {span(2, 10, LL)});
  auto b3 = article("b3", "Herald", "2024-03-02", "Can we trust these awful, awful figures?", 0.4,
                    {span(0, 40, DOUBT), span(19, 24, LL), span(26, 31, LL)});
  auto b4 = article("b4", "", "", "These traitors sold the harbour.", 0.1, {span(6, 14, NC)});
  auto b5 = article("b5", "Herald", "2024-04-01", "Rain is expected.", 0.0, {});
  b5.title = "<img src=x onerror=alert(1)>";
  return {b1, b2, b3, b4, b5};
}

class StoreCorpusViewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = test::temp_path(".db");
    remove_files();
    store_ = open_store(path_);
    store_->write_batch(corpus(), {});
  }
  void TearDown() override {
    store_.reset();
    remove_files();
  }
  void remove_files() {
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path_ + suffix);
  }
  std::vector<std::string> ids(const ArticleListQuery& q) {
    std::vector<std::string> out;
    for (const auto& item : store_->list_articles(q).articles) out.push_back(item.article.ext_id);
    return out;
  }
  std::string path_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreCorpusViewTest, ListsArticlesMostPropagandisticFirstWithEveryFilter) {
  ArticleListQuery q;
  const ArticleList all = store_->list_articles(q);
  EXPECT_EQ(all.total, 5);
  EXPECT_EQ(ids(q), (std::vector<std::string>{"b1", "b3", "b2", "b4", "b5"}));
  EXPECT_EQ(all.articles[0].week, "2024-W09");
  EXPECT_EQ(all.articles[0].month, "2024-03");
  EXPECT_EQ(all.articles[0].article.source, "Daily");
  EXPECT_EQ(all.articles[0].article.spans, 2);
  EXPECT_EQ(all.articles[3].week, "");  // b4 is undated

  q.filter.techniques = {NC};
  EXPECT_EQ(ids(q), (std::vector<std::string>{"b1", "b4"}));
  q.filter.techniques = {NC, DOUBT};
  EXPECT_EQ(ids(q), (std::vector<std::string>{"b1", "b3", "b4"}));
  q.filter.techniques.clear();

  q.filter.sources = {""};  // the articles without an outlet
  EXPECT_EQ(ids(q), (std::vector<std::string>{"b4"}));
  q.filter.sources = {"Daily", ""};
  EXPECT_EQ(ids(q), (std::vector<std::string>{"b1", "b2", "b4"}));
  q.filter.sources = {"Nobody"};
  EXPECT_TRUE(ids(q).empty());
  q.filter.sources.clear();

  q.filter.since = "2024-03-02";
  EXPECT_EQ(ids(q), (std::vector<std::string>{"b3", "b2", "b5"}));
  q.filter.until = "2024-03-31";
  EXPECT_EQ(ids(q), (std::vector<std::string>{"b3", "b2"}));
  q.filter.since = q.filter.until = "";

  q.filter.topic = "energy";
  EXPECT_EQ(ids(q), (std::vector<std::string>{"b1"}));
  q.filter.topic.clear();

  q.period_kind = Dimension::kWeek;
  q.period = "2024-W09";
  EXPECT_EQ(ids(q), (std::vector<std::string>{"b1", "b3"}));
  q.period_kind = Dimension::kMonth;
  q.period = "2024-04";
  EXPECT_EQ(ids(q), (std::vector<std::string>{"b5"}));
  q.period_kind.reset();

  q.limit = 2;
  q.offset = 1;
  const ArticleList page = store_->list_articles(q);
  EXPECT_EQ(page.total, 5);
  EXPECT_EQ(ids(q), (std::vector<std::string>{"b3", "b2"}));
}

TEST_F(StoreCorpusViewTest, ReadsOneArticleWholeWithItsSpansInOrder) {
  const auto list = store_->list_articles({});
  const std::int64_t id = list.articles[0].article.id;  // b1
  const auto a = store_->article(id);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->article.ext_id, "b1");
  EXPECT_EQ(a->text, "\u00c7a, the corrupt \u00e9lite lies.");
  EXPECT_EQ(a->chars, 27);
  EXPECT_EQ(a->model, "m1");
  ASSERT_EQ(a->spans.size(), 2u);
  EXPECT_EQ(a->spans[0].start, 8);
  EXPECT_EQ(a->spans[0].technique, LL);
  EXPECT_EQ(a->spans[1].start, 16);
  EXPECT_EQ(a->spans[1].technique, NC);
  EXPECT_FALSE(store_->article(id + 1000));

  // The highlight view's shape: length and fragments in code points.
  const nlohmann::json j = to_json(*a);
  EXPECT_EQ(j["length"], 27);
  EXPECT_EQ(j["article_id"], id);
  EXPECT_EQ(j["spans"][0]["text"], "corrupt");
  EXPECT_EQ(j["spans"][1]["text"], "\u00e9lite");
  EXPECT_EQ(j["spans"][1]["technique"], "Name_Calling,Labeling");
  EXPECT_EQ(j["technique_counts"]["Loaded_Language"], 1);
  EXPECT_EQ(j["source"], "Daily");
}

TEST_F(StoreCorpusViewTest, FacetsNameOutletsTopicsAndTheDateRange) {
  EXPECT_EQ(store_->date_range(), (std::pair<std::string, std::string>{"2024-03-01", "2024-04-01"}));
  const nlohmann::json f = corpus_facets(*store_);
  EXPECT_EQ(f["articles"], 5);
  EXPECT_EQ(f["spans"], 7);
  ASSERT_EQ(f["sources"].size(), 3u);
  EXPECT_TRUE(f["sources"][0]["name"].is_null());  // sorted: no outlet first
  EXPECT_EQ(f["sources"][1]["name"], "Daily");
  EXPECT_EQ(f["sources"][2]["articles"], 2);
  EXPECT_EQ(f["topics"][0]["name"], "energy");
  EXPECT_EQ(f["techniques"].size(), kNumTechniques);
  EXPECT_EQ(f["first_day"], "2024-03-01");
  EXPECT_EQ(f["last_day"], "2024-04-01");
}

TEST_F(StoreCorpusViewTest, OverviewOnAHandCountedCorpus) {
  const nlohmann::json o = corpus_overview(*store_, {}, Dimension::kWeek);
  EXPECT_EQ(o["interval"], "week");
  // Ranking: Daily (0.6 + 0.2) / 2, Herald (0.4 + 0.0) / 2, no outlet 0.1.
  ASSERT_EQ(o["ranking"].size(), 3u);
  EXPECT_EQ(o["ranking"][0]["source"], "Daily");
  EXPECT_NEAR(o["ranking"][0]["mean_score"].get<double>(), 0.4, 1e-12);
  EXPECT_EQ(o["ranking"][1]["source"], "Herald");
  EXPECT_NEAR(o["ranking"][1]["mean_score"].get<double>(), 0.2, 1e-12);
  EXPECT_TRUE(o["ranking"][2]["source"].is_null());
  EXPECT_EQ(o["ranking"][1]["spans"], 3);
  EXPECT_NEAR(o["ranking"][1]["spans_per_1000_words"].get<double>(), 150.0, 1e-9);
  // Mix: Daily 2 of 3 spans loaded language, 1 name calling; Herald 2 of 3 loaded, 1 doubt.
  const auto mix_of = [&](const char* source) {
    for (const auto& m : o["mix"]) {
      if (m["source"] == source) return m;
    }
    return nlohmann::json();
  };
  EXPECT_NEAR(mix_of("Daily")["shares"]["Loaded_Language"].get<double>(), 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(mix_of("Daily")["shares"]["Name_Calling,Labeling"].get<double>(), 1.0 / 3.0, 1e-12);
  EXPECT_NEAR(mix_of("Herald")["shares"]["Doubt"].get<double>(), 1.0 / 3.0, 1e-12);
  EXPECT_EQ(mix_of("Herald")["shares"]["Slogans"], 0.0);
  // Periods: the dated weeks; the undated article has none.
  EXPECT_EQ(o["periods"], (std::vector<std::string>{"2024-W09", "2024-W11", "2024-W14"}));
  EXPECT_EQ(o["series"].size(), 3 * kNumTechniques);
  const auto series_of = [&](const char* source, const char* technique) {
    for (const auto& s : o["series"]) {
      if (s["source"] == source && s["technique"] == technique) return s;
    }
    return nlohmann::json();
  };
  const auto daily = series_of("Daily", "Loaded_Language");
  EXPECT_EQ(daily["share"][0], 0.5);  // b1: 1 of 2
  EXPECT_EQ(daily["share"][1], 1.0);  // b2: 1 of 1
  EXPECT_TRUE(daily["share"][2].is_null());
  EXPECT_EQ(daily["spans"], (std::vector<int>{1, 1, 0}));
  const auto herald = series_of("Herald", "Loaded_Language");
  EXPECT_NEAR(herald["share"][0].get<double>(), 2.0 / 3.0, 1e-12);
  EXPECT_TRUE(herald["share"][1].is_null());
  EXPECT_TRUE(herald["share"][2].is_null());  // b5 has no spans
}

TEST_F(StoreCorpusViewTest, OverviewFilteredByOutletTechniqueAndDates) {
  CorpusFilter f;
  f.sources = {"Herald"};
  f.techniques = {LL};
  f.until = "2024-03-31";
  const nlohmann::json o = corpus_overview(*store_, f, Dimension::kMonth);
  ASSERT_EQ(o["ranking"].size(), 1u);
  EXPECT_EQ(o["ranking"][0]["articles"], 1);  // b5 is after --until
  EXPECT_EQ(o["periods"], (std::vector<std::string>{"2024-03"}));
  ASSERT_EQ(o["series"].size(), 1u);
  EXPECT_NEAR(o["series"][0]["share"][0].get<double>(), 2.0 / 3.0, 1e-12);
  EXPECT_EQ(o["mix"][0]["shares"].size(), 1u);
}

TEST_F(StoreCorpusViewTest, UntrustedTitlesArePlainJsonStrings) {
  ArticleListQuery q;
  q.filter.sources = {"Herald"};
  const nlohmann::json j = to_json(store_->list_articles(q));
  EXPECT_EQ(j["total"], 2);
  EXPECT_EQ(j["articles"][1]["title"], "<img src=x onerror=alert(1)>");
  EXPECT_EQ(j["articles"][1]["id"], "b5");
}

}  // namespace
}  // namespace propscan::store
