#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/common.h"
#include "cli/progress.h"
#include "io/corpus.h"
#include "io/input.h"
#include "io/labels.h"
#include "metrics/evaluate.h"
#include "model/model_file.h"
#include "propscan/analyzer.h"
#include "propscan/error.h"
#include "propscan/version.h"
#include "writers/writers.h"

namespace propscan::cli {
namespace {

// ---- analyze -------------------------------------------------------------

struct AnalyzeArgs {
  std::string path;
  std::string format = "json";
  double threshold = -1.0;
  std::string model;
  bool jsonl = false;
  unsigned threads = 0;
  std::string color = "auto";
};

void run_analyze(const AnalyzeArgs& args) {
  auto format = writers::parse_format(args.format);
  if (!format) throw Error("unknown format '" + args.format + "' (json, text, semeval-si, semeval-flc)");
  set_compute_threads(1);  // articles run in parallel instead
  AnalyzerOptions options;
  options.threshold = args.threshold;
  const Analyzer analyzer(resolve_model(args.model), options);

  std::vector<io::InputItem> items = io::read_all(args.path, args.jsonl);
  // Two articles with one id would merge into one in the SemEval formats.
  std::map<std::string, std::string> first_with;
  for (auto& item : items) {
    if (!item.ok()) continue;
    if (auto [it, fresh] = first_with.emplace(item.doc.id, item.name); !fresh) {
      item.error = item.name + ": duplicate id '" + item.doc.id + "' (first at " + it->second + ")";
    }
  }
  std::vector<Analysis> results(items.size());
  std::vector<std::string> errors(items.size());
  std::atomic<std::size_t> next{0};
  // A batch shows its progress on a terminal's standard error.
  Progress progress("analyze", items.size(), "articles", items.size() > 1 ? ProgressMode::kAuto : ProgressMode::kNone);
  auto worker = [&] {
    for (std::size_t i = next++; i < items.size(); i = next++) {
      if (!items[i].ok()) continue;
      try {
        results[i] = analyzer.analyze(items[i].doc);
      } catch (const Error& e) {
        // The analyzer names the article by its id; the input's name goes
        // first unless it is that same name (stdin).
        const std::string message = e.what();
        const std::string& name = items[i].name;
        errors[i] = message.starts_with(name + ": ") ? message : name + ": " + message;
      }
      progress.add();
    }
  };
  const unsigned threads = std::min<std::size_t>(args.threads ? args.threads : default_threads(), items.size());
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  progress.finish();

  writers::TextStyle style;
  style.color = args.color == "always" || (args.color == "auto" && isatty(STDOUT_FILENO));
  std::size_t failed = 0;
  std::vector<const Analysis*> written;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string& error = items[i].ok() ? errors[i] : items[i].error;
    if (!error.empty()) {
      ++failed;
      std::cerr << "propscan: " << error << '\n';
      continue;
    }
    writers::write(std::cout, *format, items[i].doc, results[i], style);
    written.push_back(&results[i]);
  }
  if (*format == writers::Format::kText && items.size() > 1) writers::write_batch_summary(std::cout, written);
  if (!std::cout.flush()) throw Error("standard output: write failed (disk full or closed pipe?)");
  if (failed == 1 && items.size() == 1) {
    set_exit_code(1);  // the one error is already printed
  } else if (failed) {
    fail(std::to_string(failed) + " of " + std::to_string(items.size()) + " article" +
         (items.size() == 1 ? "" : "s") + " could not be analysed");
  }
}

// ---- classify ------------------------------------------------------------

struct ClassifyArgs {
  std::string articles;
  std::string spans;
  std::string model;
};

void run_classify(const ClassifyArgs& args) {
  const Analyzer analyzer(resolve_model(args.model));
  auto rows = io::read_labels_file(args.spans, io::LabelFormat::kTemplate);
  std::vector<std::string> problems = std::move(rows.errors);
  std::map<std::string, Document> docs;
  for (auto& d : io::load_articles(args.articles, &problems)) docs.emplace(d.id, std::move(d));
  // Group rows by article so each article is prepared once, then print in
  // template order; a row that cannot be classified is left out, with its line.
  std::map<std::string, std::vector<std::size_t>> by_article;
  for (std::size_t i = 0; i < rows.spans.size(); ++i) by_article[rows.spans[i].article_id].push_back(i);
  std::vector<bool> done(rows.spans.size(), false);
  for (const auto& [id, indices] : by_article) {
    auto it = docs.find(id);
    std::vector<Span> spans;
    std::vector<std::size_t> kept;
    for (std::size_t i : indices) {
      const Span& s = rows.spans[i];
      if (it == docs.end()) {
        problems.push_back(rows.where[i] + ": no article " + id + " in " + args.articles);
      } else if (s.end > static_cast<Offset>(it->second.text.size())) {
        problems.push_back(rows.where[i] + ": span " + std::to_string(s.start) + "-" + std::to_string(s.end) +
                           " ends past article " + id + " (" + std::to_string(it->second.text.size()) +
                           " characters)");
      } else {
        spans.push_back(s);
        kept.push_back(i);
      }
    }
    if (spans.empty()) continue;
    auto labels = analyzer.classify(it->second, spans);
    for (std::size_t k = 0; k < kept.size(); ++k) {
      rows.spans[kept[k]].technique = labels[k];
      done[kept[k]] = true;
    }
  }
  std::vector<Span> out;
  for (std::size_t i = 0; i < rows.spans.size(); ++i) {
    if (done[i]) out.push_back(std::move(rows.spans[i]));
  }
  io::write_labels(std::cout, out, io::LabelFormat::kTechnique);
  if (!std::cout.flush()) throw Error("standard output: write failed (disk full or closed pipe?)");
  report_problems(problems, args.spans);
}

// ---- eval ----------------------------------------------------------------

struct EvalArgs {
  std::string data;
  std::string model;
  int folds = 0;
  double threshold = -1.0;
  bool curve = false;
  std::string predictions;
};

void run_eval(const EvalArgs& args) {
  // main() hands `eval --folds` to propscan-train before parsing.
  if (args.folds > 0) throw Error("--folds needs the trainer: run propscan-train eval");
  auto corpus = io::load_corpus(args.data);
  report_problems(corpus.problems, args.data);
  auto model = load_model(resolve_model(args.model));
  const auto report = metrics::evaluate(*model, corpus, static_cast<float>(args.threshold), args.curve);
  print_report(report, args.curve);
  if (!args.predictions.empty()) write_predictions(report, args.predictions);
}

// ---- info ----------------------------------------------------------------

void run_info(const std::string& given, bool json) {
  namespace fs = std::filesystem;
  const std::string path = resolve_model(given);
  const auto model = load_model(path);
  const auto sections = model_sections(path);
  nlohmann::json training = nlohmann::json::parse(model->info(), nullptr, false);
  if (training.is_discarded()) training = nlohmann::json::object();
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  nlohmann::json out = {{"path", path},
                        {"format_version", kModelFormatVersion},
                        {"bytes", ec ? 0 : size},
                        {"threshold", model->config().threshold},
                        {"training", training}};
  out["sections"] = nlohmann::json::array();
  for (const auto& s : sections) {
    out["sections"].push_back({{"name", s.name}, {"dtype", s.dtype}, {"shape", s.shape}, {"bytes", s.bytes}});
  }
  if (json) {
    std::cout << out.dump(2) << '\n';
    return;
  }
  const auto number = [](const nlohmann::json& j, const char* key) {
    return j.contains(key) && j[key].is_number() ? j[key].get<double>() : -1.0;
  };
  std::ostringstream mb;
  const double bytes = static_cast<double>(ec ? 0 : size);
  mb << std::fixed << std::setprecision(1) << (bytes >= 1e6 ? bytes / 1e6 : bytes / 1e3) << (bytes >= 1e6 ? " MB" : " kB");
  std::cout << "model:      " << path << "\n"
            << "format:     " << kModelFormatVersion << " (" << mb.str() << ", " << sections.size() << " sections)\n";
  if (training.contains("trained_on")) {
    const auto& on = training["trained_on"];
    std::cout << "trained:    by propscan " << training.value("propscan", std::string("?")) << " on "
              << on.value("articles", 0) << " articles, " << on.value("technique_spans", 0) << " technique spans\n";
  }
  const auto tuned = training.value("tuned", nlohmann::json::object());
  std::ostringstream held;
  held << std::fixed << std::setprecision(3);
  if (number(tuned, "held_out_si_f1_reranked") >= 0) {
    held << "SI F1 " << number(tuned, "held_out_si_f1_reranked") << " reranked, "
         << number(tuned, "held_out_si_f1_decoded") << " before";
  } else if (number(tuned, "held_out_si_f1_decoded") >= 0) {
    held << "SI F1 " << number(tuned, "held_out_si_f1_decoded");
  }
  if (!held.str().empty()) std::cout << "held out:   " << held.str() << " (on the training data's tuning folds)\n";
  std::cout << "threshold:  " << model->config().threshold << " (the default of analyze); extent "
            << model->config().extent_threshold << ", neural weight "
            << (model->network() ? std::to_string(model->config().neural_weight).substr(0, 4) : std::string("none"))
            << "\n";
  if (training.contains("config")) std::cout << "training configuration:\n" << training["config"].dump(2) << "\n";
  std::cout << "sections:\n";
  for (const auto& s : sections) {
    std::string shape;
    for (auto d : s.shape) shape += (shape.empty() ? "" : " x ") + std::to_string(d);
    std::cout << "  " << std::left << std::setw(34) << s.name << std::setw(8) << s.dtype << "[" << shape << "]\n";
  }
}

// ---- techniques ------------------------------------------------------------

void run_techniques(bool json) {
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (Technique t : all_techniques()) {
      out.push_back({{"label", technique_label(t)}, {"definition", technique_definition(t)}});
    }
    std::cout << out.dump(2) << '\n';
    return;
  }
  for (Technique t : all_techniques()) {
    std::cout << technique_label(t) << "\n    " << technique_definition(t) << "\n";
  }
}

}  // namespace

void register_commands(CLI::App& app) {
  {
    auto args = std::make_shared<AnalyzeArgs>();
    auto* cmd = app.add_subcommand("analyze", "Find technique spans in articles");
    cmd->footer(
        "PATH is a .txt file, a directory of *.txt files, a .jsonl file (one {\"id\",\"text\",...}\n"
        "object a line), or - for standard input. Errors name the article; the others are still\n"
        "analysed, and the exit status is 1 when any article failed.");
    cmd->add_option("path", args->path, "Article file, directory, .jsonl file, or -")->required();
    cmd->add_option("-f,--format", args->format, "Output: json, text, semeval-si, semeval-flc")
        ->check(CLI::IsMember({"json", "text", "semeval-si", "semeval-flc"}))
        ->capture_default_str();
    cmd->add_option("-t,--threshold", args->threshold,
                    "Detection threshold in [0,1]; higher = fewer, surer spans (default: the model's)")
        ->check(CLI::Range(0.0, 1.0));
    cmd->add_option("-m,--model", args->model, kModelHelp);
    cmd->add_flag("--jsonl", args->jsonl, "Read PATH (or stdin) as JSONL even without a .jsonl name");
    cmd->add_option("-j,--threads", args->threads, "Worker threads (default: all cores)");
    cmd->add_option("--color", args->color, "Highlight text output: auto, always, never")
        ->check(CLI::IsMember({"auto", "always", "never"}))
        ->capture_default_str();
    cmd->callback(guarded([args] { run_analyze(*args); }));
  }
  {
    auto args = std::make_shared<ClassifyArgs>();
    auto* cmd = app.add_subcommand("classify", "Label given spans with a technique (SemEval TC task)");
    cmd->footer("Prints id<TAB>technique<TAB>start<TAB>end in the template's row order.");
    cmd->add_option("--articles", args->articles, "Directory of article<ID>.txt files")->required();
    cmd->add_option("--spans", args->spans, "Template file: id<TAB>?<TAB>start<TAB>end")->required();
    cmd->add_option("-m,--model", args->model, kModelHelp);
    cmd->callback(guarded([args] { run_classify(*args); }));
  }
  {
    auto args = std::make_shared<EvalArgs>();
    auto* cmd = app.add_subcommand("eval", "Score SI, TC and FLC on a labelled corpus");
    cmd->footer(
        "Scores the given (or default) model on DIR. With --folds K, runs K-fold cross-validation by\n"
        "article instead (each fold scored by a model trained on the others): that is training, done\n"
        "by propscan-train (see propscan-train eval --help for its options).");
    cmd->add_option("--data", args->data, "Corpus directory (articles/, labels-tc/)")->required();
    cmd->add_option("-m,--model", args->model, kModelHelp);
    cmd->add_option("-k,--folds", args->folds, "Cross-validate with K folds (runs propscan-train)");
    cmd->add_option("-t,--threshold", args->threshold, "Detection threshold (default: the model's)")
        ->check(CLI::Range(0.0, 1.0));
    cmd->add_flag("--curve", args->curve, "Also print precision/recall at a range of thresholds");
    cmd->add_option("--predictions", args->predictions, "Write the predicted spans to FILE, SemEval FLC format");
    cmd->callback(guarded([args] { run_eval(*args); }));
  }
  {
    auto model = std::make_shared<std::string>();
    auto json = std::make_shared<bool>(false);
    auto* cmd = app.add_subcommand("info", "Show a model: format, size, sections, how it was trained");
    cmd->add_option("model", *model, kModelHelp);
    cmd->add_flag("--json", *json, "Print as JSON");
    cmd->callback(guarded([model, json] { run_info(*model, *json); }));
  }
  // Registered for --help; main() hands them to propscan-train.
  app.add_subcommand("train", "Train a model on a corpus in the PTC layout (runs propscan-train)")->allow_extras();
  app.add_subcommand("import-vectors", "Convert word vectors for training (runs propscan-train)")->allow_extras();
  {
    auto json = std::make_shared<bool>(false);
    auto* cmd = app.add_subcommand("techniques", "List the 14 techniques with a definition of each");
    cmd->add_flag("--json", *json, "Print as JSON");
    cmd->callback(guarded([json] { run_techniques(*json); }));
  }
}

}  // namespace propscan::cli
