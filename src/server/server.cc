#include "server/server.h"

#include <arpa/inet.h>
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <iostream>
#include <mutex>
#include <new>
#include <optional>
#include <thread>

#include <nlohmann/json.hpp>

#include "io/input.h"
#include "model/model.h"
#include "propscan/analyzer.h"
#include "propscan/error.h"
#include "server/assets.h"
#include "server/connection.h"
#include "store/corpus_view.h"
#include "store/dates.h"
#include "store/store.h"
#include "text/utf8.h"
#include "writers/writers.h"

namespace propscan::server {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kJson = "application/json; charset=utf-8";

// The page loads only its own files; nothing else may run or be fetched.
constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

std::string mib(std::size_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}

// Request paths come from the network: keep control characters (terminal
// escapes, newlines) out of the log.
std::string printable(std::string_view s, std::size_t max = 200) {
  std::string out;
  for (char c : s.substr(0, max)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7F) ? '?' : c;
  }
  if (s.size() > max) out += "...";
  return out;
}

std::string seconds(std::chrono::milliseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g s", static_cast<double>(d.count()) / 1000.0);
  return buf;
}

std::string lowercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// The name in a Host header value, without its port, lowercased: "[::1]"
// for "[::1]:8080", "example.org" for "Example.org.:80".
std::string host_name(const std::string& value) {
  std::string h = lowercase(value);
  if (!h.empty() && h[0] == '[') {
    const auto close = h.find(']');
    return close == std::string::npos ? h : h.substr(0, close + 1);
  }
  if (std::count(h.begin(), h.end(), ':') == 1) h.resize(h.find(':'));
  if (!h.empty() && h.back() == '.') h.pop_back();
  return h;
}

bool is_loopback_ipv4(const std::string& name) {
  in_addr addr{};
  return inet_pton(AF_INET, name.c_str(), &addr) == 1 && (ntohl(addr.s_addr) >> 24) == 127;
}

// The media type of a Content-Type value, lowercased, without parameters.
std::string media_type(const std::string& value) {
  std::string t = lowercase(value.substr(0, value.find(';')));
  const auto first = t.find_first_not_of(" \t");
  const auto last = t.find_last_not_of(" \t");
  return first == std::string::npos ? "" : t.substr(first, last - first + 1);
}

std::size_t count_code_points(const std::string& utf8) {
  return static_cast<std::size_t>(
      std::count_if(utf8.begin(), utf8.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void send_error(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(error_body(message), kJson);
}

// A client error in the request, answered with 400 and `what`.
struct BadRequest {
  std::string what;
};

// The request body of POST /api/analyze, checked field by field.
struct AnalyzeRequest {
  std::string text;
  // Metadata copied to the answer, as the command line copies it from JSONL.
  std::string title;
  std::string source;
  std::string date;
  std::string url;
  std::string id = "article";
  std::optional<double> threshold;
};

std::string string_field(const nlohmann::json& body, const char* key, std::string fallback) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return fallback;
  if (!it->is_string()) throw BadRequest{std::string("field '") + key + "' must be a string"};
  return it->get<std::string>();
}

AnalyzeRequest parse_analyze_request(const std::string& body_bytes) {
  // Checked before parsing so that the message names the actual problem.
  if (!text::is_valid_utf8(body_bytes)) throw BadRequest{"request body is not valid UTF-8"};
  nlohmann::json body;
  try {
    body = nlohmann::json::parse(body_bytes);
  } catch (const nlohmann::json::parse_error& e) {
    throw BadRequest{"request body is not valid JSON (error at byte " + std::to_string(e.byte) + ")"};
  } catch (const nlohmann::json::out_of_range&) {
    // 1e400 and the like: valid JSON that no double holds.
    throw BadRequest{"request body holds a number too large to represent"};
  } catch (const nlohmann::json::exception&) {
    throw BadRequest{"request body is not valid JSON"};
  }
  if (!body.is_object()) throw BadRequest{"request body must be a JSON object with a field 'text'"};
  auto text = body.find("text");
  if (text == body.end() || !text->is_string()) throw BadRequest{"field 'text' is missing or not a string"};
  AnalyzeRequest req;
  req.text = text->get<std::string>();
  req.title = string_field(body, "title", "");
  req.source = string_field(body, "source", "");
  req.date = string_field(body, "date", "");
  req.url = string_field(body, "url", "");
  req.id = string_field(body, "id", req.id);
  if (req.id.empty()) throw BadRequest{"field 'id' is empty"};
  auto threshold = body.find("threshold");
  if (threshold != body.end() && !threshold->is_null()) {
    if (!threshold->is_number()) throw BadRequest{"field 'threshold' must be a number in [0, 1]"};
    const double t = threshold->get<double>();
    if (!std::isfinite(t) || t < 0.0 || t > 1.0) throw BadRequest{"field 'threshold' must be a number in [0, 1]"};
    req.threshold = t;
  }
  return req;
}

// ---- The corpus view's parameters ---------------------------------------------

// A "YYYY-MM-DD" (or any date store::normalise_date reads) as its day.
std::string day_param(const httplib::Request& req, const char* key) {
  if (!req.has_param(key)) return {};
  const std::string value = req.get_param_value(key);
  if (value.empty()) return {};
  const auto d = store::normalise_date(value);
  if (!d) throw BadRequest{std::string("parameter '") + key + "': " + store::date_error(value)};
  return d->day;
}

store::CorpusFilter corpus_filter(const httplib::Request& req) {
  store::CorpusFilter f;
  for (std::size_t i = 0, n = req.get_param_value_count("source"); i < n; ++i) {
    f.sources.push_back(req.get_param_value("source", i));
  }
  for (std::size_t i = 0, n = req.get_param_value_count("technique"); i < n; ++i) {
    const std::string label = req.get_param_value("technique", i);
    const auto t = parse_technique(label);
    if (!t) throw BadRequest{"parameter 'technique': unknown technique '" + printable(label, 80) + "'"};
    if (std::find(f.techniques.begin(), f.techniques.end(), *t) == f.techniques.end()) f.techniques.push_back(*t);
  }
  if (req.has_param("topic")) f.topic = req.get_param_value("topic");
  f.since = day_param(req, "since");
  f.until = day_param(req, "until");
  return f;
}

store::Dimension interval_param(const httplib::Request& req) {
  const std::string v = req.has_param("interval") ? req.get_param_value("interval") : "week";
  if (v == "week") return store::Dimension::kWeek;
  if (v == "month") return store::Dimension::kMonth;
  if (v == "day") return store::Dimension::kDay;
  throw BadRequest{"parameter 'interval' must be day, week or month, not '" + printable(v, 40) + "'"};
}

std::size_t count_param(const httplib::Request& req, const char* key, std::size_t fallback, std::size_t max) {
  if (!req.has_param(key)) return fallback;
  const std::string v = req.get_param_value(key);
  if (v.empty() || v.size() > 9 || v.find_first_not_of("0123456789") != std::string::npos) {
    throw BadRequest{std::string("parameter '") + key + "' must be a whole number"};
  }
  const std::size_t n = std::stoul(v);
  if (n > max) throw BadRequest{std::string("parameter '") + key + "' is at most " + std::to_string(max)};
  return n;
}

}  // namespace

std::string error_body(const std::string& message) {
  // Messages may quote request bytes; replace anything that is not UTF-8.
  return nlohmann::json{{"error", message}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

struct Server::Impl {
  std::shared_ptr<const Model> model;
  ServerOptions options;
  Analyzer analyzer;  // at the model's own threshold, shared by all workers
  GuardedHttpServer http;
  std::vector<std::string> hosts;  // allowed Host names, as host_name() gives them
  bool any_host = false;
  // Analyses running now, under slot_mutex; slot_freed wakes a waiting one.
  unsigned analyses = 0;
  std::mutex slot_mutex;
  std::condition_variable slot_freed;
  int port = 0;
  bool bound = false;
  std::atomic<bool> running{false};
  std::atomic<bool> stopping{false};
  std::mutex log_mutex;
  std::mutex corpus_mutex;  // one store query at a time (one connection)

  Impl(std::shared_ptr<const Model> m, ServerOptions o)
      : model(std::move(m)), options(std::move(o)), analyzer(model) {
    if (options.threads == 0) throw Error("server: --threads must be at least 1");
    if (options.max_analyses == 0) options.max_analyses = std::max(1u, std::thread::hardware_concurrency());
    allow_hosts();
    routes();
  }

  void log(const std::string& line) {
    std::lock_guard<std::mutex> lock(log_mutex);
    if (options.log) {
      options.log(line);
    } else {
      std::cerr << line << '\n';
      std::cerr.flush();
    }
  }

  void allow_hosts();
  void routes();
  bool refuse_early(const httplib::Request& req, httplib::Response& res) const;
  void refuse_busy(socket_t sock);
  void analyze(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& read_body);
  void techniques(httplib::Response& res) const;
  void corpus(const httplib::Request& req, httplib::Response& res, const std::string& what);
};

// When each worker started on its current request, for the log line.
thread_local Clock::time_point t_request_start;

void Server::Impl::allow_hosts() {
  hosts = {"localhost", "[::1]"};
  auto add = [this](const std::string& name) {
    if (name == "*") {
      any_host = true;
      return;
    }
    in6_addr v6{};
    const std::string n = lowercase(name);
    hosts.push_back(inet_pton(AF_INET6, n.c_str(), &v6) == 1 ? "[" + n + "]" : host_name(n));
  };
  // A wildcard address is no name a browser would use.
  if (options.host != "0.0.0.0" && options.host != "::" && !options.host.empty()) add(options.host);
  for (const auto& name : options.allowed_hosts) add(name);
}

// Refusals decided from the request line and headers alone, before the body
// is read: true (with `res` set) when the request is refused.
bool Server::Impl::refuse_early(const httplib::Request& req, httplib::Response& res) const {
  // A page on another site, through DNS rebinding, reaches this server under
  // its own name: only the names this server is known by are served.
  // /healthz tells nothing and is what load balancers probe by address: exempt.
  const std::string host = host_name(req.get_header_value("Host"));
  if (!any_host && req.path != "/healthz" && std::find(hosts.begin(), hosts.end(), host) == hosts.end() &&
      !is_loopback_ipv4(host)) {
    send_error(res, 403,
               host.empty() ? "request has no Host header"
                            : "host '" + printable(req.get_header_value("Host"), 100) +
                                  "' is not served here (propscan serve --allow-host NAME adds a name)");
    return true;
  }
  if (req.method == "POST" && req.path == "/api/analyze") {
    // Only JSON: a form or text/plain post is what a page on another site can
    // send without asking first (no CORS preflight).
    const std::string type = media_type(req.get_header_value("Content-Type"));
    if (type != "application/json") {
      send_error(res, 415, "Content-Type must be application/json, not " +
                               (type.empty() ? std::string("missing") : "'" + printable(type, 100) + "'"));
      return true;
    }
    // Without a length or chunks, httplib would read until the client closes.
    const bool chunked = lowercase(req.get_header_value("Transfer-Encoding")).find("chunked") != std::string::npos;
    if (!chunked && !req.has_header("Content-Length")) {
      send_error(res, 411, "request needs a Content-Length header or a chunked body");
      return true;
    }
    if (req.has_header("Content-Length") &&
        req.get_header_value<std::uint64_t>("Content-Length") > options.max_body_bytes) {
      send_error(res, 413, "request body too large (limit " + mib(options.max_body_bytes) + ")");
      return true;
    }
  }
  return false;
}

// A connection that found every worker busy: answered without reading it.
void Server::Impl::refuse_busy(socket_t sock) {
  const std::string body =
      error_body("server busy: all " + std::to_string(options.threads) + " connections in use; retry later");
  const std::string response = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: " + std::string(kJson) +
                               "\r\nContent-Length: " + std::to_string(body.size()) +
                               "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n" + body;
  [[maybe_unused]] auto n = ::send(sock, response.data(), response.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  const std::string addr = peer_address(sock);
  log(utc_now() + " " + (addr.empty() ? "-" : addr) + " \"- -\" 503 " + std::to_string(body.size()) + "B busy");
}

void Server::Impl::routes() {
  http.new_task_queue = [n = options.threads] { return new ConnectionPool(n); };
  http.refuse = [this](socket_t sock) { refuse_busy(sock); };
  http.set_payload_max_length(options.max_body_bytes);
  http.limits.read_timeout = options.read_timeout;
  http.limits.write_timeout = options.write_timeout;
  // A worker waits on an idle kept-alive connection for this long, and stop()
  // waits for such workers: short, so that idle browsers neither hold the
  // pool nor delay Ctrl-C.
  http.limits.keep_alive_timeout = std::chrono::seconds(1);
  // What the Keep-Alive header tells clients, the same figures.
  http.set_keep_alive_timeout(1);
  http.set_keep_alive_max_count(http.limits.keep_alive_max_requests);
  http.limits.max_header_bytes = options.max_header_bytes;
  http.limits.max_header_lines = options.max_header_lines;
  // Room for chunk framing; the decoded body is held to max_body_bytes.
  http.limits.max_body_wire_bytes = options.max_body_bytes + (64u << 10);
  // httplib's default also sets SO_REUSEPORT, which would let a second server
  // share a port in use instead of failing; keep only SO_REUSEADDR.
  http.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  // httplib writes the headers and the body of a response separately; with
  // Nagle's algorithm the body would wait for the client's delayed ACK (about
  // 40 ms on Linux).
  http.set_tcp_nodelay(true);
  http.set_default_headers({{"X-Content-Type-Options", "nosniff"},
                            {"Content-Security-Policy", kContentSecurityPolicy},
                            {"Referrer-Policy", "no-referrer"}});

  // A refused request is answered before its body is read; what follows it on
  // the connection cannot be parsed, so the connection is closed after.
  http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    t_request_start = Clock::now();
    if (!refuse_early(req, res)) return httplib::Server::HandlerResponse::Unhandled;
    if (GuardedStream* stream = current_stream()) stream->close_after_response();
    return httplib::Server::HandlerResponse::Handled;
  });
  // A client that asks before sending its body hears the refusal first.
  http.set_expect_100_continue_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (!refuse_early(req, res)) return 100;
    t_request_start = Clock::now();
    if (GuardedStream* stream = current_stream()) stream->close_after_response();
    return res.status;
  });
  http.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    // A request refused before routing (a malformed request line) has no start time.
    char timing[32] = "-";
    if (t_request_start != Clock::time_point{}) {
      const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t_request_start).count();
      std::snprintf(timing, sizeof timing, "%.1fms", ms);
    }
    t_request_start = {};
    log(utc_now() + " " + (req.remote_addr.empty() ? "-" : req.remote_addr) + " \"" + printable(req.method) + " " + printable(req.path) + "\" " +
        std::to_string(res.status) + " " + std::to_string(res.body.size()) + "B " + timing);
  });

  // Every status >= 400 without a body of ours (404 for an unknown path, 413
  // for a body over the limit, 400 for a malformed request, 408 and 431 for
  // the connection limits) gets a JSON one.
  http.set_error_handler(httplib::Server::HandlerWithResponse(
      [this](const httplib::Request& req, httplib::Response& res) {
    // A connection left unparseable is closed after this answer: say so.
    if (const GuardedStream* stream = current_stream(); stream && stream->must_close()) {
      res.set_header("Connection", "close");
    }
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    // httplib answers 400 to any failed read; say why it failed.
    if (const GuardedStream* stream = current_stream()) {
      switch (stream->failure()) {
        case ReadFailure::kTimeout: res.status = 408; break;
        case ReadFailure::kHeaderTooLarge: res.status = 431; break;
        case ReadFailure::kBodyTooLarge: res.status = 413; break;
        case ReadFailure::kStopping: res.status = 503; break;
        default: break;
      }
    }
    std::string message;
    switch (res.status) {
      case 408: message = "request not received within " + seconds(options.read_timeout); break;
      case 503: message = "server stopping"; break;
      case 431:
        message = "request headers too large (limit " + std::to_string(options.max_header_bytes) + " bytes and " +
                  std::to_string(options.max_header_lines) + " lines)";
        break;
      case 404: message = "no such path: " + printable(req.path); break;
      case 413: message = "request body too large (limit " + mib(options.max_body_bytes) + ")"; break;
      case 400: message = "malformed HTTP request"; break;
      default: message = "HTTP error " + std::to_string(res.status); break;
    }
    res.set_content(error_body(message), kJson);
    return httplib::Server::HandlerResponse::Handled;
  }));
  http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string message = "internal error";
    try {
      std::rethrow_exception(ep);
    } catch (const std::bad_alloc&) {
      message = "out of memory";
    } catch (const std::exception& e) {
      message = std::string("internal error: ") + e.what();
    } catch (...) {
    }
    send_error(res, 500, message);
  });

  // The API.
  // The body is read here, not by httplib, so that a chunked body is held to
  // the limit as it arrives.
  http.Post("/api/analyze", [this](const httplib::Request& req, httplib::Response& res,
                                   const httplib::ContentReader& read_body) { analyze(req, res, read_body); });
  http.Get("/api/techniques", [this](const httplib::Request&, httplib::Response& res) { techniques(res); });
  http.Get(R"(/api/corpus/(facets|overview|articles|article))",
           [this](const httplib::Request& req, httplib::Response& res) { corpus(req, res, req.matches[1].str()); });
  http.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{\"status\":\"ok\"}\n", kJson);
  });

  // The page: "/" is index.html, "/NAME" any other embedded file.
  auto serve_asset = [](const Asset& asset, httplib::Response& res) {
    res.set_header("Cache-Control", "no-cache");
    res.set_content(std::string(asset.data), std::string(asset.content_type));
  };
  http.Get("/", [serve_asset](const httplib::Request&, httplib::Response& res) {
    if (const Asset* asset = find_asset("index.html")) serve_asset(*asset, res);
  });
  http.Get(R"(/([A-Za-z0-9_.-]+))", [serve_asset](const httplib::Request& req, httplib::Response& res) {
    const Asset* asset = find_asset(req.matches[1].str());
    if (!asset) {
      send_error(res, 404, "no such path: " + printable(req.path));
      return;
    }
    serve_asset(*asset, res);
  });

  // A known path with the wrong method is 405, naming the allowed one.
  auto wrong_method = [](const char* allowed) {
    return [allowed](const httplib::Request& req, httplib::Response& res) {
      res.set_header("Allow", allowed);
      send_error(res, 405, "method " + printable(req.method) + " not allowed on " + printable(req.path) +
                               " (use " + allowed + ")");
    };
  };
  for (const char* path : {"/api/techniques", "/healthz", "/", "/api/corpus/facets", "/api/corpus/overview",
                           "/api/corpus/articles", "/api/corpus/article"}) {
    http.Post(path, wrong_method("GET"));
    http.Put(path, wrong_method("GET"));
    http.Patch(path, wrong_method("GET"));
    http.Delete(path, wrong_method("GET"));
    http.Options(path, wrong_method("GET"));
  }
  http.Get("/api/analyze", wrong_method("POST"));
  http.Put("/api/analyze", wrong_method("POST"));
  http.Patch("/api/analyze", wrong_method("POST"));
  http.Delete("/api/analyze", wrong_method("POST"));
  http.Options("/api/analyze", wrong_method("POST"));
}

void Server::Impl::analyze(const httplib::Request&, httplib::Response& res, const httplib::ContentReader& read_body) {
  res.set_header("Cache-Control", "no-store");
  std::string body;
  bool too_large = false;
  const bool complete = read_body([&](const char* data, std::size_t n) {
    if (body.size() + n > options.max_body_bytes) {
      too_large = true;
      return false;
    }
    body.append(data, n);
    return true;
  });
  GuardedStream* stream = current_stream();
  if (!complete) {
    if (stream) stream->close_after_response();
    const ReadFailure failure = stream ? stream->failure() : ReadFailure::kNone;
    if (too_large || failure == ReadFailure::kBodyTooLarge || res.status == 413) {
      send_error(res, 413, "request body too large (limit " + mib(options.max_body_bytes) + ")");
    } else if (failure == ReadFailure::kTimeout) {
      send_error(res, 408, "request not received within " + seconds(options.read_timeout));
    } else {
      send_error(res, 400, "request body incomplete");
    }
    return;
  }
  try {
    const AnalyzeRequest request = parse_analyze_request(body);
    const std::size_t chars = count_code_points(request.text);
    if (chars > options.max_chars) {
      send_error(res, 413, "text too long for one request (" + std::to_string(chars) + " characters, limit " +
                               std::to_string(options.max_chars) + ")");
      return;
    }
    // At most max_analyses at once. A request waits briefly for a slot (a
    // burst of short articles should not fail), then is told to come back
    // rather than queued behind long ones.
    {
      std::unique_lock<std::mutex> lock(slot_mutex);
      if (!slot_freed.wait_for(lock, options.analysis_wait, [this] { return analyses < options.max_analyses; })) {
        res.set_header("Retry-After", "1");
        send_error(res, 503, "server busy: " + std::to_string(options.max_analyses) +
                                 " analyses in progress; retry later");
        return;
      }
      ++analyses;
    }
    struct Slot {
      Impl& impl;
      ~Slot() {
        {
          std::lock_guard<std::mutex> lock(impl.slot_mutex);
          --impl.analyses;
        }
        impl.slot_freed.notify_one();
      }
    } slot{*this};
    if (options.analysis_hook) options.analysis_hook();
    io::InputLimits limits;
    limits.max_article_bytes = options.max_body_bytes;
    Document doc = io::document_from_bytes("text", request.id, request.text, limits);
    doc.title = request.title;
    doc.source = request.source;
    doc.date = request.date;
    doc.url = request.url;
    Analysis analysis;
    if (request.threshold) {
      // Another threshold: a second analyzer over the same shared model,
      // which costs no more than copying a pointer.
      AnalyzerOptions o = analyzer.options();
      o.threshold = *request.threshold;
      analysis = Analyzer(model, o).analyze(doc);
    } else {
      analysis = analyzer.analyze(doc);
    }
    res.set_content(writers::analysis_json(doc, analysis).dump() + "\n", kJson);
  } catch (const BadRequest& e) {
    send_error(res, 400, e.what);
  } catch (const Error& e) {
    send_error(res, 400, e.what());
  }
}

void Server::Impl::techniques(httplib::Response& res) const {
  nlohmann::json list = nlohmann::json::array();
  for (Technique t : all_techniques()) {
    list.push_back({{"label", technique_label(t)}, {"definition", technique_definition(t)}});
  }
  const nlohmann::json out = {{"default_threshold", analyzer.threshold()}, {"techniques", std::move(list)}};
  res.set_content(out.dump() + "\n", kJson);
}

void Server::Impl::corpus(const httplib::Request& req, httplib::Response& res, const std::string& what) {
  res.set_header("Cache-Control", "no-store");
  if (!options.corpus) {
    send_error(res, 404, "no corpus: start the server with --db PATH to use /api/corpus/");
    return;
  }
  try {
    nlohmann::json out;
    if (what == "facets") {
      std::lock_guard<std::mutex> lock(corpus_mutex);
      out = store::corpus_facets(*options.corpus);
    } else if (what == "overview") {
      const store::CorpusFilter filter = corpus_filter(req);
      const store::Dimension interval = interval_param(req);
      std::lock_guard<std::mutex> lock(corpus_mutex);
      out = store::corpus_overview(*options.corpus, filter, interval);
    } else if (what == "articles") {
      store::ArticleListQuery q;
      q.filter = corpus_filter(req);
      if (req.has_param("period")) {
        q.period = req.get_param_value("period");
        q.period_kind = interval_param(req);
      }
      q.limit = count_param(req, "limit", 50, options.max_corpus_articles);
      q.offset = count_param(req, "offset", 0, 1'000'000'000);
      std::lock_guard<std::mutex> lock(corpus_mutex);
      out = store::to_json(options.corpus->list_articles(q));
    } else {
      if (!req.has_param("id")) throw BadRequest{"parameter 'id' is missing"};
      const auto id = static_cast<std::int64_t>(count_param(req, "id", 0, 999'999'999));
      std::optional<store::StoredArticle> article;
      {
        std::lock_guard<std::mutex> lock(corpus_mutex);
        article = options.corpus->article(id);
      }
      if (!article) {
        send_error(res, 404, "no article with id " + std::to_string(id));
        return;
      }
      out = store::to_json(*article);
    }
    res.set_content(out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", kJson);
  } catch (const BadRequest& e) {
    send_error(res, 400, e.what);
  }
}

Server::Server(std::shared_ptr<const Model> model, ServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(model), std::move(options))) {}

Server::~Server() { stop(); }

void Server::bind() {
  auto& o = impl_->options;
  const std::string where = o.host + ":" + std::to_string(o.port);
  if (o.port < 0 || o.port > 65535) throw Error("cannot listen on " + where + ": port must be in 0..65535");
  errno = 0;
  const bool ok = o.port == 0 ? (impl_->port = impl_->http.bind_to_any_port(o.host)) > 0
                              : impl_->http.bind_to_port(o.host, impl_->port = o.port);
  if (!ok) {
    const int err = errno;
    throw Error("cannot listen on " + where + ": " +
                (err ? std::string(std::strerror(err)) : std::string("unknown host, or not a local address")));
  }
  impl_->bound = true;
}

int Server::port() const { return impl_->port; }

void Server::run() {
  if (!impl_->bound) throw Error("server: run() before bind()");
  // With stop(): whichever of the two flags the other side sees first, a
  // stop() racing with the start of run() is never lost.
  impl_->running = true;
  if (!impl_->stopping) impl_->http.listen_after_bind();
  impl_->running = false;
}

void Server::stop() {
  impl_->stopping = true;
  // Connections reading or waiting end now; analyses in progress finish.
  impl_->http.stop_connections();
  if (!impl_->running) return;
  // httplib ignores stop() until its loop runs; wait for that briefly.
  while (impl_->running && !impl_->http.is_running()) std::this_thread::yield();
  impl_->http.stop();
}

}  // namespace propscan::server
