// propscan ingest, stats, search and topic, run as a user runs them, on the
// small fixture model.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>

#include <nlohmann/json.hpp>

#include "../support/files.h"
#include "../support/process.h"

namespace {

namespace fs = std::filesystem;
namespace support = propscan::test;

const std::string kModel = std::string(PROPSCAN_TEST_DATA) + "/fixture/tiny.model";

support::CommandResult run(const std::string& args, bool merge_stderr = false) {
  return support::run_command(std::string(PROPSCAN_BINARY) + " " + args, merge_stderr);
}

// Rows of a query on the store file, each row's columns joined by '|'.
std::vector<std::string> query(const std::string& db_path, const std::string& sql) {
  std::vector<std::string> rows;
  sqlite3* db = nullptr;
  sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
  }
  while (stmt && sqlite3_step(stmt) == SQLITE_ROW) {
    std::string row;
    for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
      const auto* t = sqlite3_column_text(stmt, c);
      if (c) row += '|';
      row += t ? reinterpret_cast<const char*>(t) : "NULL";
    }
    rows.push_back(row);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return rows;
}

std::string one(const std::string& db, const std::string& sql) {
  const auto rows = query(db, sql);
  return rows.empty() ? "(none)" : rows[0];
}

// Articles whose stored parts disagree: a span count that is not the number
// of span rows, a missing text.
const char* kHalfWritten =
    "SELECT COUNT(*) FROM articles a WHERE a.span_count <> (SELECT COUNT(*) FROM spans s WHERE s.article_id = a.id) "
    "OR NOT EXISTS (SELECT 1 FROM article_texts t WHERE t.article_id = a.id)";
// Articles missing from the search index, for a corpus where every text
// says "director".
const char* kUnindexed =
    "SELECT COUNT(*) FROM articles WHERE id NOT IN (SELECT rowid FROM article_fts WHERE article_fts MATCH 'director')";

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(support::temp_path("_dir"));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = (dir_ / "store.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& bytes) {
    const auto p = (dir_ / name).string();
    fs::create_directories(fs::path(p).parent_path());
    support::spit(p, bytes);
    return p;
  }
  std::string ingest(const std::string& args) {
    return "ingest --model " + kModel + " --db " + db_ + " " + args;
  }
  // `n` JSONL articles, each a different text the fixture model flags.
  std::string corpus(std::size_t n, std::size_t paragraphs) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) {
      std::string text = "Report " + std::to_string(i) + "\n\n";
      for (std::size_t p = 0; p < paragraphs; ++p) {
        text += "The director, a clown according to critics, said the disgraceful plan " + std::to_string(p) +
                " would waste millions. Officials met on Monday to discuss item " + std::to_string(i * 100 + p) +
                ".\n\n";
      }
      std::string id = "r";
      id += std::to_string(i);
      nlohmann::json j = {{"id", id},
                          {"text", text},
                          {"source", i % 3 == 0 ? "Daily" : "Herald"},
                          {"date", "2024-03-" + std::to_string(1 + i % 28)}};
      if (i % 28 + 1 < 10) j["date"] = "2024-03-0" + std::to_string(1 + i % 28);
      out += j.dump() + "\n";
    }
    return write("corpus.jsonl", out);
  }
  fs::path dir_;
  std::string db_;
};

TEST_F(IngestTest, EveryCorpusCommandHasHelp) {
  for (const char* cmd : {"ingest", "stats", "search", "topic", "topic add", "topic list", "topic remove"}) {
    const auto r = run(std::string(cmd) + " --help");
    EXPECT_EQ(r.status, 0) << cmd;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << cmd;
  }
  EXPECT_NE(run("--help").out.find("ingest"), std::string::npos);
}

// On a terminal (script(1) gives the command one), ingest and a batch
// analyze draw the shared bar on standard error; into a pipe they do not.
TEST_F(IngestTest, ProgressBarOnATerminalOnly) {
  if (support::run_command("command -v script").status != 0) GTEST_SKIP() << "no script(1)";
  const auto feed = corpus(20, 1);
  const std::string bin = PROPSCAN_BINARY;
  auto r = support::run_command("script -qec '" + bin + " " + ingest(feed) + "' /dev/null", true);
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(ingest \[#+\]  20/20  100%  [0-9.]+ articles/s  in 0:00)")))
      << r.out;
  r = support::run_command("script -qec '" + bin + " analyze --model " + kModel + " " + feed + " >/dev/null' /dev/null",
                           true);
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("analyze [########################]  20/20  100%"), std::string::npos) << r.out;
  // Not on a pipe: only the summary line.
  r = run(ingest(feed), true);
  EXPECT_EQ(r.out.find("ingest ["), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("20 articles: 0 added, 0 re-analysed, 20 already stored"), std::string::npos) << r.out;
}

TEST_F(IngestTest, StoresFilesDirectoriesJsonlAndHtml) {
  write("news/article1.txt", "Harbour plan\n\nThe director, a clown according to critics, said the plan would fail.\n");
  write("news/page.html",
        "<html><head><title>Page</title></head><body><nav>Home | World</nav><article><h1>Vote</h1>"
        "<p>The director, a <b>clown</b> according to critics, said the plan would waste millions &amp; more.</p>"
        "</article></body></html>");
  write("news/ignored.md", "not an article");
  const auto feed = write("feed.jsonl",
                          R"({"id": "j1", "text": "A calm report on rainfall.", "source": "Herald", "date": "1 March 2024", "url": "https://example.org/j1", "title": "Rain", "topics": ["weather", "local"]})"
                          "\n"
                          R"({"id": "j2", "text": "Another disgraceful clown show.", "date": "2024-03-04T23:30:00-02:00"})"
                          "\n");
  const auto r = run(ingest((dir_ / "news").string() + " " + feed), true);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("4 articles: 4 added, 0 re-analysed, 0 already stored, 0 failed"), std::string::npos) << r.out;
  EXPECT_EQ(one(db_, "SELECT COUNT(*) FROM articles"), "4");
  EXPECT_EQ(one(db_, "SELECT a.ext_id, a.title, a.url, s.name, a.published, a.week FROM articles a "
                     "JOIN sources s ON s.id = a.source_id"),
            "j1|Rain|https://example.org/j1|Herald|2024-03-01|2024-W09");
  EXPECT_EQ(one(db_, "SELECT published || ' ' || day FROM articles WHERE ext_id = 'j2'"), "2024-03-05T01:30:00Z 2024-03-05");
  // The HTML page: its extracted text is what is stored and what offsets count in.
  EXPECT_EQ(one(db_, "SELECT a.title, t.body FROM articles a JOIN article_texts t ON t.article_id = a.id "
                     "WHERE ext_id = 'page'"),
            "Vote|Vote\n\nThe director, a clown according to critics, said the plan would waste millions & more.");
  const auto spans = query(db_, "SELECT s.start_offset, s.end_offset FROM spans s JOIN articles a ON a.id = s.article_id "
                                "WHERE a.ext_id = 'page'");
  ASSERT_FALSE(spans.empty());
  EXPECT_EQ(spans[0], "22|27");  // "clown"
  EXPECT_EQ(one(db_, "SELECT group_concat(t.name, ',') FROM (SELECT t.name FROM topics t JOIN article_topics x ON "
                     "x.topic_id = t.id ORDER BY t.name) t"),
            "local,weather");
  EXPECT_EQ(one(db_, "SELECT words FROM articles WHERE ext_id = 'j1'"), "5");
  EXPECT_EQ(one(db_, kHalfWritten), "0");
}

TEST_F(IngestTest, ReingestingIsANoOpAndReanalyseReplacesSpans) {
  const auto feed = corpus(6, 1);
  ASSERT_EQ(run(ingest(feed)).status, 0);
  const auto before = query(db_, "SELECT id, ext_id, span_count, model, analysed_at FROM articles ORDER BY id");
  const auto again = run(ingest(feed), true);
  ASSERT_EQ(again.status, 0) << again.out;
  EXPECT_NE(again.out.find("6 articles: 0 added, 0 re-analysed, 6 already stored, 0 failed"), std::string::npos)
      << again.out;
  EXPECT_EQ(query(db_, "SELECT id, ext_id, span_count, model, analysed_at FROM articles ORDER BY id"), before);
  // Another threshold is another analysis: without --reanalyse it is kept as is.
  const auto other = run(ingest(feed + " --threshold 0.74"), true);
  EXPECT_NE(other.out.find("0 added, 0 re-analysed, 6 already stored"), std::string::npos) << other.out;
  const auto redo = run(ingest(feed + " --threshold 0.74 --reanalyse"), true);
  ASSERT_EQ(redo.status, 0) << redo.out;
  EXPECT_NE(redo.out.find("0 added, 6 re-analysed, 0 already stored"), std::string::npos) << redo.out;
  EXPECT_EQ(one(db_, "SELECT COUNT(*) FROM articles"), "6");
  EXPECT_NE(one(db_, "SELECT model FROM articles LIMIT 1").find("threshold 0.7400"), std::string::npos);
  EXPECT_LT(std::stoi(one(db_, "SELECT COUNT(*) FROM spans")), 6 * 3);
  EXPECT_EQ(one(db_, kHalfWritten), "0");
}

TEST_F(IngestTest, BadArticlesAreRecordedAndTheOthersStored) {
  const auto feed = write("feed.jsonl",
                          R"({"id": "ok1", "text": "The director is a clown."})"
                          "\n"
                          R"({"id": "bad-date", "text": "Fine text.", "date": "31/31/2024"})"
                          "\n"
                          "{not json\n"
                          R"({"id": "ok2", "text": "A disgraceful plan.", "topics": 7})"
                          "\n"
                          R"({"id": "ok3", "text": "A disgraceful plan, again."})"
                          "\n");
  const auto r = run(ingest(feed + " " + (dir_ / "missing.txt").string()), true);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("propscan: " + feed + ":2: date '31/31/2024' is not a date"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("propscan: " + feed + ":3: malformed JSON"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("propscan: " + feed + ":4: field 'topics' must be a string or an array of strings"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find((dir_ / "missing.txt").string() + ": no such file or directory"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("propscan: 4 of 6 articles could not be ingested"), std::string::npos) << r.out;
  EXPECT_EQ(query(db_, "SELECT ext_id FROM articles ORDER BY ext_id"), (std::vector<std::string>{"ok1", "ok3"}));
  EXPECT_EQ(one(db_, "SELECT COUNT(*) FROM failures"), "4");
  EXPECT_NE(one(db_, "SELECT error FROM failures WHERE input = '" + feed + ":2'").find("is not a date"),
            std::string::npos);
  // A bad store is one clear line.
  support::spit((dir_ / "not.db").string(), std::string(200, 'x'));
  const auto bad = run("ingest --model " + kModel + " --db " + (dir_ / "not.db").string() + " " + feed, true);
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.out.find("propscan: " + (dir_ / "not.db").string() + ": "), std::string::npos) << bad.out;
}

// Killed at any moment, ingest loses nothing it reported done and leaves no
// half-written article; run again, it stores the rest, each article once,
// with exactly the spans analyze finds.
TEST_F(IngestTest, SurvivesSigkillAndFinishesOnTheNextRun) {
  const std::size_t n = 300;
  const auto feed = corpus(n, 24);
  const std::regex done_re(R"(ingest: +(\d+)/300)");
  for (const std::size_t kill_after : {1u, 60u, 150u}) {
    support::ChildProcess child({PROPSCAN_BINARY, "ingest", "--model", kModel, "--db", db_, "--batch", "7",
                                 "--progress", "lines", "-j", "1", feed});
    ASSERT_GT(child.pid(), 0);
    // Wait for the kill_after-th article done in this run, then kill.
    for (int reads = 0; reads < 2000; ++reads) {
      const std::string& out = child.read_until("(reads for 10 ms)", std::chrono::milliseconds(10));
      std::size_t last = 0;
      for (std::sregex_iterator it(out.begin(), out.end(), done_re), end; it != end; ++it) {
        last = std::stoul((*it)[1]);
      }
      if (last >= kill_after || out.find(" holds ") != std::string::npos) break;
    }
    child.stop(SIGKILL);
    std::size_t reported = 0;
    const std::string& out = child.output();
    for (std::sregex_iterator it(out.begin(), out.end(), done_re), end; it != end; ++it) {
      reported = std::max<std::size_t>(reported, std::stoul((*it)[1]));
    }
    // Every article reported done (stored before or by this run) is there.
    const auto stored = std::stoul(one(db_, "SELECT COUNT(*) FROM articles"));
    EXPECT_GE(stored, reported) << out;
    EXPECT_EQ(one(db_, kHalfWritten), "0") << "after a kill at " << kill_after;
    EXPECT_EQ(one(db_, kUnindexed), "0") << "after a kill at " << kill_after;
    // The first kill comes well before the end (the others may not).
    if (kill_after == 1) {
      EXPECT_LT(stored, n) << out;
    }
  }
  const auto rest = run(ingest(feed), true);
  ASSERT_EQ(rest.status, 0) << rest.out;
  EXPECT_EQ(one(db_, "SELECT COUNT(*) || ' ' || COUNT(DISTINCT ext_id) FROM articles"), "300 300");
  EXPECT_EQ(one(db_, kHalfWritten), "0");
  // The spans are exactly analyze's.
  std::set<std::string> want;
  const auto analysed = run("analyze --model " + kModel + " " + feed);
  ASSERT_EQ(analysed.status, 0);
  std::istringstream lines(analysed.out);
  std::string line;
  while (std::getline(lines, line)) {
    const auto j = nlohmann::json::parse(line);
    for (const auto& s : j["spans"]) {
      want.insert(j["id"].get<std::string>() + "|" + std::to_string(s["start"].get<int>()) + "|" +
                  std::to_string(s["end"].get<int>()) + "|" + s["technique"].get<std::string>());
    }
  }
  const auto got_rows = query(db_, "SELECT a.ext_id, s.start_offset, s.end_offset, t.label FROM spans s "
                                   "JOIN articles a ON a.id = s.article_id JOIN techniques t ON t.id = s.technique_id");
  const std::set<std::string> got(got_rows.begin(), got_rows.end());
  EXPECT_EQ(got_rows.size(), got.size());  // no span twice
  EXPECT_GT(want.size(), n);
  EXPECT_EQ(got, want);
}

TEST_F(IngestTest, StatsSearchAndTopicsOnTheCommandLine) {
  const auto feed = write("feed.jsonl",
                          R"({"id": "d1", "text": "The director is a clown, critics said.", "source": "Daily", "date": "2024-03-01"})"
                          "\n"
                          R"({"id": "d2", "text": "A calm note on the harbour budget.", "source": "Daily", "date": "2024-03-12"})"
                          "\n"
                          R"({"id": "h1", "text": "The disgraceful harbour plan, critics said.", "source": "Herald", "date": "2024-03-02"})"
                          "\n");
  ASSERT_EQ(run(ingest(feed)).status, 0);
  auto r = run("stats --db " + db_ + " --by source --format json");
  ASSERT_EQ(r.status, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["rows"].size(), 2u);
  EXPECT_EQ(j["rows"][0]["source"], "Daily");
  EXPECT_EQ(j["rows"][0]["articles"], 2);
  EXPECT_EQ(j["rows"][0]["words"], 14);
  EXPECT_EQ(j["rows"][1]["source"], "Herald");
  EXPECT_EQ(j["rows"][1]["words"], 6);
  const int daily_spans = j["rows"][0]["spans"];
  EXPECT_DOUBLE_EQ(j["rows"][0]["spans_per_1000_words"].get<double>(), daily_spans * 1000.0 / 14.0);
  r = run("stats --db " + db_ + " --by source,week --format csv");
  ASSERT_EQ(r.status, 0);
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')).substr(0, 62),
            "source,week,articles,spans,words,spans_per_1000_words,mean_sco");
  EXPECT_NE(r.out.find("\nDaily,2024-W09,1,"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nDaily,2024-W11,1,"), std::string::npos) << r.out;
  r = run("stats --db " + db_ + " --by source --since 2024-03-02");
  ASSERT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("most propagandistic"), std::string::npos) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex("\nDaily +1 "))) << r.out;
  const auto bad = run("stats --db " + db_ + " --since tomorrow", true);
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.out.find("propscan: --since: date 'tomorrow' is not a date"), std::string::npos) << bad.out;
  EXPECT_NE(run("stats --db " + db_ + " --by outlet", true).out.find("--by: unknown group 'outlet'"), std::string::npos);
  const auto missing = run("stats --db " + (dir_ / "none.db").string(), true);
  EXPECT_EQ(missing.status, 1);
  EXPECT_NE(missing.out.find("none.db: no such store"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ / "none.db"));

  r = run("search --db " + db_ + " harbour --color never");
  ASSERT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("A calm note on the [[harbour]] budget."), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("The disgraceful [[harbour]] plan, critics said."), std::string::npos) << r.out;
  r = run("search --db " + db_ + " harbour --format json");
  j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 2u);
  r = run("search --db " + db_ + " '\"unclosed'", true);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("propscan: search query '\"unclosed'"), std::string::npos) << r.out;

  // Untrusted text (a source name, an article) cannot send escape sequences
  // to a terminal through stats or search.
  const auto hostile = write("hostile.jsonl",
                             R"({"id": "x1", "text": "The harbour \u001b]0;pwned\u0007 clown.", "source": "Evil\u001b[2J", "title": "T\u001b[1m"})"
                             "\n");
  ASSERT_EQ(run(ingest(hostile)).status, 0);
  for (const std::string& cmd : {"stats --db " + db_ + " --by source", "stats --db " + db_ + " --by source --format csv",
                                 "search --db " + db_ + " harbour --color never"}) {
    r = run(cmd);
    ASSERT_EQ(r.status, 0) << cmd;
    EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << cmd << "\n" << r.out;
    EXPECT_EQ(r.out.find('\x07'), std::string::npos) << cmd;
  }
  EXPECT_NE(run("stats --db " + db_ + " --by source").out.find("Evil\xEF\xBF\xBD[2J"), std::string::npos);

  r = run("topic add --db " + db_ + " harbour harbour OR port");
  EXPECT_EQ(r.out, "topic 'harbour': 3 articles\n");
  r = run("stats --db " + db_ + " --by topic --format json");
  j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["rows"].size(), 1u);
  EXPECT_EQ(j["rows"][0]["topic"], "harbour");
  EXPECT_EQ(j["rows"][0]["articles"], 3);
  r = run("topic list --db " + db_);
  EXPECT_NE(r.out.find("harbour  3         harbour OR port"), std::string::npos) << r.out;
}

}  // namespace
