#include "features/article.h"

#include <gtest/gtest.h>

#include "features/extract.h"
#include "features/hashing.h"

namespace propscan::features {
namespace {

TEST(ArticleTest, ChainsLinkEveryTokenToTheNextWithTheSameWord) {
  // Tokens: We(0) want(1) jobs(2) .(3) Jobs(4) ,(5) jobs(6) ,(7) jobs(8) !(9)
  const std::u32string text = U"We want jobs. Jobs, jobs, jobs!";
  const auto view = make_article_view(text);
  ASSERT_EQ(view.words.size(), 10u);
  EXPECT_EQ(view.first_same_word[8], 2);
  EXPECT_EQ(view.next_same_word[2], 4);  // words are lower-cased
  EXPECT_EQ(view.next_same_word[4], 6);
  EXPECT_EQ(view.next_same_word[6], 8);
  EXPECT_EQ(view.next_same_word[8], -1);
  EXPECT_EQ(view.next_same_word[5], 7);
  EXPECT_EQ(view.first_same_word[0], 0);
  EXPECT_EQ(view.next_same_word[0], -1);
}

TEST(ArticleTest, RepetitionFeatureCountsEveryOccurrenceOfThePhrase) {
  const std::u32string text = U"Jobs now. We want jobs now. Jobs now!";
  const auto view = make_article_view(text);
  const FeatureHasher h(18);
  SparseVector x;
  // The last "Jobs now": three occurrences, earlier ones among them.
  span_features(view, 28, 36, h, x);
  auto has = [&](std::string_view prefix, std::string_view value) {
    const auto b = h.bucket(prefix, value);
    for (auto i : x.index) {
      if (i == b) return true;
    }
    return false;
  };
  EXPECT_TRUE(has("rep=", "2"));  // bucket of 3 with edges {2, 3, 4, 6}
  EXPECT_TRUE(has("rep_earlier", ""));
}

}  // namespace
}  // namespace propscan::features
