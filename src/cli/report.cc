// `propscan report`: the corpus dashboard's charts and article list as one
// standalone HTML file (no server, no network), for sharing or printing.
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/common.h"
#include "propscan/error.h"
#include "server/assets.h"
#include "store/corpus_view.h"
#include "store/dates.h"
#include "store/postgres_store.h"
#include "store/store.h"

namespace propscan::cli {
namespace {

struct ReportArgs {
  std::string db = "propscan.db";
  std::string out;
  std::vector<std::string> sources, techniques;
  std::string topic, since, until;
  std::string interval = "week";
  std::size_t articles = 100;
  std::string title = "propscan corpus report";
};

std::string asset(const char* name) {
  const server::Asset* a = server::find_asset(name);
  if (!a) throw Error(std::string("report: web asset ") + name + " is not built in");
  return std::string(a->data);
}

// Text inside <script>: "</" could end the element, "<!--" open a comment.
std::string script_safe(std::string s) {
  for (std::size_t pos = 0; (pos = s.find('<', pos)) != std::string::npos; pos += 6) s.replace(pos, 1, "\\u003c");
  return s;
}

// A library's code inside <script>: only "</script" could end it early.
std::string inline_script(std::string code) {
  for (std::size_t pos = 0; (pos = code.find("</", pos)) != std::string::npos; pos += 3) code.replace(pos, 2, "<\\/");
  return code;
}

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string day_of(const std::string& given, const char* flag) {
  if (given.empty()) return {};
  const auto d = store::normalise_date(given);
  if (!d) throw Error(std::string(flag) + ": " + store::date_error(given));
  return d->day;
}

void run_report(const ReportArgs& args) {
  store::CorpusFilter filter;
  filter.sources = args.sources;
  for (const auto& label : args.techniques) {
    const auto t = parse_technique(label);
    if (!t) throw Error("--technique: unknown technique '" + label + "' (propscan techniques lists them)");
    filter.techniques.push_back(*t);
  }
  filter.topic = args.topic;
  filter.since = day_of(args.since, "--since");
  filter.until = day_of(args.until, "--until");
  const store::Dimension interval = args.interval == "month" ? store::Dimension::kMonth : store::Dimension::kWeek;
  auto st = store::open_existing_store(args.db);

  nlohmann::json data;
  data["title"] = args.title;
  data["db"] = store::redact_url(args.db);
  data["filter"] = {{"sources", filter.sources}, {"techniques", args.techniques}, {"topic", filter.topic},
                    {"since", filter.since},     {"until", filter.until}};
  data["facets"] = store::corpus_facets(*st);
  data["overview"] = store::corpus_overview(*st, filter, interval);
  store::ArticleListQuery q;
  q.filter = filter;
  q.limit = args.articles;
  data["articles"] = store::to_json(st->list_articles(q));

  std::string html =
      "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline'; "
      "style-src 'unsafe-inline'; img-src data:\">\n<title>" +
      html_escape(args.title) + "</title>\n<style>\n" + asset("corpus.css") + "</style>\n</head>\n<body class=\"corpus report\">\n" +
      "<main id=\"corpus\"></main>\n<script type=\"application/json\" id=\"corpus-data\">" +
      script_safe(data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)) + "</script>\n<script>\n" +
      inline_script(asset("chart.umd.min.js")) + "\n</script>\n<script>\n" + inline_script(asset("highlight.js")) +
      "\n</script>\n<script>\n" + inline_script(asset("corpus.js")) +
      "\n</script>\n</body>\n</html>\n";

  std::ofstream out(args.out, std::ios::binary);
  if (!out) throw Error(args.out + ": cannot write the report");
  out << html;
  out.close();
  if (!out) throw Error(args.out + ": cannot write the report");
  std::cerr << "propscan: wrote " << args.out << " (" << data["overview"]["ranking"].size() << " outlets, "
            << data["articles"]["articles"].size() << " of " << data["articles"]["total"] << " articles)" << std::endl;
}

}  // namespace

void register_report(CLI::App& app) {
  auto args = std::make_shared<ReportArgs>();
  auto* cmd = app.add_subcommand("report", "Write the corpus charts and articles as one offline HTML file");
  cmd->footer(
      "The dashboard of `propscan serve --db` as a standalone page: technique share over time\n"
      "per outlet, outlets ranked by mean propaganda score, the technique mix per outlet and the\n"
      "most propagandistic articles. Everything is inside the file (no network); printing keeps\n"
      "the colours. See docs/corpus.md.");
  cmd->add_option("--db", args->db, "The store: an SQLite file, or a postgresql://USER@HOST:PORT/DATABASE URL")->capture_default_str();
  cmd->add_option("-o,--out", args->out, "The HTML file to write")->required();
  cmd->add_option("--source", args->sources, "Only this outlet (repeatable)");
  cmd->add_option("--technique", args->techniques, "Only these techniques, by corpus label (repeatable)");
  cmd->add_option("--topic", args->topic, "Only articles of this topic");
  cmd->add_option("--since", args->since, "Only articles published on or after this date");
  cmd->add_option("--until", args->until, "Only articles published on or before this date");
  cmd->add_option("--interval", args->interval, "Periods of the time chart: week, month")
      ->check(CLI::IsMember({"week", "month"}))
      ->capture_default_str();
  cmd->add_option("--articles", args->articles, "Most articles listed")
      ->check(CLI::Range(std::size_t{0}, std::size_t{10000}))
      ->capture_default_str();
  cmd->add_option("--title", args->title, "The report's title")->capture_default_str();
  cmd->callback(guarded([args] { run_report(*args); }));
}

}  // namespace propscan::cli
