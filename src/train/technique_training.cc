#include "train/technique_training.h"

#include <torch/torch.h>

#include <ATen/CPUGeneratorImpl.h>

#include <mutex>
#include <numeric>
#include <random>
#include <sstream>

#include "propscan/error.h"

namespace propscan::train {
namespace {

std::vector<float> values_of(const torch::Tensor& t) {
  auto c = t.detach().contiguous();
  return {c.data_ptr<float>(), c.data_ptr<float>() + c.numel()};
}

}  // namespace

neural::TechniqueNetwork train_technique_network(const std::vector<float>& x, const std::vector<std::uint16_t>& y,
                                                 std::uint32_t input, const TechniqueNetOptions& o) {
  const auto rows = static_cast<std::int64_t>(y.size());
  if (rows == 0 || input == 0 || x.size() != y.size() * input) throw Error("technique network: no training rows");
  torch::nn::Linear hidden{nullptr}, out{nullptr};
  {
    // Initial weights come from the global generator: seeded and drawn under
    // a lock so that networks built in parallel threads stay reproducible.
    static std::mutex init_mutex;
    std::lock_guard lock(init_mutex);
    torch::manual_seed(o.seed);
    hidden = torch::nn::Linear(static_cast<std::int64_t>(input), static_cast<std::int64_t>(o.hidden));
    out = torch::nn::Linear(static_cast<std::int64_t>(o.hidden), static_cast<std::int64_t>(kNumTechniques));
  }
  const auto inputs = torch::from_blob(const_cast<float*>(x.data()), {rows, static_cast<std::int64_t>(input)},
                                       torch::kFloat32);
  std::vector<std::int64_t> labels(y.begin(), y.end());
  const auto targets = torch::from_blob(labels.data(), {rows}, torch::kInt64);
  std::vector<torch::Tensor> params = hidden->parameters();
  for (const auto& p : out->parameters()) params.push_back(p);
  torch::optim::AdamW optimizer(params, torch::optim::AdamWOptions(o.learning_rate).weight_decay(o.weight_decay));
  auto gen = at::make_generator<at::CPUGeneratorImpl>(o.seed + 1);
  std::mt19937_64 rng(o.seed);
  std::vector<std::int64_t> order(static_cast<std::size_t>(rows));
  std::iota(order.begin(), order.end(), 0);
  const auto drop = [&](const torch::Tensor& t) {
    if (o.dropout <= 0.0) return t;
    return t * torch::empty_like(t).bernoulli_(1.0 - o.dropout, gen) / (1.0 - o.dropout);
  };
  for (int epoch = 0; epoch < o.epochs; ++epoch) {
    for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[static_cast<std::size_t>(rng() % i)]);
    double total = 0.0;
    std::int64_t batches = 0;
    for (std::int64_t b = 0; b < rows; b += o.batch_size) {
      const auto n = std::min<std::int64_t>(o.batch_size, rows - b);
      const auto idx = torch::from_blob(order.data() + b, {n}, torch::kInt64);
      const auto xb = inputs.index_select(0, idx);
      const auto yb = targets.index_select(0, idx);
      optimizer.zero_grad();
      const auto logits = out->forward(drop(torch::relu(hidden->forward(drop(xb)))));
      auto loss = torch::nn::functional::cross_entropy(logits, yb);
      loss.backward();
      optimizer.step();
      total += loss.item<double>();
      ++batches;
    }
    if (o.progress) {
      std::ostringstream msg;
      msg << "  technique network epoch " << epoch + 1 << "/" << o.epochs << ": loss "
          << total / static_cast<double>(std::max<std::int64_t>(batches, 1));
      o.progress(msg.str());
    }
  }
  neural::TechniqueNetwork net;
  net.input = input;
  net.hidden = o.hidden;
  net.w1 = values_of(hidden->weight);
  net.b1 = values_of(hidden->bias);
  net.w2 = values_of(out->weight);
  net.b2 = values_of(out->bias);
  net.weight = o.weight;
  net.check();
  return net;
}

}  // namespace propscan::train
