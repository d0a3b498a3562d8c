#include "lexicon/word_vectors.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "propscan/error.h"

namespace propscan::lexicon {
namespace {

const std::string kData = PROPSCAN_TEST_DATA;

TEST(WordVectorsTest, StreamsTheNpmJsonFormat) {
  auto v = WordVectors::from_wink_json(kData + "/tiny_vectors.json");
  EXPECT_EQ(v.dimension(), 4);
  ASSERT_EQ(v.size(), 5u);
  const float* plan = v.find("plan");
  ASSERT_NE(plan, nullptr);
  // Only the first 4 numbers are the vector; the norm and index are dropped.
  EXPECT_FLOAT_EQ(plan[0], 0.5f);
  EXPECT_FLOAT_EQ(plan[3], 0.0f);
  EXPECT_NE(v.find("café"), nullptr);
  EXPECT_EQ(v.find("missing"), nullptr);
  // A possessive falls back to the word before the apostrophe.
  EXPECT_EQ(v.find("clown's"), v.find("clown"));
}

TEST(WordVectorsTest, BinaryRoundTrip) {
  auto v = WordVectors::from_wink_json(kData + "/tiny_vectors.json");
  auto path = (std::filesystem::temp_directory_path() / "propscan_tiny_vectors.bin").string();
  v.save(path);
  auto back = WordVectors::load(path);
  EXPECT_EQ(back.words(), v.words());
  EXPECT_EQ(back.values(), v.values());
  std::ofstream(path, std::ios::binary) << "garbage";
  EXPECT_THROW(WordVectors::load(path), Error);
  std::filesystem::remove(path);
}

TEST(WordVectorsTest, QuantizationIsCloseAndStable) {
  auto v = WordVectors::from_wink_json(kData + "/tiny_vectors.json");
  auto q = quantize(v);
  for (std::size_t i = 0; i < v.values().size(); ++i) {
    // Each row's error is at most half a step of max|row| / 127.
    EXPECT_NEAR(q.values()[i], v.values()[i], 1.0 / 254 + 1e-6);
  }
  EXPECT_EQ(quantize(q).values(), q.values());  // a saved model reads back exactly
}

TEST(WordVectorsTest, MalformedJsonNamesTheFile) {
  auto path = (std::filesystem::temp_directory_path() / "propscan_bad_vectors.json").string();
  std::ofstream(path) << R"({"dimensions":4,"vectors":{"a":[1,2)";
  try {
    WordVectors::from_wink_json(path);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path + ": ", 0), 0u) << e.what();
  }
  std::filesystem::remove(path);
}

TEST(WordVectorsTest, ReadsVaderValence) {
  auto valence = load_vader(kData + "/tiny_vader.txt");
  ASSERT_EQ(valence.size(), 3u);
  EXPECT_FLOAT_EQ(valence.at("disgraceful"), -2.9f);
  EXPECT_FLOAT_EQ(valence.at("wonderful"), 2.7f);
}

}  // namespace
}  // namespace propscan::lexicon
