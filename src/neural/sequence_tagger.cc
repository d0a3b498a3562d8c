#include "neural/sequence_tagger.h"

#include <torch/torch.h>

#include <ATen/CPUGeneratorImpl.h>

#include <dlfcn.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <numeric>
#include <optional>
#include <random>
#include <sstream>

#include "neural/lstm_inference.h"
#include "propscan/error.h"

namespace propscan::neural {
namespace {

struct NetImpl : torch::nn::Module {
  explicit NetImpl(const NetConfig& c) {
    std::int64_t input = c.input_dim;
    if (c.word_buckets > 0) {
      words = register_module("words", torch::nn::Embedding(c.word_buckets, c.word_dim));
      // Small beside the word vectors, so that the network starts from them.
      torch::NoGradGuard no_grad;
      words->weight.normal_(0.0, 0.1);
      input += c.word_dim;
    }
    for (std::uint32_t l = 0; l < c.layers; ++l) {
      // The first layer keeps the name of the one-layer network.
      const std::string name = l == 0 ? "lstm" : "lstm" + std::to_string(l + 1);
      lstms.push_back(register_module(
          name, torch::nn::LSTM(torch::nn::LSTMOptions(input, c.hidden).bidirectional(true).batch_first(true))));
      input = 2 * static_cast<std::int64_t>(c.hidden);
    }
    out = register_module("out", torch::nn::Linear(input, c.outputs));
  }

  // x: [batch, time, input], keys: [batch, time, kWordKeys] (read only with
  // word representations) -> logits [batch, time, outputs]. With a generator
  // the network trains (dropout drawn from it); without, it infers.
  torch::Tensor forward(torch::Tensor x, const torch::Tensor& keys,
                        std::optional<at::Generator> dropout = std::nullopt) {
    auto h = words ? torch::cat({x, words->forward(keys).sum(2)}, 2) : x;
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
  torch::nn::Embedding words{nullptr};
  std::vector<torch::nn::LSTM> lstms;
  torch::nn::Linear out{nullptr};
};
TORCH_MODULE(Net);

struct Sequence {
  std::size_t example = 0;
  int first = 0;  // token range [first, end)
  int end = 0;
};

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

namespace {

// Whether tokens [first, end) include a passage token.
bool has_passage(const std::vector<std::uint8_t>& labels, std::size_t first, std::size_t end) {
  return std::any_of(labels.begin() + static_cast<std::ptrdiff_t>(first),
                     labels.begin() + static_cast<std::ptrdiff_t>(end), [](std::uint8_t y) { return y != 0; });
}

}  // namespace

void weigh_words_outside_passages(const features::ArticleView& view, const std::vector<std::uint8_t>& labels,
                                  float near_weight, float sentence_power, std::vector<float>& w) {
  for (std::size_t k = 0; k < view.sentences.size(); ++k) {
    const auto first = static_cast<std::size_t>(view.sentence_first_token[k]);
    const auto end = static_cast<std::size_t>(view.sentence_end_token[k]);
    const float factor = (has_passage(labels, first, end) ? near_weight : 1.0f) *
                         std::pow(10.0f / static_cast<float>(std::max<std::size_t>(end - first, 10)), sentence_power);
    for (std::size_t t = first; t < end; ++t) {
      if (!labels[t]) w[t] *= factor;
    }
  }
}

namespace {

// Runs of consecutive sentences of up to `context` tokens (a longer sentence
// alone).
std::vector<Sequence> sentences_of(const features::ArticleView& view, std::size_t example, std::uint32_t context) {
  std::vector<Sequence> seqs;
  for (std::size_t s = 0; s < view.sentences.size(); ++s) {
    const int first = view.sentence_first_token[s], end = view.sentence_end_token[s];
    if (end <= first) continue;
    if (!seqs.empty() && seqs.back().end == first && end - seqs.back().first <= static_cast<int>(context)) {
      seqs.back().end = end;
    } else {
      seqs.push_back({example, first, end});
    }
  }
  return seqs;
}

// The sentences of a batch of runs: the row of the run, the sentence's
// positions in it [first, end), and whether it has a passage.
struct BatchSentence {
  std::int64_t row = 0;
  std::int64_t first = 0;
  std::int64_t end = 0;
  float label = 0.0f;
};

std::vector<BatchSentence> batch_sentences(const std::vector<Sequence>& batch, const std::vector<TrainExample>& train) {
  std::vector<BatchSentence> out;
  for (std::size_t b = 0; b < batch.size(); ++b) {
    const auto& ex = train[batch[b].example];
    const auto& view = *ex.view;
    for (std::size_t k = 0; k < view.sentences.size(); ++k) {
      const int first = view.sentence_first_token[k], end = view.sentence_end_token[k];
      if (end <= first || first < batch[b].first || end > batch[b].end) continue;
      const bool passage = has_passage(ex.labels, static_cast<std::size_t>(first), static_cast<std::size_t>(end));
      out.push_back({static_cast<std::int64_t>(b), first - batch[b].first, end - batch[b].first,
                     passage ? 1.0f : 0.0f});
    }
  }
  return out;
}

std::int64_t longest_of(const std::vector<Sequence>& seqs) {
  std::int64_t longest = 0;
  for (const auto& s : seqs) longest = std::max<std::int64_t>(longest, s.end - s.first);
  return longest;
}

// Pads the sequences' token rows (`width` values a token) into one
// [batch, longest, width] tensor of `dtype`, zeros past each sequence's end.
template <typename T>
torch::Tensor pad_rows(const std::vector<Sequence>& seqs, const std::vector<const std::vector<T>*>& rows,
                       std::int64_t width, std::int64_t longest, torch::Dtype dtype) {
  auto x = torch::zeros({static_cast<std::int64_t>(seqs.size()), longest, width}, dtype);
  T* out = x.template data_ptr<T>();
  const auto w = static_cast<std::size_t>(width);
  for (std::size_t b = 0; b < seqs.size(); ++b) {
    const T* in = rows[seqs[b].example]->data() + static_cast<std::size_t>(seqs[b].first) * w;
    const auto n = static_cast<std::size_t>(seqs[b].end - seqs[b].first) * w;
    std::copy(in, in + n, out + b * static_cast<std::size_t>(longest) * w);
  }
  return x;
}

// The network's inputs: [batch, time, input] floats.
torch::Tensor batch_inputs(const std::vector<Sequence>& seqs, const std::vector<const std::vector<float>*>& inputs,
                           std::int64_t width) {
  return pad_rows(seqs, inputs, width, longest_of(seqs), torch::kFloat32);
}

// The word keys: [batch, time, kWordKeys] bucket numbers.
torch::Tensor batch_keys(const std::vector<Sequence>& seqs, const std::vector<const std::vector<std::int64_t>*>& keys) {
  return pad_rows(seqs, keys, kWordKeys, longest_of(seqs), torch::kInt64);
}

}  // namespace

void set_threads(int threads) {
  threads = std::max(1, threads);
  torch::set_num_threads(threads);
  // OpenBLAS keeps its own pool, which serialises calls from several threads
  // unless told to run in the caller's thread. Looked up at run time because
  // the system BLAS is chosen by Debian's alternatives and may not be OpenBLAS.
  using SetThreads = void (*)(int);
  if (auto* set_blas = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) {
    set_blas(threads);
  }
}

namespace {

// Member 0's parameters keep the one-network names; member k's are "m<k>.".
std::string member_prefix(std::size_t k) {
  std::string prefix;
  if (k > 0) {
    prefix.push_back('m');
    prefix.append(std::to_string(k));
    prefix.push_back('.');
  }
  return prefix;
}

}  // namespace

struct SequenceTagger::Impl {
  std::vector<Net> nets;             // the ensemble's members, as libtorch trains them
  std::vector<LstmInference> plain;  // the same members' forward pass for analysis

  // Fresh members, randomly initialised from `seed` (not yet synced).
  Impl(const NetConfig& config, std::uint64_t seed) {
    if (config.members == 0 || config.members > 16) throw Error("neural tagger: bad ensemble size");
    // Initial weights come from the global generator: seed and draw under a
    // lock so networks built in parallel threads stay reproducible.
    static std::mutex init_mutex;
    std::lock_guard lock(init_mutex);
    for (std::uint32_t m = 0; m < config.members; ++m) {
      torch::manual_seed(seed + 7919 * m);
      nets.push_back(Net(config));
      nets.back()->eval();
    }
  }

  // Copies the members' current parameters into the forward pass.
  void sync(const NetConfig& config, const std::vector<NamedTensor>& parameters) {
    plain.clear();
    for (std::size_t k = 0; k < nets.size(); ++k) {
      plain.emplace_back(parameters, member_prefix(k), config.input_dim, config.hidden, config.layers,
                         config.outputs, config.word_dim);
    }
  }
};

SequenceTagger::SequenceTagger(NetConfig config, std::uint64_t seed)
    : config_(config), impl_(std::make_unique<Impl>(config, seed)) {
  impl_->sync(config_, parameters());
}

SequenceTagger::SequenceTagger(NetConfig config, const std::vector<NamedTensor>& parameters)
    : config_(config), impl_(std::make_unique<Impl>(config, 0)) {
  torch::OrderedDict<std::string, torch::Tensor> named;
  for (std::size_t k = 0; k < impl_->nets.size(); ++k) {
    for (const auto& item : impl_->nets[k]->named_parameters())
      named.insert(member_prefix(k) + item.key(), item.value());
  }
  if (named.size() != parameters.size()) throw Error("neural tagger: wrong number of parameter tensors");
  torch::NoGradGuard no_grad;
  for (const auto& p : parameters) {
    auto* target = named.find(p.name);
    if (!target) throw Error("neural tagger: unknown parameter '" + p.name + "'");
    if (target->sizes().vec() != p.shape || static_cast<std::size_t>(target->numel()) != p.values.size()) {
      throw Error("neural tagger: parameter '" + p.name + "' has the wrong shape");
    }
    target->copy_(torch::from_blob(const_cast<float*>(p.values.data()), p.shape, torch::kFloat32));
  }
  impl_->sync(config_, parameters);
}

SequenceTagger::~SequenceTagger() = default;

std::vector<NamedTensor> SequenceTagger::parameters() const {
  std::vector<NamedTensor> out;
  for (std::size_t k = 0; k < impl_->nets.size(); ++k) {
    for (const auto& item : impl_->nets[k]->named_parameters()) {
      auto t = item.value().detach().contiguous();
      NamedTensor nt;
      nt.name = member_prefix(k) + item.key();
      nt.shape = t.sizes().vec();
      nt.values.assign(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
      out.push_back(std::move(nt));
    }
  }
  return out;
}

std::vector<float> SequenceTagger::predict(const features::ArticleView& view, std::span<const float> linear) const {
  if (config_.reads_linear != !linear.empty() || (!linear.empty() && linear.size() != view.tokens.size())) {
    throw Error("neural tagger: the linear tagger's probabilities are missing or do not fit");
  }
  std::vector<float> probs(view.tokens.size(), 0.0f);
  const auto seqs = sentences_of(view, 0, config_.context);
  if (seqs.empty()) return probs;
  std::vector<LstmInference::Run> runs;
  runs.reserve(seqs.size());
  for (const auto& s : seqs) runs.push_back({s.first, s.end});
  const auto inputs = token_inputs(view, linear);
  const auto keys = config_.word_buckets > 0 ? token_keys(view, config_.word_buckets) : std::vector<std::int64_t>();
  impl_->plain.front().predict(inputs, keys, runs, probs);
  if (impl_->plain.size() > 1) {
    // The members' mean probability.
    std::vector<float> member(probs.size(), 0.0f);
    for (std::size_t k = 1; k < impl_->plain.size(); ++k) {
      impl_->plain[k].predict(inputs, keys, runs, member);
      for (std::size_t t = 0; t < probs.size(); ++t) probs[t] += member[t];
    }
    for (auto& p : probs) p /= static_cast<float>(impl_->plain.size());
  }
  return probs;
}

std::vector<float> SequenceTagger::reference_predict(const features::ArticleView& view,
                                                     std::span<const float> linear) const {
  std::vector<float> probs(view.tokens.size(), 0.0f);
  const auto inputs = token_inputs(view, linear);
  const auto ids = config_.word_buckets > 0 ? token_keys(view, config_.word_buckets) : std::vector<std::int64_t>();
  c10::InferenceMode inference;
  for (const auto& seq : sentences_of(view, 0, config_.context)) {
    const std::vector<Sequence> one{seq};
    const auto x = batch_inputs(one, {&inputs}, config_.input_dim);
    const auto keys = config_.word_buckets > 0 ? batch_keys(one, {&ids}) : torch::Tensor();
    auto p = torch::zeros({1, x.size(1)});
    for (auto net : impl_->nets) p = p + torch::sigmoid(net->forward(x, keys).select(2, 0));
    p = (p / static_cast<double>(impl_->nets.size())).contiguous();
    const float* values = p.data_ptr<float>();
    std::copy(values, values + (seq.end - seq.first), probs.begin() + seq.first);
  }
  return probs;
}

std::unique_ptr<SequenceTagger> join_members(const std::vector<const SequenceTagger*>& networks) {
  if (networks.empty() || networks.size() > 16) throw Error("neural tagger: bad ensemble size");
  std::vector<NamedTensor> all;
  NetConfig config = networks.front()->config();
  for (std::size_t m = 0; m < networks.size(); ++m) {
    const NetConfig& c = networks[m]->config();
    if (c.members != 1 || c.input_dim != config.input_dim || c.hidden != config.hidden || c.layers != config.layers ||
        c.outputs != config.outputs || c.reads_linear != config.reads_linear || c.context != config.context ||
        c.word_buckets != config.word_buckets || c.word_dim != config.word_dim) {
      throw Error("neural tagger: only single networks of one shape can be joined");
    }
    for (auto& p : networks[m]->parameters()) {
      p.name = member_prefix(m) + p.name;
      all.push_back(std::move(p));
    }
  }
  config.members = static_cast<std::uint32_t>(networks.size());
  return std::make_unique<SequenceTagger>(config, all);
}

std::unique_ptr<SequenceTagger> train_sequence_tagger(const std::vector<TrainExample>& train,
                                                      const std::vector<TrainExample>& held_out, int vector_dimension,
                                                      const NetTrainOptions& o) {
  if (o.members > 1) {
    // Each member trained on its own from its own seed, then joined.
    std::vector<std::unique_ptr<SequenceTagger>> members;
    for (std::uint32_t m = 0; m < o.members; ++m) {
      NetTrainOptions one = o;
      one.members = 1;
      one.seed = o.seed + 104729 * m;
      members.push_back(train_sequence_tagger(train, held_out, vector_dimension, one));
    }
    std::vector<const SequenceTagger*> ptrs;
    for (const auto& m : members) ptrs.push_back(m.get());
    return join_members(ptrs);
  }
  const bool stacked = !train.empty() && !train.front().linear.empty();
  NetConfig config{input_dim(vector_dimension, stacked), o.hidden, o.layers, 1 + o.technique_outputs, stacked, 1,
                   o.context, o.word_buckets, o.word_buckets > 0 ? o.word_dim : 0u};
  auto tagger = std::make_unique<SequenceTagger>(config, o.seed);
  Net& net = tagger->impl_->nets.front();
  net->dropout = o.dropout;

  std::vector<std::vector<float>> inputs(train.size());
  std::vector<const std::vector<float>*> input_ptrs(train.size());
  std::vector<std::vector<std::int64_t>> keys(train.size());
  std::vector<const std::vector<std::int64_t>*> key_ptrs(train.size());
  std::vector<std::vector<float>> token_weights(train.size());
  std::vector<Sequence> seqs;
  for (std::size_t e = 0; e < train.size(); ++e) {
    token_weights[e] = passage_token_weights(train[e].labels, o.span_length_power);
    if (o.near_weight != 1.0f || o.sentence_power != 0.0f) {
      weigh_words_outside_passages(*train[e].view, train[e].labels, o.near_weight, o.sentence_power,
                                   token_weights[e]);
    }
    inputs[e] = token_inputs(*train[e].view, train[e].linear);
    input_ptrs[e] = &inputs[e];
    if (config.word_buckets > 0) keys[e] = token_keys(*train[e].view, config.word_buckets);
    key_ptrs[e] = &keys[e];
    auto s = sentences_of(*train[e].view, e, o.context);
    seqs.insert(seqs.end(), s.begin(), s.end());
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

  // The batches' sentences, for the sentence loss: the batches stay the
  // same from epoch to epoch, only their order changes.
  std::vector<std::vector<BatchSentence>> sentences_of_batch;
  if (o.sentence_loss > 0.0f) {
    for (const auto& batch : batches) sentences_of_batch.push_back(batch_sentences(batch, train));
  }

  torch::optim::Adam optimizer(net->parameters(), torch::optim::AdamOptions(o.learning_rate));
  auto dropout_gen = at::make_generator<at::CPUGeneratorImpl>(o.seed + 1);
  std::mt19937_64 rng(o.seed);
  double best = -1.0;
  std::vector<NamedTensor> best_params = tagger->parameters();
  int averaged = 0;
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
      if (o.word_dropout > 0.0 && vector_dimension > 0) {
        // The vector and the flag that says the word has one.
        auto hidden = torch::empty({x.size(0), T, 1}).bernoulli_(1.0 - o.word_dropout, dropout_gen);
        x.narrow(2, 0, vector_dimension + 1).mul_(hidden);
      }
      const auto batch_key = config.word_buckets > 0 ? batch_keys(batch, key_ptrs) : torch::Tensor();
      auto y = torch::zeros({static_cast<std::int64_t>(batch.size()), T});
      auto mask = torch::zeros({static_cast<std::int64_t>(batch.size()), T});
      const auto K = static_cast<std::int64_t>(o.technique_outputs);
      auto yt = torch::zeros({static_cast<std::int64_t>(batch.size()), T, std::max<std::int64_t>(K, 1)});
      auto ya = y.accessor<float, 2>();
      auto ma = mask.accessor<float, 2>();
      auto yta = yt.accessor<float, 3>();
      for (std::size_t b = 0; b < batch.size(); ++b) {
        const auto& ex = train[batch[b].example];
        const auto bb = static_cast<std::int64_t>(b);
        for (int t = batch[b].first; t < batch[b].end; ++t) {
          const auto tt = t - batch[b].first;
          ya[bb][tt] = ex.labels[static_cast<std::size_t>(t)];
          ma[bb][tt] = token_weights[batch[b].example][static_cast<std::size_t>(t)];
          for (std::int64_t k = 0; k < K; ++k) {
            yta[bb][tt][k] = (ex.techniques[static_cast<std::size_t>(t)] >> k) & 1u ? 1.0f : 0.0f;
          }
        }
      }
      optimizer.zero_grad();
      auto logits = net->forward(x, batch_key, dropout_gen);
      auto bce = [&](const torch::Tensor& z, const torch::Tensor& target) {
        return torch::binary_cross_entropy_with_logits(z, target, {}, {}, torch::Reduction::None);
      };
      // Normalised by the number of tokens, not their weights: lighter
      // passage words lower the loss rather than raise the others'.
      const auto tokens = (mask > 0.0f).sum().to(torch::kFloat);
      auto loss = (bce(logits.select(2, 0), y) * mask).sum() / tokens;
      if (K > 0) {
        auto aux = bce(logits.narrow(2, 1, K), yt).mean(2);
        loss = loss + o.technique_loss_weight * (aux * mask).sum() / tokens;
      }
      if (o.sentence_loss > 0.0f) {
        // Each sentence's highest token logit: a [sentences, batch x time]
        // mask picks the sentence's positions out of the flattened logits.
        const auto& sentences = sentences_of_batch[bi];
        const auto S = static_cast<std::int64_t>(sentences.size());
        auto inside = torch::zeros({S, static_cast<std::int64_t>(batch.size()) * T}, torch::kBool);
        auto target = torch::zeros({S});
        auto ia = inside.accessor<bool, 2>();
        auto ta = target.accessor<float, 1>();
        for (std::int64_t k = 0; k < S; ++k) {
          const auto& s = sentences[static_cast<std::size_t>(k)];
          for (auto t = s.first; t < s.end; ++t) ia[k][s.row * T + t] = true;
          ta[k] = s.label;
        }
        const auto z = logits.select(2, 0).reshape({1, -1}).expand({S, -1}).masked_fill(inside.logical_not(), -1e4);
        loss = loss + o.sentence_loss * bce(std::get<0>(z.max(1)), target).mean();
      }
      loss.backward();
      torch::nn::utils::clip_grad_norm_(net->parameters(), 1.0);
      optimizer.step();
      total_loss += loss.item<double>();
    }
    net->eval();
    std::ostringstream msg;
    msg << "  neural epoch " << epoch + 1 << "/" << o.epochs << ": loss "
        << total_loss / static_cast<double>(batches.size());
    if (o.select && !held_out.empty()) {
      // The held-out examples are tagged by the analysis forward pass, which
      // reads this epoch's weights.
      auto params = tagger->parameters();
      tagger->impl_->sync(config, params);
      std::vector<std::vector<float>> probs;
      for (const auto& ex : held_out) probs.push_back(tagger->predict(*ex.view, ex.linear));
      const double score = o.select(probs);
      msg << ", held-out " << score;
      if (score > best) {
        best = score;
        best_params = std::move(params);
      }
    } else if (epoch >= o.epochs - std::max(1, o.average_last)) {
      // The mean of the last epochs' weights (without held-out selection).
      auto params = tagger->parameters();
      if (averaged == 0) {
        best_params = std::move(params);
      } else {
        for (std::size_t i = 0; i < params.size(); ++i) {
          for (std::size_t j = 0; j < params[i].values.size(); ++j) best_params[i].values[j] += params[i].values[j];
        }
      }
      ++averaged;
    }
    if (o.progress) o.progress(msg.str());
  }
  if (averaged > 1) {
    for (auto& p : best_params) {
      for (auto& v : p.values) v /= static_cast<float>(averaged);
    }
  }
  return std::make_unique<SequenceTagger>(config, best_params);
}

}  // namespace propscan::neural
