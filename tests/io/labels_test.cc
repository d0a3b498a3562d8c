#include "io/labels.h"

#include <gtest/gtest.h>

#include <sstream>

#include "propscan/error.h"

namespace propscan::io {
namespace {

std::vector<Span> parse(const std::string& text, LabelFormat format) {
  std::istringstream in(text);
  return parse_labels(in, "labels.txt", format);
}

std::string error_of(const std::string& text, LabelFormat format) {
  try {
    parse(text, format);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(LabelsTest, ParsesTechniqueRowsWithCommasInLabels) {
  auto spans = parse("111\tName_Calling,Labeling\t10\t25\n111\tLoaded_Language\t3\t7\n", LabelFormat::kTechnique);
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0].article_id, "111");
  EXPECT_EQ(spans[0].technique, Technique::kNameCallingLabeling);
  EXPECT_EQ(spans[0].start, 10);
  EXPECT_EQ(spans[0].end, 25);
  EXPECT_EQ(spans[1].technique, Technique::kLoadedLanguage);
}

TEST(LabelsTest, RoundTripsEveryFormat) {
  const std::string tc = "5\tDoubt\t0\t12\n5\tRepetition\t40\t44\n6\tSlogans\t3\t9\n";
  std::ostringstream out;
  write_labels(out, parse(tc, LabelFormat::kTechnique), LabelFormat::kTechnique);
  EXPECT_EQ(out.str(), tc);

  const std::string si = "5\t0\t12\n6\t3\t9\n";
  std::ostringstream out_si;
  write_labels(out_si, parse(si, LabelFormat::kSpanOnly), LabelFormat::kSpanOnly);
  EXPECT_EQ(out_si.str(), si);

  const std::string tmpl = "5\t?\t0\t12\n";
  auto rows = parse(tmpl, LabelFormat::kTemplate);
  EXPECT_FALSE(rows[0].technique.has_value());
  std::ostringstream out_tmpl;
  write_labels(out_tmpl, rows, LabelFormat::kTemplate);
  EXPECT_EQ(out_tmpl.str(), tmpl);
}

TEST(LabelsTest, MalformedRowsNameFileAndLine) {
  EXPECT_EQ(error_of("1\tDoubt\t0\t5\n1\tDoubt\t5\n", LabelFormat::kTechnique),
            "labels.txt:2: expected 4 tab-separated fields, found 3");
  EXPECT_EQ(error_of("1\tPropaganda\t0\t5\n", LabelFormat::kTechnique),
            "labels.txt:1: unknown technique 'Propaganda'");
  EXPECT_EQ(error_of("1\tDoubt\tx\t5\n", LabelFormat::kTechnique),
            "labels.txt:1: start offset 'x' is not a non-negative integer");
  EXPECT_EQ(error_of("1\t-3\t5\n", LabelFormat::kSpanOnly),
            "labels.txt:1: start offset '-3' is not a non-negative integer");
  EXPECT_EQ(error_of("1\t9\t5\n", LabelFormat::kSpanOnly), "labels.txt:1: start 9 is not before end 5");
  EXPECT_EQ(error_of("1\tDoubt\t0\t5\n", LabelFormat::kSpanOnly),
            "labels.txt:1: expected 3 tab-separated fields, found 4");
}

TEST(LabelsTest, EmptyInputHasNoRows) { EXPECT_TRUE(parse("", LabelFormat::kTechnique).empty()); }

TEST(LabelsTest, ABadRowIsSkippedWithItsLineAndTheOthersAreKept) {
  std::istringstream in("1\tDoubt\t0\t5\n1\tDoubt\t9\n\n2\tNo_Such\t1\t2\n2\tSlogans\t3\t8\n");
  const auto rows = parse_label_rows(in, "x.labels", LabelFormat::kTechnique);
  ASSERT_EQ(rows.spans.size(), 2u);
  EXPECT_EQ(rows.where, (std::vector<std::string>{"x.labels:1", "x.labels:5"}));
  EXPECT_EQ(rows.spans[1].article_id, "2");
  EXPECT_EQ(rows.errors, (std::vector<std::string>{"x.labels:2: expected 4 tab-separated fields, found 3",
                                                   "x.labels:4: unknown technique 'No_Such'"}));
}

TEST(LabelsTest, ALineWithoutEndStopsTheFileInsteadOfFillingMemory) {
  std::istringstream in("1\tDoubt\t0\t5\n" + std::string(70000, '7'));
  const auto rows = parse_label_rows(in, "x.labels", LabelFormat::kTechnique);
  EXPECT_EQ(rows.spans.size(), 1u);
  ASSERT_EQ(rows.errors.size(), 1u);
  EXPECT_EQ(rows.errors[0], "x.labels:2: line longer than 64 KiB (not a label file?); the rest of the file is not read");
}

}  // namespace
}  // namespace propscan::io
