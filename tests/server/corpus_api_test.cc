// The corpus view over HTTP (`propscan serve --db`, GET /api/corpus/...) on a
// small store: the documents of docs/api.md, errors for bad parameters, the
// server's limits (Host check, methods), and `propscan report`'s offline
// file (no external resource, untrusted text kept out of the markup).
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <memory>
#include <regex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "../support/files.h"
#include "../support/process.h"
#include "model/model_file.h"
#include "propscan/analyzer.h"
#include "propscan/error.h"
#include "server/server.h"
#include "store/sha256.h"
#include "store/store.h"
#include "text/utf8.h"

namespace propscan::server {
namespace {

namespace fs = std::filesystem;

constexpr const char* kEvilTitle = "<img src=x onerror=alert(1)></script><!--";

store::ArticleRecord record(const std::string& id, const std::string& source, const std::string& date,
                            const std::string& text, double score, std::vector<Span> spans) {
  store::ArticleRecord a;
  a.input = "in/" + id;
  a.ext_id = id;
  a.source = source;
  a.published = store::normalise_date(date);
  a.title = "Title " + id;
  a.text = text;
  a.text_hash = store::sha256_hex(text);
  a.chars = static_cast<std::int64_t>(text::decode_utf8(text).size());
  a.words = 5;
  a.propaganda_score = score;
  a.spans = std::move(spans);
  a.model = "m1";
  return a;
}

Span span(Offset start, Offset end, Technique t) {
  Span s;
  s.start = start;
  s.end = end;
  s.technique = t;
  s.score = 0.7;
  return s;
}

void fill(const std::string& path) {
  auto st = store::open_store(path);
  auto c1 = record("c1", "Daily", "2024-03-01", "The corrupt \u00e9lite lies.", 0.5,
                   {span(4, 11, Technique::kLoadedLanguage), span(12, 17, Technique::kNameCallingLabeling)});
  auto c2 = record("c2", "Herald", "2024-04-02", "Nothing to see here.", 0.1, {span(0, 7, Technique::kDoubt)});
  c2.title = kEvilTitle;
  st->write_batch({c1, c2}, {});
}

std::shared_ptr<const Model> shared_model() {
  static std::shared_ptr<const Model> model = [] {
    const std::string path = default_model_path();
    if (path.empty()) throw Error("no model at models/propscan.model: run `make train` first");
    return load_model(path);
  }();
  return model;
}

class CorpusApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = test::temp_path(".db");
    remove_files();
    fill(db_);
  }
  void TearDown() override {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
    remove_files();
  }
  void remove_files() {
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db_ + suffix);
  }
  void start(bool with_corpus = true) {
    ServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.log = [](const std::string&) {};
    if (with_corpus) options.corpus = store::open_store(db_);
    server_ = std::make_unique<Server>(shared_model(), options);
    server_->bind();
    thread_ = std::thread([this] { server_->run(); });
  }
  httplib::Result get(const std::string& path, httplib::Headers headers = {}) {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_read_timeout(30, 0);
    return c.Get(path.c_str(), headers);
  }
  nlohmann::json get_json(const std::string& path) {
    auto res = get(path);
    if (!res) throw Error("no answer to " + path);
    EXPECT_EQ(res->status, 200) << path << ": " << res->body;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json; charset=utf-8") << path;
    return nlohmann::json::parse(res->body);
  }
  std::pair<int, std::string> error(const std::string& path) {
    auto res = get(path);
    if (!res) return {-1, ""};
    return {res->status, nlohmann::json::parse(res->body).value("error", "")};
  }
  std::string db_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

TEST_F(CorpusApiTest, AnswersFacetsOverviewArticlesAndOneArticle) {
  start();
  const auto facets = get_json("/api/corpus/facets");
  EXPECT_EQ(facets["articles"], 2);
  EXPECT_EQ(facets["sources"].size(), 2u);
  EXPECT_EQ(facets["first_day"], "2024-03-01");

  const auto overview = get_json("/api/corpus/overview?interval=month");
  EXPECT_EQ(overview["periods"], (std::vector<std::string>{"2024-03", "2024-04"}));
  EXPECT_EQ(overview["ranking"][0]["source"], "Daily");
  EXPECT_EQ(overview["ranking"][1]["source"], "Herald");

  const auto one = get_json("/api/corpus/overview?source=Daily&technique=Loaded_Language&since=2024-01-01");
  ASSERT_EQ(one["ranking"].size(), 1u);
  ASSERT_EQ(one["series"].size(), 1u);
  EXPECT_EQ(one["series"][0]["share"][0], 0.5);
  EXPECT_EQ(one["interval"], "week");

  const auto articles = get_json("/api/corpus/articles?source=Herald");
  EXPECT_EQ(articles["total"], 1);
  EXPECT_EQ(articles["articles"][0]["title"], kEvilTitle);
  const auto week = get_json("/api/corpus/articles?period=2024-W09&interval=week");
  ASSERT_EQ(week["articles"].size(), 1u);
  EXPECT_EQ(week["articles"][0]["id"], "c1");

  const auto id = week["articles"][0]["article_id"].get<std::int64_t>();
  const auto a = get_json("/api/corpus/article?id=" + std::to_string(id));
  EXPECT_EQ(a["text"], "The corrupt \u00e9lite lies.");
  EXPECT_EQ(a["length"], 23);
  EXPECT_EQ(a["spans"][1]["text"], "\u00e9lite");
}

TEST_F(CorpusApiTest, BadParametersAre400WithTheReason) {
  start();
  EXPECT_EQ(error("/api/corpus/overview?technique=Lying"),
            std::make_pair(400, std::string("parameter 'technique': unknown technique 'Lying'")));
  EXPECT_EQ(error("/api/corpus/overview?since=yesterday").first, 400);
  EXPECT_NE(error("/api/corpus/overview?since=yesterday").second.find("parameter 'since'"), std::string::npos);
  EXPECT_EQ(error("/api/corpus/overview?interval=year"),
            std::make_pair(400, std::string("parameter 'interval' must be day, week or month, not 'year'")));
  EXPECT_EQ(error("/api/corpus/articles?limit=ten"),
            std::make_pair(400, std::string("parameter 'limit' must be a whole number")));
  EXPECT_EQ(error("/api/corpus/articles?limit=501"),
            std::make_pair(400, std::string("parameter 'limit' is at most 500")));
  EXPECT_EQ(error("/api/corpus/article"), std::make_pair(400, std::string("parameter 'id' is missing")));
  EXPECT_EQ(error("/api/corpus/article?id=99999"), std::make_pair(404, std::string("no article with id 99999")));
  EXPECT_EQ(error("/api/corpus/everything").first, 404);
}

TEST_F(CorpusApiTest, KeepsTheServersLimits) {
  start();
  auto foreign = get("/api/corpus/facets", {{"Host", "evil.example"}});
  ASSERT_TRUE(foreign);
  EXPECT_EQ(foreign->status, 403);
  httplib::Client c("127.0.0.1", server_->port());
  auto post = c.Post("/api/corpus/facets", "{}", "application/json");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(post->get_header_value("Allow"), "GET");
  // The dashboard is embedded with its charting library; the page policy holds.
  auto page = get("/corpus.html");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->get_header_value("Content-Security-Policy").find("script-src 'self'"), std::string::npos);
  auto chart = get("/chart.umd.min.js");
  ASSERT_TRUE(chart);
  EXPECT_EQ(chart->status, 200);
  EXPECT_NE(chart->body.find("Chart.js v4"), std::string::npos);
}

TEST_F(CorpusApiTest, WithoutAStoreTheCorpusPathsAre404) {
  start(false);
  EXPECT_EQ(error("/api/corpus/facets"),
            std::make_pair(404, std::string("no corpus: start the server with --db PATH to use /api/corpus/")));
}

// ---- propscan report ------------------------------------------------------------

class ReportCommandTest : public CorpusApiTest {};

TEST_F(ReportCommandTest, WritesOneOfflineFileWithTheDataEscaped) {
  const std::string out = test::temp_path(".html");
  const auto r = test::run_command(std::string(PROPSCAN_BINARY) + " report --db " + db_ + " --out " + out +
                                       " --interval month 2>&1",
                                   true);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("2 outlets, 2 of 2 articles"), std::string::npos) << r.out;
  const std::string html = test::slurp(out);
  fs::remove(out);
  ASSERT_FALSE(html.empty());
  // Nothing is fetched: no src, href or url() naming another place, and a
  // policy that allows no request.
  EXPECT_FALSE(std::regex_search(html, std::regex(R"((src|href)\s*=\s*["']?[a-z]+:)", std::regex::icase)));
  EXPECT_FALSE(std::regex_search(html, std::regex(R"(url\(\s*["']?[a-z]+:)", std::regex::icase)));
  EXPECT_NE(html.find("default-src 'none'"), std::string::npos);
  EXPECT_NE(html.find("Chart.js v4"), std::string::npos);
  EXPECT_NE(html.find("@media print"), std::string::npos);
  // The untrusted title only as JSON with '<' escaped: it can neither end
  // the data's <script> element nor become markup.
  EXPECT_EQ(html.find("<img src=x"), std::string::npos);
  EXPECT_NE(html.find("\\u003cimg src=x onerror=alert(1)>\\u003c/script>\\u003c!--"), std::string::npos);
  const std::string tag = "<script type=\"application/json\" id=\"corpus-data\">";
  const auto data_at = html.find(tag);
  ASSERT_NE(data_at, std::string::npos);
  const auto begin = data_at + tag.size();
  const auto data = nlohmann::json::parse(html.substr(begin, html.find("</script>", begin) - begin));
  EXPECT_EQ(data["overview"]["interval"], "month");
  EXPECT_EQ(data["articles"]["articles"][1]["title"], kEvilTitle);
}

TEST_F(ReportCommandTest, BadInputIsAOneLineError) {
  const auto missing = test::run_command(std::string(PROPSCAN_BINARY) +
                                             " report --db /nonexistent/x.db --out /tmp/x.html 2>&1; echo \"exit=$?\"",
                                         true);
  EXPECT_NE(missing.out.find("propscan: /nonexistent/x.db: no such store"), std::string::npos) << missing.out;
  EXPECT_NE(missing.out.find("exit=1"), std::string::npos) << missing.out;
  const auto technique = test::run_command(std::string(PROPSCAN_BINARY) + " report --db " + db_ +
                                               " --out /tmp/x.html --technique Lying 2>&1; echo \"exit=$?\"",
                                           true);
  EXPECT_NE(technique.out.find("--technique: unknown technique 'Lying'"), std::string::npos) << technique.out;
  EXPECT_NE(technique.out.find("exit=1"), std::string::npos) << technique.out;
}

}  // namespace
}  // namespace propscan::server
