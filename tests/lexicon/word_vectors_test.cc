#include "lexicon/word_vectors.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <algorithm>
#include <fstream>

#include "propscan/error.h"

namespace propscan::lexicon {
namespace {

const std::string kData = PROPSCAN_TEST_DATA;

TEST(WordVectorsTest, StreamsTheNpmJsonFormat) {
  auto v = WordVectors::from_wink_json(kData + "/tiny_vectors.json");
  EXPECT_EQ(v.dimension(), 4);
  ASSERT_EQ(v.size(), 5u);
  const auto plan_row = v.find("plan");
  ASSERT_GE(plan_row, 0);
  float plan[4];
  v.copy_row(plan_row, plan);
  // Only the first 4 numbers are the vector; the norm and index are dropped.
  EXPECT_FLOAT_EQ(plan[0], 0.5f);
  EXPECT_FLOAT_EQ(plan[3], 0.0f);
  EXPECT_GE(v.find("café"), 0);
  EXPECT_EQ(v.find("missing"), -1);
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

// Every row of a table, looked up by word.
std::vector<std::vector<float>> rows_of(const WordVectors& v, const std::vector<std::string>& words) {
  std::vector<std::vector<float>> out;
  for (const auto& w : words) {
    std::vector<float> row(static_cast<std::size_t>(v.dimension()));
    v.copy_row(v.find(w), row.data());
    out.push_back(std::move(row));
  }
  return out;
}

TEST(WordVectorsTest, QuantizationIsCloseAndStable) {
  auto v = WordVectors::from_wink_json(kData + "/tiny_vectors.json");
  auto q = quantize(v);
  EXPECT_TRUE(q.quantized());
  EXPECT_TRUE(std::is_sorted(q.words().begin(), q.words().end()));  // the order a model stores
  const auto exact = rows_of(v, v.words()), approx = rows_of(q, v.words());
  for (std::size_t r = 0; r < exact.size(); ++r) {
    for (std::size_t k = 0; k < exact[r].size(); ++k) {
      // Each row's error is at most half a step of max|row| / 127.
      EXPECT_NEAR(approx[r][k], exact[r][k], 1.0 / 254 + 1e-6);
    }
  }
  // A saved model reads back exactly: its 8-bit rows quantize to themselves.
  const auto again = quantize(q);
  EXPECT_EQ(rows_of(again, v.words()), approx);
  EXPECT_EQ(again.quantized_rows().values, q.quantized_rows().values);
}

TEST(WordVectorsTest, DuplicateWordsAreAnError) {
  EXPECT_THROW(WordVectors(2, {"a", "b", "a"}, std::vector<float>(6, 1.0f)), Error);
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
