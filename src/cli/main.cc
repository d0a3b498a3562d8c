// propscan's command line: analyze, classify, eval, info, techniques, ingest,
// stats, search, topic, enqueue, worker, status, serve.
// Training (train, eval --folds, import-vectors) needs libtorch, which
// analysis never loads: those commands are handed to propscan-train, the
// binary installed beside this one.
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string_view>
#include <vector>

#include "cli/common.h"
#include "propscan/version.h"

namespace {

bool is_training(int argc, char** argv) {
  if (argc < 2) return false;
  const std::string_view command = argv[1];
  if (command == "train" || command == "import-vectors") return true;
  if (command != "eval") return false;
  for (int i = 2; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--folds" || arg == "-k" || arg.starts_with("--folds=") || (arg.starts_with("-k") && arg.size() > 2)) {
      return true;
    }
  }
  return false;
}

// Replaces this process with propscan-train and the same arguments.
int hand_to_trainer(char** argv) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  const fs::path trainer = (ec ? fs::path(argv[0]).parent_path() : self.parent_path()) / "propscan-train";
  std::vector<char*> args{const_cast<char*>(trainer.c_str())};
  for (char** a = argv + 1; *a; ++a) args.push_back(*a);
  args.push_back(nullptr);
  execv(trainer.c_str(), args.data());
  std::cerr << "propscan: " << argv[1] << " needs the trainer, " << trainer.string() << " ("
            << std::strerror(errno) << "); build or install propscan-train\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (is_training(argc, argv)) return hand_to_trainer(argv);
  CLI::App app{
      "propscan: finds propaganda and persuasion techniques in English news articles.\n"
      "Offsets are Unicode code points, as in the Propaganda Techniques Corpus."};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("propscan ") + propscan::kVersion);

  propscan::cli::register_commands(app);
  propscan::cli::register_corpus(app);
  propscan::cli::register_queue(app);
#ifdef PROPSCAN_WITH_SERVER
  propscan::cli::register_serve(app);
  propscan::cli::register_report(app);
#endif
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every usage error exits 2.
    return app.exit(e) == 0 ? 0 : 2;
  }
  return propscan::cli::exit_code();
}
