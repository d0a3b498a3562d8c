#include "metrics/metrics.h"

#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "propscan/error.h"

namespace propscan::metrics {
namespace {

// The raw sums behind P and R, kept apart so that FLC can add them up over
// techniques before dividing (micro average).
struct OverlapSums {
  double precision_sum = 0.0;  // sum_s sum_g |s∩g| / |s|
  double recall_sum = 0.0;     // sum_s sum_g |s∩g| / |g|
  std::size_t num_predicted = 0;
  std::size_t num_gold = 0;

  OverlapSums& operator+=(const OverlapSums& other) {
    precision_sum += other.precision_sum;
    recall_sum += other.recall_sum;
    num_predicted += other.num_predicted;
    num_gold += other.num_gold;
    return *this;
  }
};

std::string describe(const Span& span) {
  return "[" + std::to_string(span.start) + ", " + std::to_string(span.end) + ") in article " +
         span.article_id;
}

// An empty span has no positions, so |s∩g| / |s| is undefined; a reversed one
// is a bug upstream. Both are reported rather than skipped.
void check_lengths(const std::vector<Span>& spans, std::string_view task, std::string_view which) {
  for (const Span& span : spans) {
    if (span.end <= span.start) {
      throw Error(std::string(task) + ": empty or reversed " + std::string(which) + " span " +
                  describe(span));
    }
  }
}

bool ordered(const Span& a, const Span& b) {
  return std::tie(a.article_id, a.start, a.end) < std::tie(b.article_id, b.start, b.end);
}

// Both inputs are merged: sorted by (article, start), disjoint within an
// article. A single two-pointer sweep over both then visits every
// overlapping pair once, without comparing spans of different articles.
OverlapSums overlap_sums(const std::vector<Span>& gold, const std::vector<Span>& predicted) {
  OverlapSums sums;
  sums.num_predicted = predicted.size();
  sums.num_gold = gold.size();
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < predicted.size() && j < gold.size()) {
    const Span& s = predicted[i];
    const Span& g = gold[j];
    const int article_order = s.article_id.compare(g.article_id);
    if (article_order < 0) {
      ++i;
      continue;
    }
    if (article_order > 0) {
      ++j;
      continue;
    }
    const Offset common = std::min(s.end, g.end) - std::max(s.start, g.start);
    if (common > 0) {
      sums.precision_sum += static_cast<double>(common) / static_cast<double>(s.length());
      sums.recall_sum += static_cast<double>(common) / static_cast<double>(g.length());
    }
    // The span that ends first cannot overlap anything later in the other list.
    if (s.end <= g.end) ++i;
    if (g.end <= s.end) ++j;
  }
  return sums;
}

double f1_of(double precision, double recall) {
  if (precision <= 0.0 || recall <= 0.0) return 0.0;
  return 2.0 * precision * recall / (precision + recall);
}

PRF to_prf(const OverlapSums& sums) {
  PRF prf;
  prf.num_predicted = sums.num_predicted;
  prf.num_gold = sums.num_gold;
  if (sums.num_predicted > 0) {
    prf.precision = sums.precision_sum / static_cast<double>(sums.num_predicted);
  }
  if (sums.num_gold > 0) prf.recall = sums.recall_sum / static_cast<double>(sums.num_gold);
  prf.f1 = f1_of(prf.precision, prf.recall);
  return prf;
}

using ByTechnique = std::array<std::vector<Span>, kNumTechniques>;

void check_technique(const Span& span, std::string_view task, std::string_view which) {
  if (!span.technique) {
    throw Error(std::string(task) + ": span without a technique in article " + span.article_id +
                " (" + std::string(which) + " span [" + std::to_string(span.start) + ", " +
                std::to_string(span.end) + "))");
  }
}

ByTechnique split_by_technique(const std::vector<Span>& spans, std::string_view task,
                               std::string_view which) {
  ByTechnique split;
  for (const Span& span : spans) {
    check_technique(span, task, which);
    split[technique_index(*span.technique)].push_back(span);
  }
  return split;
}

std::array<OverlapSums, kNumTechniques> fragment_sums(const std::vector<Span>& gold,
                                                      const std::vector<Span>& predicted) {
  constexpr std::string_view kTask = "fragment classification";
  check_lengths(gold, kTask, "gold");
  check_lengths(predicted, kTask, "predicted");
  ByTechnique gold_split = split_by_technique(gold, kTask, "gold");
  ByTechnique predicted_split = split_by_technique(predicted, kTask, "predicted");
  std::array<OverlapSums, kNumTechniques> sums;
  for (std::size_t t = 0; t < kNumTechniques; ++t) {
    sums[t] = overlap_sums(merge_overlapping(std::move(gold_split[t])),
                           merge_overlapping(std::move(predicted_split[t])));
  }
  return sums;
}

// Identical (article, start, end) rows form one group in TC.
using Position = std::tuple<std::string_view, Offset, Offset>;

struct RowCounts {
  std::array<std::size_t, kNumTechniques> gold{};
  std::array<std::size_t, kNumTechniques> predicted{};
};

void count_rows(const std::vector<Span>& spans, bool is_gold,
                std::map<Position, RowCounts>& groups) {
  for (const Span& span : spans) {
    check_technique(span, "technique classification", is_gold ? "gold" : "predicted");
    RowCounts& counts = groups[Position(span.article_id, span.start, span.end)];
    auto& slot = is_gold ? counts.gold : counts.predicted;
    ++slot[technique_index(*span.technique)];
  }
}

// 2PR/(P+R) with P = correct/predicted and R = correct/gold reduces to
// 2·correct/(predicted+gold), which avoids rounding in P and R.
double row_f1(std::size_t correct, std::size_t predicted, std::size_t gold) {
  if (correct == 0) return 0.0;
  return 2.0 * static_cast<double>(correct) / static_cast<double>(predicted + gold);
}

double ratio(std::size_t numerator, std::size_t denominator) {
  if (denominator == 0) return 0.0;
  return static_cast<double>(numerator) / static_cast<double>(denominator);
}

}  // namespace

std::vector<Span> merge_overlapping(std::vector<Span> spans) {
  for (const Span& span : spans) {
    if (span.end < span.start) throw Error("merging spans: reversed span " + describe(span));
  }
  std::sort(spans.begin(), spans.end(), ordered);
  std::vector<Span> merged;
  bool same_technique = true;
  for (Span& span : spans) {
    if (!merged.empty()) {
      Span& current = merged.back();
      // Strictly less: spans that only touch share no position.
      if (span.article_id == current.article_id && span.start < current.end) {
        current.end = std::max(current.end, span.end);
        current.score = std::max(current.score, span.score);
        if (span.technique != current.technique) same_technique = false;
        continue;
      }
      if (!same_technique) current.technique.reset();
    }
    same_technique = true;
    merged.push_back(std::move(span));
  }
  if (!merged.empty() && !same_technique) merged.back().technique.reset();
  return merged;
}

PRF span_identification(const std::vector<Span>& gold, const std::vector<Span>& predicted) {
  constexpr std::string_view kTask = "span identification";
  check_lengths(gold, kTask, "gold");
  check_lengths(predicted, kTask, "predicted");
  return to_prf(overlap_sums(merge_overlapping(gold), merge_overlapping(predicted)));
}

PRF fragment_classification(const std::vector<Span>& gold, const std::vector<Span>& predicted) {
  OverlapSums total;
  for (const OverlapSums& sums : fragment_sums(gold, predicted)) total += sums;
  return to_prf(total);
}

std::array<PRF, kNumTechniques> fragment_classification_per_technique(
    const std::vector<Span>& gold, const std::vector<Span>& predicted) {
  const std::array<OverlapSums, kNumTechniques> sums = fragment_sums(gold, predicted);
  std::array<PRF, kNumTechniques> result;
  for (std::size_t t = 0; t < kNumTechniques; ++t) result[t] = to_prf(sums[t]);
  return result;
}

TCResult technique_classification(const std::vector<Span>& gold,
                                  const std::vector<Span>& predicted) {
  std::map<Position, RowCounts> groups;
  count_rows(gold, /*is_gold=*/true, groups);
  count_rows(predicted, /*is_gold=*/false, groups);

  TCResult result;
  for (const auto& [position, counts] : groups) {
    for (std::size_t t = 0; t < kNumTechniques; ++t) {
      TechniqueScore& score = result.per_technique[t];
      const std::size_t correct = std::min(counts.gold[t], counts.predicted[t]);
      score.gold += counts.gold[t];
      score.predicted += counts.predicted[t];
      score.correct += correct;
    }
  }

  std::size_t predicted_rows = 0;
  for (TechniqueScore& score : result.per_technique) {
    score.precision = ratio(score.correct, score.predicted);
    score.recall = ratio(score.correct, score.gold);
    score.f1 = row_f1(score.correct, score.predicted, score.gold);
    result.correct += score.correct;
    result.gold_rows += score.gold;
    predicted_rows += score.predicted;
  }
  result.micro_f1 = row_f1(result.correct, predicted_rows, result.gold_rows);
  return result;
}

}  // namespace propscan::metrics
