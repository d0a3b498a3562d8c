// A boosted ensemble of regression trees over dense features, as the passage
// reranker uses. XGBoost grows the trees at training time (train/boosting.h);
// propscan stores them in its own model file and walks them itself, so
// analysis needs neither XGBoost nor its threads. Immutable; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace propscan::model {

struct TreeNode {
  std::int32_t feature = -1;  // -1: a leaf
  float threshold = 0.0f;     // x[feature] < threshold goes to `yes`, else to `no`
  std::int32_t yes = 0;       // child node indices, always after this node
  std::int32_t no = 0;
  float leaf = 0.0f;          // a leaf's value
};

class TreeEnsemble {
 public:
  TreeEnsemble() = default;
  // Throws propscan::Error when a tree is empty or malformed (a child that
  // does not come after its parent, a feature index out of range).
  TreeEnsemble(std::vector<std::vector<TreeNode>> trees, std::uint32_t features);

  bool empty() const { return trees_.empty(); }
  std::uint32_t features() const { return features_; }
  const std::vector<std::vector<TreeNode>>& trees() const { return trees_; }

  // Sum of the trees' leaves for the feature row x (x.size() == features()).
  float margin(std::span<const float> x) const;
  // sigmoid(margin): the ensemble trained with a logistic objective.
  float probability(std::span<const float> x) const;

 private:
  std::vector<std::vector<TreeNode>> trees_;
  std::uint32_t features_ = 0;
};

}  // namespace propscan::model
