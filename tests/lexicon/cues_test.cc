#include "lexicon/cues.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "features/article.h"
#include "propscan/error.h"
#include "text/utf8.h"

namespace propscan::lexicon {
namespace {

const std::string kCues = std::string(PROPSCAN_TEST_DATA) + "/tiny_cues";

std::vector<std::uint8_t> cues_of(const CuePhrases& cues, const std::string& text) {
  const auto u32 = text::decode_utf8(text);
  auto view = features::make_article_view(u32);
  return cues.match(view.words);
}

TEST(CuesTest, ReadsThePackagesStringArrays) {
  auto hedges = read_js_string_array(kCues + "/hedges/index.js");
  EXPECT_EQ(hedges, (std::vector<std::string>{"allegedly", "it seems", "perhaps"}));
  auto cliches = read_js_string_array(kCues + "/no-cliches/cliches.js");
  ASSERT_EQ(cliches.size(), 3u);
  EXPECT_EQ(cliches[1], "all's well that ends well");
}

TEST(CuesTest, BadListsAreErrorsNamingTheFile) {
  const auto path = (std::filesystem::temp_directory_path() / "propscan_bad_list.js").string();
  for (const char* body : {"export const x = 42", "export const x = []", "export const x = ['open", "x = [1, 2]"}) {
    std::ofstream(path, std::ios::binary) << body;
    try {
      read_js_string_array(path);
      ADD_FAILURE() << "accepted: " << body;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
  }
  std::filesystem::remove(path);
  EXPECT_THROW(load_cue_packages(kCues + "/missing"), Error);
}

TEST(CuesTest, MarksEveryTokenOfEachOccurrence) {
  auto cues = load_cue_packages(kCues);
  EXPECT_EQ(cues.size(), 10u);
  // Matching is on normalized words: case and curly apostrophes do not matter.
  auto m = cues_of(cues, "At the end of the day, ALLEGEDLY all\u2019s well that ends well. Some say so.");
  const std::uint8_t cliche = 1u << static_cast<int>(CueKind::kCliche);
  const std::uint8_t hedge = 1u << static_cast<int>(CueKind::kHedge);
  const std::uint8_t weasel = 1u << static_cast<int>(CueKind::kWeasel);
  // At the end of the day , allegedly all's well that ends well . Some say so .
  const std::vector<std::uint8_t> want = {cliche, cliche, cliche, cliche, cliche, cliche, 0, hedge, cliche,
                                          cliche, cliche, cliche, cliche, 0,      weasel, weasel, 0, 0};
  EXPECT_EQ(m, want);
  // A phrase cut short by the end of the text is no match.
  EXPECT_EQ(cues_of(cues, "at the end of"), std::vector<std::uint8_t>(4, 0));
}

TEST(CuesTest, PunctuationInsideAPhraseIsMatchedAsTokens) {
  auto cues = load_cue_packages(kCues);
  auto m = cues_of(cues, "Totally all talk, no action!");
  const std::uint8_t filler = 1u << static_cast<int>(CueKind::kFiller);
  const std::uint8_t cliche = 1u << static_cast<int>(CueKind::kCliche);
  EXPECT_EQ(m, (std::vector<std::uint8_t>{filler, cliche, cliche, cliche, cliche, cliche, 0}));
}

TEST(CuesTest, SortedIsIndependentOfReadingOrderAndDuplicatesAreDropped) {
  CuePhrases a, b;
  a.add(CueKind::kHedge, "perhaps");
  a.add(CueKind::kCliche, "acid test");
  a.add(CueKind::kHedge, "perhaps");
  b.add(CueKind::kCliche, "acid test");
  b.add(CueKind::kHedge, "perhaps");
  b.add(CueKind::kHedge, "  ");  // no tokens: ignored
  ASSERT_EQ(a.size(), 2u);
  ASSERT_EQ(b.size(), 2u);
  auto sa = a.sorted(), sb = b.sorted();
  for (std::size_t i = 0; i < sa.size(); ++i) {
    EXPECT_EQ(sa[i]->kind, sb[i]->kind);
    EXPECT_EQ(sa[i]->text, sb[i]->text);
  }
  EXPECT_EQ(sa[0]->kind, CueKind::kHedge);
}

}  // namespace
}  // namespace propscan::lexicon
