// Runs the propscan binary as a user would and checks its output and exit status.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "../support/process.h"

namespace {

namespace fs = std::filesystem;

// `propscan ARGS`: its exit status and stdout (and stderr when merge_stderr).
propscan::test::CommandResult run(const std::string& args, bool merge_stderr = false) {
  return propscan::test::run_command(std::string(PROPSCAN_BINARY) + " " + args, merge_stderr);
}

// Trains one small model for the whole suite on the tiny fixture corpus.
class CliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() / ("propscan_cli_" + std::to_string(getpid())));
    fs::create_directories(*dir_);
    model_ = new std::string((*dir_ / "tiny.model").string());
    auto r = run("train --data " + std::string(PROPSCAN_TEST_DATA) + "/tiny_corpus --out " + *model_ +
                 " --set tagger.epochs=20 --set classifier.epochs=20 --vectors " + std::string(PROPSCAN_TEST_DATA) +
                 "/tiny_vectors.json --lexicon " + std::string(PROPSCAN_TEST_DATA) + "/tiny_vader.txt");
    ASSERT_EQ(r.status, 0);
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
    delete model_;
  }
  std::string write(const std::string& name, const std::string& bytes) {
    auto p = (*dir_ / name).string();
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }
  static fs::path* dir_;
  static std::string* model_;
};
fs::path* CliTest::dir_ = nullptr;
std::string* CliTest::model_ = nullptr;

TEST_F(CliTest, EveryCommandHasHelp) {
  for (const char* cmd : {"", "analyze ", "classify ", "train ", "eval ", "info ", "techniques ", "serve "}) {
    auto r = run(std::string(cmd) + "--help");
    EXPECT_EQ(r.status, 0) << cmd;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << cmd;
  }
}

TEST_F(CliTest, TechniquesListsAllFourteenLabels) {
  auto r = run("techniques --json");
  ASSERT_EQ(r.status, 0);
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 14u);
  EXPECT_EQ(j[9]["label"], "Name_Calling,Labeling");
  EXPECT_FALSE(j[9]["definition"].get<std::string>().empty());
}

TEST_F(CliTest, AnalyzeJsonReportsCodePointOffsets) {
  // "é" and the emoji are one code point each: "disgraceful" starts at code point 26
  // (byte 30, UTF-16 unit 27), so byte or UTF-16 counting would be caught.
  auto path = write("article77.txt", "Caf\xC3\xA9 news \xF0\x9F\x98\x80\n\nThe plan was disgraceful, critics said.\n");
  auto r = run("analyze " + path + " --model " + *model_ + " --threshold 0.3");
  ASSERT_EQ(r.status, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["id"], "77");
  EXPECT_EQ(j["length"], 53);
  bool found = false;
  for (const auto& s : j["spans"]) {
    if (s["text"] == "disgraceful") {
      found = true;
      EXPECT_EQ(s["start"], 26);
      EXPECT_EQ(s["end"], 37);
      EXPECT_EQ(s["sentence"], 1);
    }
  }
  EXPECT_TRUE(found) << r.out;
}

TEST_F(CliTest, AWriteErrorOnStandardOutputFailsTheCommand) {
  // /dev/full takes every write and reports ENOSPC: the analysis must not
  // claim success with its output lost (issue 19, finding 8).
  auto path = write("article78.txt", "The plan was disgraceful, critics said.\n");
  auto r = propscan::test::run_command("{ " + std::string(PROPSCAN_BINARY) + " analyze " + path + " --model " +
                                       *model_ + " 2>&1 >/dev/full; }");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("standard output: write failed"), std::string::npos) << r.out;
}

TEST_F(CliTest, SemevalFormatsAreTabSeparated) {
  auto path = write("article78.txt", "Title\n\nThe plan was disgraceful, critics said.\n");
  auto si = run("analyze " + path + " --model " + *model_ + " --threshold 0.3 --format semeval-si");
  ASSERT_EQ(si.status, 0);
  EXPECT_NE(si.out.find("78\t20\t31\n"), std::string::npos) << si.out;
  auto flc = run("analyze " + path + " --model " + *model_ + " --threshold 0.3 --format semeval-flc");
  EXPECT_NE(flc.out.find("78\tLoaded_Language\t20\t31\n"), std::string::npos) << flc.out;
}

TEST_F(CliTest, BatchKeepsGoodArticlesAndFailsOnBadOnes) {
  fs::create_directories(*dir_ / "batch");
  write("batch/a.txt", "A calm report about the weather.\n");
  write("batch/b.txt", "broken \xFF byte\n");
  write("batch/c.txt", "");
  write("batch/d.txt", "Another calm report.\n");
  auto r = run("analyze " + (*dir_ / "batch").string() + " --model " + *model_ + " --format semeval-si", true);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("b.txt: invalid UTF-8 at byte 7"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("c.txt: empty article (no text)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2 of 4 articles could not be analysed"), std::string::npos) << r.out;

  auto json = run("analyze " + (*dir_ / "batch").string() + " --model " + *model_);
  std::istringstream lines(json.out);
  std::string line;
  std::vector<std::string> ids;
  while (std::getline(lines, line)) ids.push_back(nlohmann::json::parse(line)["id"]);
  EXPECT_EQ(ids, (std::vector<std::string>{"a", "d"}));
}

TEST_F(CliTest, JsonlBatchWithMalformedLine) {
  auto path = write("in.jsonl", "{\"id\":\"x1\",\"text\":\"All quiet.\"}\n{oops\n{\"id\":\"x2\",\"text\":\"Also quiet.\"}\n");
  auto r = run("analyze " + path + " --model " + *model_, true);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("in.jsonl:2: malformed JSON"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"id\":\"x1\""), std::string::npos);
  EXPECT_NE(r.out.find("\"id\":\"x2\""), std::string::npos);
}

TEST_F(CliTest, OneLineErrorsForBadInputsAndModels) {
  auto missing = run("analyze /no/such/file.txt --model " + *model_, true);
  EXPECT_EQ(missing.status, 1);
  EXPECT_EQ(missing.out, "propscan: /no/such/file.txt: no such file or directory\n");

  auto binary = write("bin.txt", std::string("\x7f" "ELF\0\0\0", 7));
  auto bin = run("analyze " + binary + " --model " + *model_, true);
  EXPECT_EQ(bin.status, 1);
  EXPECT_NE(bin.out.find("bin.txt: binary data (contains NUL bytes)"), std::string::npos) << bin.out;

  // 50 MB of text is over the per-article limit: refused with its size, no crash.
  auto huge = (*dir_ / "huge.txt").string();
  {
    std::ofstream out(huge, std::ios::binary);
    std::string line(1023, 'a');
    line.push_back('\n');
    for (int i = 0; i < 50 * 1024; ++i) out << line;
  }
  auto big = run("analyze " + huge + " --model " + *model_, true);
  EXPECT_EQ(big.status, 1);
  EXPECT_NE(big.out.find("huge.txt: too large (50.0 MiB, limit 8.0 MiB)"), std::string::npos) << big.out;
  fs::remove(huge);

  auto bad_model = write("bad.model", "not a model");
  auto bm = run("analyze " + binary + " --model " + bad_model, true);
  EXPECT_EQ(bm.status, 1);
  EXPECT_EQ(bm.out, "propscan: " + bad_model + ": not a propscan model file (bad magic number)\n");
}

TEST_F(CliTest, ClassifyKeepsTemplateOrder) {
  const std::string data = std::string(PROPSCAN_TEST_DATA) + "/tiny_corpus";
  auto tmpl = write("template.labels", "1003\t?\t129\t136\n1001\t?\t43\t54\n");
  auto r = run("classify --articles " + data + "/articles --spans " + tmpl + " --model " + *model_);
  ASSERT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "1003\tName_Calling,Labeling\t129\t136\n1001\tLoaded_Language\t43\t54\n");

  auto bad = write("bad.labels", "1003\t?\t129\n");
  auto e = run("classify --articles " + data + "/articles --spans " + bad + " --model " + *model_, true);
  EXPECT_EQ(e.status, 1);
  EXPECT_EQ(e.out, "propscan: " + bad + ":1: expected 4 tab-separated fields, found 3\npropscan: " + bad +
                       ": 1 problem (listed above); the rest is used, and the exit status will be 1\n");
}

TEST_F(CliTest, ClassifyLeavesOutOnlyTheRowsItCannotClassifyAndNamesTheirLines) {
  const std::string data = std::string(PROPSCAN_TEST_DATA) + "/tiny_corpus";
  auto tmpl = write("mixed.labels",
                    "1003\t?\t129\t136\n1003\t?\t129\n1001\t?\t0\t999999\n9999\t?\t1\t2\n1001\t?\t43\t54\n");
  auto r = run("classify --articles " + data + "/articles --spans " + tmpl + " --model " + *model_);
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out, "1003\tName_Calling,Labeling\t129\t136\n1001\tLoaded_Language\t43\t54\n");
  auto e = run("classify --articles " + data + "/articles --spans " + tmpl + " --model " + *model_, true);
  EXPECT_NE(e.out.find(tmpl + ":2: expected 4 tab-separated fields"), std::string::npos) << e.out;
  EXPECT_NE(e.out.find(tmpl + ":3: span 0-999999 ends past article 1001 ("), std::string::npos) << e.out;
  EXPECT_NE(e.out.find(tmpl + ":4: no article 9999 in"), std::string::npos) << e.out;
  EXPECT_NE(e.out.find(tmpl + ": 3 problems"), std::string::npos) << e.out;
}

TEST_F(CliTest, EvalAndTrainGoOnPastABadArticleAndABadRow) {
  const fs::path corpus = *dir_ / "damaged";
  fs::copy(std::string(PROPSCAN_TEST_DATA) + "/tiny_corpus", corpus, fs::copy_options::recursive);
  write("damaged/articles/article1005.txt", "broken \xFF byte\n");
  std::ofstream(corpus / "labels-tc" / "article1005.task-flc-tc.labels") << "1005\tDoubt\t0\t3\n";
  std::ofstream(corpus / "labels-tc" / "extra.labels") << "1001\tDoubt\t0\n1001\tDoubt\t5\t99999\n";
  auto r = run("eval --data " + corpus.string() + " --model " + *model_, true);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("article1005.txt: invalid UTF-8 at byte 7"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("extra.labels:1: expected 4 tab-separated fields, found 3"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("extra.labels:2: span 5-99999 ends past article 1001"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("1005.task-flc-tc.labels:1"), std::string::npos) << "rows of an unreadable article go with it";
  EXPECT_NE(r.out.find("articles: 4"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("FLC "), std::string::npos) << r.out;

  const auto model = (*dir_ / "damaged.model").string();
  auto t = run("train --data " + corpus.string() + " --out " + model +
               " --set tagger.epochs=2 --set classifier.epochs=2 --vectors none --lexicon none");
  EXPECT_EQ(t.status, 1);
  EXPECT_TRUE(fs::exists(model));
}

TEST_F(CliTest, EndlessInputIsRefusedAtTheLimit) {
  auto dev = run("analyze /dev/zero --model " + *model_, true);
  EXPECT_EQ(dev.status, 1);
  EXPECT_EQ(dev.out, "propscan: /dev/zero: too large (more than 8.0 MiB)\n");
  auto in = run("analyze - --model " + *model_ + " </dev/zero", true);
  EXPECT_EQ(in.status, 1);
  EXPECT_EQ(in.out, "propscan: stdin: too large (8.0 MiB, limit 8.0 MiB)\n");
}

TEST_F(CliTest, AnOverLongArticleIsNamedOnce) {
  std::string text;
  for (int i = 0; i < 1'050'000; ++i) text += "a ";
  auto path = write("long.txt", text);
  auto in = run("analyze - --model " + *model_ + " <" + path, true);
  EXPECT_EQ(in.status, 1);
  EXPECT_EQ(in.out, "propscan: stdin: article too long (2100000 characters, limit 2000000)\n");
  auto file = run("analyze " + path + " --model " + *model_, true);
  EXPECT_EQ(file.status, 1);
  EXPECT_EQ(file.out, "propscan: " + path + ": long: article too long (2100000 characters, limit 2000000)\n");
}

TEST_F(CliTest, ADuplicateIdInABatchIsAnError) {
  auto path = write("dup.jsonl", "{\"id\":7,\"text\":\"All quiet.\"}\n{\"id\":\"7\",\"text\":\"Also quiet.\"}\n");
  auto r = run("analyze " + path + " --model " + *model_ + " --format semeval-si", true);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find(path + ":2: duplicate id '7' (first at " + path + ":1)"), std::string::npos) << r.out;
}

TEST_F(CliTest, EvalPrintsAllThreeTasks) {
  auto r = run("eval --data " + std::string(PROPSCAN_TEST_DATA) + "/tiny_corpus --model " + *model_);
  ASSERT_EQ(r.status, 0);
  auto cv = run("eval --data " + std::string(PROPSCAN_TEST_DATA) + "/tiny_corpus --folds 2 --vectors none --lexicon none");
  ASSERT_EQ(cv.status, 0);
  EXPECT_NE(cv.out.find("articles: 4"), std::string::npos) << cv.out;
  // The folds are dealt by the training seed unless --fold-seed says otherwise.
  auto same = run("eval --data " + std::string(PROPSCAN_TEST_DATA) +
                  "/tiny_corpus --folds 2 --fold-seed 42 --vectors none --lexicon none");
  ASSERT_EQ(same.status, 0);
  EXPECT_EQ(same.out.substr(same.out.find("articles:")), cv.out.substr(cv.out.find("articles:")));
  // --fold-seed deals articles to folds: scoring a model has no folds to deal.
  auto lone = run("eval --data " + std::string(PROPSCAN_TEST_DATA) + "/tiny_corpus --fold-seed 3 --model " + *model_,
                  true);
  EXPECT_NE(lone.status, 0);
  EXPECT_NE(lone.out.find("--fold-seed"), std::string::npos) << lone.out;
  ASSERT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("SI "), std::string::npos);
  EXPECT_NE(r.out.find("TC "), std::string::npos);
  EXPECT_NE(r.out.find("FLC "), std::string::npos);
  EXPECT_NE(r.out.find("Loaded_Language"), std::string::npos);
}

}  // namespace
