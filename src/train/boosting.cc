#include "train/boosting.h"

#include <xgboost/c_api.h>

#include <cmath>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "propscan/error.h"

namespace propscan::train {
namespace {

void check(int status, const char* what) {
  if (status != 0) throw Error(std::string("boosted trees: ") + what + ": " + XGBGetLastError());
}

struct MatrixDeleter {
  void operator()(void* m) const { XGDMatrixFree(m); }
};
struct BoosterDeleter {
  void operator()(void* b) const { XGBoosterFree(b); }
};

// Appends the dumped node and its subtree in pre-order (children after
// their parent, whatever ids XGBoost gave them); returns its index.
std::int32_t read_node(const nlohmann::json& j, std::uint32_t features, std::vector<model::TreeNode>& out) {
  const auto index = static_cast<std::int32_t>(out.size());
  out.emplace_back();
  if (j.contains("leaf")) {
    out.back().leaf = j.at("leaf").get<float>();
    return index;
  }
  // Without feature names XGBoost calls feature k "fk".
  const auto& split = j.at("split");
  const int feature = split.is_string() ? std::stoi(split.get<std::string>().substr(1)) : split.get<int>();
  const int yes_id = j.at("yes").get<int>(), no_id = j.at("no").get<int>();
  const float threshold = j.at("split_condition").get<float>();
  std::int32_t yes = -1, no = -1;
  for (const auto& child : j.at("children")) {
    const int id = child.at("nodeid").get<int>();
    const auto at = read_node(child, features, out);
    if (id == yes_id) yes = at;
    if (id == no_id) no = at;
  }
  if (yes < 0 || no < 0 || feature < 0 || static_cast<std::uint32_t>(feature) >= features) {
    throw Error("boosted trees: unexpected tree dump");
  }
  auto& node = out[static_cast<std::size_t>(index)];
  node.feature = feature;
  node.threshold = threshold;
  node.yes = yes;
  node.no = no;
  return index;
}

}  // namespace

model::TreeEnsemble train_boosted_trees(const std::vector<float>& x, std::uint32_t features,
                                        const std::vector<float>& targets, const BoostOptions& o,
                                        std::vector<float>* library_predictions) {
  const auto rows = static_cast<bst_ulong>(targets.size());
  if (features == 0 || x.size() != static_cast<std::size_t>(rows) * features || rows == 0) {
    throw Error("boosted trees: no training rows or rows of the wrong width");
  }
  DMatrixHandle m = nullptr;
  check(XGDMatrixCreateFromMat(x.data(), rows, features, std::nanf(""), &m), "matrix");
  std::unique_ptr<void, MatrixDeleter> matrix(m);
  check(XGDMatrixSetFloatInfo(m, "label", targets.data(), rows), "labels");
  BoosterHandle b = nullptr;
  check(XGBoosterCreate(&m, 1, &b), "booster");
  std::unique_ptr<void, BoosterDeleter> booster(b);
  const std::pair<const char*, std::string> params[] = {
      {"objective", "reg:logistic"},
      {"base_score", "0.5"},  // a margin of 0: the trees alone carry the score
      {"tree_method", "hist"},
      {"nthread", "1"},
      {"verbosity", "0"},
      {"seed", std::to_string(o.seed % 2147483647u)},
      {"max_depth", std::to_string(o.max_depth)},
      {"eta", std::to_string(o.learning_rate)},
      {"subsample", std::to_string(o.subsample)},
      {"colsample_bytree", std::to_string(o.colsample)},
      {"min_child_weight", std::to_string(o.min_child_weight)},
  };
  for (const auto& [key, value] : params) check(XGBoosterSetParam(b, key, value.c_str()), key);
  for (int round = 0; round < o.rounds; ++round) check(XGBoosterUpdateOneIter(b, round, m), "training");

  bst_ulong count = 0;
  const char** dump = nullptr;
  check(XGBoosterDumpModelEx(b, "", 0, "json", &count, &dump), "dump");
  std::vector<std::vector<model::TreeNode>> trees;
  for (bst_ulong t = 0; t < count; ++t) {
    std::vector<model::TreeNode> nodes;
    read_node(nlohmann::json::parse(dump[t]), features, nodes);
    trees.push_back(std::move(nodes));
  }
  if (library_predictions) {
    bst_ulong n = 0;
    const float* p = nullptr;
    check(XGBoosterPredict(b, m, 0, 0, 0, &n, &p), "predict");
    library_predictions->assign(p, p + n);
  }
  return model::TreeEnsemble(std::move(trees), features);
}

}  // namespace propscan::train
