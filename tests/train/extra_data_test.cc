#include "train/extra_data.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "../support/errors.h"
#include "../support/files.h"

namespace propscan::train {
namespace {

using test::error_of;
using test::spit;
using test::temp_path;

const std::string kFixture = std::string(PROPSCAN_TEST_DATA) + "/extra_technique";

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(ExtraDataTest, ReadsBothFilesMapsTheLabelsAndDropsThoseWithoutACounterpart) {
  const auto data = read_extra_technique_data(kFixture);
  // Memes 2 (only Glittering generalities) and 8 (no label) keep no span.
  ASSERT_EQ(data.articles.size(), 3u);
  EXPECT_EQ(data.mapped, 5u);
  EXPECT_EQ(data.dropped, 2u);  // Smears, Glittering generalities

  const auto& first = data.articles[0];
  EXPECT_EQ(first.doc.id, "training_set_task2:1");
  ASSERT_EQ(first.techniques.size(), 2u);
  // "Café" comes first: offsets count code points, not bytes.
  EXPECT_EQ(first.techniques[0].start, 17);
  EXPECT_EQ(first.techniques[0].end, 25);
  EXPECT_EQ(first.techniques[0].article_id, first.doc.id);
  EXPECT_EQ(first.techniques[0].technique, Technique::kNameCallingLabeling);
  EXPECT_EQ(first.techniques[1].technique, Technique::kSlogans);
  EXPECT_EQ(first.si.size(), first.techniques.size());

  const auto& third = data.articles[1];
  EXPECT_EQ(third.doc.id, "training_set_task2:3");
  ASSERT_EQ(third.techniques.size(), 2u);
  EXPECT_EQ(third.techniques[0].technique, Technique::kWhataboutismStrawMenRedHerring);
  EXPECT_EQ(third.techniques[1].technique, Technique::kThoughtTerminatingCliches);

  const auto& dev = data.articles[2];
  EXPECT_EQ(dev.doc.id, "dev_set_task2:7");
  ASSERT_EQ(dev.techniques.size(), 1u);
  EXPECT_EQ(dev.techniques[0].technique, Technique::kBandwagonReductioAdHitlerum);
}

TEST(ExtraDataTest, EveryLabelOfTheTaskHasItsMapping) {
  EXPECT_EQ(ptc_technique_of_meme_label("Appeal to authority"), Technique::kAppealToAuthority);
  EXPECT_EQ(ptc_technique_of_meme_label("Black-and-white Fallacy/Dictatorship"), Technique::kBlackAndWhiteFallacy);
  EXPECT_EQ(ptc_technique_of_meme_label("Bandwagon"), Technique::kBandwagonReductioAdHitlerum);
  EXPECT_EQ(ptc_technique_of_meme_label("Presenting Irrelevant Data (Red Herring)"),
            Technique::kWhataboutismStrawMenRedHerring);
  EXPECT_EQ(ptc_technique_of_meme_label("Smears"), std::nullopt);
  EXPECT_EQ(ptc_technique_of_meme_label("Obfuscation, Intentional vagueness, Confusion"), std::nullopt);
  EXPECT_TRUE(contains(error_of([] { ptc_technique_of_meme_label("Loaded_Language"); }), "Loaded_Language"));
}

// The error of reading `json` as a meme file: one line naming the file.
std::string file_error(const std::string& json) {
  const std::string path = temp_path(".txt");
  spit(path, json);
  ExtraTechniqueData out;
  const auto error = error_of([&] { read_meme_file(path, out); });
  std::filesystem::remove(path);
  EXPECT_TRUE(contains(error, path)) << error;
  EXPECT_FALSE(contains(error, "\n")) << error;
  return error;
}

// A file of one meme, "Why? Ask.", with one label of the given fields.
std::string one_meme(const std::string& start, const std::string& end, const std::string& technique,
                     const std::string& fragment) {
  return R"([{"id": "1", "text": "Why? Ask.", "labels": [{"start": )" + start + R"(, "end": )" + end +
         R"(, "technique": ")" + technique + R"(", "text_fragment": ")" + fragment + R"("}]}])";
}

TEST(ExtraDataTest, AMalformedFileIsAnErrorNamingIt) {
  const std::string good = one_meme("0", "4", "Doubt", "Why?");
  EXPECT_TRUE(contains(file_error(good.substr(0, good.size() - 1)), "not valid JSON"));
  EXPECT_TRUE(contains(file_error(R"({"id": "1"})"), "array"));
  EXPECT_TRUE(contains(file_error(R"([{"id": "1", "labels": []}])"), "'text'"));
  EXPECT_TRUE(contains(file_error(R"([{"id": "1", "text": "Why? Ask."}])"), "'labels'"));
  EXPECT_TRUE(contains(file_error(one_meme("5", "12", "Doubt", "Ask.")), "do not lie in the text"));
  EXPECT_TRUE(contains(file_error(one_meme("4", "2", "Doubt", "")), "do not lie in the text"));
  EXPECT_TRUE(contains(file_error(one_meme("5", "9", "Doubt", "Why?")), "text_fragment"));
  EXPECT_TRUE(contains(file_error(one_meme("0", "4", "Doubts", "Why?")), "unknown technique label 'Doubts'"));
  EXPECT_TRUE(contains(file_error(one_meme(R"("0")", "4", "Doubt", "Why?")), "'start'"));
  // The same meme well formed reads.
  const std::string path = temp_path(".txt");
  spit(path, good);
  ExtraTechniqueData out;
  EXPECT_EQ(error_of([&] { read_meme_file(path, out); }), "");
  std::filesystem::remove(path);
  ASSERT_EQ(out.articles.size(), 1u);
  EXPECT_EQ(out.articles[0].techniques[0].technique, Technique::kDoubt);
}

TEST(ExtraDataTest, AMissingFileIsAnErrorNamingIt) {
  const std::string dir = temp_path("_dir");
  const auto error = error_of([&] { read_extra_technique_data(dir); });
  EXPECT_TRUE(contains(error, dir + "/training_set_task2.txt")) << error;
}

}  // namespace
}  // namespace propscan::train
