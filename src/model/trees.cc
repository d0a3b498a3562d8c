#include "model/trees.h"

#include <cmath>
#include <string>

#include "propscan/error.h"

namespace propscan::model {

TreeEnsemble::TreeEnsemble(std::vector<std::vector<TreeNode>> trees, std::uint32_t features)
    : trees_(std::move(trees)), features_(features) {
  for (std::size_t t = 0; t < trees_.size(); ++t) {
    const auto& nodes = trees_[t];
    if (nodes.empty()) throw Error("tree ensemble: tree " + std::to_string(t) + " is empty");
    const auto n = static_cast<std::int32_t>(nodes.size());
    for (std::int32_t i = 0; i < n; ++i) {
      const auto& node = nodes[static_cast<std::size_t>(i)];
      if (node.feature < 0) continue;
      // Children after their parent: walking a tree always ends.
      if (static_cast<std::uint32_t>(node.feature) >= features_ || node.yes <= i || node.no <= i || node.yes >= n ||
          node.no >= n) {
        throw Error("tree ensemble: tree " + std::to_string(t) + " is malformed at node " + std::to_string(i));
      }
    }
  }
}

float TreeEnsemble::margin(std::span<const float> x) const {
  float total = 0.0f;
  for (const auto& nodes : trees_) {
    std::size_t i = 0;
    while (nodes[i].feature >= 0) {
      const auto& node = nodes[i];
      i = static_cast<std::size_t>(x[static_cast<std::size_t>(node.feature)] < node.threshold ? node.yes : node.no);
    }
    total += nodes[i].leaf;
  }
  return total;
}

float TreeEnsemble::probability(std::span<const float> x) const { return 1.0f / (1.0f + std::exp(-margin(x))); }

}  // namespace propscan::model
