#include "text/sentences.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "text/utf8.h"

namespace propscan::text {
namespace {

std::vector<std::string> sentence_texts(std::u32string_view text) {
  std::vector<std::string> out;
  for (const SentenceBounds& s : split_sentences(text)) {
    out.push_back(encode_utf8(text.substr(static_cast<std::size_t>(s.start),
                                          static_cast<std::size_t>(s.end - s.start))));
  }
  return out;
}

std::vector<std::pair<Offset, Offset>> bounds(std::u32string_view text) {
  std::vector<std::pair<Offset, Offset>> out;
  for (const SentenceBounds& s : split_sentences(text)) out.emplace_back(s.start, s.end);
  return out;
}

using Bounds = std::vector<std::pair<Offset, Offset>>;
using Texts = std::vector<std::string>;

TEST(SentencesTest, EmptyAndBlankText) {
  EXPECT_TRUE(split_sentences(U"").empty());
  EXPECT_TRUE(split_sentences(U"\n\n  \t\n\uFEFF\n").empty());
}

TEST(SentencesTest, CorpusStyleOneSentenceALine) {
  // Title, blank line, sentences one a line, a run of blank lines, and a
  // line without final punctuation.
  const std::u32string text =
      U"Storm hits the coast\n"           // 0-20
      U"\n"                               // 21
      U"The storm arrived on Tuesday.\n"  // 22-51
      U"Officials urged calm\n"           // 52-72
      U"\n\n\n"                           // 73-75
      U"Schools will reopen soon.\n";     // 76-101
  EXPECT_EQ(bounds(text), (Bounds{{0, 20}, {22, 51}, {52, 72}, {76, 101}}));
}

TEST(SentencesTest, LineBreakEndsASentenceEvenWithoutPunctuationOrCapital) {
  EXPECT_EQ(sentence_texts(U"one line and\nthe next one"),
            (Texts{"one line and", "the next one"}));
  EXPECT_EQ(sentence_texts(U"Windows lines\r\nend like this\r\n"),
            (Texts{"Windows lines", "end like this"}));
  EXPECT_EQ(sentence_texts(U"Separated\u2028by a line separator"),
            (Texts{"Separated", "by a line separator"}));
}

TEST(SentencesTest, ByteOrderMarkAndSpacesAreTrimmed) {
  const std::u32string text = U"\uFEFFA title\n   Indented line.  \t\n";
  EXPECT_EQ(bounds(text), (Bounds{{1, 8}, {12, 26}}));
  EXPECT_EQ(sentence_texts(text), (Texts{"A title", "Indented line."}));
}

TEST(SentencesTest, PastedParagraphWithAbbreviations) {
  const std::u32string text =
      U"Mr. Smith flew to the U.S. on Friday. He met Dr. Jones in Washington! Was it "
      U"planned? Nobody said.";
  EXPECT_EQ(sentence_texts(text),
            (Texts{"Mr. Smith flew to the U.S. on Friday.", "He met Dr. Jones in Washington!",
                   "Was it planned?", "Nobody said."}));
  EXPECT_EQ(bounds(text), (Bounds{{0, 37}, {38, 69}, {70, 85}, {86, 98}}));
}

TEST(SentencesTest, AbbreviationsBeforeCapitalsDoNotSplit) {
  EXPECT_EQ(sentence_texts(U"He moved to the U.S. Army base in Jan. 2019 with Gen. Miles."),
            (Texts{"He moved to the U.S. Army base in Jan. 2019 with Gen. Miles."}));
  EXPECT_EQ(sentence_texts(U"John F. Kennedy and Mrs. Kennedy waved."),
            (Texts{"John F. Kennedy and Mrs. Kennedy waved."}));
  EXPECT_EQ(sentence_texts(U"She has a Ph.D. From Yale, no less."),
            (Texts{"She has a Ph.D. From Yale, no less."}));
  EXPECT_EQ(sentence_texts(U"See p. 12 and No. 4 in Smith v. Jones. It helps."),
            (Texts{"See p. 12 and No. 4 in Smith v. Jones.", "It helps."}));
}

TEST(SentencesTest, OrdinaryWordsBeforeAPeriodDoSplit) {
  // "Mr" only counts with its capital; a two-letter word is not an initial.
  EXPECT_EQ(sentence_texts(U"They called him mister. He is. It was so."),
            (Texts{"They called him mister.", "He is.", "It was so."}));
  EXPECT_EQ(sentence_texts(U"Visit example.com. Then leave."),
            (Texts{"Visit example.com.", "Then leave."}));
}

TEST(SentencesTest, ClosingQuotesStayWithTheSentence) {
  EXPECT_EQ(sentence_texts(U"\"The next one could be stronger.\" He said it twice."),
            (Texts{"\"The next one could be stronger.\"", "He said it twice."}));
  const std::u32string curly =
      U"\u201CIt will be stronger.\u201D He said it (twice.) Then he left.";
  EXPECT_EQ(sentence_texts(curly),
            (Texts{"\u201CIt will be stronger.\u201D", "He said it (twice.)", "Then he left."}));
  EXPECT_EQ(bounds(curly), (Bounds{{0, 22}, {23, 42}, {43, 56}}));
}

TEST(SentencesTest, OpeningQuoteOrDigitStartsASentence) {
  EXPECT_EQ(sentence_texts(U"He left. \u201CWhy?\u201D she asked. 2020 was worse."),
            (Texts{"He left.", "\u201CWhy?\u201D she asked.", "2020 was worse."}));
  EXPECT_EQ(sentence_texts(U"It ended. 'Good,' they said."),
            (Texts{"It ended.", "'Good,' they said."}));
}

TEST(SentencesTest, NoSplitWithoutSpaceOrBeforeLowercase) {
  EXPECT_EQ(sentence_texts(U"It cost $3.50 each. and then more.Really"),
            (Texts{"It cost $3.50 each. and then more.Really"}));
  EXPECT_EQ(sentence_texts(U"What? no way"), (Texts{"What? no way"}));
}

TEST(SentencesTest, RunsOfTerminators) {
  EXPECT_EQ(sentence_texts(U"Wait... What happened?! Nothing."),
            (Texts{"Wait...", "What happened?!", "Nothing."}));
}

TEST(SentencesTest, AccentsAndEmojiKeepCodePointOffsets) {
  const std::u32string text = U"\u00C9l dijo s\u00ED. \u00D1o\u00F1o \U0001F600 vino. Bien.";
  EXPECT_EQ(bounds(text), (Bounds{{0, 11}, {12, 24}, {25, 30}}));
}

TEST(SentencesTest, LongInputsStayLinear) {
  // Quadratic behaviour would make these take minutes.
  std::u32string titles;
  // No sentence ends here, so it is cut at the length limit (2000 code
  // points), each time at the last space before it.
  for (int i = 0; i < 200000; ++i) titles += U"Mr. ";
  EXPECT_EQ(split_sentences(titles).size(), 401u);

  std::u32string dotted;  // no space to cut at: 200 pieces, then "End."
  for (int i = 0; i < 200000; ++i) dotted += U"a.";
  dotted += U" End.";
  EXPECT_EQ(split_sentences(dotted).size(), 201u);

  std::u32string many;
  for (int i = 0; i < 100000; ++i) many += U"Go. ";
  EXPECT_EQ(split_sentences(many).size(), 100000u);
}

TEST(SentencesTest, SentenceIndexAt) {
  const std::vector<SentenceBounds> sentences = {{1, 8}, {10, 20}, {25, 30}};
  EXPECT_EQ(sentence_index_at(sentences, 0), 0);  // before the first: the first
  EXPECT_EQ(sentence_index_at(sentences, 1), 0);
  EXPECT_EQ(sentence_index_at(sentences, 7), 0);
  EXPECT_EQ(sentence_index_at(sentences, 9), 0);  // in the gap: the one before
  EXPECT_EQ(sentence_index_at(sentences, 10), 1);
  EXPECT_EQ(sentence_index_at(sentences, 24), 1);
  EXPECT_EQ(sentence_index_at(sentences, 25), 2);
  EXPECT_EQ(sentence_index_at(sentences, 1000), 2);
  EXPECT_EQ(sentence_index_at({}, 5), -1);
}

TEST(SentencesTest, ASentenceWithoutEndIsBrokenAtASpaceBeforeTheLimit) {
  // "No." is an abbreviation, so none of these ends a sentence: without a
  // limit this is one sentence of 40000 code points, and every per-sentence
  // feature of each of its tokens would read all 20000 tokens.
  std::u32string text;
  for (int i = 0; i < 10000; ++i) text += U"No. ";
  const auto sentences = split_sentences(text);
  ASSERT_GT(sentences.size(), 10u);
  Offset previous_end = 0;
  for (const auto& s : sentences) {
    EXPECT_LE(s.end - s.start, 2000);
    EXPECT_GE(s.start, previous_end);
    EXPECT_EQ(text.substr(static_cast<std::size_t>(s.start), 3), U"No.");  // cut between words
    previous_end = s.end;
  }
  EXPECT_EQ(sentences.back().end, static_cast<Offset>(text.size()) - 1);
  // With no space at all, at the limit itself.
  const auto solid = split_sentences(std::u32string(5000, U'x'));
  ASSERT_EQ(solid.size(), 3u);
  EXPECT_EQ(solid[1].start, 2000);
  EXPECT_EQ(solid[2].end, 5000);
  // Nor a run of full stops, which would otherwise end one long sentence.
  const auto dots = split_sentences(std::u32string(5000, U'.'));
  ASSERT_EQ(dots.size(), 3u);
  EXPECT_EQ(dots[0].end, 2000);
}

TEST(SentencesTest, OrdinarySentencesAreNotBroken) {
  std::u32string sentence = U"A";
  while (sentence.size() < 1900) sentence += U" word";
  const auto sentences = split_sentences(sentence + U". " + sentence + U".");
  ASSERT_EQ(sentences.size(), 2u);
  EXPECT_EQ(sentences[0].end - sentences[0].start, static_cast<Offset>(sentence.size()) + 1);
}

}  // namespace
}  // namespace propscan::text
