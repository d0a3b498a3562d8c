#include "features/intervals.h"

#include <gtest/gtest.h>

#include <random>
#include <utility>
#include <vector>

#include "features/article.h"
#include "features/extract.h"

namespace propscan::features {
namespace {

using Bounds = std::vector<std::pair<Offset, Offset>>;

// Small offsets, so that equal starts, equal ends and equal bounds are common.
Bounds random_intervals(std::mt19937& rng, int n) {
  std::uniform_int_distribution<int> at(0, 12), len(0, 6);
  Bounds out;
  for (int i = 0; i < n; ++i) {
    const Offset s = at(rng);
    out.emplace_back(s, s + len(rng));
  }
  return out;
}

TEST(ContainmentTest, AgreesWithAPassOverEveryInterval) {
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    const Bounds iv = random_intervals(rng, round % 9);
    const Containment index(iv);
    for (Offset s = 0; s < 14; ++s) {
      for (Offset e = s; e < 20; ++e) {
        bool contains = false, strictly = false, inside = false;
        for (const auto& [a, b] : iv) {
          contains = contains || (a <= s && e <= b);
          const bool same = a == s && b == e;
          strictly = strictly || (!same && a <= s && e <= b);
          inside = inside || (!same && s <= a && b <= e);
        }
        ASSERT_EQ(index.any_contains(s, e), contains) << s << "-" << e;
        ASSERT_EQ(index.any_strictly_contains(s, e), strictly) << s << "-" << e;
        ASSERT_EQ(index.any_strictly_inside(s, e), inside) << s << "-" << e;
      }
    }
  }
}

TEST(SiblingIndexTest, CountsAsAPassOverEverySibling) {
  // Repeated words, so that different passages share their words.
  const std::u32string text = U"Jobs now. We want jobs now, jobs now! Jobs now and jobs now.";
  const auto view = make_article_view(text);
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> at(0, static_cast<int>(text.size()) - 1), len(1, 15);
  for (int round = 0; round < 100; ++round) {
    std::vector<Span> siblings;
    for (int i = 0; i < 12; ++i) {
      Span s;
      s.start = at(rng);
      s.end = std::min<Offset>(s.start + len(rng), static_cast<Offset>(text.size()));
      siblings.push_back(s);
      if (i % 4 == 0) siblings.push_back(s);  // duplicates
    }
    const SiblingIndex index(view, siblings);
    for (const auto& me : siblings) {
      const int first = view.token_at_or_after(me.start);
      const int last = view.token_at_or_after(me.end);
      const int n_tokens = last - first;
      if (n_tokens <= 0) continue;
      const int sent = view.token_sentence[static_cast<std::size_t>(first)];
      SiblingIndex::Counts want;
      for (const auto& o : siblings) {
        if (o.start == me.start && o.end == me.end) {
          ++want.same_bounds;
          continue;
        }
        want.inside = want.inside || (o.start <= me.start && me.end <= o.end);
        want.contains = want.contains || (me.start <= o.start && o.end <= me.end);
        const int o_first = view.token_at_or_after(o.start);
        const int o_last = view.token_at_or_after(o.end);
        if (o_first < static_cast<int>(view.tokens.size()) &&
            view.token_sentence[static_cast<std::size_t>(o_first)] == sent) {
          ++want.in_sentence;
        }
        if (o_last - o_first == n_tokens &&
            std::equal(view.words.begin() + o_first, view.words.begin() + o_last, view.words.begin() + first)) {
          ++want.same_words;
        }
      }
      const auto got = index.counts(view, me.start, me.end, first, n_tokens, sent);
      EXPECT_EQ(got.same_bounds, want.same_bounds);
      EXPECT_EQ(got.same_words, want.same_words);
      EXPECT_EQ(got.in_sentence, want.in_sentence);
      EXPECT_EQ(got.inside, want.inside);
      EXPECT_EQ(got.contains, want.contains);
    }
  }
}

TEST(SiblingIndexTest, PhraseKeysTellPhrasesApart) {
  const auto view = make_article_view(U"ab c a bc ab c");
  // "ab c" twice; "a bc" has the same letters but other words.
  EXPECT_EQ(phrase_key(view, 0, 2), phrase_key(view, 4, 6));
  EXPECT_NE(phrase_key(view, 0, 2), phrase_key(view, 2, 4));
}

}  // namespace
}  // namespace propscan::features
