// propscan's command line: analyze, classify, train, eval, techniques.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "propscan/error.h"

int main(int argc, char** argv) {
  CLI::App app{
      "propscan: finds propaganda and persuasion techniques in English news articles.\n"
      "Offsets are Unicode code points, as in the Propaganda Techniques Corpus."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "propscan 0.1.0");

  propscan::cli::register_commands(app);
  propscan::cli::register_serve(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every usage error exits 2.
    return app.exit(e) == 0 ? 0 : 2;
  }
  return propscan::cli::exit_code();
}
