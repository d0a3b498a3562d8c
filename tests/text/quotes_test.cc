#include "text/quotes.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "text/utf8.h"

namespace propscan::text {
namespace {

struct Found {
  std::string text;  // the quotation, marks included
  std::string speaker;
  bool operator==(const Found&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Found& f) { return os << "{" << f.text << " | " << f.speaker << "}"; }

std::vector<Found> quotes_of(const std::string& article) {
  const std::u32string t = decode_utf8(article);
  std::vector<Found> out;
  for (const auto& q : find_quotations(t)) {
    out.push_back({encode_utf8(std::u32string_view(t).substr(static_cast<std::size_t>(q.start),
                                                             static_cast<std::size_t>(q.end - q.start))),
                   q.speaker});
  }
  return out;
}

using Quotes = std::vector<Found>;

TEST(Quotes, SpeakerAfterTheQuoteVerbFirst) {
  EXPECT_EQ(quotes_of("The plan was announced on Monday. \"This is a disaster for every family,\" said Pence."),
            (Quotes{{"\"This is a disaster for every family,\"", "Pence"}}));
}

TEST(Quotes, SpeakerAfterTheQuoteNameFirstCurly) {
  EXPECT_EQ(quotes_of("\u201CThe unions are holding our schools hostage,\u201D Governor Greg Abbott said on Tuesday."),
            (Quotes{{"\u201CThe unions are holding our schools hostage,\u201D", "Governor Greg Abbott"}}));
}

TEST(Quotes, SpeakerBeforeTheQuoteWithAColon) {
  EXPECT_EQ(quotes_of("Bolton said on Twitter: \"Iran's regime is the world's leading sponsor of terror.\""),
            (Quotes{{"\"Iran's regime is the world's leading sponsor of terror.\"", "Bolton"}}));
}

TEST(Quotes, SpeakerBeforeTheQuoteWithAClauseBetween) {
  EXPECT_EQ(quotes_of("Ocasio-Cortez, speaking to reporters in Queens, said, \u201CBillionaires should not exist.\u201D"),
            (Quotes{{"\u201CBillionaires should not exist.\u201D", "Ocasio-Cortez"}}));
}

TEST(Quotes, ARoleBeforeTheName) {
  EXPECT_EQ(quotes_of("\u201CThis is a historic victory for every family,\u201D said councillor Dana Whitfield, who backed it."),
            (Quotes{{"\u201CThis is a historic victory for every family,\u201D", "Dana Whitfield"}}));
  EXPECT_EQ(quotes_of("\u201CThey will pave over the last green space,\u201D said the group\u2019s chair, Tom\u00E1s Ib\u00E1\u00F1ez."),
            (Quotes{{"\u201CThey will pave over the last green space,\u201D", "Tom\u00E1s Ib\u00E1\u00F1ez"}}));
  // A day is no speaker.
  EXPECT_EQ(quotes_of("\"The strike goes on until our demands are met,\" the union said on Friday."),
            (Quotes{{"\"The strike goes on until our demands are met,\"", ""}}));
}

TEST(Quotes, AccordingTo) {
  EXPECT_EQ(quotes_of("\"The climate crisis is an existential threat to humanity,\" according to Greta Thunberg."),
            (Quotes{{"\"The climate crisis is an existential threat to humanity,\"", "Greta Thunberg"}}));
  EXPECT_EQ(quotes_of("According to Senator Warren, \"Wall Street is rigging the game against you.\""),
            (Quotes{{"\"Wall Street is rigging the game against you.\"", "Senator Warren"}}));
}

TEST(Quotes, PronounTakesTheLastNamedSpeaker) {
  EXPECT_EQ(quotes_of("\"We will build the wall,\" Trump said. Later in the rally, \"Mexico will pay for it,\" he added."),
            (Quotes{{"\"We will build the wall,\"", "Trump"}, {"\"Mexico will pay for it,\"", "Trump"}}));
}

TEST(Quotes, ASplitQuoteKeepsItsSpeaker) {
  EXPECT_EQ(quotes_of("\u201CThe border is wide open,\u201D said Senator Cruz. \u201CAnd the cartels know it.\u201D"),
            (Quotes{{"\u201CThe border is wide open,\u201D", "Senator Cruz"}, {"\u201CAnd the cartels know it.\u201D", "Senator Cruz"}}));
}

TEST(Quotes, AQuoteOverSeveralSentences) {
  EXPECT_EQ(quotes_of("Sanders told the crowd: \"Health care is a human right. Not a privilege. We will win this fight.\" "
                      "The crowd cheered."),
            (Quotes{{"\"Health care is a human right. Not a privilege. We will win this fight.\"", "Sanders"}}));
}

TEST(Quotes, AQuoteOverParagraphsReopensEachOne) {
  // The convention of English news: no closing mark at the end of a
  // paragraph that the next one continues.
  const std::string article =
      "Farage told the conference: \u201CBrussels has betrayed the British people.\n\n"
      "\u201CWe were promised our country back and we got nothing.\u201D\n\n"
      "The hall applauded.";
  EXPECT_EQ(quotes_of(article), (Quotes{{"\u201CBrussels has betrayed the British people.\n\n"
                                          "\u201CWe were promised our country back and we got nothing.\u201D",
                                          "Farage"}}));
}

TEST(Quotes, NestedQuotesStayInside) {
  EXPECT_EQ(quotes_of("\u201CThey keep calling it \u201Ca peaceful protest\u201D while cities burn,\u201D said Carlson."),
            (Quotes{{"\u201CThey keep calling it \u201Ca peaceful protest\u201D while cities burn,\u201D", "Carlson"}}));
  EXPECT_EQ(quotes_of("\u201CThe senator said \"no deal\" and walked out,\u201D Pelosi told reporters."),
            (Quotes{{"\u201CThe senator said \"no deal\" and walked out,\u201D", "Pelosi"}}));
}

TEST(Quotes, AnUnclosedQuoteEndsWithItsParagraph) {
  const std::string article = "Netanyahu said: \"Hamas is a terrorist organisation that hides behind children.\n"
                              "The talks resume on Monday.";
  EXPECT_EQ(quotes_of(article),
            (Quotes{{"\"Hamas is a terrorist organisation that hides behind children.", "Netanyahu"}}));
}

TEST(Quotes, AnUnclosedQuoteAtTheEnd) {
  EXPECT_EQ(quotes_of("Maduro declared: \"The empire will never defeat us  "),
            (Quotes{{"\"The empire will never defeat us", "Maduro"}}));
}

TEST(Quotes, NoSpeakerWhenNoneIsNamed) {
  EXPECT_EQ(quotes_of("A sign at the march read \"Abortion is health care, not a crime.\" Police watched."),
            (Quotes{{"\"Abortion is health care, not a crime.\"", ""}}));
  EXPECT_EQ(quotes_of("\"Defund the police,\" the activists chanted."), (Quotes{{"\"Defund the police,\"", ""}}));
}

TEST(Quotes, ScareQuotesAreTheAuthorsOwn) {
  const std::u32string t = decode_utf8("The so-called \"experts\" were wrong again about the vaccine.");
  const auto q = find_quotations(t);
  ASSERT_EQ(q.size(), 1u);
  EXPECT_FALSE(is_speech(t, q[0]));
  const std::u32string speech = decode_utf8("\"We followed the science at every step,\" said Fauci.");
  EXPECT_TRUE(is_speech(speech, find_quotations(speech)[0]));
  EXPECT_TRUE(find_quotations(speech)[0].speech);
  EXPECT_FALSE(q[0].speech);
  // A short quotation that someone said, though the article names nobody.
  const auto reported = find_quotations(decode_utf8("A spokesman replied that they were \"hysterical job killers\"."));
  ASSERT_EQ(reported.size(), 1u);
  EXPECT_TRUE(reported[0].speech);
  EXPECT_EQ(reported[0].speaker, "");
}

TEST(Quotes, ApostrophesAreNotQuotes) {
  EXPECT_TRUE(quotes_of("The nation's leaders didn't act, and the people's anger grew.").empty());
}

TEST(Quotes, OffsetsAreCodePoints) {
  // "é" and the emoji are one code point each, three and four bytes.
  const std::u32string t = decode_utf8("Macron a dit \u00E9 \U0001F600: \u00AB La France est de retour \u00BB, said Macron.");
  const auto q = find_quotations(t);
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0].start, 18);
  EXPECT_EQ(t[static_cast<std::size_t>(q[0].start)], U'\u00AB');
  EXPECT_EQ(t[static_cast<std::size_t>(q[0].end - 1)], U'\u00BB');
  EXPECT_EQ(q[0].speaker, "Macron");
}

TEST(Quotes, QuotationAtTakesTheOneHoldingMostOfASpan) {
  const std::vector<Quotation> quotes = {{10, 20, "A"}, {30, 50, "B"}};
  EXPECT_EQ(quotation_at(quotes, 11, 19), 0);
  EXPECT_EQ(quotation_at(quotes, 0, 12), -1);  // mostly outside
  EXPECT_EQ(quotation_at(quotes, 25, 45), 1);
  EXPECT_EQ(quotation_at(quotes, 50, 60), -1);
  EXPECT_EQ(quotation_at({}, 0, 5), -1);
}

}  // namespace
}  // namespace propscan::text
