#include "writers/writers.h"

#include <gtest/gtest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "text/utf8.h"

namespace propscan::writers {
namespace {

TEST(WritersTest, TerminalSafeReplacesControlsAndBidiOverrides) {
  // An escape sequence, a C1 control, a right-to-left override and an
  // isolate (issue 19, finding 8) become U+FFFD; text, line breaks and tabs stay.
  EXPECT_EQ(terminal_safe(U"a\x1b[31mb\u0085c\u202Ed\u2066e\n\tf"), "a\uFFFD[31mb\uFFFDc\uFFFDd\uFFFDe\n\tf");
  EXPECT_EQ(terminal_safe(U"Zürich — “quoted”"), "Zürich — “quoted”");
}

}  // namespace
}  // namespace propscan::writers

namespace propscan::writers {
namespace {

// An analysis built by hand: one quoted span with evidence, one of the author's.
std::pair<Document, Analysis> explained() {
  Document doc;
  doc.id = "a";
  doc.title = "Débat";
  doc.source = "Le Monde";
  doc.date = "2026-12-01";
  // "é" and "😀" are one code point each.
  doc.text = text::decode_utf8("\u00C9t\u00E9 \U0001F600. \u201CA vile traitor,\u201D said Pence. Shameful.");
  Analysis a;
  a.article_id = "a";
  Span quoted{"a", 10, 22, Technique::kNameCallingLabeling, 0.8};
  Span author{"a", 37, 45, Technique::kLoadedLanguage, 0.6};
  a.spans = {quoted, author};
  a.span_sentence = {1, 2};
  a.sentences = {{0, 6}, {7, 36}, {37, 46}};
  a.sentence_scores = {0.1, 0.9, 0.7};
  SpanExplanation e1;
  e1.evidence = {{10, 14, "valence", "emotionally charged word", 1.5}};
  e1.voice = Voice::kQuoted;
  e1.speaker = "Pence";
  e1.precision_estimate = 0.42;
  SpanExplanation e2;
  a.explanations = {e1, e2};
  a.quotations = {{7, 24, "Pence", true}};
  a.propaganda_percentile = 0.68;
  return {doc, a};
}

TEST(WritersTest, JsonCarriesEvidenceVoiceSentencesAndEstimates) {
  const auto [doc, a] = explained();
  const auto j = analysis_json(doc, a);
  ASSERT_EQ(j["spans"].size(), 2u);
  const auto& s = j["spans"][0];
  EXPECT_EQ(s["voice"], "quoted");
  EXPECT_EQ(s["speaker"], "Pence");
  EXPECT_DOUBLE_EQ(s["precision_estimate"].get<double>(), 0.42);
  ASSERT_EQ(s["evidence"].size(), 1u);
  EXPECT_EQ(s["evidence"][0]["text"], "vile");
  EXPECT_EQ(s["evidence"][0]["reason"], "emotionally charged word");
  EXPECT_EQ(j["spans"][1]["voice"], "author");
  EXPECT_FALSE(j["spans"][1].contains("speaker"));
  EXPECT_FALSE(j["spans"][1].contains("precision_estimate"));
  EXPECT_EQ(j["sentences"].size(), 3u);
  EXPECT_DOUBLE_EQ(j["sentences"][1]["score"].get<double>(), 0.9);
  EXPECT_DOUBLE_EQ(j["propaganda_percentile"].get<double>(), 0.68);
  EXPECT_EQ(j["quotations"][0]["speaker"], "Pence");
}

TEST(WritersTest, TextShowsVoiceEvidenceAndTheHeader) {
  const auto [doc, a] = explained();
  std::ostringstream out;
  write(out, Format::kText, doc, a);
  const std::string t = out.str();
  EXPECT_NE(t.find("   title: D\u00E9bat\n   source: Le Monde\n   date: 2026-12-01\n"), std::string::npos) << t;
  EXPECT_NE(t.find("   higher than 68% of the reference articles\n"), std::string::npos) << t;
  EXPECT_NE(t.find("    voice: quoted (Pence)\n"), std::string::npos) << t;
  EXPECT_NE(t.find("    at this score, about 4 in 10 flagged passages matched annotators\n"), std::string::npos) << t;
  EXPECT_NE(t.find("    why: \"vile\" emotionally charged word\n"), std::string::npos) << t;
  EXPECT_NE(t.find("    voice: author's own\n"), std::string::npos) << t;
  std::ostringstream summary;
  write_batch_summary(summary, {&a, &a});
  EXPECT_EQ(summary.str(), "== 2 articles, 4 passages (2 quoted), mean propaganda score 0.0%\n");
}

}  // namespace
}  // namespace propscan::writers
