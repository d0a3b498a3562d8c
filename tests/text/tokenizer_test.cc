#include "text/tokenizer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "text/chars.h"
#include "text/utf8.h"

namespace propscan::text {
namespace {

// Each token's text in UTF-8, for readable failure messages.
std::vector<std::string> token_texts(std::u32string_view text) {
  std::vector<std::string> out;
  for (const Token& t : tokenize(text)) {
    out.push_back(encode_utf8(text.substr(static_cast<std::size_t>(t.start),
                                          static_cast<std::size_t>(t.end - t.start))));
  }
  return out;
}

struct Expected {
  std::int64_t start;
  std::int64_t end;
  TokenKind kind;
};

void expect_tokens(std::u32string_view text, const std::vector<Expected>& expected) {
  const std::vector<Token> tokens = tokenize(text);
  ASSERT_EQ(tokens.size(), expected.size()) << ::testing::PrintToString(token_texts(text));
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    EXPECT_EQ(tokens[i].start, expected[i].start) << "token " << i;
    EXPECT_EQ(tokens[i].end, expected[i].end) << "token " << i;
    EXPECT_EQ(tokens[i].kind, expected[i].kind) << "token " << i;
  }
}

constexpr TokenKind kW = TokenKind::kWord;
constexpr TokenKind kN = TokenKind::kNumber;
constexpr TokenKind kP = TokenKind::kPunct;
constexpr TokenKind kS = TokenKind::kSymbol;

TEST(TokenizerTest, EmptyAndBlankText) {
  EXPECT_TRUE(tokenize(U"").empty());
  EXPECT_TRUE(tokenize(U" \t\n\u00A0\uFEFF\u3000").empty());
}

TEST(TokenizerTest, CodePointOffsetsInMixedText) {
  // 0 BOM, 1 “, 2-6 Don’t, 7 ',', 8 ”, 10-12 she, 14-17 said, 19 😀, 21 —,
  // 23-25 the, 27-30 U.S., 32-39 anti-war, 41-45 rally, 47-50 drew,
  // 52-56 2,000, 58-63 people, 64 '.'.
  const std::u32string text =
      U"\uFEFF\u201CDon\u2019t,\u201D she said \U0001F600 \u2014 the U.S. anti-war rally drew "
      U"2,000 people.";
  EXPECT_EQ(token_texts(text),
            (std::vector<std::string>{"\u201C", "Don\u2019t", ",", "\u201D", "she", "said",
                                      "\U0001F600", "\u2014", "the", "U.S.", "anti-war", "rally",
                                      "drew", "2,000", "people", "."}));
  expect_tokens(text, {{1, 2, kP},
                       {2, 7, kW},
                       {7, 8, kP},
                       {8, 9, kP},
                       {10, 13, kW},
                       {14, 18, kW},
                       {19, 20, kS},
                       {21, 22, kP},
                       {23, 26, kW},
                       {27, 31, kW},
                       {32, 40, kW},
                       {41, 46, kW},
                       {47, 51, kW},
                       {52, 57, kN},
                       {58, 64, kW},
                       {64, 65, kP}});
}

TEST(TokenizerTest, OffsetsAfterAnEmojiDifferInUtf16AndBytes) {
  const std::u32string text = U"\U0001F600 caf\u00E9";
  const std::vector<Token> tokens = tokenize(text);
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[1].start, 2);
  EXPECT_EQ(tokens[1].end, 6);
  EXPECT_EQ(utf16_offsets(text)[2], 3u);
  EXPECT_EQ(utf8_byte_offsets(text)[2], 5u);
  EXPECT_EQ(utf8_byte_offsets(text)[6], 10u);
}

TEST(TokenizerTest, ApostrophesInsideWords) {
  EXPECT_EQ(token_texts(U"don't won\u2019t"),
            (std::vector<std::string>{"don't", "won\u2019t"}));
  // Not between two letters: quotes of their own.
  EXPECT_EQ(token_texts(U"'tis the 1990's, dogs'"),
            (std::vector<std::string>{"'", "tis", "the", "1990", "'", "s", ",", "dogs", "'"}));
  EXPECT_EQ(token_texts(U"\u2018Yes\u2019"), (std::vector<std::string>{"\u2018", "Yes", "\u2019"}));
}

TEST(TokenizerTest, HyphensInsideWords) {
  EXPECT_EQ(token_texts(U"anti-war well-known-fact"),
            (std::vector<std::string>{"anti-war", "well-known-fact"}));
  EXPECT_EQ(token_texts(U"COVID-19 pre- and -post x--y"),
            (std::vector<std::string>{"COVID", "-", "19", "pre", "-", "and", "-", "post", "x",
                                      "-", "-", "y"}));
  // An en dash is not a hyphen.
  EXPECT_EQ(token_texts(U"2010\u20132020 left\u2013right"),
            (std::vector<std::string>{"2010", "\u2013", "2020", "left", "\u2013", "right"}));
}

TEST(TokenizerTest, Initialisms) {
  EXPECT_EQ(token_texts(U"the U.S. and U.K., e.g. J.R.R. Tolkien"),
            (std::vector<std::string>{"the", "U.S.", "and", "U.K.", ",", "e.g.", "J.R.R.",
                                      "Tolkien"}));
  // A single initial keeps its period apart; so does an unfinished one.
  EXPECT_EQ(token_texts(U"A. Smith U.S"),
            (std::vector<std::string>{"A", ".", "Smith", "U", ".", "S"}));
  EXPECT_EQ(token_texts(U"end. Next"), (std::vector<std::string>{"end", ".", "Next"}));
}

TEST(TokenizerTest, NumbersKeepInnerSeparators) {
  expect_tokens(U"2,000 3.5% 1,000,000.25.", {{0, 5, kN},
                                              {6, 9, kN},
                                              {9, 10, kP},
                                              {11, 23, kN},
                                              {23, 24, kP}});
  EXPECT_EQ(token_texts(U"1, 2 and .5 or 7,"),
            (std::vector<std::string>{"1", ",", "2", "and", ".", "5", "or", "7", ","}));
  // Letters make a word of it.
  expect_tokens(U"2nd 4x4", {{0, 3, kW}, {4, 7, kW}});
}

TEST(TokenizerTest, AccentedLettersAndCombiningMarks) {
  EXPECT_EQ(token_texts(U"Se\u00F1or caf\u00E9 cafe\u0301 na\u00EFve"),
            (std::vector<std::string>{"Se\u00F1or", "caf\u00E9", "cafe\u0301", "na\u00EFve"}));
  expect_tokens(U"cafe\u0301!", {{0, 5, kW}, {5, 6, kP}});
}

TEST(TokenizerTest, EmojiSequencesAreOneToken) {
  // Family (ZWJ sequence), flag (two regional indicators), heart with
  // variation selector, thumbs up with skin tone.
  const std::u32string text =
      U"\U0001F468\u200D\U0001F469\u200D\U0001F467 \U0001F1FA\U0001F1F8 \u2764\uFE0F "
      U"\U0001F44D\U0001F3FD";
  expect_tokens(text, {{0, 5, kS}, {6, 8, kS}, {9, 11, kS}, {12, 14, kS}});
  EXPECT_EQ(token_texts(U"wow\U0001F600\U0001F600!"),
            (std::vector<std::string>{"wow", "\U0001F600", "\U0001F600", "!"}));
}

TEST(TokenizerTest, SymbolsAndPunctuation) {
  expect_tokens(U"$5 & \u00A9 (x)",
                {{0, 1, kS}, {1, 2, kN}, {3, 4, kP}, {5, 6, kS}, {7, 8, kP}, {8, 9, kW},
                 {9, 10, kP}});
}

TEST(TokenizerTest, InvisibleFormatCharacters) {
  // A soft hyphen inside a word keeps it whole; directional marks and soft
  // hyphens outside words are not tokens.
  expect_tokens(U"inter\u00ADnational may\u00AD well \u202CMany\u202C",
                {{0, 14, kW}, {15, 18, kW}, {20, 24, kW}, {26, 30, kW}});
}

TEST(TokenizerTest, NonBreakingAndOtherSpacesSeparate) {
  EXPECT_EQ(token_texts(U"a\u00A0b\u2009c\u3000d\u2028e\uFEFFf"),
            (std::vector<std::string>{"a", "b", "c", "d", "e", "f"}));
}

TEST(TokenizerCharsTest, Classes) {
  EXPECT_TRUE(is_letter(U'\u00E9'));
  EXPECT_TRUE(is_letter(U'\u4E2D'));
  EXPECT_FALSE(is_letter(U'1'));
  EXPECT_TRUE(is_digit(U'\u0663'));  // Arabic-Indic three
  EXPECT_FALSE(is_digit(U'\u00BD'));
  EXPECT_TRUE(is_space(U'\uFEFF'));
  EXPECT_TRUE(is_space(U'\u00A0'));
  EXPECT_TRUE(is_space(U'\u2029'));
  EXPECT_FALSE(is_space(U'\u200B'));
  EXPECT_TRUE(is_punctuation(U'\u201C'));
  EXPECT_TRUE(is_punctuation(U'\u2014'));
  EXPECT_FALSE(is_punctuation(U'$'));
  EXPECT_TRUE(is_upper(U'\u00C9'));
  EXPECT_FALSE(is_upper(U'\u00E9'));
  EXPECT_TRUE(is_mark(U'\u0301'));
  EXPECT_TRUE(is_format(U'\u00AD'));
  EXPECT_FALSE(is_letter(char32_t{0x110000}));
}

TEST(TokenizerCharsTest, CaseAndNormalization) {
  EXPECT_EQ(to_lower(U'\u00D1'), U'\u00F1');
  EXPECT_EQ(to_lower(U'\U0001F600'), U'\U0001F600');
  EXPECT_EQ(normalize_word(U"Don\u2019t"), "don't");
  EXPECT_EQ(normalize_word(U"\u2018QUOTED\u2019"), "'quoted'");
  EXPECT_EQ(normalize_word(U"\u00C9COLE"), "\u00E9cole");
  EXPECT_EQ(normalize_word(U"Inter\u00ADnational"), "international");
  EXPECT_EQ(normalize_word(U""), "");
}

TEST(TokenizerCharsTest, GraphemeEnd) {
  const std::u32string text = U"e\u0301x\U0001F1FA\U0001F1F8";
  EXPECT_EQ(grapheme_end(text, 0), 2u);
  EXPECT_EQ(grapheme_end(text, 2), 3u);
  EXPECT_EQ(grapheme_end(text, 3), 5u);
  EXPECT_EQ(grapheme_end(text, 5), 5u);
}

}  // namespace
}  // namespace propscan::text
