#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

namespace propscan::cli {

// Adds every subcommand to `app`; each runs from its callback.
void register_commands(CLI::App& app);

// Adds `serve` (web page and HTTP API, src/cli/serve.cc).
void register_serve(CLI::App& app);

// The exit status the command that ran asked for.
int exit_code();

// Wraps a command body so that a propscan::Error (or running out of memory)
// becomes one line on standard error and exit status 1: every command
// reports failure the same way.
std::function<void()> guarded(std::function<void()> body);

// The given model path, or the shipped model; throws when there is neither.
std::string resolve_model(const std::string& given);

}  // namespace propscan::cli
