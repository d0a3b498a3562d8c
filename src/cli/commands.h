#pragma once

#include <CLI/CLI.hpp>

namespace propscan::cli {

// Adds every subcommand to `app`; each runs from its callback.
void register_commands(CLI::App& app);

// Adds `serve` (web page and HTTP API, src/cli/serve.cc).
void register_serve(CLI::App& app);

// The exit status the command that ran asked for.
int exit_code();

}  // namespace propscan::cli
