#pragma once

#include <CLI/CLI.hpp>

namespace propscan::cli {

// Adds every subcommand to `app`; each runs from its callback.
void register_commands(CLI::App& app);

// The exit status the command that ran asked for.
int exit_code();

}  // namespace propscan::cli
