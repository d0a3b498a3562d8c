// Gradient-boosted regression trees, grown by XGBoost (Debian's
// libxgboost) and handed back as propscan's own TreeEnsemble.
#pragma once

#include <cstdint>
#include <vector>

#include "model/trees.h"

namespace propscan::train {

struct BoostOptions {
  int rounds = 200;
  int max_depth = 5;
  float learning_rate = 0.1f;
  float subsample = 0.8f;
  float colsample = 0.8f;
  float min_child_weight = 5.0f;
  std::uint64_t seed = 1;
};

// Trees fitted by log loss to targets in [0, 1] (soft labels allowed) for
// the rows of `x` (row-major, `features` floats a row). Single-threaded and
// seeded: the same data and options give the same trees. When
// `library_predictions` is given, XGBoost's own predictions for the rows are
// written there (to check that the trees were read back faithfully).
model::TreeEnsemble train_boosted_trees(const std::vector<float>& x, std::uint32_t features,
                                        const std::vector<float>& targets, const BoostOptions& options,
                                        std::vector<float>* library_predictions = nullptr);

}  // namespace propscan::train
