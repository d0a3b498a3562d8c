#include "neural/lstm_inference.h"

#include <cblas.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <numeric>

#include "neural/network.h"
#include "propscan/error.h"

namespace propscan::neural {
namespace {

const std::vector<float>& find(const std::vector<NamedTensor>& parameters, const std::string& name,
                               const std::vector<std::int64_t>& shape) {
  for (const auto& p : parameters) {
    if (p.name != name) continue;
    if (p.shape != shape) throw Error("neural network: parameter '" + name + "' has the wrong shape");
    return p.values;
  }
  throw Error("neural network: parameter '" + name + "' is missing");
}

// e^x for each value, written so that the compiler turns the loop into
// vector instructions: libm's expf and tanhf, one value at a time, held a
// third of the profile of a first version of this pass. The reduction and polynomial are the classic
// single-precision ones (Cephes expf): relative error below 2e-7 over the
// range, which the clamp keeps finite.
// Built twice, for AVX2 and for any x86-64, chosen when the program loads
// (the same operations in the same order: the same results on both).
#if defined(__x86_64__) && defined(__GNUC__)
#define PROPSCAN_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define PROPSCAN_VECTOR_CLONES
#endif

PROPSCAN_VECTOR_CLONES void exp_in_place(float* x, std::size_t n) {
  // Into the range where 2^k is a normal float (NaN to the low end). A loop
  // of its own: GCC vectorises neither loop once they are one.
  for (std::size_t i = 0; i < n; ++i) {
    const float v = !(x[i] >= -87.0f) ? -87.0f : x[i];
    x[i] = v > 87.0f ? 87.0f : v;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const float v = x[i];
    const float t = v * 1.44269504088896341f + 0.5f;
    const std::int32_t truncated = static_cast<std::int32_t>(t);
    const std::int32_t k = truncated - (static_cast<float>(truncated) > t ? 1 : 0);  // floor
    const float kf = static_cast<float>(k);
    const float r = v - kf * 0.693359375f - kf * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    x[i] = p * std::bit_cast<float>((k + 127) << 23);
  }
}

// 1 / (1 + e^-x) for each value.
void sigmoid_in_place(float* x, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) x[i] = -x[i];
  exp_in_place(x, n);
  for (std::size_t i = 0; i < n; ++i) x[i] = 1.0f / (1.0f + x[i]);
}

// tanh x = 2 sigmoid(2x) - 1 for each value (absolute error below 1e-7).
void tanh_in_place(float* x, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) x[i] = -2.0f * x[i];
  exp_in_place(x, n);
  for (std::size_t i = 0; i < n; ++i) x[i] = 2.0f / (1.0f + x[i]) - 1.0f;
}


// out[rows x n] = x[rows x k] * w[n x k]^T, added to what `out` holds when
// `accumulate`.
void multiply(const float* x, int rows, int k, const float* w, int n, float* out, bool accumulate = false) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, n, k, 1.0f, x, k, w, k, accumulate ? 1.0f : 0.0f, out,
              n);
}

// Working memory of one thread's forward passes, kept between articles:
// arrays of a megabyte or more, allocated afresh for each article, come
// from the kernel as new zeroed pages every time (a fifth of the run time).
struct Scratch {
  std::vector<float> x, y, gates, h, c, z, cell;

  static Scratch& of_this_thread() {
    thread_local Scratch scratch;
    return scratch;
  }
  // `n` values of `v`, contents unspecified.
  static float* take(std::vector<float>& v, std::size_t n) {
    if (v.size() < n) v.resize(n);
    return v.data();
  }
  // After an unusually long article, gives the memory back.
  void trim() {
    constexpr std::size_t kKeep = std::size_t{1} << 22;  // floats
    for (auto* v : {&x, &y, &gates, &h, &c, &z, &cell}) {
      if (v->size() > kKeep) std::vector<float>().swap(*v);
    }
  }
};

}  // namespace

LstmInference::LstmInference(const std::vector<NamedTensor>& parameters, std::uint32_t input_dim,
                             std::uint32_t hidden, std::uint32_t layers)
    : input_dim_(static_cast<int>(input_dim)), hidden_(static_cast<int>(hidden)) {
  const std::int64_t H = hidden, G = 4 * H;
  std::int64_t input = static_cast<std::int64_t>(input_dim);
  for (std::uint32_t l = 0; l < layers; ++l) {
    const std::string name = l == 0 ? "lstm" : "lstm" + std::to_string(l + 1);
    Layer layer;
    for (const bool reverse : {false, true}) {
      const std::string suffix = reverse ? "_l0_reverse" : "_l0";
      Direction& d = reverse ? layer.backward : layer.forward;
      d.w_ih = find(parameters, name + ".weight_ih" + suffix, {G, input});
      d.w_hh = find(parameters, name + ".weight_hh" + suffix, {G, H});
      d.bias = find(parameters, name + ".bias_ih" + suffix, {G});
      const auto& b_hh = find(parameters, name + ".bias_hh" + suffix, {G});
      for (std::size_t j = 0; j < d.bias.size(); ++j) d.bias[j] += b_hh[j];
    }
    layers_.push_back(std::move(layer));
    input = 2 * H;
  }
  out_w_ = find(parameters, "out.weight", {1, input});
  out_b_ = find(parameters, "out.bias", {1}).front();
}

void LstmInference::run_direction(const Direction& d, const float* x, int input, const std::vector<Run>& runs,
                                  const std::vector<int>& row_of_run, const std::vector<int>& by_length,
                                  bool reverse, float* out) const {
  const int H = hidden_, G = 4 * H;
  const int rows = row_of_run.back();
  // The input side of every token at once, with both biases.
  Scratch& scratch = Scratch::of_this_thread();
  float* gates = Scratch::take(scratch.gates, static_cast<std::size_t>(rows) * static_cast<std::size_t>(G));
  multiply(x, rows, input, d.w_ih.data(), G, gates);
  for (int r = 0; r < rows; ++r) {
    float* g = gates + static_cast<std::size_t>(r) * static_cast<std::size_t>(G);
    for (int j = 0; j < G; ++j) g[j] += d.bias[static_cast<std::size_t>(j)];
  }
  // State of each run, in order of decreasing length, so that the runs still
  // going at step t are a prefix.
  const std::size_t n = by_length.size();
  float* h = Scratch::take(scratch.h, n * static_cast<std::size_t>(H));
  float* c = Scratch::take(scratch.c, n * static_cast<std::size_t>(H));
  std::fill(h, h + n * static_cast<std::size_t>(H), 0.0f);
  std::fill(c, c + n * static_cast<std::size_t>(H), 0.0f);
  float* z = Scratch::take(scratch.z, n * static_cast<std::size_t>(G));
  float* cell = Scratch::take(scratch.cell, static_cast<std::size_t>(H));
  auto length = [&](std::size_t k) { return runs[static_cast<std::size_t>(by_length[k])].size(); };
  auto row_at = [&](std::size_t k, int t) {
    return row_of_run[static_cast<std::size_t>(by_length[k])] + (reverse ? length(k) - 1 - t : t);
  };
  const auto h_size = static_cast<std::size_t>(H), g_size = static_cast<std::size_t>(G);
  std::size_t active = n;
  for (int t = 0;; ++t) {
    while (active > 0 && length(active - 1) <= t) --active;
    if (active == 0) break;
    // Pre-activations of the runs still going: input side plus recurrent side.
    for (std::size_t k = 0; k < active; ++k) {
      const float* g = gates + static_cast<std::size_t>(row_at(k, t)) * g_size;
      std::copy(g, g + G, z + k * g_size);
    }
    if (t > 0) multiply(h, static_cast<int>(active), H, d.w_hh.data(), G, z, /*accumulate=*/true);
    for (std::size_t k = 0; k < active; ++k) {
      float* zk = z + k * g_size;  // gates i, f, g, o
      sigmoid_in_place(zk, 2 * h_size);
      tanh_in_place(zk + 2 * h_size, h_size);
      sigmoid_in_place(zk + 3 * h_size, h_size);
      float* ck = c + k * h_size;
      for (std::size_t j = 0; j < h_size; ++j) {
        ck[j] = zk[h_size + j] * ck[j] + zk[j] * zk[2 * h_size + j];
        cell[j] = ck[j];
      }
      tanh_in_place(cell, h_size);
      float* hk = h + k * h_size;
      float* o = out + static_cast<std::size_t>(row_at(k, t)) * 2 * h_size + (reverse ? h_size : 0);
      for (std::size_t j = 0; j < h_size; ++j) o[j] = hk[j] = zk[3 * h_size + j] * cell[j];
    }
  }
}

void LstmInference::predict(std::span<const float> inputs, const std::vector<Run>& runs,
                            std::span<float> probs) const {
  if (runs.empty() || layers_.empty()) return;
  std::vector<int> row_of_run(runs.size() + 1, 0);
  for (std::size_t r = 0; r < runs.size(); ++r) row_of_run[r + 1] = row_of_run[r] + runs[r].size();
  const int rows = row_of_run.back();
  std::vector<int> by_length(runs.size());
  std::iota(by_length.begin(), by_length.end(), 0);
  std::stable_sort(by_length.begin(), by_length.end(), [&](int a, int b) {
    return runs[static_cast<std::size_t>(a)].size() > runs[static_cast<std::size_t>(b)].size();
  });

  // The first layer's input rows: the tokens' inputs, run after run.
  int width = input_dim_;
  Scratch& scratch = Scratch::of_this_thread();
  float* x = Scratch::take(scratch.x, static_cast<std::size_t>(rows) * static_cast<std::size_t>(width));
  for (std::size_t r = 0; r < runs.size(); ++r) {
    for (int t = runs[r].first; t < runs[r].end; ++t) {
      const auto tok = static_cast<std::size_t>(t);
      float* row = x + static_cast<std::size_t>(row_of_run[r] + t - runs[r].first) * static_cast<std::size_t>(width);
      std::copy_n(inputs.data() + tok * static_cast<std::size_t>(input_dim_), input_dim_, row);
    }
  }
  for (const auto& layer : layers_) {
    // Every row of y is written, half by each direction.
    float* y = Scratch::take(scratch.y, static_cast<std::size_t>(rows) * static_cast<std::size_t>(2 * hidden_));
    run_direction(layer.forward, x, width, runs, row_of_run, by_length, false, y);
    run_direction(layer.backward, x, width, runs, row_of_run, by_length, true, y);
    scratch.x.swap(scratch.y);
    x = y;
    width = 2 * hidden_;
  }
  // Output 0: a run's tokens are consecutive in the article, so its logits
  // go straight into `probs` and become probabilities there.
  for (std::size_t r = 0; r < runs.size(); ++r) {
    float* out = probs.data() + runs[r].first;
    for (int i = 0; i < runs[r].size(); ++i) {
      const float* row = x + static_cast<std::size_t>(row_of_run[r] + i) * static_cast<std::size_t>(width);
      float z = out_b_;
      for (int j = 0; j < width; ++j) z += row[j] * out_w_[static_cast<std::size_t>(j)];
      out[i] = z;
    }
    sigmoid_in_place(out, static_cast<std::size_t>(runs[r].size()));
  }
  scratch.trim();
}

}  // namespace propscan::neural
