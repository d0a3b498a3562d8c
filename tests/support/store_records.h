// Test helpers for the store's tests: spans and article records built in
// one line, the five-article corpus whose statistics the tests count by
// hand, and the comparison of two stats results (SQLite against SQLite
// rebuilt, or against PostgreSQL).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "propscan/span.h"
#include "propscan/technique.h"
#include "store/store.h"

namespace propscan::test {

constexpr auto LL = Technique::kLoadedLanguage;
constexpr auto NC = Technique::kNameCallingLabeling;
constexpr auto DOUBT = Technique::kDoubt;

Span span(Offset start, Offset end, Technique t, double score = 0.5);

// An article of `text` (its length in code points, its hash), input
// "in/ID", title "Title ID"; `date` is normalised, or none when empty.
store::ArticleRecord article(const std::string& id, const std::string& source, const std::string& date,
                             const std::string& text, std::int64_t words, double score, std::vector<Span> spans,
                             const std::string& model = "m1");

// Five articles: a1 and a2 from Daily, a3 and a4 from Herald (a4 undated,
// without spans), a5 without an outlet; topics energy (a1, a3) and budget
// (a3).
std::vector<store::ArticleRecord> small_corpus();

// The same rows: keys, counts, the named articles, and the scores (to the
// last bits: sums of the same numbers may be added in another order).
void expect_same_stats(const store::StatsResult& a, const store::StatsResult& b, const std::string& what);

}  // namespace propscan::test
