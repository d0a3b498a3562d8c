// The HTTP API against a real server on a free loopback port: the same JSON
// as `propscan analyze --format json`, JSON errors with the right statuses,
// the embedded page, concurrent requests, one log line per request, and a
// clean stop of `propscan serve` on SIGINT and SIGTERM.
#include "server/server.h"

#include <signal.h>

#include <httplib.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/input.h"
#include "model/model_file.h"
#include "propscan/analyzer.h"
#include "propscan/error.h"
#include "server/assets.h"
#include "text/utf8.h"
#include "writers/writers.h"

#include "../support/process.h"

namespace propscan::server {
namespace {

const std::string kArticle = std::string(PROPSCAN_TEST_DATA) + "/web/article.txt";

std::shared_ptr<const Model> shared_model() {
  static std::shared_ptr<const Model> model = [] {
    const std::string path = default_model_path();
    if (path.empty()) throw Error("no model at models/propscan.model: run `make train` first");
    return load_model(path);
  }();
  return model;
}

// What `propscan ARGS` prints on standard output.
std::string run_cli(const std::string& args) {
  return test::run_command(std::string(PROPSCAN_BINARY) + " " + args).out;
}

std::string json_request(const nlohmann::json& body) { return body.dump(); }

// A server on a free loopback port, run on its own thread, its log kept.
class ServerTest : public ::testing::Test {
 protected:
  void start(ServerOptions options = {}) {
    options.host = "127.0.0.1";
    options.port = 0;
    // As `propscan serve` and `propscan analyze` do: requests run in
    // parallel, each product in its own thread, so that the server's figures
    // are the command line's to the last bit (BLAS splits a product
    // differently over more threads, which moves the last bits).
    set_compute_threads(1);
    options.log = [this](const std::string& line) {
      std::lock_guard<std::mutex> lock(log_mutex_);
      log_.push_back(line);
    };
    server_ = std::make_unique<Server>(shared_model(), options);
    server_->bind();
    thread_ = std::thread([this] { server_->run(); });
  }

  void SetUp() override {}

  void TearDown() override {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
  }

  httplib::Client client() {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_read_timeout(30, 0);
    return c;
  }

  httplib::Result post(const std::string& body, const std::string& path = "/api/analyze") {
    return client().Post(path.c_str(), body, "application/json");
  }

  std::vector<std::string> log() {
    std::lock_guard<std::mutex> lock(log_mutex_);
    return log_;
  }

  // The log is written after the response is sent; wait for `n` lines.
  std::vector<std::string> wait_for_log(std::size_t n) {
    for (int i = 0; i < 200 && log().size() < n; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return log();
  }

  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::mutex log_mutex_;
  std::vector<std::string> log_;
};

std::string error_of(const httplib::Result& res) {
  return nlohmann::json::parse(res->body).at("error").get<std::string>();
}

TEST_F(ServerTest, HealthzAnswersOk) {
  start();
  auto res = client().Get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json; charset=utf-8");
  EXPECT_EQ(nlohmann::json::parse(res->body), nlohmann::json({{"status", "ok"}}));
}

TEST_F(ServerTest, TechniquesListsAllLabelsWithDefinitionsAndTheModelThreshold) {
  start();
  auto res = client().Get("/api/techniques");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  auto body = nlohmann::json::parse(res->body);
  ASSERT_EQ(body["techniques"].size(), kNumTechniques);
  for (std::size_t i = 0; i < kNumTechniques; ++i) {
    const Technique t = all_techniques()[i];
    EXPECT_EQ(body["techniques"][i]["label"], std::string(technique_label(t)));
    EXPECT_EQ(body["techniques"][i]["definition"], std::string(technique_definition(t)));
  }
  EXPECT_EQ(body["techniques"][8]["label"], "Loaded_Language");
  EXPECT_DOUBLE_EQ(body["default_threshold"].get<double>(), Analyzer(shared_model()).threshold());
}

TEST_F(ServerTest, AnalyzeReturnsExactlyWhatTheCommandLinePrints) {
  start();
  const std::string text = io::read_file_bytes(kArticle);
  const std::string cli = run_cli("analyze " + kArticle + " --format json");
  ASSERT_FALSE(cli.empty());
  auto res = post(json_request({{"text", text}, {"id", "article"}}));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json; charset=utf-8");
  EXPECT_EQ(res->body, cli);
  // Not trivially equal: the article has spans, counted in code points.
  auto body = nlohmann::json::parse(res->body);
  EXPECT_GT(body["spans"].size(), 3u);
  EXPECT_EQ(body["length"], text::decode_utf8(text).size());
  EXPECT_EQ(body["id"], "article");
  EXPECT_GT(body["propaganda_score"].get<double>(), 0.0);
}

TEST_F(ServerTest, AnalyzeHonoursThresholdAsTheCommandLineDoes) {
  start();
  const std::string text = io::read_file_bytes(kArticle);
  for (const char* t : {"0", "0.3", "0.5", "1"}) {
    auto res = post(json_request({{"text", text}, {"id", "article"}, {"threshold", std::stod(t)}}));
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200);
    EXPECT_EQ(res->body, run_cli("analyze " + kArticle + " --format json --threshold " + t)) << "threshold " << t;
  }
  const auto all = nlohmann::json::parse(post(json_request({{"text", text}, {"threshold", 0}}))->body);
  const auto none = nlohmann::json::parse(post(json_request({{"text", text}, {"threshold", 1}}))->body);
  const auto fewer = nlohmann::json::parse(post(json_request({{"text", text}, {"threshold", 0.4}}))->body);
  EXPECT_GT(all["spans"].size(), fewer["spans"].size());
  EXPECT_GT(fewer["spans"].size(), 0u);
  EXPECT_EQ(none["spans"].size(), 0u);
  EXPECT_EQ(none["propaganda_score"], 0.0);
  for (const auto& s : fewer["spans"]) EXPECT_GE(s["score"].get<double>(), 0.4f);
}

TEST_F(ServerTest, AnalyzeKeepsTitleAndCountsCodePoints) {
  start();
  // Each emoji is one code point (two UTF-16 units, four UTF-8 bytes).
  const std::string text = "\xF0\x9F\x8C\x8A\xF0\x9F\x8C\x8A Caf\xC3\xA9 owners say the corrupt, "
                           "greedy elites are destroying our great nation and everyone knows it.";
  auto res = post(json_request({{"text", text}, {"title", "Caf\xC3\xA9 <b>news</b>"}, {"threshold", 0}}));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  auto body = nlohmann::json::parse(res->body);
  EXPECT_EQ(body["title"], "Caf\xC3\xA9 <b>news</b>");
  const std::u32string cps = text::decode_utf8(text);
  EXPECT_EQ(body["length"], cps.size());
  ASSERT_FALSE(body["spans"].empty());
  for (const auto& s : body["spans"]) {
    const auto start = s["start"].get<std::size_t>(), end = s["end"].get<std::size_t>();
    EXPECT_EQ(s["text"], text::encode_utf8(cps.substr(start, end - start)));
  }
}

TEST_F(ServerTest, MalformedRequestsAreJsonErrorsWith400) {
  start();
  struct Case {
    std::string body;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"{\"text\": ", "request body is not valid JSON (error at byte 10)"},
      {"not json", "request body is not valid JSON (error at byte 2)"},
      {std::string("{\"text\": \"caf\xC3") + "\"}", "request body is not valid UTF-8"},
      {"{\"text\": \"\\ud800\"}", "request body is not valid JSON (error at byte 17)"},
      {"[\"text\"]", "request body must be a JSON object with a field 'text'"},
      {"{}", "field 'text' is missing or not a string"},
      {"{\"text\": 42}", "field 'text' is missing or not a string"},
      {"{\"text\": \"ok\", \"title\": 1}", "field 'title' must be a string"},
      {"{\"text\": \"ok\", \"id\": \"\"}", "field 'id' is empty"},
      {"{\"text\": \"ok\", \"threshold\": 1.5}", "field 'threshold' must be a number in [0, 1]"},
      {"{\"text\": \"ok\", \"threshold\": \"high\"}", "field 'threshold' must be a number in [0, 1]"},
      {"{\"text\": \" \\n \"}", "text: empty article (no text)"},
      {"{\"text\": \"a\\u0000b\"}", "text: binary data (contains NUL bytes)"},
  };
  for (const auto& c : cases) {
    auto res = post(c.body);
    ASSERT_TRUE(res) << c.body;
    EXPECT_EQ(res->status, 400) << c.body;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json; charset=utf-8");
    EXPECT_EQ(error_of(res), c.message) << c.body;
  }
}

TEST_F(ServerTest, BodyOverTheDefaultLimitIs413) {
  start();
  // 2 MiB of text plus the JSON around it.
  const std::string body = json_request({{"text", std::string(2u << 20, 'a')}});
  auto res = post(body);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_EQ(error_of(res), "request body too large (limit 2.0 MiB)");
  // Under the limit, the analyzer's own limit of 2,000,000 characters applies.
  auto too_long = post(json_request({{"text", std::string((2u << 20) - 100, 'a')}}));
  ASSERT_TRUE(too_long);
  EXPECT_EQ(too_long->status, 400);
  EXPECT_EQ(error_of(too_long), "article: article too long (2097052 characters, limit 2000000)");
  auto ok = post(json_request({{"text", std::string(1'999'000, 'a')}, {"threshold", 1}}));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(nlohmann::json::parse(ok->body)["length"], 1'999'000);
}

TEST_F(ServerTest, BodyLimitIsConfigurable) {
  ServerOptions options;
  options.max_body_bytes = 1000;
  start(options);
  auto big = post(json_request({{"text", std::string(1000, 'a')}}));
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
  EXPECT_EQ(error_of(big), "request body too large (limit 0.0 MiB)");
  auto small = post(json_request({{"text", "A short article about nothing much."}}));
  ASSERT_TRUE(small);
  EXPECT_EQ(small->status, 200);
}

TEST_F(ServerTest, WrongMethodIs405AndUnknownPathIs404) {
  start();
  auto c = client();
  auto get_analyze = c.Get("/api/analyze");
  ASSERT_TRUE(get_analyze);
  EXPECT_EQ(get_analyze->status, 405);
  EXPECT_EQ(get_analyze->get_header_value("Allow"), "POST");
  EXPECT_EQ(error_of(get_analyze), "method GET not allowed on /api/analyze (use POST)");

  auto delete_analyze = c.Delete("/api/analyze");
  ASSERT_TRUE(delete_analyze);
  EXPECT_EQ(delete_analyze->status, 405);

  for (const char* path : {"/api/techniques", "/healthz", "/"}) {
    auto res = c.Post(path, "{}", "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 405) << path;
    EXPECT_EQ(res->get_header_value("Allow"), "GET") << path;
  }
  for (const char* path : {"/nope", "/api/nothing", "/web/app.js", "/../etc/passwd"}) {
    auto res = c.Get(path);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 404) << path;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json; charset=utf-8");
    EXPECT_EQ(error_of(res).rfind("no such path: ", 0), 0u) << path;
  }
  auto post_unknown = c.Post("/api/nothing", "{}", "application/json");
  ASSERT_TRUE(post_unknown);
  EXPECT_EQ(post_unknown->status, 404);
}

TEST_F(ServerTest, ServesTheEmbeddedPageWithAStrictContentSecurityPolicy) {
  start();
  auto c = client();
  auto index = c.Get("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_EQ(index->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(index->body.find("<title>propscan"), std::string::npos);
  EXPECT_EQ(index->get_header_value("X-Content-Type-Options"), "nosniff");
  const std::string csp = index->get_header_value("Content-Security-Policy");
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos);
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos);

  ASSERT_GE(web_assets().size(), 5u);
  for (const Asset& asset : web_assets()) {
    auto res = c.Get(("/" + std::string(asset.name)).c_str());
    ASSERT_TRUE(res) << asset.name;
    EXPECT_EQ(res->status, 200) << asset.name;
    EXPECT_EQ(res->body, asset.data) << asset.name;
    EXPECT_EQ(res->get_header_value("Content-Type"), asset.content_type) << asset.name;
  }
  EXPECT_EQ(find_asset("app.js")->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(find_asset("style.css")->content_type, "text/css; charset=utf-8");
  // The page loads nothing from elsewhere: no absolute URL in any file.
  for (const Asset& asset : web_assets()) {
    if (asset.name == "favicon.svg") continue;  // its xmlns is a name, not a fetch
    EXPECT_EQ(asset.data.find("http://"), std::string::npos) << asset.name;
    EXPECT_EQ(asset.data.find("https://"), std::string::npos) << asset.name;
    EXPECT_EQ(asset.data.find("innerHTML"), std::string::npos) << asset.name;
  }
}

TEST_F(ServerTest, ConcurrentRequestsAllGetTheirOwnAnswer) {
  ServerOptions options;
  options.threads = 4;
  start(options);
  const std::vector<std::string> texts = {
      io::read_file_bytes(kArticle),
      "The mayor said the budget was balanced. Critics called it a disgraceful betrayal of taxpayers.",
      "Only a fool would believe these lies. Wake up before it is too late!",
  };
  std::vector<std::string> expected;
  for (const auto& t : texts) {
    auto res = post(json_request({{"text", t}}));
    ASSERT_TRUE(res);
    expected.push_back(res->body);
  }
  constexpr int kThreads = 12, kRequests = 8;
  std::atomic<int> good{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < kThreads; ++i) {
    clients.emplace_back([&, i] {
      auto c = client();
      for (int k = 0; k < kRequests; ++k) {
        const std::size_t which = static_cast<std::size_t>(i + k) % texts.size();
        auto res = c.Post("/api/analyze", json_request({{"text", texts[which]}}), "application/json");
        if (res && res->status == 200 && res->body == expected[which]) ++good;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(good, kThreads * kRequests);
  auto lines = wait_for_log(texts.size() + kThreads * kRequests);
  EXPECT_EQ(lines.size(), texts.size() + kThreads * kRequests);
}

TEST_F(ServerTest, LogsOneSafeLinePerRequest) {
  start();
  auto c = client();
  ASSERT_TRUE(c.Get("/healthz"));
  ASSERT_TRUE(c.Post("/api/analyze", "{}", "application/json"));
  ASSERT_TRUE(c.Get("/evil%1b%5b31m%0aname"));
  auto lines = wait_for_log(3);
  ASSERT_EQ(lines.size(), 3u);
  const std::regex line(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ 127\.0\.0\.1 "[A-Z]+ [^"]*" \d{3} \d+B \d+\.\dms)");
  for (const auto& l : lines) EXPECT_TRUE(std::regex_match(l, line)) << l;
  // Each request is a new connection, possibly on another worker: any order.
  auto logged = [&](const std::string& part) {
    return std::count_if(lines.begin(), lines.end(),
                         [&](const std::string& l) { return l.find(part) != std::string::npos; });
  };
  EXPECT_EQ(logged("\"GET /healthz\" 200 16B "), 1);
  EXPECT_EQ(logged("\"POST /api/analyze\" 400 "), 1);
  // The escape and newline from the path are not written to the terminal.
  EXPECT_EQ(logged("\"GET /evil?[31m?name\" 404 "), 1);
}

TEST(ServerLifecycleTest, StopBeforeRunMakesRunReturn) {
  ServerOptions options;
  options.port = 0;
  options.log = [](const std::string&) {};
  Server server(shared_model(), options);
  server.bind();
  EXPECT_GT(server.port(), 0);
  server.stop();
  auto start = std::chrono::steady_clock::now();
  server.run();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(ServerLifecycleTest, PortInUseIsAClearError) {
  ServerOptions options;
  options.port = 0;
  Server first(shared_model(), options);
  first.bind();
  options.port = first.port();
  Server second(shared_model(), options);
  try {
    second.bind();
    FAIL() << "a second server bound port " << options.port;
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot listen on 127.0.0.1:" + std::to_string(options.port) + ": Address already in use");
  }
}

TEST(ServerLifecycleTest, ErrorBodyIsOneJsonObject) {
  EXPECT_EQ(error_body("bad \"thing\""), "{\"error\":\"bad \\\"thing\\\"\"}\n");
  EXPECT_EQ(nlohmann::json::parse(error_body("byte \xFF")).at("error"), "byte \xEF\xBF\xBD");
}

// `propscan serve` as a process: started on a free port, stopped by a signal.
class ServeProcess {
 public:
  ServeProcess() : child_({PROPSCAN_BINARY, "serve", "--port", "0", "--threads", "2"}) {
    if (child_.pid() <= 0) throw Error("cannot start " PROPSCAN_BINARY);
    const std::string& first = child_.read_until("Ctrl-C stops\n");
    std::smatch m;
    if (!std::regex_search(first, m, std::regex(R"(serving http://127\.0\.0\.1:(\d+)/)"))) {
      throw Error("serve did not start: " + first);
    }
    port_ = std::stoi(m[1]);
  }

  int port() const { return port_; }

  // Sends `sig`; returns the exit status and everything written to stderr since start.
  std::pair<int, std::string> stop(int sig) {
    const int status = child_.stop(sig);
    return {status, child_.output()};
  }

 private:
  test::ChildProcess child_;
  int port_ = 0;
};

TEST(ServeCommandTest, StopsCleanlyOnSigtermAndSigint) {
  for (int sig : {SIGTERM, SIGINT}) {
    ServeProcess serve;
    httplib::Client c("127.0.0.1", serve.port());
    c.set_keep_alive(true);
    auto res = c.Post("/api/analyze", "{\"text\": \"They lie, they cheat, they steal.\"}", "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    // Keep an idle connection open: the stop must not wait for it.
    ASSERT_TRUE(c.Get("/healthz"));
    const auto start = std::chrono::steady_clock::now();
    auto [status, log] = serve.stop(sig);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
    EXPECT_EQ(status, 0) << log;
    EXPECT_NE(log.find("\"POST /api/analyze\" 200 "), std::string::npos) << log;
    EXPECT_NE(log.find("\"GET /healthz\" 200 "), std::string::npos) << log;
    EXPECT_NE(log.find(sig == SIGTERM ? "SIGTERM, stopping" : "SIGINT, stopping"), std::string::npos) << log;
    EXPECT_NE(log.find("propscan: stopped\n"), std::string::npos) << log;
  }
}

TEST(ServeCommandTest, MissingModelIsAOneLineError) {
  const std::string out = run_cli("serve --model /nonexistent/x.model --port 0 2>&1; echo \"exit=$?\"");
  EXPECT_NE(out.find("propscan: /nonexistent/x.model"), std::string::npos) << out;
  EXPECT_NE(out.find("exit=1"), std::string::npos) << out;
}

}  // namespace
}  // namespace propscan::server
