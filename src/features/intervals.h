// Containment queries over a fixed set of character intervals [start, end):
// sorted once, then O(log n) per query, so that checking every passage
// against every other one is not quadratic.
#pragma once

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

#include "propscan/span.h"

namespace propscan::features {

class Containment {
 public:
  Containment() = default;
  explicit Containment(std::vector<std::pair<Offset, Offset>> intervals) : iv_(std::move(intervals)) {
    std::sort(iv_.begin(), iv_.end());
    max_end_.resize(iv_.size());
    min_end_.resize(iv_.size());
    for (std::size_t i = 0; i < iv_.size(); ++i) {
      max_end_[i] = i ? std::max(max_end_[i - 1], iv_[i].second) : iv_[i].second;
    }
    for (std::size_t i = iv_.size(); i-- > 0;) {
      min_end_[i] = i + 1 < iv_.size() ? std::min(min_end_[i + 1], iv_[i].second) : iv_[i].second;
    }
  }

  bool empty() const { return iv_.empty(); }

  // Some interval i has i.start <= start and end <= i.end.
  bool any_contains(Offset start, Offset end) const {
    const std::size_t hi = after(start);
    return hi > 0 && max_end_[hi - 1] >= end;
  }
  // As any_contains, among the intervals whose bounds are not [start, end).
  bool any_strictly_contains(Offset start, Offset end) const {
    const std::size_t lo = from(start), hi = after(start);
    return (lo > 0 && max_end_[lo - 1] >= end) || (hi > lo && iv_[hi - 1].second > end);
  }
  // Some interval whose bounds are not [start, end) has start <= i.start and
  // i.end <= end.
  bool any_strictly_inside(Offset start, Offset end) const {
    const std::size_t lo = from(start), hi = after(start);
    return (hi < iv_.size() && min_end_[hi] <= end) || (hi > lo && iv_[lo].second < end);
  }

 private:
  // First interval starting at or after `start`, and after it.
  std::size_t from(Offset start) const {
    return static_cast<std::size_t>(
        std::lower_bound(iv_.begin(), iv_.end(), start, [](const auto& i, Offset s) { return i.first < s; }) -
        iv_.begin());
  }
  std::size_t after(Offset start) const {
    return static_cast<std::size_t>(
        std::upper_bound(iv_.begin(), iv_.end(), start, [](Offset s, const auto& i) { return s < i.first; }) -
        iv_.begin());
  }

  std::vector<std::pair<Offset, Offset>> iv_;  // sorted by start, then end
  std::vector<Offset> max_end_;                // max end of iv_[0..i]
  std::vector<Offset> min_end_;                // min end of iv_[i..]
};

}  // namespace propscan::features
