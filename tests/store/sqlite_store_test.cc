#include "store/store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>

#include "../support/errors.h"
#include "../support/files.h"
#include "../support/store_records.h"
#include "store/json.h"
#include "store/sha256.h"

namespace propscan::store {
namespace {

namespace fs = std::filesystem;
using test::error_of;

using test::article;
using test::DOUBT;
using test::expect_same_stats;
using test::LL;
using test::NC;
using test::small_corpus;
using test::span;

// What every store does (stats, filters, topics, failures) is tested on
// SQLite and PostgreSQL alike in store_backends_test.cc; this file holds
// what is SQLite's own: the file, WAL, migrations, FTS5 snippets.
class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = test::temp_path(".db");
    remove_files();
  }
  void TearDown() override { remove_files(); }
  void remove_files() {
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path_ + suffix);
  }
  std::unique_ptr<Store> filled() {
    auto st = open_store(path_);
    st->write_batch(small_corpus(), {});
    return st;
  }
  // One value from the database file, read with SQLite directly.
  std::string sql_value(const std::string& sql) {
    sqlite3* db = nullptr;
    sqlite3_open(path_.c_str(), &db);
    sqlite3_stmt* stmt = nullptr;
    std::string out = "(error)";
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK) {
      out = sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0)
                ? reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))
                : "(null)";
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return out;
  }
  void sql_exec(const std::string& sql) {
    sqlite3* db = nullptr;
    sqlite3_open(path_.c_str(), &db);
    char* err = nullptr;
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
    sqlite3_close(db);
  }
  const StatsRow* row(const StatsResult& r, const std::vector<std::string>& keys) {
    for (const auto& x : r.rows) {
      if (x.keys == keys) return &x;
    }
    ADD_FAILURE() << "no row " << ::testing::PrintToString(keys);
    static const StatsRow none;
    return &none;
  }
  std::string path_;
};

TEST_F(SqliteStoreTest, CreatesTheCurrentSchemaInWalMode) {
  auto st = open_store(path_);
  EXPECT_EQ(st->schema_version(), current_schema_version());
  EXPECT_EQ(current_schema_version(), 5);
  EXPECT_EQ(sql_value("SELECT version FROM schema_version"), "5");
  EXPECT_EQ(sql_value("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(sql_value("SELECT COUNT(*) FROM techniques"), "14");
  EXPECT_EQ(sql_value("SELECT label FROM techniques WHERE id = 9"), "Name_Calling,Labeling");
  // Opening again changes nothing.
  st.reset();
  EXPECT_EQ(open_store(path_)->schema_version(), 5);
  EXPECT_EQ(sql_value("SELECT COUNT(*) FROM schema_version"), "1");
}

TEST_F(SqliteStoreTest, StoresArticlesSpansSourcesAndDates) {
  auto st = filled();
  const auto c = st->counts();
  EXPECT_EQ(c.articles, 5);
  EXPECT_EQ(c.spans, 7);
  EXPECT_EQ(sql_value("SELECT COUNT(*) FROM sources"), "2");
  EXPECT_EQ(sql_value("SELECT published || ' ' || day || ' ' || week || ' ' || month FROM articles WHERE ext_id = 'a3'"),
            "2024-03-02T10:00:00Z 2024-03-02 2024-W09 2024-03");
  EXPECT_EQ(sql_value("SELECT published FROM articles WHERE ext_id = 'a4'"), "(null)");
  EXPECT_EQ(sql_value("SELECT body FROM article_texts t JOIN articles a ON a.id = t.article_id WHERE ext_id = 'a5'"),
            "These traitors sold the harbour.");
  EXPECT_EQ(sql_value("SELECT group_concat(start_offset || '-' || end_offset || ':' || technique_id, ' ') FROM "
                      "(SELECT * FROM spans s JOIN articles a ON a.id = s.article_id WHERE ext_id = 'a1' "
                      "ORDER BY start_offset)"),
            "0-20:9 4-11:8 30-39:8");
  EXPECT_EQ(sql_value("SELECT tech8 || ' ' || tech9 || ' ' || span_count FROM articles WHERE ext_id = 'a1'"), "2 1 3");
  EXPECT_EQ(sql_value("SELECT model FROM articles WHERE ext_id = 'a1'"), "m1");
  EXPECT_EQ(sql_value("SELECT length(text_hash) FROM articles WHERE ext_id = 'a1'"), "64");
}

TEST_F(SqliteStoreTest, StoringTheSameTextAgainIsANoOp) {
  auto st = filled();
  const auto again = st->write_batch(small_corpus(), {});
  EXPECT_EQ(again.added, 0u);
  EXPECT_EQ(again.unchanged, 5u);
  EXPECT_EQ(st->counts().articles, 5);
  EXPECT_EQ(st->counts().spans, 7);
  EXPECT_EQ(st->lookup(sha256_hex("Rain is expected this weekend."), "m1"), Known::kSameModel);
  EXPECT_EQ(st->lookup(sha256_hex("Rain is expected this weekend."), "m2"), Known::kOtherModel);
  EXPECT_EQ(st->lookup(sha256_hex("Never stored."), "m1"), Known::kNo);
}

TEST_F(SqliteStoreTest, AnotherModelReplacesTheSpansInOneGo) {
  auto st = filled();
  auto redo = article("a1-again", "Other", "2025-01-01", "The corrupt pipeline deal is a disgrace.", 100, 0.25,
                      {span(30, 39, DOUBT)}, "m2");
  const auto r = st->write_batch({redo}, {});
  EXPECT_EQ(r.replaced, 1u);
  EXPECT_EQ(st->counts().articles, 5);
  EXPECT_EQ(st->counts().spans, 5);  // 7 - 3 + 1
  // The analysis changes; what the article is (id, source, date) does not.
  EXPECT_EQ(sql_value("SELECT ext_id || ' ' || model || ' ' || span_count || ' ' || tech5 || ' ' || tech8 || ' ' || "
                      "propaganda_score || ' ' || published FROM articles WHERE text_hash = '" +
                      sha256_hex("The corrupt pipeline deal is a disgrace.") + "'"),
            "a1 m2 1 1 0 0.25 2024-03-01");
}

TEST_F(SqliteStoreTest, TheSummaryAgreesWithTheArticles) {
  auto st = filled();
  st->write_batch({article("a1-again", "", "", "The corrupt pipeline deal is a disgrace.", 100, 0.25,
                           {span(30, 39, DOUBT)}, "m2"),
                   article("a7", "Daily", "2024-03-01", "More of the same, a disgrace.", 6, 0.4, {span(0, 4, DOUBT)})},
                  {});
  // Every (source, day) row of the summary is the sum of its articles.
  std::string check =
      "SELECT COUNT(*) FROM day_summary d WHERE EXISTS (SELECT 1 FROM (SELECT COUNT(*) AS n, SUM(words) AS w, "
      "SUM(span_count) AS s, SUM(propaganda_score) AS p";
  for (int t = 0; t < 14; ++t) {
    const std::string n = std::to_string(t);
    check += ", SUM(tech" + n + ") AS t" + n + ", SUM(CASE WHEN tech" + n + " > 0 THEN 1 ELSE 0 END) AS a" + n +
             ", SUM(CASE WHEN tech" + n + " > 0 THEN propaganda_score ELSE 0 END) AS p" + n;
  }
  check += " FROM articles a WHERE COALESCE(a.source_id, 0) = d.source_id AND COALESCE(a.day, '') = d.day) x "
           "WHERE x.n <> d.articles OR x.w <> d.words OR x.s <> d.spans OR abs(x.p - d.score_sum) > 1e-9";
  for (int t = 0; t < 14; ++t) {
    const std::string n = std::to_string(t);
    check += " OR x.t" + n + " <> d.tech" + n + " OR x.a" + n + " <> d.articles" + n + " OR abs(x.p" + n + " - d.score" +
             n + ") > 1e-9";
  }
  check += ")";
  EXPECT_EQ(sql_value(check), "0");
  EXPECT_EQ(sql_value("SELECT SUM(articles) || ' ' || SUM(spans) FROM day_summary"), "6 6");
  EXPECT_EQ(sql_value("SELECT COUNT(*) FROM day_summary"), "5");  // a7 shares a1's source and day
  // The summary and the articles give the same stats (a topic filter that
  // every article passes reads the articles).
  StatsQuery q;
  q.by = {Dimension::kSource, Dimension::kTechnique};
  const auto from_summary = st->stats(q);
  st->add_topic("all", "the OR these OR rain OR more");
  q.topic = "all";
  const auto from_articles = st->stats(q);
  expect_same_stats(from_summary, from_articles, "by source and technique");
  EXPECT_DOUBLE_EQ(row(from_summary, {"Daily", "Doubt"})->mean_score, (0.25 + 0.4) / 2);
  // The same with the most propagandistic articles named by the summary
  // rows (up to 5 a row), and with more than they name.
  for (int top : {1, 3, 5, 7}) {
    q.by = {Dimension::kSource, Dimension::kWeek};
    q.top = top;
    q.topic.clear();
    const auto a = st->stats(q);
    q.topic = "all";
    expect_same_stats(a, st->stats(q), "by source and week, top " + std::to_string(top));
    q.by = {Dimension::kMonth};
    q.topic.clear();
    const auto b = st->stats(q);
    q.topic = "all";
    expect_same_stats(b, st->stats(q), "by month, top " + std::to_string(top));
  }
  EXPECT_EQ(row(st->stats({}), {})->top.size(), 3u);
}

TEST_F(SqliteStoreTest, SearchReturnsSnippetsWithMatchesAndScores) {
  auto st = filled();
  SearchQuery q;
  q.text = "pipeline";
  const auto hits = st->search(q);
  ASSERT_EQ(hits.size(), 2u);
  std::vector<std::string> ids{hits[0].article.ext_id, hits[1].article.ext_id};
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::string>{"a1", "a2"}));
  for (const auto& h : hits) {
    ASSERT_EQ(h.matches.size(), 1u);
    const auto [b, e] = h.matches[0];
    EXPECT_EQ(h.snippet.substr(static_cast<std::size_t>(b), static_cast<std::size_t>(e - b)), U"pipeline");
    if (h.article.ext_id == "a1") {
      EXPECT_EQ(h.snippet, U"The corrupt pipeline deal is a disgrace.");
      EXPECT_DOUBLE_EQ(h.article.propaganda_score, 0.5);
      EXPECT_EQ(h.article.spans, 3);
      EXPECT_EQ(h.article.source, "Daily");
    }
  }
  q.text = "\"budget figures\"";
  ASSERT_EQ(st->search(q).size(), 1u);
  q.text = "nothingmatches";
  EXPECT_TRUE(st->search(q).empty());
  q.text = "\"unclosed";
  EXPECT_NE(error_of([&] { st->search(q); }).find("search query '\"unclosed'"), std::string::npos);
  const auto j = to_json(hits);
  EXPECT_EQ(j[0]["matches"][0].size(), 2u);
}

TEST_F(SqliteStoreTest, AnArticleCannotForgeAHighlight) {
  auto st = open_store(path_);
  // The snippet markers are control characters; an article holding them
  // must not be able to mark text as a match.
  st->write_batch({article("x", "", "", "Fake \x01marked\x02 text about a harbour\x03.", 6, 0.0, {})}, {});
  SearchQuery q;
  q.text = "harbour";
  const auto hits = st->search(q);
  ASSERT_EQ(hits.size(), 1u);
  ASSERT_EQ(hits[0].matches.size(), 1u);
  const auto [b, e] = hits[0].matches[0];
  EXPECT_EQ(hits[0].snippet.substr(static_cast<std::size_t>(b), static_cast<std::size_t>(e - b)), U"harbour");
  EXPECT_EQ(hits[0].snippet, U"Fake  marked  text about a harbour .");
  EXPECT_FALSE(hits[0].snippet_starts_inside);
  EXPECT_FALSE(hits[0].snippet_ends_inside);
}

TEST_F(SqliteStoreTest, MigratesADatabaseOfThePreviousVersion) {
  // A store as schema version 1 left it: articles and spans, no topics, no
  // full-text index.
  open_store_at_version(path_, 1).reset();
  EXPECT_EQ(sql_value("SELECT version FROM schema_version"), "1");
  EXPECT_EQ(sql_value("SELECT COUNT(*) FROM sqlite_master WHERE name = 'article_fts'"), "0");
  std::string tech = "", zeros = "";
  for (int t = 0; t < 14; ++t) {
    tech += ", tech" + std::to_string(t);
    zeros += t == 8 ? ", 1" : ", 0";
  }
  sql_exec("INSERT INTO sources (id, name) VALUES (1, 'Daily');"
           "INSERT INTO articles (id, ext_id, source_id, published, day, week, month, url, title, text_hash, chars, "
           "words, span_count, propaganda_score" + tech + ", analysed_at, model) VALUES (1, 'old1', 1, '2023-05-01', "
           "'2023-05-01', '2023-W18', '2023-05', NULL, 'Old', '" + sha256_hex("An old shameful harbour story.") +
           "', 30, 5, 1, 0.4" + zeros + ", '2023-05-02T00:00:00Z', 'old-model');"
           "INSERT INTO article_texts (article_id, title, body) VALUES (1, 'Old', 'An old shameful harbour story.');"
           "INSERT INTO spans (article_id, start_offset, end_offset, technique_id, score) VALUES (1, 7, 15, 8, 0.9);");
  auto st = open_store(path_);
  EXPECT_EQ(st->schema_version(), 5);
  EXPECT_EQ(sql_value("SELECT version FROM schema_version"), "5");
  // Version 5: the old span's explanation is unknown, not invented.
  EXPECT_EQ(sql_value("SELECT COALESCE(voice, '-') || COALESCE(speaker, '-') || COALESCE(precision_estimate, '-') || "
                      "COALESCE(evidence, '-') FROM spans"),
            "----");
  // The summary (versions 3 and 4) holds the old article.
  EXPECT_EQ(sql_value("SELECT articles || ' ' || spans || ' ' || tech8 || ' ' || articles8 || ' ' || week || ' ' || "
                      "top1_id || ' ' || top1_score || ' ' || COALESCE(top2_id, '-') FROM day_summary"),
            "1 1 1 1 2023-W18 1 0.4 -");
  EXPECT_EQ(st->counts().articles, 1);
  EXPECT_EQ(st->counts().spans, 1);
  // The old articles are searchable and count in stats as before.
  SearchQuery q;
  q.text = "harbour";
  ASSERT_EQ(st->search(q).size(), 1u);
  EXPECT_EQ(st->search(q)[0].article.ext_id, "old1");
  StatsQuery sq;
  sq.by = {Dimension::kSource};
  const auto r = st->stats(sq);
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_DOUBLE_EQ(r.rows[0].share(LL), 1.0);
  // New articles join the migrated store as usual.
  EXPECT_EQ(st->write_batch(small_corpus(), {}).added, 5u);
  EXPECT_EQ(st->add_topic("harbours", "harbour"), 2);
}

TEST_F(SqliteStoreTest, KeepsEachSpansExplanation) {
  auto a = article("q1", "Daily", "2024-03-01", "\u201CTraitors!\u201D said P\u00E9rez. A disgrace.", 6, 0.5,
                   {span(1, 9, NC, 0.8), span(26, 34, LL, 0.6)});
  SpanExplanation quoted;
  quoted.voice = Voice::kQuoted;
  quoted.speaker = "P\u00E9rez";
  quoted.precision_estimate = 0.4;
  quoted.evidence = {{1, 9, "word", "label attached to a person or group", 2.0}};
  a.explanations = {quoted, SpanExplanation{}};
  auto st = open_store(path_);
  EXPECT_EQ(st->write_batch({a}, {}).added, 1u);
  st.reset();
  EXPECT_EQ(sql_value("SELECT group_concat(voice || '|' || COALESCE(speaker, '-') || '|' || "
                      "COALESCE(precision_estimate, '-') || '|' || evidence, ';') FROM "
                      "(SELECT * FROM spans ORDER BY start_offset)"),
            "quoted|P\u00E9rez|0.4|[{\"end\":9,\"kind\":\"word\",\"reason\":\"label attached to a person or group\","
            "\"start\":1}];author|-|-|[]");
}

TEST_F(SqliteStoreTest, RefusesWhatIsNotAPropscanStore) {
  test::spit(path_, "just some text, not a database at all, long enough to be read as a header........");
  EXPECT_NE(error_of([&] { open_store(path_); }).find(path_ + ": "), std::string::npos);
  remove_files();
  sql_exec("CREATE TABLE other (x INTEGER)");
  EXPECT_EQ(error_of([&] { open_store(path_); }), path_ + ": not a propscan store (a database with other tables)");
  remove_files();
  open_store(path_).reset();
  sql_exec("UPDATE schema_version SET version = 99");
  EXPECT_EQ(error_of([&] { open_store(path_); }),
            path_ + ": store schema version 99 is newer than this propscan's (5); use a newer propscan");
  EXPECT_NE(error_of([&] { open_store("/nonexistent-dir/x.db"); }).find("/nonexistent-dir/x.db: cannot open the store"),
            std::string::npos);
}

}  // namespace
}  // namespace propscan::store
