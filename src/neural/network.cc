#include "neural/network.h"

#include <dlfcn.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string_view>
#include <unordered_map>

#include "propscan/error.h"

namespace propscan::neural {
namespace {
constexpr std::uint32_t kSurfaceFeatures = 11 + lexicon::kNumCueKinds;
}

std::uint32_t input_dim(int vector_dimension) {
  return static_cast<std::uint32_t>(vector_dimension) + kSurfaceFeatures;
}

std::vector<float> token_inputs(const features::ArticleView& view) {
  std::vector<float> x;
  token_inputs(view, 0, static_cast<int>(view.tokens.size()), x);
  return x;
}

void token_inputs(const features::ArticleView& view, int first, int end, std::vector<float>& x) {
  const auto d = static_cast<std::size_t>(view.vector_dimension);
  const std::size_t width = input_dim(view.vector_dimension);
  x.assign(static_cast<std::size_t>(end - first) * width, 0.0f);
  for (auto i = static_cast<std::size_t>(first); i < static_cast<std::size_t>(end); ++i) {
    float* row = x.data() + (i - static_cast<std::size_t>(first)) * width;
    if (d && view.vectors[i]) std::copy(view.vectors[i], view.vectors[i] + d, row);
    float* s = row + d;
    s[0] = d && view.vectors[i] ? 1.0f : 0.0f;
    s[1] = view.tokens[i].kind == text::TokenKind::kSymbol ? 1.0f : 0.0f;
    const float v = view.valence.empty() ? 0.0f : view.valence[i];
    s[2] = v / 4.0f;
    s[3] = std::abs(v) / 4.0f;
    const std::string& shape = view.shapes[i];
    s[4] = !shape.empty() && shape[0] == 'X' ? 1.0f : 0.0f;
    s[5] = shape == "X" && view.words[i].size() > 1 ? 1.0f : 0.0f;
    s[6] = view.tokens[i].kind == text::TokenKind::kPunct ? 1.0f : 0.0f;
    s[7] = view.tokens[i].kind == text::TokenKind::kNumber ? 1.0f : 0.0f;
    s[8] = view.in_quotes[i] ? 1.0f : 0.0f;
    s[9] = view.line_of_token[i] == 0 ? 1.0f : 0.0f;
    auto it = view.word_count.find(view.words[i]);
    const int count = it == view.word_count.end() ? 1 : it->second;
    s[10] = view.words[i].size() >= 4 ? std::log(static_cast<float>(count)) / 3.0f : 0.0f;
    const unsigned cues = view.cues.empty() ? 0u : view.cues[i];
    for (int k = 0; k < lexicon::kNumCueKinds; ++k) s[11 + k] = (cues >> k) & 1u ? 1.0f : 0.0f;
  }
}

std::vector<LstmInference::Run> sentence_runs(const features::ArticleView& view, std::uint32_t context) {
  std::vector<LstmInference::Run> runs;
  for (std::size_t s = 0; s < view.sentences.size(); ++s) {
    const int first = view.sentence_first_token[s], end = view.sentence_end_token[s];
    if (end <= first) continue;
    if (!runs.empty() && runs.back().end == first && end - runs.back().first <= static_cast<int>(context)) {
      runs.back().end = end;
    } else {
      runs.push_back({first, end});
    }
  }
  return runs;
}

void set_blas_threads(int threads) {
  // OpenBLAS keeps its own pool, which serialises calls from several threads
  // unless told to run in the caller's thread. Looked up at run time because
  // the system BLAS is chosen by Debian's alternatives and may not be OpenBLAS.
  using SetThreads = void (*)(int);
  if (auto* set_blas = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) {
    set_blas(std::max(1, threads));
  }
}

namespace {

void check(const NetConfig& c) {
  if (c.input_dim == 0 || c.input_dim > 4096 || c.hidden == 0 || c.hidden > 4096 || c.layers == 0 || c.layers > 8 ||
      c.context == 0 || c.context > 100'000) {
    throw Error("neural network: bad size");
  }
}

}  // namespace

Network::Network(NetConfig config, std::vector<NamedTensor> parameters)
    : config_((check(config), config)),
      parameters_(std::move(parameters)),
      forward_(parameters_, config_.input_dim, config_.hidden, config_.layers) {
  // Every parameter is read by the forward pass: one it does not know is a
  // network of another shape.
  if (parameters_.size() != 4 * 2 * config_.layers + 2) throw Error("neural network: wrong number of parameters");
}

std::vector<float> Network::predict(const features::ArticleView& view) const {
  std::vector<float> probs(view.tokens.size(), 0.0f);
  const auto runs = sentence_runs(view, config_.context);
  if (runs.empty()) return probs;
  if (input_dim(view.vector_dimension) != config_.input_dim) {
    throw Error("neural network: the article's word vectors do not fit the network");
  }
  // A few thousand tokens at a time: the inputs of a whole long article
  // would be hundreds of megabytes, fresh zeroed pages each time. Runs are
  // independent sequences, so the result is the same.
  constexpr int kChunkTokens = 4096;
  const std::size_t width = config_.input_dim;
  thread_local std::vector<float> inputs, earlier;
  // A run whose inputs equal an earlier run's, bit for bit, gets that run's
  // probabilities without a second forward pass: repeated lines (a
  // boilerplate footer, `No. No. No.`) cost a hash instead of the network,
  // which would otherwise be most of the time of such an article.
  std::unordered_multimap<std::size_t, LstmInference::Run> computed;
  struct Copy {
    int from, to, size;
  };
  std::vector<Copy> copies;
  std::vector<LstmInference::Run> chunk;
  for (std::size_t r = 0; r < runs.size();) {
    const int first = runs[r].first;
    std::size_t r_end = r;
    while (r_end < runs.size() && (r_end == r || runs[r_end].end - first <= kChunkTokens)) ++r_end;
    const int end = runs[r_end - 1].end;
    token_inputs(view, first, end, inputs);
    auto bytes_of = [&](const std::vector<float>& x, int offset, int size) {
      return std::string_view(reinterpret_cast<const char*>(x.data() + static_cast<std::size_t>(offset) * width),
                              static_cast<std::size_t>(size) * width * sizeof(float));
    };
    chunk.clear();
    copies.clear();
    for (; r < r_end; ++r) {
      const LstmInference::Run run = runs[r];
      const std::string_view mine = bytes_of(inputs, run.first - first, run.size());
      const std::size_t key = std::hash<std::string_view>{}(mine);
      bool found = false;
      for (auto [it, stop] = computed.equal_range(key); it != stop && !found; ++it) {
        const LstmInference::Run seen = it->second;
        if (seen.size() != run.size()) continue;
        if (seen.first >= first) {
          found = bytes_of(inputs, seen.first - first, seen.size()) == mine;
        } else {
          token_inputs(view, seen.first, seen.end, earlier);
          found = bytes_of(earlier, 0, seen.size()) == mine;
        }
        if (found) copies.push_back({seen.first, run.first, run.size()});
      }
      if (found) continue;
      computed.emplace(key, run);
      chunk.push_back({run.first - first, run.end - first});
    }
    if (!chunk.empty()) {
      forward_.predict(inputs, chunk, std::span<float>(probs).subspan(static_cast<std::size_t>(first),
                                                                      static_cast<std::size_t>(end - first)));
    }
    for (const Copy& c : copies) {
      std::copy_n(probs.begin() + c.from, c.size, probs.begin() + c.to);
    }
  }
  return probs;
}

}  // namespace propscan::neural
