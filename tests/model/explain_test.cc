// Explanations with the shipped model: the evidence of a span lies in it or
// beside it and names the word that decided it (without that word the
// sentence scores lower), and each span says who is speaking.
#include "model/explain.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "model/model_file.h"
#include "propscan/analyzer.h"
#include "propscan/error.h"
#include "text/chars.h"
#include "text/utf8.h"

namespace propscan {
namespace {

const Analyzer& shipped() {
  static const Analyzer analyzer = [] {
    const std::string path = default_model_path();
    if (path.empty()) throw Error("no model at models/propscan.model: run `make train` first");
    return Analyzer(load_model(path));
  }();
  return analyzer;
}

// Every candidate the reranker keeps, whatever its score.
const Analyzer& zero() {
  static const Analyzer analyzer = [] {
    AnalyzerOptions o;
    o.threshold = 0.0;
    return Analyzer(load_model(default_model_path()), o);
  }();
  return analyzer;
}

// Only spaces and punctuation between a and b.
bool adjacent(const std::u32string& t, Offset a, Offset b) {
  for (Offset i = std::min(a, b); i < std::max(a, b); ++i) {
    const char32_t c = t[static_cast<std::size_t>(i)];
    if (!text::is_space(c) && !text::is_punctuation(c)) return false;
  }
  return true;
}

class Evidence : public ::testing::TestWithParam<std::string> {};

TEST_P(Evidence, LiesInOrBesideTheSpanAndRemovingItLowersTheScore) {
  const auto doc = Document::from_utf8("s", GetParam());
  const auto a = shipped().analyze(doc);
  ASSERT_FALSE(a.spans.empty()) << GetParam();
  ASSERT_EQ(a.explanations.size(), a.spans.size());
  std::size_t top = 0;
  for (std::size_t k = 0; k < a.spans.size(); ++k) {
    if (a.spans[k].score > a.spans[top].score) top = k;
    for (const auto& ev : a.explanations[k].evidence) {
      const Span& s = a.spans[k];
      const bool inside = ev.start >= s.start && ev.end <= s.end;
      EXPECT_TRUE(inside || adjacent(doc.text, ev.end, s.start) || adjacent(doc.text, s.end, ev.start))
          << GetParam() << ": evidence " << ev.start << "-" << ev.end << " for span " << s.start << "-" << s.end;
      EXPECT_FALSE(ev.reason.empty());
      EXPECT_GT(ev.weight, 0.0);
    }
  }
  const auto& evidence = a.explanations[top].evidence;
  ASSERT_FALSE(evidence.empty()) << GetParam();
  // The sentence without its strongest evidence word.
  std::u32string cut = doc.text;
  cut.erase(static_cast<std::size_t>(evidence[0].start), static_cast<std::size_t>(evidence[0].end - evidence[0].start));
  // The same passage in the cut sentence: the span that overlaps most of
  // its place (every candidate counts: threshold 0). Gone is lower too.
  const Offset removed = evidence[0].end - evidence[0].start;
  const Span& s = a.spans[top];
  const Offset start = s.start > evidence[0].start ? s.start - removed : s.start;
  const Offset end = s.end > evidence[0].start ? s.end - removed : s.end;
  const auto without = zero().analyze(Document::from_utf8("s", text::encode_utf8(cut)));
  double same = 0.0;
  Offset most = 0;
  for (const auto& w : without.spans) {
    const Offset overlap = std::min(w.end, end) - std::max(w.start, start);
    if (overlap > most) {
      most = overlap;
      same = w.score;
    }
  }
  EXPECT_LT(same, s.score)
      << GetParam() << " without '"
      << text::encode_utf8(std::u32string_view(doc.text).substr(static_cast<std::size_t>(evidence[0].start),
                                                                static_cast<std::size_t>(evidence[0].end - evidence[0].start)))
      << "'";
}

INSTANTIATE_TEST_SUITE_P(HandWritten, Evidence,
                         ::testing::Values("The new tax is a shameless betrayal of working families.",
                                           "Only a fool would trust these people again.",
                                           "These radical extremists want to destroy our great nation.",
                                           "The senator's disgusting lies have poisoned the whole debate.",
                                           "Big Pharma is a greedy, heartless cartel that profits from misery.",
                                           "The mainstream media will never tell you the horrifying truth."));

TEST(Evidence, NamesRepetition) {
  const auto doc = Document::from_utf8(
      "r", "Make America great again. We will make America great again, because only we can make America great again.");
  const auto a = shipped().analyze(doc);
  bool named = false;
  for (const auto& e : a.explanations) {
    for (const auto& ev : e.evidence) named |= ev.kind == "repetition" && ev.reason == "repeated 3 times in this article";
  }
  EXPECT_TRUE(named);
}

TEST(Voice, QuotedSpansNameTheirSpeakerAndTheAuthorsDoNot) {
  const std::string article =
      "Lawmakers met on Tuesday to debate the border bill.\n"
      "\u201CThis shameful, disgusting bill is a betrayal of every American family,\u201D said Pence.\n"
      "Bolton said on Twitter: \"These radical extremists will destroy our great nation.\"\n"
      "The vote is expected next week, and the cowardly, corrupt leadership will surely bury it.";
  const auto doc = Document::from_utf8("v", article);
  const auto a = shipped().analyze(doc);
  ASSERT_EQ(a.quotations.size(), 2u);
  bool pence = false, bolton = false, author = false;
  for (std::size_t k = 0; k < a.spans.size(); ++k) {
    const auto& s = a.spans[k];
    const auto& e = a.explanations[k];
    const bool in_first = s.start >= a.quotations[0].start && s.end <= a.quotations[0].end;
    const bool in_second = s.start >= a.quotations[1].start && s.end <= a.quotations[1].end;
    if (in_first) {
      EXPECT_EQ(e.voice, Voice::kQuoted);
      EXPECT_EQ(e.speaker, "Pence");
      pence = true;
    } else if (in_second) {
      EXPECT_EQ(e.voice, Voice::kQuoted);
      EXPECT_EQ(e.speaker, "Bolton");
      bolton = true;
    } else if (s.end <= a.quotations[0].start || s.start >= a.quotations[1].end) {
      EXPECT_EQ(e.voice, Voice::kAuthor);
      EXPECT_TRUE(e.speaker.empty());
      author = true;
    }
  }
  EXPECT_TRUE(pence);
  EXPECT_TRUE(bolton);
  EXPECT_TRUE(author);
  // Both shares are of their own characters.
  EXPECT_EQ(a.author_chars + a.quoted_chars, static_cast<Offset>(doc.text.size()));
  EXPECT_GT(a.quoted_score, 0.0);
  EXPECT_GT(a.author_score, 0.0);
  const double whole = (a.author_score * static_cast<double>(a.author_chars) +
                        a.quoted_score * static_cast<double>(a.quoted_chars)) /
                       static_cast<double>(doc.text.size());
  EXPECT_NEAR(whole, a.propaganda_score, 1e-9);
}

TEST(Sentences, EverySentenceHasTheModelsProbability) {
  const auto doc = Document::from_utf8("s", "The meeting starts at nine. Only a fool would trust these corrupt traitors.");
  const auto a = shipped().analyze(doc);
  ASSERT_EQ(a.sentence_scores.size(), a.sentences.size());
  ASSERT_EQ(a.sentences.size(), 2u);
  for (double p : a.sentence_scores) {
    EXPECT_GE(p, 0.0);
    EXPECT_LE(p, 1.0);
  }
  EXPECT_GT(a.sentence_scores[1], a.sentence_scores[0]);
}

TEST(Percentile, IsTheSameWhateverTheThresholdAndRisesWithPropaganda) {
  const auto doc = Document::from_utf8(
      "p", "The corrupt elite betrayed us again. These traitors want to destroy our great nation. "
           "The council met on Tuesday and approved the budget.");
  const auto calm = Document::from_utf8("c", "The council met on Tuesday and approved the budget for next year.");
  const auto path = default_model_path();
  const auto at = [&](double threshold, const Document& d) {
    AnalyzerOptions o;
    o.threshold = threshold;
    return Analyzer(load_model(path), o).analyze(d);
  };
  const auto base = shipped().analyze(doc);
  ASSERT_TRUE(base.propaganda_percentile.has_value()) << "the shipped model carries its calibration";
  for (double t : {0.05, 0.6, 0.95}) {
    const auto other = at(t, doc);
    ASSERT_TRUE(other.propaganda_percentile.has_value());
    EXPECT_DOUBLE_EQ(*other.propaganda_percentile, *base.propaganda_percentile) << "threshold " << t;
  }
  const auto quiet = shipped().analyze(calm);
  ASSERT_TRUE(quiet.propaganda_percentile.has_value());
  EXPECT_LT(*quiet.propaganda_percentile, *base.propaganda_percentile);
  EXPECT_GE(*quiet.propaganda_percentile, 0.0);
  EXPECT_LE(*base.propaganda_percentile, 1.0);
}

}  // namespace
}  // namespace propscan
