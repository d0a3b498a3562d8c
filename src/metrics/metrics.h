// The official metrics of SemEval-2020 Task 11 (SI, TC) and of NLP4IF-2019
// (FLC), implemented from their definitions in docs (product.md).
#pragma once

#include <array>
#include <cstddef>
#include <vector>

#include "propscan/span.h"
#include "propscan/technique.h"

namespace propscan::metrics {

struct PRF {
  double precision = 0.0;
  double recall = 0.0;
  double f1 = 0.0;
  std::size_t num_predicted = 0;  // predicted spans after merging
  std::size_t num_gold = 0;       // gold spans after merging
};

// Span identification. Spans are grouped by article_id; techniques are
// ignored. Overlapping spans (sharing >= 1 position) are merged transitively
// into their union, separately for gold and predicted; touching spans stay
// apart. Then P = sum_s sum_g |s∩g|/|s| / #pred, R = sum_s sum_g |s∩g|/|g| /
// #gold, micro over all articles; F1 = 0 when P or R is 0.
PRF span_identification(const std::vector<Span>& gold, const std::vector<Span>& predicted);

// Fragment-level classification: as SI but spans only overlap when their
// techniques are equal, and merging is done per technique. Spans without a
// technique are an error (propscan::Error).
PRF fragment_classification(const std::vector<Span>& gold, const std::vector<Span>& predicted);

// FLC restricted to one technique (gold and predicted spans of other
// techniques are ignored).
std::array<PRF, kNumTechniques> fragment_classification_per_technique(
    const std::vector<Span>& gold, const std::vector<Span>& predicted);

struct TechniqueScore {
  double precision = 0.0;
  double recall = 0.0;
  double f1 = 0.0;
  std::size_t gold = 0;       // gold rows with this technique
  std::size_t predicted = 0;  // predicted rows with this technique
  std::size_t correct = 0;    // matched rows
};

struct TCResult {
  double micro_f1 = 0.0;  // equals accuracy when every gold row gets one prediction
  std::size_t correct = 0;
  std::size_t gold_rows = 0;
  std::array<TechniqueScore, kNumTechniques> per_technique{};
};

// Technique classification. For every group of identical (article_id, start,
// end) gold rows and each technique, min(#predicted, #gold) rows are correct;
// micro-F1 = correct / #gold rows (precision = correct / #predicted rows,
// F1 from both; they coincide when the counts are equal). Predicted rows at
// positions with no gold row count as wrong.
TCResult technique_classification(const std::vector<Span>& gold, const std::vector<Span>& predicted);

// Spans of one article merged as the SI scorer does (sorted, overlapping ones
// joined, touching ones kept apart). Used by the metrics and by the writers'
// coverage score.
std::vector<Span> merge_overlapping(std::vector<Span> spans);

}  // namespace propscan::metrics
