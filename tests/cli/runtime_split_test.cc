// The runtime and the trainer are separate: propscan and libpropscan.so
// never load libtorch (nor XGBoost), the analysis commands run without it,
// and the training commands are handed to propscan-train.
#include <signal.h>
#include <unistd.h>

#include <httplib.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <string>

#include <nlohmann/json.hpp>

#include "../support/process.h"

namespace {

namespace fs = std::filesystem;

const std::string kData = PROPSCAN_TEST_DATA;
const std::string kTiny = kData + "/tiny_corpus";
// Settings that train every stage quickly on the tiny corpus.
const std::string kQuick = " --set tune_folds=2 --set neural.hidden=4 --set neural.epochs=1";
const std::string kTinyLexicons = " --vectors " + kData + "/tiny_vectors.json --lexicon " + kData +
                                  "/tiny_vader.txt --cues " + kData + "/tiny_cues";

namespace support = propscan::test;

// Runs a shell command line; stdout, and stderr too when `merge_stderr`.
support::CommandResult shell(const std::string& command, bool merge_stderr = false) {
  return support::run_command(command, merge_stderr);
}

support::CommandResult propscan(const std::string& args, bool merge_stderr = false) {
  return shell(std::string(PROPSCAN_BINARY) + " " + args, merge_stderr);
}

bool mentions_training_libraries(const std::string& text) {
  for (const char* lib : {"libtorch", "libc10", "libxgboost"}) {
    if (text.find(lib) != std::string::npos) return true;
  }
  return false;
}

// The shared objects a process initialised, as the dynamic loader reports
// them (LD_DEBUG=libs): whatever it links and whatever it opened later.
std::string loaded_objects(const std::string& command) {
  const auto dir = fs::temp_directory_path() / ("propscan_ld_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  shell("LD_DEBUG=libs LD_DEBUG_OUTPUT=" + (dir / "ld").string() + " " + command + " >/dev/null");
  std::string out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::ifstream in(entry.path());
    std::string line;
    while (std::getline(in, line)) {
      if (line.find("calling init:") != std::string::npos) out += line + "\n";
    }
  }
  fs::remove_all(dir);
  return out;
}

// Trains one small model for the suite through `propscan train`, which
// hands the command to propscan-train.
class RuntimeSplitTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() / ("propscan_split_" + std::to_string(getpid())));
    fs::create_directories(*dir_);
    model_ = new std::string((*dir_ / "tiny.model").string());
    const auto r = propscan("train --data " + kTiny + " --out " + *model_ + kQuick + kTinyLexicons, true);
    ASSERT_EQ(r.status, 0) << r.out;
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
    delete model_;
  }
  static fs::path* dir_;
  static std::string* model_;
};
fs::path* RuntimeSplitTest::dir_ = nullptr;
std::string* RuntimeSplitTest::model_ = nullptr;

TEST_F(RuntimeSplitTest, RuntimeLinksNoTrainingLibraries) {
  const auto binary = shell("ldd " PROPSCAN_BINARY);
  ASSERT_EQ(binary.status, 0);
  EXPECT_FALSE(mentions_training_libraries(binary.out)) << binary.out;
  EXPECT_NE(binary.out.find("libpropscan"), std::string::npos) << binary.out;
  const auto library = shell("ldd " PROPSCAN_LIBRARY);
  ASSERT_EQ(library.status, 0);
  EXPECT_FALSE(mentions_training_libraries(library.out)) << library.out;
  // Nor the HTTP library: that is the server's, outside the runtime; nor
  // SQLite, the corpus store's.
  EXPECT_EQ(library.out.find("httplib"), std::string::npos) << library.out;
  EXPECT_EQ(library.out.find("libsqlite3"), std::string::npos) << library.out;
  EXPECT_NE(binary.out.find("libsqlite3"), std::string::npos) << binary.out;
  // The check can see libtorch where it is linked.
  const auto trainer = shell("ldd " PROPSCAN_TRAIN_BINARY);
  ASSERT_EQ(trainer.status, 0);
  EXPECT_TRUE(mentions_training_libraries(trainer.out)) << trainer.out;
}

TEST_F(RuntimeSplitTest, AnalysisCommandsLoadNoTrainingLibraries) {
  const std::string article = (*dir_ / "article9.txt").string();
  std::ofstream(article) << "Park fees rise\n\nResidents said the new fees were disgraceful.\n";
  const std::string template_file = (*dir_ / "template.labels").string();
  std::ofstream(template_file) << "1003\t?\t129\t136\n";
  const std::string bin = PROPSCAN_BINARY;
  for (const std::string& command :
       {bin + " analyze " + article + " --model " + *model_, bin + " analyze " + article + " --format text --model " + *model_,
        bin + " classify --articles " + kTiny + "/articles --spans " + template_file + " --model " + *model_,
        bin + " eval --data " + kTiny + " --model " + *model_, bin + " info " + *model_,
        bin + " info --json " + *model_, bin + " techniques"}) {
    const auto loaded = loaded_objects(command);
    EXPECT_NE(loaded.find("libpropscan"), std::string::npos) << command << "\n" << loaded;
    EXPECT_FALSE(mentions_training_libraries(loaded)) << command << "\n" << loaded;
    EXPECT_EQ(shell(command).status, 0) << command;
  }
  // The trainer does load libtorch: the check sees it when it is there.
  EXPECT_TRUE(mentions_training_libraries(loaded_objects(std::string(PROPSCAN_TRAIN_BINARY) + " --help")));
}

TEST_F(RuntimeSplitTest, TrainingCommandsAreHandedToTheTrainer) {
  const auto train = propscan("train --help");
  EXPECT_EQ(train.status, 0);
  EXPECT_NE(train.out.find("propscan-train train"), std::string::npos) << train.out;
  EXPECT_NE(train.out.find("--config"), std::string::npos) << train.out;
  EXPECT_NE(train.out.find("--set"), std::string::npos) << train.out;
  EXPECT_EQ(train.out, shell(std::string(PROPSCAN_TRAIN_BINARY) + " train --help").out);
  const auto import = propscan("import-vectors --help");
  EXPECT_EQ(import.status, 0);
  EXPECT_NE(import.out.find("propscan-train import-vectors"), std::string::npos) << import.out;
  const auto folds = propscan("eval --folds 2 --help");
  EXPECT_EQ(folds.status, 0);
  EXPECT_NE(folds.out.find("propscan-train eval [OPTIONS]"), std::string::npos) << folds.out;
  // Without --folds, eval is the runtime's own.
  const auto eval = propscan("eval --help");
  EXPECT_EQ(eval.status, 0);
  EXPECT_NE(eval.out.find("propscan eval [OPTIONS]"), std::string::npos) << eval.out;
  EXPECT_EQ(eval.out.find("propscan-train eval [OPTIONS]"), std::string::npos) << eval.out;
  // Old training flags are gone: the configuration holds every setting.
  const auto old = propscan("train --data " + kTiny + " --out " + (*dir_ / "x.model").string() + " --tagger-epochs 3",
                            true);
  EXPECT_NE(old.status, 0);
  EXPECT_NE(old.out.find("--tagger-epochs"), std::string::npos) << old.out;
  EXPECT_FALSE(fs::exists(*dir_ / "x.model"));
}

TEST_F(RuntimeSplitTest, CrossValidationRunsThroughTheTrainer) {
  const auto r = propscan("eval --folds 2 --data " + kTiny + kQuick + " --vectors none --lexicon none --cues none", true);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("2-fold cross-validation on 4 articles"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("articles: 4"), std::string::npos) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"((^|\n)SI +\d\.\d+ +\d\.\d+ +\d\.\d+)"))) << r.out;
  EXPECT_NE(r.out.find("\nTC "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nFLC "), std::string::npos) << r.out;
  // A setting that is not one is refused, naming it.
  const auto bad = propscan("eval --folds 2 --data " + kTiny + " --set neural.hiden=4 --vectors none", true);
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.out.find("'neural.hiden'"), std::string::npos) << bad.out;
}

TEST_F(RuntimeSplitTest, MissingTrainerIsAClearError) {
  // propscan alone in a directory: the trainer it hands over to is not beside it.
  const auto lone = *dir_ / "lone";
  fs::create_directories(lone);
  fs::copy_file(PROPSCAN_BINARY, lone / "propscan");
  const auto r = shell((lone / "propscan").string() + " train --help", true);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("needs the trainer"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find((lone / "propscan-train").string()), std::string::npos) << r.out;
  // Analysis works without it.
  EXPECT_EQ(shell((lone / "propscan").string() + " info " + *model_).status, 0);
}

TEST_F(RuntimeSplitTest, InfoShowsTheFormatTheSectionsAndTheTrainingConfiguration) {
  const auto text = propscan("info " + *model_);
  ASSERT_EQ(text.status, 0);
  EXPECT_TRUE(std::regex_search(text.out, std::regex(R"(format: +9 \([0-9.]+ [kM]B, \d+ sections\))"))) << text.out;
  for (const char* section : {"config", "training", "tagger.weights", "classifier.weights", "vectors.words",
                              "network.config", "network.lstm.weight_ih_l0", "reranker.weights"}) {
    EXPECT_TRUE(std::regex_search(text.out, std::regex(std::string("\n  ") + section + " +"))) << section;
  }
  EXPECT_TRUE(std::regex_search(text.out, std::regex(R"(\n  tagger\.weights +float32 +\[\d+\])"))) << text.out;
  EXPECT_NE(text.out.find("training configuration:"), std::string::npos) << text.out;

  const auto json = propscan("info --json " + *model_);
  ASSERT_EQ(json.status, 0);
  const auto j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j["format_version"], 9);
  EXPECT_EQ(j["bytes"], fs::file_size(*model_));
  std::map<std::string, nlohmann::json> sections;
  for (const auto& s : j["sections"]) sections[s["name"]] = s;
  ASSERT_TRUE(sections.count("tagger.weights"));
  EXPECT_EQ(sections["tagger.weights"]["dtype"], "float32");
  EXPECT_EQ(sections["tagger.weights"]["shape"].size(), 1u);
  EXPECT_EQ(sections["classifier.weights"]["shape"][1], 14);
  EXPECT_EQ(sections["config"]["dtype"], "text");
  EXPECT_TRUE(sections.count("reranker.weights"));
  // The configuration it was trained with, as propscan-train prints it for
  // the same settings.
  const auto config = shell(std::string(PROPSCAN_TRAIN_BINARY) + " config" + kQuick);
  ASSERT_EQ(config.status, 0);
  EXPECT_EQ(j["training"]["config"], nlohmann::json::parse(config.out));
  EXPECT_EQ(j["training"]["config"]["neural"]["hidden"], 4);
  EXPECT_EQ(j["training"]["trained_on"]["articles"], 4);
  EXPECT_TRUE(j["training"]["tuned"].contains("held_out_si_f1_reranked")) << j["training"].dump();
  EXPECT_DOUBLE_EQ(j["threshold"].get<double>(), j["training"]["tuned"]["threshold"].get<double>());
}

// `propscan serve` as a process, its standard error read through a pipe.
class ServeProcess {
 public:
  explicit ServeProcess(const std::string& model)
      : child_({PROPSCAN_BINARY, "serve", "--host", "127.0.0.1", "--port", "0", "--model", model}) {
    const std::string& first = child_.read_until("\n");
    std::smatch m;
    if (std::regex_search(first, m, std::regex(R"(serving http://127\.0\.0\.1:(\d+)/)"))) port_ = std::stoi(m[1]);
  }
  pid_t pid() const { return child_.pid(); }
  int port() const { return port_; }
  const std::string& output() const { return child_.output(); }

  // Sends SIGTERM; returns the exit status.
  int stop() { return child_.stop(SIGTERM); }

 private:
  support::ChildProcess child_;
  int port_ = 0;
};

TEST_F(RuntimeSplitTest, ServerProcessMapsNoTrainingLibraries) {
  ServeProcess serve(*model_);
  ASSERT_GT(serve.pid(), 0);
  ASSERT_GT(serve.port(), 0) << serve.output();
  // Analyse something first, so that whatever analysis needs is loaded.
  httplib::Client client("127.0.0.1", serve.port());
  const auto res = client.Post("/api/analyze", R"({"text": "The mayor is a clown, residents said."})",
                               "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  std::ifstream in("/proc/" + std::to_string(serve.pid()) + "/maps");
  const std::string maps{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  ASSERT_FALSE(maps.empty());
  EXPECT_NE(maps.find("libpropscan"), std::string::npos);
  EXPECT_FALSE(mentions_training_libraries(maps)) << maps;
  EXPECT_EQ(serve.stop(), 0) << serve.output();
}

}  // namespace
