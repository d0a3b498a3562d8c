#include "train/sequence_tagger.h"

#include <torch/torch.h>

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <numeric>
#include <optional>
#include <random>
#include <sstream>

#include "propscan/error.h"

namespace propscan::train {
namespace {

struct NetImpl : torch::nn::Module {
  explicit NetImpl(const neural::NetConfig& c) {
    std::int64_t input = c.input_dim;
    for (std::uint32_t l = 0; l < c.layers; ++l) {
      // The first layer keeps the name of the one-layer network.
      const std::string name = l == 0 ? "lstm" : "lstm" + std::to_string(l + 1);
      lstms.push_back(register_module(
          name, torch::nn::LSTM(torch::nn::LSTMOptions(input, c.hidden).bidirectional(true).batch_first(true))));
      input = 2 * static_cast<std::int64_t>(c.hidden);
    }
    out = register_module("out", torch::nn::Linear(input, 1));
  }

  // x: [batch, time, input] -> logits [batch, time, 1]. With a generator
  // the network trains (dropout drawn from it); without, it infers.
  torch::Tensor forward(torch::Tensor x, std::optional<at::Generator> dropout = std::nullopt) {
    auto h = x;
    for (auto& lstm : lstms) h = std::get<0>(lstm->forward(drop(h, dropout)));
    return out->forward(drop(h, dropout));
  }

  // Dropout from an explicit generator: the global one is shared by the
  // folds that train in parallel and would make training irreproducible.
  torch::Tensor drop(const torch::Tensor& x, const std::optional<at::Generator>& gen) const {
    if (!gen || dropout <= 0.0) return x;
    auto keep = torch::empty_like(x).bernoulli_(1.0 - dropout, *gen);
    return x * keep / (1.0 - dropout);
  }

  double dropout = 0.25;  // in training only
  std::vector<torch::nn::LSTM> lstms;
  torch::nn::Linear out{nullptr};
};
TORCH_MODULE(Net);

// A fresh network, randomly initialised from `seed`. Initial weights come
// from the global generator: seed and draw under a lock so networks built in
// parallel threads stay reproducible.
Net make_net(const neural::NetConfig& config, std::uint64_t seed) {
  static std::mutex init_mutex;
  std::lock_guard lock(init_mutex);
  torch::manual_seed(seed);
  Net net(config);
  net->eval();
  return net;
}

std::vector<neural::NamedTensor> parameters_of(const Net& net) {
  std::vector<neural::NamedTensor> out;
  for (const auto& item : net->named_parameters()) {
    auto t = item.value().detach().contiguous();
    neural::NamedTensor nt;
    nt.name = item.key();
    nt.shape = t.sizes().vec();
    nt.values.assign(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
    out.push_back(std::move(nt));
  }
  return out;
}

// Copies stored parameters into a network of the same shape.
void load_parameters(Net& net, const std::vector<neural::NamedTensor>& parameters) {
  auto named = net->named_parameters();
  if (named.size() != parameters.size()) throw Error("neural network: wrong number of parameter tensors");
  torch::NoGradGuard no_grad;
  for (const auto& p : parameters) {
    auto* target = named.find(p.name);
    if (!target) throw Error("neural network: unknown parameter '" + p.name + "'");
    if (target->sizes().vec() != p.shape || static_cast<std::size_t>(target->numel()) != p.values.size()) {
      throw Error("neural network: parameter '" + p.name + "' has the wrong shape");
    }
    target->copy_(torch::from_blob(const_cast<float*>(p.values.data()), p.shape, torch::kFloat32));
  }
}

struct Sequence {
  std::size_t example = 0;
  int first = 0;  // token range [first, end)
  int end = 0;
};

std::int64_t longest_of(const std::vector<Sequence>& seqs) {
  std::int64_t longest = 0;
  for (const auto& s : seqs) longest = std::max<std::int64_t>(longest, s.end - s.first);
  return longest;
}

// Pads the sequences' token rows (`width` values a token) into one
// [batch, longest, width] tensor, zeros past each sequence's end.
torch::Tensor batch_inputs(const std::vector<Sequence>& seqs, const std::vector<const std::vector<float>*>& rows,
                           std::int64_t width) {
  const std::int64_t longest = longest_of(seqs);
  auto x = torch::zeros({static_cast<std::int64_t>(seqs.size()), longest, width}, torch::kFloat32);
  float* out = x.data_ptr<float>();
  const auto w = static_cast<std::size_t>(width);
  for (std::size_t b = 0; b < seqs.size(); ++b) {
    const float* in = rows[seqs[b].example]->data() + static_cast<std::size_t>(seqs[b].first) * w;
    const auto n = static_cast<std::size_t>(seqs[b].end - seqs[b].first) * w;
    std::copy(in, in + n, out + b * static_cast<std::size_t>(longest) * w);
  }
  return x;
}

}  // namespace

std::vector<float> passage_token_weights(const std::vector<std::uint8_t>& labels, float power) {
  std::vector<float> w(labels.size(), 1.0f);
  if (power == 0.0f) return w;
  for (std::size_t i = 0; i < labels.size();) {
    if (!labels[i]) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < labels.size() && labels[end]) ++end;
    const float n = static_cast<float>(std::max<std::size_t>(end - i, 4));
    std::fill(w.begin() + static_cast<std::ptrdiff_t>(i), w.begin() + static_cast<std::ptrdiff_t>(end),
              std::pow(4.0f / n, power));
    i = end;
  }
  return w;
}

void set_torch_threads(int threads) {
  threads = std::max(1, threads);
  torch::set_num_threads(threads);
  neural::set_blas_threads(threads);
}

std::vector<float> reference_predict(const neural::Network& network, const features::ArticleView& view) {
  Net net = make_net(network.config(), 0);
  load_parameters(net, network.parameters());
  std::vector<float> probs(view.tokens.size(), 0.0f);
  const auto inputs = neural::token_inputs(view);
  c10::InferenceMode inference;
  for (const auto& run : neural::sentence_runs(view, network.config().context)) {
    const std::vector<Sequence> one{{0, run.first, run.end}};
    const auto x = batch_inputs(one, {&inputs}, network.config().input_dim);
    const auto p = torch::sigmoid(net->forward(x).select(2, 0)).contiguous();
    const float* values = p.data_ptr<float>();
    std::copy(values, values + run.size(), probs.begin() + run.first);
  }
  return probs;
}

neural::Network train_network(const std::vector<NetExample>& train, int vector_dimension,
                              const NetTrainOptions& o) {
  const neural::NetConfig config{neural::input_dim(vector_dimension), o.hidden, o.layers, o.context};
  Net net = make_net(config, o.seed);
  net->dropout = o.dropout;

  std::vector<std::vector<float>> inputs(train.size());
  std::vector<const std::vector<float>*> input_ptrs(train.size());
  std::vector<std::vector<float>> token_weights(train.size());
  std::vector<Sequence> seqs;
  for (std::size_t e = 0; e < train.size(); ++e) {
    token_weights[e] = passage_token_weights(train[e].labels, o.span_power);
    inputs[e] = neural::token_inputs(*train[e].view);
    input_ptrs[e] = &inputs[e];
    for (const auto& run : neural::sentence_runs(*train[e].view, o.context)) seqs.push_back({e, run.first, run.end});
  }
  // Batches of similar length waste little on padding; their order is shuffled
  // each epoch.
  std::stable_sort(seqs.begin(), seqs.end(),
                   [](const Sequence& a, const Sequence& b) { return a.end - a.first < b.end - b.first; });
  std::vector<std::vector<Sequence>> batches;
  for (std::size_t i = 0; i < seqs.size(); i += static_cast<std::size_t>(o.batch_size)) {
    batches.emplace_back(
        seqs.begin() + static_cast<std::ptrdiff_t>(i),
        seqs.begin() + static_cast<std::ptrdiff_t>(std::min(seqs.size(), i + static_cast<std::size_t>(o.batch_size))));
  }

  torch::optim::Adam optimizer(net->parameters(), torch::optim::AdamOptions(o.learning_rate));
  auto dropout_gen = at::make_generator<at::CPUGeneratorImpl>(o.seed + 1);
  std::mt19937_64 rng(o.seed);
  for (int epoch = 0; epoch < o.epochs; ++epoch) {
    net->train();
    std::vector<std::size_t> order(batches.size());
    std::iota(order.begin(), order.end(), 0);
    for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[static_cast<std::size_t>(rng() % i)]);
    double total_loss = 0.0;
    for (std::size_t bi : order) {
      const auto& batch = batches[bi];
      auto x = batch_inputs(batch, input_ptrs, config.input_dim);
      const auto T = x.size(1);
      auto y = torch::zeros({static_cast<std::int64_t>(batch.size()), T});
      auto mask = torch::zeros({static_cast<std::int64_t>(batch.size()), T});
      auto ya = y.accessor<float, 2>();
      auto ma = mask.accessor<float, 2>();
      for (std::size_t b = 0; b < batch.size(); ++b) {
        const auto& ex = train[batch[b].example];
        const auto bb = static_cast<std::int64_t>(b);
        for (int t = batch[b].first; t < batch[b].end; ++t) {
          const auto tt = t - batch[b].first;
          ya[bb][tt] = ex.labels[static_cast<std::size_t>(t)];
          ma[bb][tt] = token_weights[batch[b].example][static_cast<std::size_t>(t)];
        }
      }
      optimizer.zero_grad();
      auto logits = net->forward(x, dropout_gen);
      // Normalised by the number of tokens, not their weights: lighter
      // passage words lower the loss rather than raise the others'.
      const auto tokens = (mask > 0.0f).sum().to(torch::kFloat);
      auto loss = (torch::binary_cross_entropy_with_logits(logits.select(2, 0), y, {}, {}, torch::Reduction::None) *
                   mask)
                      .sum() /
                  tokens;
      loss.backward();
      torch::nn::utils::clip_grad_norm_(net->parameters(), 1.0);
      optimizer.step();
      total_loss += loss.item<double>();
    }
    net->eval();
    if (o.progress) {
      std::ostringstream msg;
      msg << "  neural epoch " << epoch + 1 << "/" << o.epochs << ": loss "
          << total_loss / static_cast<double>(batches.size());
      o.progress(msg.str());
    }
  }
  return neural::Network(config, parameters_of(net));
}

}  // namespace propscan::train
