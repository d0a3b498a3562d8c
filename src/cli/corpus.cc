// The corpus commands: ingest (analyse and store), stats, search, topic.
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/common.h"
#include "cli/progress.h"
#include "io/input.h"
#include "propscan/analyzer.h"
#include "propscan/error.h"
#include "store/dates.h"
#include "store/ingest.h"
#include "store/json.h"
#include "store/postgres_store.h"
#include "store/store.h"
#include "text/utf8.h"
#include "writers/writers.h"

namespace propscan::cli {
namespace {

// ---- ingest ----------------------------------------------------------------

struct IngestArgs {
  std::vector<std::string> inputs;
  std::string db = "propscan.db";
  std::string model;
  double threshold = -1.0;
  unsigned threads = 0;
  bool jsonl = false;
  bool reanalyse = false;
  std::size_t batch = 100;
  std::string progress = "auto";
};

void run_ingest(const IngestArgs& args) {
  const ProgressMode mode = parse_progress_mode(args.progress);
  if (args.batch == 0) throw Error("--batch must be at least 1");
  set_compute_threads(1);  // articles run in parallel instead
  AnalyzerOptions options;
  options.threshold = args.threshold;
  const std::string model_path = resolve_model(args.model);
  const Analyzer analyzer(model_path, options);

  std::size_t total = 0;
  for (const auto& in : args.inputs) total += io::count_input(in, args.jsonl);
  store::IngestOptions ingest;
  ingest.threads = std::max(1u, args.threads ? args.threads : default_threads());
  ingest.batch = args.batch;
  ingest.reanalyse = args.reanalyse;
  Progress progress("ingest", total, "articles", mode);
  store::IngestHooks hooks;
  hooks.committed = [&](std::size_t done) { progress.update(done); };
  hooks.failed = [&](const store::FailureRecord& f) { progress.message("propscan: " + f.error); };
  const auto r = store::ingest([&] { return store::open_store_at(args.db); }, analyzer,
                               store::model_id(model_path, analyzer.threshold()),
                               store::input_items(args.inputs, args.jsonl), ingest, hooks);
  progress.finish();
  const auto c = store::open_store_at(args.db)->counts();
  std::cerr << "propscan: ingest: " << r.done << " article" << (r.done == 1 ? "" : "s") << ": " << r.added
            << " added, " << r.replaced << " re-analysed, " << r.unchanged << " already stored, " << r.failed
            << " failed; " << store::redact_url(args.db) << " holds " << c.articles << " articles, " << c.spans << " spans\n";
  if (r.failed) {
    fail(std::to_string(r.failed) + " of " + std::to_string(r.done) + " article" + (r.done == 1 ? "" : "s") +
         " could not be ingested (listed above, and kept in the store's failures)");
  }
}

// ---- stats -----------------------------------------------------------------

struct StatsArgs {
  std::string db = "propscan.db";
  std::vector<std::string> by;
  std::string source, topic, since, until;
  std::string format = "table";
  int top = 3;
};

std::string day_of(const std::string& given, const char* flag) {
  if (given.empty()) return {};
  const auto d = store::normalise_date(given);
  if (!d) throw Error(std::string(flag) + ": " + store::date_error(given));
  return d->day;
}

std::string safe(const std::string& utf8) {
  return writers::terminal_safe(text::is_valid_utf8(utf8) ? text::decode_utf8(utf8) : U"\uFFFD");
}

std::string fixed(double x, int digits) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(digits) << x;
  return s.str();
}

// A CSV field of untrusted text: control characters neutralised as on a
// terminal, quoted when it holds a comma, a quote or a line break.
std::string csv_field(const std::string& raw) {
  const std::string s = safe(raw);
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::size_t display_width(const std::string& utf8) {
  std::size_t n = 0;
  for (unsigned char c : utf8) n += (c & 0xC0) != 0x80;
  return n;
}

void print_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& r : rows) {
    widths.resize(std::max(widths.size(), r.size()));
    for (std::size_t i = 0; i < r.size(); ++i) widths[i] = std::max(widths[i], display_width(r[i]));
  }
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(widths[i] - display_width(r[i]) + 2, ' ');
    }
    std::cout << line << '\n';
  }
}

void run_stats(const StatsArgs& args) {
  store::StatsQuery q;
  for (const auto& name : args.by) {
    const auto d = store::parse_dimension(name);
    if (!d) throw Error("--by: unknown group '" + name + "' (source, day, week, month, technique, topic)");
    if (std::find(q.by.begin(), q.by.end(), *d) != q.by.end()) throw Error("--by: '" + name + "' given twice");
    q.by.push_back(*d);
  }
  q.source = args.source;
  q.topic = args.topic;
  q.since = day_of(args.since, "--since");
  q.until = day_of(args.until, "--until");
  q.top = args.top;
  auto st = store::open_existing_store(args.db);
  const auto result = st->stats(q);
  if (args.format == "json") {
    std::cout << store::to_json(result).dump() << '\n';
  } else if (args.format == "csv") {
    std::string header;
    for (auto d : q.by) header += store::dimension_name(d) + ",";
    header += "articles,spans,words,spans_per_1000_words,mean_score";
    for (Technique t : all_techniques()) header += "," + csv_field("share " + std::string(technique_label(t)));
    header += ",top_articles";
    std::cout << header << '\n';
    for (const auto& row : result.rows) {
      std::string line;
      for (const auto& k : row.keys) line += csv_field(k) + ",";
      line += std::to_string(row.articles) + "," + std::to_string(row.spans) + "," + std::to_string(row.words) + "," +
              fixed(row.spans_per_1000_words(), 3) + "," + fixed(row.mean_score, 4);
      for (Technique t : all_techniques()) line += "," + fixed(row.share(t), 4);
      std::string top;
      for (const auto& a : row.top) top += (top.empty() ? "" : " ") + a.ext_id;
      std::cout << line << "," << csv_field(top) << '\n';
    }
  } else {
    std::vector<std::vector<std::string>> table;
    std::vector<std::string> header;
    for (auto d : q.by) header.push_back(store::dimension_name(d));
    for (const char* h : {"articles", "spans", "per 1k words", "mean score", "techniques (share of spans)",
                          "most propagandistic"}) {
      header.push_back(h);
    }
    table.push_back(header);
    for (const auto& row : result.rows) {
      std::vector<std::string> cells;
      for (const auto& k : row.keys) cells.push_back(k.empty() ? "(none)" : safe(k));
      cells.push_back(std::to_string(row.articles));
      cells.push_back(std::to_string(row.spans));
      cells.push_back(fixed(row.spans_per_1000_words(), 1));
      cells.push_back(fixed(row.mean_score, 3));
      std::vector<Technique> used;
      for (Technique t : all_techniques()) {
        if (row.technique_spans[technique_index(t)]) used.push_back(t);
      }
      std::stable_sort(used.begin(), used.end(), [&](Technique a, Technique b) {
        return row.technique_spans[technique_index(a)] > row.technique_spans[technique_index(b)];
      });
      std::string shares;
      for (std::size_t i = 0; i < used.size() && i < 3; ++i) {
        shares += (shares.empty() ? "" : ", ") + std::string(technique_label(used[i])) + " " +
                  fixed(100.0 * row.share(used[i]), 0) + "%";
      }
      if (used.size() > 3) shares += ", ...";
      cells.push_back(shares.empty() ? "-" : shares);
      std::string top;
      for (const auto& a : row.top) top += (top.empty() ? "" : ", ") + safe(a.ext_id) + " " + fixed(a.propaganda_score, 2);
      cells.push_back(top.empty() ? "-" : top);
      table.push_back(cells);
    }
    print_table(table);
    if (result.rows.empty()) std::cout << "(no articles match)\n";
  }
  if (!std::cout.flush()) throw Error("standard output: write failed (disk full or closed pipe?)");
}

// ---- search ----------------------------------------------------------------

struct SearchArgs {
  std::string db = "propscan.db";
  std::vector<std::string> words;
  std::size_t limit = 20;
  std::string format = "text";
  std::string color = "auto";
};

void run_search(const SearchArgs& args) {
  store::SearchQuery q;
  for (const auto& w : args.words) q.text += (q.text.empty() ? "" : " ") + w;
  q.limit = args.limit;
  auto st = store::open_existing_store(args.db);
  const auto hits = st->search(q);
  if (args.format == "json") {
    std::cout << store::to_json(hits).dump() << '\n';
  } else {
    const bool color = args.color == "always" || (args.color == "auto" && isatty(STDOUT_FILENO));
    for (const auto& h : hits) {
      const auto& a = h.article;
      std::cout << safe(a.ext_id) << "  score " << fixed(a.propaganda_score, 3) << ", " << a.spans << " span"
                << (a.spans == 1 ? "" : "s");
      if (!a.source.empty()) std::cout << "  " << safe(a.source);
      if (!a.published.empty()) std::cout << "  " << a.published.substr(0, 10);
      std::cout << '\n';
      if (!a.title.empty()) std::cout << "  " << safe(a.title) << '\n';
      std::u32string_view s(h.snippet);
      std::string line = h.snippet_starts_inside ? "…" : "";
      std::int64_t at = 0;
      for (const auto& [b, e] : h.matches) {
        line += writers::terminal_safe(s.substr(static_cast<std::size_t>(at), static_cast<std::size_t>(b - at)));
        const std::string m = writers::terminal_safe(s.substr(static_cast<std::size_t>(b), static_cast<std::size_t>(e - b)));
        line += color ? "\x1b[1;93m" + m + "\x1b[0m" : "[[" + m + "]]";
        at = e;
      }
      line += writers::terminal_safe(s.substr(static_cast<std::size_t>(at)));
      if (h.snippet_ends_inside) line += "…";
      // One line: paragraph breaks and runs of spaces become one space.
      std::string flat;
      for (char c : line) {
        if (c == '\n' || c == '\t' || c == '\r') c = ' ';
        if (c != ' ' || flat.empty() || flat.back() != ' ') flat += c;
      }
      std::cout << "    " << flat << '\n';
    }
    if (hits.empty()) std::cout << "(no article matches)\n";
  }
  if (!std::cout.flush()) throw Error("standard output: write failed (disk full or closed pipe?)");
}

// ---- topic -------------------------------------------------------------------

}  // namespace

void register_corpus(CLI::App& app) {
  const auto db_option = [](CLI::App* cmd, std::string& db) {
    cmd->add_option("--db", db, "The store: an SQLite file, or a postgresql://USER@HOST:PORT/DATABASE URL")
        ->capture_default_str();
  };
  {
    auto args = std::make_shared<IngestArgs>();
    auto* cmd = app.add_subcommand("ingest", "Analyse articles and keep them, with their spans, in a store");
    cmd->footer(
        "INPUT is what analyze reads (a .txt file, a directory, a .jsonl file of {\"id\", \"text\",\n"
        "\"title\", \"source\", \"date\", \"url\", \"topics\"} objects, - for stdin) or an .html page, whose\n"
        "article text and title are extracted. A text already stored is skipped; with --reanalyse,\n"
        "one analysed by another model (or threshold) gets its spans replaced. Articles are committed\n"
        "in batches: a killed ingest loses nothing it reported done, and running it again finishes\n"
        "the rest. Bad articles are reported, kept in the store's failures, and the exit status is 1.");
    cmd->add_option("inputs", args->inputs, "Files, directories, .jsonl files or -")->required();
    db_option(cmd, args->db);
    analysis_options(cmd, args->model, args->threshold, args->threads);
    cmd->add_flag("--jsonl", args->jsonl, "Read every INPUT file (or stdin) as JSONL");
    cmd->add_flag("--reanalyse", args->reanalyse, "Re-analyse stored texts that another model analysed");
    cmd->add_option("--batch", args->batch, "Articles committed per transaction")->capture_default_str();
    cmd->add_option("--progress", args->progress, "auto (a bar on a terminal), bar, lines (one per commit), none")
        ->check(CLI::IsMember({"auto", "bar", "lines", "none"}))
        ->capture_default_str();
    cmd->callback(guarded([args] { run_ingest(*args); }));
  }
  {
    auto args = std::make_shared<StatsArgs>();
    auto* cmd = app.add_subcommand("stats", "Count techniques in a store by source, date, technique or topic");
    cmd->footer(
        "Per group: articles, spans, spans per 1,000 words, each technique's share of the spans, the\n"
        "mean propaganda score, and the most propagandistic articles. Weeks are ISO weeks (2024-W09).\n"
        "Example: propscan stats --by source,month --since 2024-01-01 --format csv");
    db_option(cmd, args->db);
    cmd->add_option("--by", args->by, "Groups, in order: source, day, week, month, technique, topic")
        ->delimiter(',');
    cmd->add_option("--source", args->source, "Only articles of this source");
    cmd->add_option("--topic", args->topic, "Only articles of this topic");
    cmd->add_option("--since", args->since, "Only articles published on or after this date");
    cmd->add_option("--until", args->until, "Only articles published on or before this date");
    cmd->add_option("--top", args->top, "Most propagandistic articles shown per group")->capture_default_str();
    cmd->add_option("-f,--format", args->format, "Output: table, csv, json")
        ->check(CLI::IsMember({"table", "csv", "json"}))
        ->capture_default_str();
    cmd->callback(guarded([args] { run_stats(*args); }));
  }
  {
    auto args = std::make_shared<SearchArgs>();
    auto* cmd = app.add_subcommand("search", "Full-text search of a store's articles");
    cmd->footer(
        "QUERY is in SQLite's FTS5 syntax, on either store: words (all must occur), \"a phrase\", OR,\n"
        "NOT, prefix*, title:word, (...). Prints each matching article, best first, with its\n"
        "propaganda score and a snippet with the matches in [[...]] (in colour on a terminal).");
    cmd->add_option("query", args->words, "Search query")->required();
    db_option(cmd, args->db);
    cmd->add_option("-n,--limit", args->limit, "Most articles shown")->capture_default_str();
    cmd->add_option("-f,--format", args->format, "Output: text, json")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
    cmd->add_option("--color", args->color, "Highlight matches: auto, always, never")
        ->check(CLI::IsMember({"auto", "always", "never"}))
        ->capture_default_str();
    cmd->callback(guarded([args] { run_search(*args); }));
  }
  {
    auto* topic = app.add_subcommand("topic", "Name full-text queries as topics, for stats --by topic");
    topic->require_subcommand(1);
    topic->footer(
        "A topic is a full-text query (as propscan search reads it) or a name given in the JSONL\n"
        "\"topics\" field. Articles ingested later join a query topic when they match it.");
    auto db = std::make_shared<std::string>("propscan.db");
    auto name = std::make_shared<std::string>();
    auto words = std::make_shared<std::vector<std::string>>();
    auto* add = topic->add_subcommand("add", "Add or redefine a topic: NAME QUERY");
    add->add_option("name", *name, "Topic name")->required();
    add->add_option("query", *words, "Full-text query")->required();
    db_option(add, *db);
    add->callback(guarded([db, name, words] {
      auto st = store::open_existing_store(*db);
      std::string query;
      for (const auto& w : *words) query += (query.empty() ? "" : " ") + w;
      const auto n = st->add_topic(*name, query);
      std::cout << "topic '" << safe(*name) << "': " << n << " article" << (n == 1 ? "" : "s") << '\n';
    }));
    auto* list = topic->add_subcommand("list", "List the topics with their queries and article counts");
    db_option(list, *db);
    list->callback(guarded([db] {
      std::vector<std::vector<std::string>> table{{"topic", "articles", "query"}};
      for (const auto& t : store::open_existing_store(*db)->topics()) {
        table.push_back({safe(t.name), std::to_string(t.articles), t.query.empty() ? "(from the input)" : safe(t.query)});
      }
      print_table(table);
    }));
    auto* remove = topic->add_subcommand("remove", "Remove a topic");
    remove->add_option("name", *name, "Topic name")->required();
    db_option(remove, *db);
    remove->callback(guarded([db, name] {
      store::open_existing_store(*db)->remove_topic(*name);
    }));
  }
}

}  // namespace propscan::cli
