#include "io/input.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "propscan/error.h"

namespace propscan::io {
namespace {

namespace fs = std::filesystem;

// A scratch directory removed at the end of each test.
class InputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("propscan_input_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                                        "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& bytes) {
    auto path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  fs::path dir_;
};

TEST_F(InputTest, ArticleIdFromCorpusFileName) {
  EXPECT_EQ(article_id_from_path("/x/article111111111.txt"), "111111111");
  EXPECT_EQ(article_id_from_path("notes.txt"), "notes");
  EXPECT_EQ(article_id_from_path("article.txt"), "article");
}

TEST_F(InputTest, DecodesFileWithByteOrderMarkAsCharacterZero) {
  auto path = write("article42.txt", "\xEF\xBB\xBFTitle\n\nCaf\xC3\xA9 \xF0\x9F\x98\x80 ok.\n");
  auto items = read_all(path);
  ASSERT_EQ(items.size(), 1u);
  ASSERT_TRUE(items[0].ok()) << items[0].error;
  EXPECT_EQ(items[0].doc.id, "42");
  EXPECT_EQ(items[0].doc.text[0], U'\uFEFF');
  // BOM, "Title", 2 newlines, "Café", space, emoji, " ok.", newline.
  EXPECT_EQ(items[0].doc.text.size(), 1u + 5 + 2 + 4 + 1 + 1 + 4 + 1);
}

TEST_F(InputTest, BadFilesInDirectoryFailAloneAndOthersAreRead) {
  write("a.txt", "A fine article.\n");
  write("b.txt", "bad \xC3\x28 bytes\n");
  write("c.txt", "");
  write("d.txt", std::string("bin\0ary", 7));
  write("e.txt", "Another fine article.\n");
  write("ignored.md", "not an article");
  auto items = read_all(dir_.string());
  ASSERT_EQ(items.size(), 5u);
  EXPECT_TRUE(items[0].ok());
  EXPECT_EQ(items[1].error, (dir_ / "b.txt").string() + ": invalid UTF-8 at byte 4");
  EXPECT_EQ(items[2].error, (dir_ / "c.txt").string() + ": empty article (no text)");
  EXPECT_EQ(items[3].error, (dir_ / "d.txt").string() + ": binary data (contains NUL bytes)");
  EXPECT_TRUE(items[4].ok());
  EXPECT_EQ(items[4].doc.id, "e");
}

TEST_F(InputTest, HugeFileIsRejectedWithItsSize) {
  InputLimits limits;
  limits.max_article_bytes = 1000;
  auto path = write("big.txt", std::string(5000, 'a'));
  auto items = read_all(path, false, limits);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_NE(items[0].error.find("big.txt: too large"), std::string::npos) << items[0].error;
}

TEST_F(InputTest, MissingPathThrows) {
  EXPECT_THROW(read_all((dir_ / "nope.txt").string()), Error);
  try {
    read_all((dir_ / "nope.txt").string());
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), (dir_ / "nope.txt").string() + ": no such file or directory");
  }
}

TEST_F(InputTest, DirectoryWithoutArticlesThrows) { EXPECT_THROW(read_all(dir_.string()), Error); }

TEST_F(InputTest, JsonlReadsEveryGoodLineAndReportsBadOnes) {
  auto path = write("batch.jsonl",
                    "{\"id\": \"a1\", \"text\": \"First article.\", \"title\": \"T\", \"source\": \"S\"}\n"
                    "{not json}\n"
                    "\n"
                    "{\"id\": 7, \"text\": \"Second \\u00e9 article.\"}\n"
                    "{\"id\": \"no-text\"}\n"
                    "{\"text\": \"no id\"}\n"
                    "[1, 2]\n"
                    "{\"id\": \"x\", \"text\": \"\\ud800\"}\n");
  auto items = read_all(path);
  ASSERT_EQ(items.size(), 7u);
  ASSERT_TRUE(items[0].ok());
  EXPECT_EQ(items[0].doc.id, "a1");
  EXPECT_EQ(items[0].doc.title, "T");
  EXPECT_EQ(items[0].doc.source, "S");
  EXPECT_EQ(items[1].error, path + ":2: malformed JSON near byte 3");
  ASSERT_TRUE(items[2].ok());
  EXPECT_EQ(items[2].name, path + ":4");
  EXPECT_EQ(items[2].doc.id, "7");
  EXPECT_EQ(items[2].doc.text, U"Second \u00e9 article.");
  EXPECT_EQ(items[3].error, path + ":5: missing string field 'text'");
  EXPECT_EQ(items[4].error, path + ":6: missing field 'id'");
  EXPECT_EQ(items[5].error, path + ":7: expected a JSON object");
  // A lone surrogate escape is not text; the line fails, nothing crashes.
  EXPECT_FALSE(items[6].ok());
}

TEST_F(InputTest, JsonlIdsKeepTheirValueAndCannotForgeRows) {
  // Issue 19, finding 8: a 64-bit id became -1, and a tab or line break in
  // an id made extra rows in the SemEval output.
  auto path = write("ids.jsonl",
                    "{\"id\": 18446744073709551615, \"text\": \"One.\"}\n"
                    "{\"id\": -3, \"text\": \"Two.\"}\n"
                    "{\"id\": \"a\\tb\", \"text\": \"Three.\"}\n"
                    "{\"id\": \"a\\nb\", \"text\": \"Four.\"}\n");
  auto items = read_all(path);
  ASSERT_EQ(items.size(), 4u);
  ASSERT_TRUE(items[0].ok()) << items[0].error;
  EXPECT_EQ(items[0].doc.id, "18446744073709551615");
  ASSERT_TRUE(items[1].ok()) << items[1].error;
  EXPECT_EQ(items[1].doc.id, "-3");
  EXPECT_EQ(items[2].error, path + ":3: field 'id' holds a control character (tab, line break, ...)");
  EXPECT_EQ(items[3].error, path + ":4: field 'id' holds a control character (tab, line break, ...)");
}

TEST_F(InputTest, WhiteSpaceOfAnyKindIsAnEmptyArticle) {
  // No-break spaces, a line separator, a form feed and an ideographic space.
  auto path = write("blank.txt", "\xC2\xA0\xC2\xA0\xE2\x80\xA8\x0C\xE3\x80\x80\n");
  auto items = read_all(path);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].error, path + ": empty article (no text)");
  // One letter among them is an article.
  auto word = write("word.txt", "\xC2\xA0x\n");
  EXPECT_TRUE(read_all(word).front().ok());
}

TEST_F(InputTest, ADeviceWithoutEndIsRefusedAfterTheLimitNotReadToMemoryExhaustion) {
  // /dev/zero has no size and no end: it is read up to the limit only.
  InputLimits limits;
  limits.max_article_bytes = 1 << 20;
  auto items = read_all("/dev/zero", false, limits);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].error, "/dev/zero: too large (more than 1.0 MiB)");
  EXPECT_THROW(read_file_bytes("/dev/zero", 1 << 16), Error);
}

TEST_F(InputTest, AFifoInADirectoryIsSkippedNotWaitedFor) {
  write("a.txt", "A fine article.\n");
  ASSERT_EQ(mkfifo((dir_ / "x.txt").c_str(), 0600), 0);
  auto items = read_all(dir_.string());  // would block forever opening the FIFO
  ASSERT_EQ(items.size(), 2u);
  EXPECT_TRUE(items[0].ok());
  EXPECT_EQ(items[1].error, (dir_ / "x.txt").string() + ": not a regular file (a FIFO, socket or device); skipped");
}

TEST_F(InputTest, AJsonlLineOverTheLimitStopsTheInputWithAnError) {
  InputLimits limits;
  limits.max_line_bytes = 64;
  auto path = write("in.jsonl", "{\"id\":\"a\",\"text\":\"Short.\"}\n" + std::string(100, 'x') +
                                    "\n{\"id\":\"b\",\"text\":\"Never read.\"}\n");
  auto items = read_all(path, false, limits);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_TRUE(items[0].ok());
  EXPECT_EQ(items[1].error, path + ":2: line longer than 64 bytes (not JSONL?); the rest of the input is not read");
}

}  // namespace
}  // namespace propscan::io
