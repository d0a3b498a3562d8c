// What the two command lines (propscan and propscan-train) share: errors
// reported the same way, the model looked up the same way, evaluation
// reports printed the same way.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

#include "metrics/evaluate.h"

namespace propscan::cli {

// Adds the analysis commands to `app` (src/cli/commands.cc).
void register_commands(CLI::App& app);

// Adds the corpus commands: ingest, stats, search, topic (src/cli/corpus.cc).
void register_corpus(CLI::App& app);

// Adds the scale-out commands: enqueue, worker, status (src/cli/queue.cc).
void register_queue(CLI::App& app);

// Adds `serve` (web page and HTTP API, src/cli/serve.cc).
void register_serve(CLI::App& app);

// Adds `report` (the corpus view as one offline HTML file, src/cli/report.cc).
void register_report(CLI::App& app);

// The exit status the command that ran asked for.
int exit_code();

void set_exit_code(int code);

// Prints "propscan: MESSAGE" on standard error and sets exit status 1.
void fail(const std::string& message);

// Prints each problem met reading `input` (bad articles or rows, skipped),
// then how many there were, and sets exit status 1; nothing when there were
// none. The command goes on with the rest.
void report_problems(const std::vector<std::string>& problems, const std::string& input);

// Wraps a command body so that a propscan::Error (or running out of memory)
// becomes one line on standard error and exit status 1: every command
// reports failure the same way.
std::function<void()> guarded(std::function<void()> body);

// The help line of every -m/--model option.
inline constexpr const char* kModelHelp =
    "Model: fast (the default), accurate (slower, more accurate), or a model file";

// The model file a --model value names (see find_model()), or the default
// one (default_model_path()); throws when there is none.
std::string resolve_model(const std::string& given);

// One line of progress on standard error.
void progress_line(const std::string& msg);

unsigned default_threads();

// The options of a command that analyses articles into a store (ingest,
// worker): -m/--model, -t/--threshold (-1: the model's) and -j/--threads
// (0: all cores).
void analysis_options(CLI::App* cmd, std::string& model, double& threshold, unsigned& threads);

// SI, TC and FLC, per technique, and the curve when it was measured.
void print_report(const metrics::EvalReport& report, bool curve);

// Writes the report's predicted spans to `path` in the SemEval FLC format.
void write_predictions(const metrics::EvalReport& report, const std::string& path);

}  // namespace propscan::cli
