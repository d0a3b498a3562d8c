// The store's behaviour on both implementations, SQLite and PostgreSQL: the
// hand-counted stats, filters, topics, failures and re-analysis, then the
// same corpus written to both and every grouping compared, and the command
// line with --db postgresql://. The PostgreSQL cases need a server:
// tests/support/with_postgres.sh starts a throwaway one and sets
// PROPSCAN_TEST_POSTGRES (CTest: store.postgres); without it they skip.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "../support/errors.h"
#include "../support/process.h"
#include "../support/store_records.h"
#include "store/json.h"
#include "store/postgres_store.h"
#include "store/sha256.h"
#include "store/store.h"
#include "text/utf8.h"

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

const StatsRow* row(const StatsResult& r, const std::vector<std::string>& keys) {
  for (const auto& x : r.rows) {
    if (x.keys == keys) return &x;
  }
  ADD_FAILURE() << "no row " << ::testing::PrintToString(keys);
  static const StatsRow none;
  return &none;
}

std::string test_name() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string n = std::string(info->test_suite_name()) + "_" + info->name();
  for (char& c : n) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return n;
}

// A fresh store of each kind: an SQLite file, or a new database on the
// test's PostgreSQL server, dropped afterwards.
class Backend {
 public:
  explicit Backend(const std::string& kind) : kind_(kind) {}
  ~Backend() { drop(); }

  // False (with the reason) when the kind cannot be tested here.
  bool create(std::string& why) {
    if (kind_ == "sqlite") {
      location_ = (fs::temp_directory_path() / ("propscan_" + test_name() + "_" + std::to_string(getpid()) + ".db"))
                      .string();
      remove_files();
      return true;
    }
    const char* base = std::getenv("PROPSCAN_TEST_POSTGRES");
    if (!base || !*base) {
      why = "PROPSCAN_TEST_POSTGRES is not set (ctest -R store.postgres starts a server)";
      return false;
    }
    base_ = base;
    database_ = "t_" + std::to_string(getpid()) + "_" + std::to_string(++counter_);
    admin("CREATE DATABASE " + database_);
    location_ = base_.substr(0, base_.rfind('/') + 1) + database_;
    return true;
  }
  const std::string& location() const { return location_; }
  std::unique_ptr<Store> open() const { return open_store_at(location_); }

  // Runs SQL on the server's maintenance database.
  void admin(const std::string& sql) const {
    PGconn* c = PQconnectdb(base_.c_str());
    PGresult* r = PQexec(c, sql.c_str());
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok) ADD_FAILURE() << sql << ": " << PQerrorMessage(c);
    PQclear(r);
    PQfinish(c);
  }

 private:
  void remove_files() {
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(location_ + suffix);
  }
  void drop() {
    if (kind_ == "sqlite" && !location_.empty()) remove_files();
    if (!database_.empty()) admin("DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)");
  }

  std::string kind_, location_, base_, database_;
  static inline int counter_ = 0;
};

class StoreBackendTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string why;
    if (!backend_.create(why)) GTEST_SKIP() << why;
  }
  std::unique_ptr<Store> filled() {
    auto st = backend_.open();
    st->write_batch(small_corpus(), {});
    return st;
  }
  Backend backend_{GetParam()};
};

TEST_P(StoreBackendTest, CreatesTheCurrentSchema) {
  auto st = backend_.open();
  EXPECT_EQ(st->schema_version(), current_schema_version());
  // Opened again, nothing is migrated twice.
  EXPECT_EQ(backend_.open()->schema_version(), current_schema_version());
  const auto c = st->counts();
  EXPECT_EQ(c.articles + c.spans + c.failures, 0);
}

TEST_P(StoreBackendTest, StoresArticlesOnceAndReplacesAnotherModelsSpans) {
  auto st = backend_.open();
  const auto r = st->write_batch(small_corpus(), {});
  EXPECT_EQ(r.added, 5u);
  EXPECT_EQ(st->counts().spans, 7);
  EXPECT_EQ(st->lookup(sha256_hex("Rain is expected this weekend."), "m1"), Known::kSameModel);
  EXPECT_EQ(st->lookup(sha256_hex("Rain is expected this weekend."), "m2"), Known::kOtherModel);
  EXPECT_EQ(st->lookup(sha256_hex("never stored"), "m1"), Known::kNo);
  // The same texts again: nothing changes, also when a text comes twice in a batch.
  auto again = small_corpus();
  again.push_back(again[0]);
  const auto r2 = st->write_batch(again, {});
  EXPECT_EQ(r2.unchanged, 6u);
  EXPECT_EQ(r2.added, 0u);
  EXPECT_EQ(st->counts().articles, 5);
  // Another model: one row, new spans, the summary follows.
  const auto r3 = st->write_batch({article("a1", "Daily", "2024-03-01", "The corrupt pipeline deal is a disgrace.", 100,
                                           0.25, {span(30, 39, DOUBT)}, "m2")},
                                  {});
  EXPECT_EQ(r3.replaced, 1u);
  EXPECT_EQ(st->counts().articles, 5);
  EXPECT_EQ(st->counts().spans, 5);
  StatsQuery q;
  q.by = {Dimension::kSource, Dimension::kTechnique};
  const auto s = st->stats(q);
  EXPECT_EQ(row(s, {"Daily", "Doubt"})->spans, 1);
  EXPECT_EQ(row(s, {"Daily", "Loaded_Language"})->spans, 1);
  EXPECT_DOUBLE_EQ(row(s, {"Daily", "Doubt"})->mean_score, 0.25);
  // A new text twice in one batch by two models: stored once, the later analysis kept.
  const auto r4 = st->write_batch({article("n1", "Daily", "2024-03-01", "A new text.", 3, 0.1, {span(0, 1, NC)}, "m1"),
                                   article("n1", "Daily", "2024-03-01", "A new text.", 3, 0.2, {}, "m2")},
                                  {});
  EXPECT_EQ(r4.added, 1u);
  EXPECT_EQ(r4.replaced, 1u);
  EXPECT_EQ(st->lookup(sha256_hex("A new text."), "m2"), Known::kSameModel);
  EXPECT_EQ(st->counts().spans, 5);
}

TEST_P(StoreBackendTest, FailuresAreKeptUntilTheInputIsStored) {
  auto st = backend_.open();
  st->write_batch({}, {{"in/a2", "in/a2: bad"}, {"feed.jsonl:3", "feed.jsonl:3: date 'x' ..."}});
  st->write_batch({}, {{"in/a2", "in/a2: still bad"}});
  auto failures = st->failures();
  ASSERT_EQ(failures.size(), 2u);
  EXPECT_EQ(failures[1].input, "in/a2");
  EXPECT_EQ(failures[1].error, "in/a2: still bad");
  st->write_batch({small_corpus()[1]}, {});
  failures = st->failures();
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].input, "feed.jsonl:3");
}

TEST_P(StoreBackendTest, StatsBySourceOnAHandCountedCorpus) {
  auto st = filled();
  StatsQuery q;
  q.by = {Dimension::kSource};
  const auto r = st->stats(q);
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_EQ(r.rows[0].keys[0], "");  // a5 has no source; it sorts first
  const auto* daily = row(r, {"Daily"});
  EXPECT_EQ(daily->articles, 2);
  EXPECT_EQ(daily->spans, 4);
  EXPECT_EQ(daily->words, 300);
  EXPECT_DOUBLE_EQ(daily->spans_per_1000_words(), 4000.0 / 300.0);
  EXPECT_DOUBLE_EQ(daily->mean_score, 0.3);
  EXPECT_DOUBLE_EQ(daily->share(LL), 0.75);
  EXPECT_DOUBLE_EQ(daily->share(NC), 0.25);
  EXPECT_DOUBLE_EQ(daily->share(DOUBT), 0.0);
  ASSERT_EQ(daily->top.size(), 2u);
  EXPECT_EQ(daily->top[0].ext_id, "a1");
  EXPECT_DOUBLE_EQ(daily->top[0].propaganda_score, 0.5);
  EXPECT_EQ(daily->top[0].title, "Title a1");
  EXPECT_EQ(daily->top[0].published, "2024-03-01");
  EXPECT_EQ(daily->top[1].ext_id, "a2");
  const auto* herald = row(r, {"Herald"});
  EXPECT_EQ(herald->articles, 2);
  EXPECT_EQ(herald->spans, 2);
  EXPECT_EQ(herald->words, 200);
  EXPECT_DOUBLE_EQ(herald->spans_per_1000_words(), 10.0);
  EXPECT_DOUBLE_EQ(herald->share(LL), 0.5);
  EXPECT_DOUBLE_EQ(herald->mean_score, 0.15);
  EXPECT_DOUBLE_EQ(herald->share(DOUBT), 0.5);
  EXPECT_EQ(herald->top[0].ext_id, "a3");
  EXPECT_EQ(herald->top[0].published, "2024-03-02T10:00:00Z");
  EXPECT_EQ(herald->top[1].ext_id, "a4");
}

TEST_P(StoreBackendTest, StatsBySourceAndWeekAndByTechnique) {
  auto st = filled();
  StatsQuery q;
  q.by = {Dimension::kSource, Dimension::kWeek};
  q.top = 1;
  auto r = st->stats(q);
  std::vector<std::vector<std::string>> keys;
  for (const auto& x : r.rows) keys.push_back(x.keys);
  EXPECT_EQ(keys, (std::vector<std::vector<std::string>>{
                      {"", "2024-W15"}, {"Daily", "2024-W09"}, {"Daily", "2024-W10"}, {"Herald", ""}, {"Herald", "2024-W09"}}));
  EXPECT_DOUBLE_EQ(row(r, {"Daily", "2024-W09"})->share(LL), 2.0 / 3.0);
  EXPECT_EQ(row(r, {"Daily", "2024-W09"})->spans, 3);
  EXPECT_EQ(row(r, {"Herald", "2024-W09"})->top.size(), 1u);
  EXPECT_EQ(row(r, {"Herald", "2024-W09"})->top[0].ext_id, "a3");
  EXPECT_DOUBLE_EQ(row(r, {"Herald", ""})->mean_score, 0.0);
  q = {};
  q.by = {Dimension::kTechnique};
  r = st->stats(q);
  ASSERT_EQ(r.rows.size(), 3u);
  const auto* ll = row(r, {"Loaded_Language"});
  EXPECT_EQ(ll->articles, 3);
  EXPECT_EQ(ll->spans, 4);
  EXPECT_DOUBLE_EQ(ll->share(LL), 4.0 / 7.0);
  EXPECT_DOUBLE_EQ(ll->spans_per_1000_words(), 4000.0 / 600.0);
  EXPECT_NEAR(ll->mean_score, 0.3, 1e-12);
  ASSERT_EQ(ll->top.size(), 3u);
  EXPECT_EQ(ll->top[0].ext_id, "a1");
  EXPECT_EQ(ll->top[1].ext_id, "a3");
  EXPECT_EQ(ll->top[2].ext_id, "a2");
  const auto* nc = row(r, {"Name_Calling,Labeling"});
  EXPECT_EQ(nc->articles, 2);
  EXPECT_EQ(nc->spans, 2);
  EXPECT_DOUBLE_EQ(nc->share(NC), 2.0 / 7.0);
  EXPECT_NEAR(nc->mean_score, 0.35, 1e-12);
  EXPECT_EQ(row(r, {"Doubt"})->articles, 1);
  q.by = {Dimension::kSource, Dimension::kTechnique};
  r = st->stats(q);
  EXPECT_DOUBLE_EQ(row(r, {"Daily", "Loaded_Language"})->share(LL), 0.75);
  EXPECT_EQ(row(r, {"Daily", "Loaded_Language"})->articles, 2);
  EXPECT_DOUBLE_EQ(row(r, {"Herald", "Doubt"})->share(DOUBT), 0.5);
}

TEST_P(StoreBackendTest, StatsFilters) {
  auto st = filled();
  StatsQuery q;
  q.since = "2024-03-02";
  q.until = "2024-03-31";
  auto r = st->stats(q);
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0].articles, 2);  // a2 and a3; a4 has no date
  EXPECT_EQ(r.rows[0].spans, 3);
  EXPECT_DOUBLE_EQ(r.rows[0].mean_score, 0.2);
  q = {};
  q.source = "Herald";
  EXPECT_EQ(st->stats(q).rows.at(0).articles, 2);
  q.source = "Nobody";
  EXPECT_TRUE(st->stats(q).rows.empty());
  q = {};
  r = st->stats(q);
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0].articles, 5);
  EXPECT_EQ(r.rows[0].spans, 7);
  EXPECT_EQ(r.rows[0].words, 600);
  EXPECT_NEAR(r.rows[0].mean_score, 0.22, 1e-12);
  EXPECT_EQ(r.rows[0].top.size(), 3u);
  EXPECT_EQ(r.rows[0].top.at(0).ext_id, "a1");
}

TEST_P(StoreBackendTest, TopicsFromTheInputAndFromQueries) {
  auto st = filled();
  StatsQuery q;
  q.by = {Dimension::kTopic};
  auto r = st->stats(q);
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(row(r, {"budget"})->articles, 1);
  EXPECT_EQ(row(r, {"energy"})->articles, 2);
  EXPECT_EQ(row(r, {"energy"})->spans, 5);
  EXPECT_EQ(row(r, {"energy"})->words, 150);
  EXPECT_NEAR(row(r, {"energy"})->mean_score, 0.4, 1e-12);
  EXPECT_EQ(st->add_topic("pipelines", "pipeline"), 2);
  st->write_batch({article("a6", "Daily", "2024-03-06", "Pipeline protest grows.", 3, 0.0, {})}, {});
  r = st->stats(q);
  EXPECT_EQ(row(r, {"pipelines"})->articles, 3);
  q.topic = "pipelines";
  q.by = {Dimension::kSource};
  EXPECT_EQ(st->stats(q).rows.at(0).articles, 3);
  auto topics = st->topics();
  ASSERT_EQ(topics.size(), 3u);
  EXPECT_EQ(topics[2].name, "pipelines");
  EXPECT_EQ(topics[2].query, "pipeline");
  EXPECT_EQ(topics[2].articles, 3);
  EXPECT_EQ(topics[0].query, "");
  EXPECT_EQ(st->add_topic("pipelines", "pipeline AND council"), 1);
  EXPECT_EQ(st->add_topic("phrase", "\"the new pipeline\" OR traitor*"), 2);
  EXPECT_EQ(st->add_topic("titled", "title:a3 OR (rain NOT weekend)"), 1);
  EXPECT_NE(error_of([&] { st->add_topic("bad", "AND AND"); }).find("topic 'bad': invalid query"), std::string::npos);
  st->remove_topic("pipelines");
  EXPECT_EQ(st->topics().size(), 4u);
  EXPECT_NE(error_of([&] { st->remove_topic("pipelines"); }).find("no topic 'pipelines'"), std::string::npos);
}

TEST_P(StoreBackendTest, SearchFindsWordsPhrasesAndPrefixes) {
  auto st = filled();
  SearchQuery q;
  q.text = "pipeline";
  auto hits = st->search(q);
  ASSERT_EQ(hits.size(), 2u);
  std::set<std::string> ids;
  for (const auto& h : hits) {
    ids.insert(h.article.ext_id);
    ASSERT_FALSE(h.matches.empty());
    const auto [b, e] = h.matches[0];
    EXPECT_EQ(text::encode_utf8(h.snippet.substr(static_cast<std::size_t>(b), static_cast<std::size_t>(e - b))),
              "pipeline");
  }
  EXPECT_EQ(ids, (std::set<std::string>{"a1", "a2"}));
  q.text = "\"new pipeline\"";
  EXPECT_EQ(st->search(q).size(), 1u);
  q.text = "traitor*";
  hits = st->search(q);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].article.ext_id, "a5");
  EXPECT_EQ(hits[0].article.source, "");
  q.text = "pipeline NOT council";
  EXPECT_EQ(st->search(q).size(), 1u);
  q.text = "nothing_like_this";
  EXPECT_TRUE(st->search(q).empty());
  q.text = "\"unclosed";
  EXPECT_NE(error_of([&] { st->search(q); }).find("search query '\"unclosed'"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Store, StoreBackendTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

// ---- The same corpus on both ---------------------------------------------------

// Articles with sources, dates, topics and techniques enough for every
// grouping to have several rows and ties.
std::vector<std::vector<ArticleRecord>> batches() {
  std::vector<std::vector<ArticleRecord>> out(4);
  const char* sources[] = {"Daily", "Herald", "", "Courier"};
  const Technique techs[] = {LL, NC, DOUBT, Technique::kRepetition, Technique::kFlagWaving};
  for (int i = 0; i < 60; ++i) {
    char id_buf[16], date_buf[16], text_buf[64];
    std::snprintf(id_buf, sizeof id_buf, "x%d", i);
    std::snprintf(date_buf, sizeof date_buf, "2024-0%d-%d", 1 + i % 3, 10 + i % 17);
    std::snprintf(text_buf, sizeof text_buf, "Text %s %s words.", id_buf, i % 3 ? "pipeline" : "harbour");
    const std::string id = id_buf, date = i % 7 == 0 ? std::string() : std::string(date_buf);
    std::vector<Span> spans;
    for (int k = 0; k < i % 4; ++k) spans.push_back(span(k, k + 5, techs[(i + k) % 5], 0.4 + 0.01 * k));
    auto a = article(id, sources[i % 4], date, text_buf, 10 + i, (i % 5) * 0.1 + (i % 2) * 0.05, spans);
    if (i % 6 == 0) a.topics = {"six"};
    if (i % 10 == 0) a.topics.push_back("ten");
    out[static_cast<std::size_t>(i % 4)].push_back(a);
  }
  // A re-analysis by another model.
  out[3].push_back(article("x1", "Herald", "2024-02-11", "Text x1 pipeline words.", 11, 0.9, {span(0, 2, LL)}, "m2"));
  return out;
}

TEST(PostgresStoreTest, TheSameCorpusGivesTheSameStatsAsSqlite) {
  Backend sqlite("sqlite"), postgres("postgresql");
  std::string why;
  ASSERT_TRUE(sqlite.create(why));
  if (!postgres.create(why)) GTEST_SKIP() << why;
  auto a = sqlite.open(), b = postgres.open();
  for (auto* st : {a.get(), b.get()}) st->add_topic("pipes", "pipeline");
  for (const auto& batch : batches()) {
    const auto x = a->write_batch(batch, {{"bad", "bad: no"}});
    const auto y = b->write_batch(batch, {{"bad", "bad: no"}});
    EXPECT_EQ(x.added, y.added);
    EXPECT_EQ(x.replaced, y.replaced);
    EXPECT_EQ(x.unchanged, y.unchanged);
  }
  EXPECT_EQ(a->counts().articles, b->counts().articles);
  EXPECT_EQ(a->counts().spans, b->counts().spans);
  EXPECT_EQ(a->counts().failures, b->counts().failures);
  using D = Dimension;
  const std::vector<std::vector<D>> groupings = {
      {}, {D::kSource}, {D::kDay}, {D::kWeek}, {D::kMonth}, {D::kTechnique}, {D::kTopic}, {D::kSource, D::kWeek},
      {D::kMonth, D::kTechnique}, {D::kSource, D::kTopic}, {D::kTechnique, D::kSource, D::kMonth}};
  int compared = 0;
  for (const auto& by : groupings) {
    for (int top : {0, 1, 3, 5, 8}) {
      for (int filter = 0; filter < 4; ++filter) {
        StatsQuery q;
        q.by = by;
        q.top = top;
        if (filter == 1) q.source = "Herald";
        if (filter == 2) {
          q.since = "2024-01-15";
          q.until = "2024-02-20";
        }
        if (filter == 3) q.topic = "pipes";
        const auto x = a->stats(q), y = b->stats(q);
        expect_same_stats(x, y, to_json(x).dump());
        EXPECT_FALSE(x.rows.empty() && filter == 0);
        ++compared;
      }
    }
  }
  EXPECT_EQ(compared, 220);
  const auto ta = a->topics(), tb = b->topics();
  ASSERT_EQ(ta.size(), tb.size());
  for (std::size_t i = 0; i < ta.size(); ++i) {
    EXPECT_EQ(ta[i].name, tb[i].name);
    EXPECT_EQ(ta[i].articles, tb[i].articles);
  }
}

TEST(PostgresStoreTest, ErrorsNameTheDatabaseWithoutItsPassword) {
  EXPECT_EQ(redact_url("postgresql://me:secret@db.example:5432/news"), "postgresql://me:***@db.example:5432/news");
  EXPECT_EQ(redact_url("postgresql://me@db/news"), "postgresql://me@db/news");
  const auto e = error_of([] { open_store_at("postgresql://me:secret@127.0.0.1:1/news?connect_timeout=2"); });
  EXPECT_EQ(e.find("postgresql://me:***@127.0.0.1:1/news?connect_timeout=2: cannot open the store ("), 0u) << e;
  EXPECT_EQ(e.find("secret"), std::string::npos);
  Backend pg("postgresql");
  std::string why;
  if (!pg.create(why)) GTEST_SKIP() << why;
  // A database with other tables is not taken over.
  {
    PGconn* c = PQconnectdb(pg.location().c_str());
    PQclear(PQexec(c, "CREATE TABLE notes (x TEXT)"));
    PQfinish(c);
  }
  EXPECT_NE(error_of([&] { pg.open(); }).find("not a propscan store (a database with other tables)"), std::string::npos);
}

TEST(PostgresStoreTest, FtsQueriesBecomeTsqueries) {
  EXPECT_EQ(fts_to_tsquery("harbour"), "'harbour'");
  EXPECT_EQ(fts_to_tsquery("old harbour"), "('old' & 'harbour')");
  EXPECT_EQ(fts_to_tsquery("a OR b c"), "('a' | ('b' & 'c'))");
  EXPECT_EQ(fts_to_tsquery("\"old harbour\" NOT sale"), "(('old' <-> 'harbour') & !'sale')");
  EXPECT_EQ(fts_to_tsquery("harb* title:sale"), "('harb':* & 'sale':A)");
  EXPECT_EQ(fts_to_tsquery("(a OR b) AND c"), "(('a' | 'b') & 'c')");
  EXPECT_EQ(fts_to_tsquery("title:\"o'brien said\"*"), "('o':A <-> 'brien':A <-> 'said':*A)");
  for (const char* bad : {"AND AND", "\"unclosed", "(a", "a OR", "NOT a", ""}) {
    EXPECT_NE(error_of([&] { fts_to_tsquery(bad); }), "") << bad;
  }
}

// ---- The command line ------------------------------------------------------------

// `propscan ingest` of examples/corpus (its feed and its pages) into `b`.
test::CommandResult ingest_examples(const Backend& b) {
  const std::string corpus = std::string(PROPSCAN_SOURCE_DIR) + "/examples/corpus";
  return test::run_command(std::string(PROPSCAN_BINARY) + " ingest " + corpus + "/feed.jsonl " + corpus +
                               "/pages --db '" + b.location() + "' -j 1 --progress none",
                           true);
}

TEST(PostgresStoreTest, TheCommandLineGivesTheSameStatsOnBoth) {
  Backend sqlite("sqlite"), postgres("postgresql");
  std::string why;
  ASSERT_TRUE(sqlite.create(why));
  if (!postgres.create(why)) GTEST_SKIP() << why;
  const std::string bin = PROPSCAN_BINARY;
  const std::string corpus = std::string(PROPSCAN_SOURCE_DIR) + "/examples/corpus";
  for (const auto* b : {&sqlite, &postgres}) {
    const auto r = ingest_examples(*b);
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_NE(r.out.find("7 articles: 7 added, 0 re-analysed, 0 already stored, 0 failed"), std::string::npos) << r.out;
    const auto t = test::run_command(bin + " topic add --db '" + b->location() + "' protest protest OR strike OR rally");
    EXPECT_EQ(t.out, "topic 'protest': 4 articles\n");
  }
  for (const char* args : {"", "--by source", "--by source,week", "--by month,technique", "--by topic --top 5",
                           "--by day --since 2024-03-05 --until 2024-03-14", "--by technique --source 'The Herald Example'",
                           "--by source,topic --topic protest"}) {
    const auto x = test::run_command(bin + " stats --format json --db '" + sqlite.location() + "' " + args);
    const auto y = test::run_command(bin + " stats --format json --db '" + postgres.location() + "' " + args);
    ASSERT_EQ(x.status, 0) << args;
    ASSERT_EQ(y.status, 0) << args;
    EXPECT_EQ(nlohmann::json::parse(x.out), nlohmann::json::parse(y.out)) << args;
  }
  const auto hits = test::run_command(bin + " search --format json --db '" + postgres.location() + "' harbour");
  ASSERT_EQ(hits.status, 0);
  const auto j = nlohmann::json::parse(hits.out);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["id"], "harbour-sale");
  // Re-ingesting is a no-op there too.
  const auto again = test::run_command(bin + " ingest " + corpus + "/feed.jsonl --db '" + postgres.location() +
                                           "' --progress none",
                                       true);
  EXPECT_NE(again.out.find("6 articles: 0 added, 0 re-analysed, 6 already stored"), std::string::npos) << again.out;
}

// `serve --db` and `report` over PostgreSQL show what they show over SQLite.
TEST(PostgresStoreTest, TheDashboardAndTheReportShowTheSameCorpusOnBoth) {
  Backend sqlite("sqlite"), postgres("postgresql");
  std::string why;
  ASSERT_TRUE(sqlite.create(why));
  if (!postgres.create(why)) GTEST_SKIP() << why;
  const std::string bin = PROPSCAN_BINARY;
  const std::vector<std::string> paths = {
      "/api/corpus/facets", "/api/corpus/overview", "/api/corpus/overview?interval=month&technique=Loaded_Language",
      "/api/corpus/articles", "/api/corpus/articles?since=2024-03-05&limit=2"};
  std::vector<std::vector<nlohmann::json>> answers;
  std::vector<std::string> reports;
  for (const auto* b : {&sqlite, &postgres}) {
    const auto r = ingest_examples(*b);
    ASSERT_EQ(r.status, 0) << r.out;

    test::ChildProcess server({bin, "serve", "--db", b->location(), "--port", "0"});
    const std::string& log = server.read_until("Ctrl-C stops");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(log, m, std::regex("http://127\\.0\\.0\\.1:([0-9]+)/"))) << log;
    httplib::Client client("127.0.0.1", std::stoi(m[1].str()));
    std::vector<nlohmann::json> got;
    for (const auto& path : paths) {
      const auto res = client.Get(path);
      ASSERT_TRUE(res) << path;
      ASSERT_EQ(res->status, 200) << path << ": " << res->body;
      got.push_back(nlohmann::json::parse(res->body));
    }
    // One article, by the id the list gave: the same text and spans.
    const auto first = got[3]["articles"].at(0)["article_id"].get<std::int64_t>();
    const auto one = client.Get("/api/corpus/article?id=" + std::to_string(first));
    ASSERT_TRUE(one);
    ASSERT_EQ(one->status, 200) << one->body;
    auto article = nlohmann::json::parse(one->body);
    // Each store's own id and time of analysis differ.
    article.erase("article_id");
    article.erase("analysed_at");
    got.push_back(article);
    EXPECT_EQ(server.stop(SIGTERM), 0) << server.output();
    for (std::size_t i : {3u, 4u}) {
      for (auto& a : got[i]["articles"]) {
        a.erase("article_id");
        a.erase("analysed_at");
      }
    }
    answers.push_back(got);

    const std::string out = (fs::temp_directory_path() / (test_name() + "_" + std::to_string(getpid()) + ".html")).string();
    const auto rep = test::run_command(bin + " report --db '" + b->location() + "' --out " + out, true);
    ASSERT_EQ(rep.status, 0) << rep.out;
    std::ifstream in(out, std::ios::binary);
    reports.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    fs::remove(out);
  }
  ASSERT_EQ(answers[0].size(), answers[1].size());
  for (std::size_t i = 0; i < answers[0].size(); ++i) {
    EXPECT_EQ(answers[0][i], answers[1][i]) << (i < paths.size() ? paths[i] : "/api/corpus/article");
  }
  EXPECT_GT(answers[1][3]["articles"].size(), 0u);
  // The reports differ only in the store they name, the articles' ids and
  // their times of analysis.
  const std::regex own("\"article_id\":[0-9]+|\"analysed_at\":\"[^\"]*\"");
  for (auto& r : reports) r = std::regex_replace(r, own, "");
  const auto named_sqlite = reports[0].find(sqlite.location());
  ASSERT_NE(named_sqlite, std::string::npos);
  reports[0].replace(named_sqlite, sqlite.location().size(), postgres.location());
  EXPECT_EQ(reports[0], reports[1]);
}

}  // namespace
}  // namespace propscan::store
