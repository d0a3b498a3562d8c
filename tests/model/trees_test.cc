#include "model/trees.h"

#include <gtest/gtest.h>

#include <cmath>

#include "propscan/error.h"

namespace propscan::model {
namespace {

// x0 < 0.5 ? (x1 < 2 ? -1 : 1) : 3, plus a one-leaf tree of 0.5.
TreeEnsemble two_trees() {
  std::vector<TreeNode> a = {{0, 0.5f, 1, 4, 0.0f},
                             {1, 2.0f, 2, 3, 0.0f},
                             {-1, 0.0f, 0, 0, -1.0f},
                             {-1, 0.0f, 0, 0, 1.0f},
                             {-1, 0.0f, 0, 0, 3.0f}};
  std::vector<TreeNode> b = {{-1, 0.0f, 0, 0, 0.5f}};
  return TreeEnsemble({a, b}, 2);
}

TEST(TreesTest, WalksEveryTreeAndSumsTheLeaves) {
  const auto trees = two_trees();
  const float x1[] = {0.2f, 1.0f}, x2[] = {0.2f, 2.0f}, x3[] = {0.5f, 0.0f};
  EXPECT_FLOAT_EQ(trees.margin(x1), -0.5f);
  EXPECT_FLOAT_EQ(trees.margin(x2), 1.5f);  // equal to the threshold goes right
  EXPECT_FLOAT_EQ(trees.margin(x3), 3.5f);
  EXPECT_FLOAT_EQ(trees.probability(x3), 1.0f / (1.0f + std::exp(-3.5f)));
}

TEST(TreesTest, RefusesTreesThatCouldLoopOrReadPastTheRow) {
  std::vector<TreeNode> loop = {{0, 0.5f, 0, 1, 0.0f}, {-1, 0.0f, 0, 0, 1.0f}};
  EXPECT_THROW(TreeEnsemble({loop}, 1), Error);
  std::vector<TreeNode> wide = {{3, 0.5f, 1, 2, 0.0f}, {-1, 0.0f, 0, 0, 1.0f}, {-1, 0.0f, 0, 0, 2.0f}};
  EXPECT_THROW(TreeEnsemble({wide}, 2), Error);
  EXPECT_THROW(TreeEnsemble({std::vector<TreeNode>{}}, 2), Error);
}

}  // namespace
}  // namespace propscan::model
