#include "model/linear.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace propscan::model {
namespace {

float sigmoid(float z) { return 1.0f / (1.0f + std::exp(-z)); }

std::vector<std::size_t> shuffled_order(std::size_t n, std::mt19937_64& rng) {
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  // std::shuffle's algorithm is implementation-defined; Fisher-Yates by hand
  // keeps training reproducible across standard libraries.
  for (std::size_t i = n; i > 1; --i) {
    std::size_t j = static_cast<std::size_t>(rng() % i);
    std::swap(order[i - 1], order[j]);
  }
  return order;
}

}  // namespace

float linear_score(std::span<const float> w, const features::SparseVector& x, float z0) {
  float z = z0;
  for (std::size_t k = 0; k < x.size(); ++k) z += w[x.index[k]] * x.value[k];
  return z;
}

float logistic(float z) { return sigmoid(z); }

float logistic_predict(std::span<const float> w, const features::SparseVector& x) {
  return sigmoid(linear_score(w, x));
}

std::vector<float> train_logistic(const std::vector<features::SparseVector>& xs,
                                  const std::vector<float>& targets, std::uint32_t dimension,
                                  const SgdOptions& opt) {
  std::vector<float> w(dimension, 0.0f);
  std::vector<float> g2(dimension, 1e-6f);
  std::mt19937_64 rng(opt.seed);
  for (int epoch = 0; epoch < opt.epochs; ++epoch) {
    for (std::size_t idx : shuffled_order(xs.size(), rng)) {
      const auto& x = xs[idx];
      const float p = logistic_predict(w, x);
      const float err = p - targets[idx];
      for (std::size_t k = 0; k < x.size(); ++k) {
        const std::uint32_t j = x.index[k];
        const float g = err * x.value[k] + opt.l2 * w[j];
        g2[j] += g * g;
        const float update = opt.learning_rate * g / std::sqrt(g2[j]);
        w[j] -= update;
      }
    }
  }
  return w;
}

void softmax_predict(std::span<const float> w, const features::SparseVector& x, std::span<float> probs) {
  const std::size_t classes = probs.size();
  std::fill(probs.begin(), probs.end(), 0.0f);
  // Feature-major layout: a feature's weights for every class are adjacent,
  // one cache line instead of one miss per class.
  for (std::size_t k = 0; k < x.size(); ++k) {
    const float* wj = w.data() + static_cast<std::size_t>(x.index[k]) * classes;
    const float v = x.value[k];
    for (std::size_t c = 0; c < classes; ++c) probs[c] += wj[c] * v;
  }
  const float max_z = *std::max_element(probs.begin(), probs.end());
  float total = 0.0f;
  for (float& p : probs) {
    p = std::exp(p - max_z);
    total += p;
  }
  for (float& p : probs) p /= total;
}

std::vector<float> train_softmax(const std::vector<features::SparseVector>& xs,
                                 const std::vector<std::uint16_t>& labels, std::uint32_t dimension,
                                 std::size_t classes, const SgdOptions& opt) {
  std::vector<float> w(classes * dimension, 0.0f);
  std::vector<float> g2(classes * dimension, 1e-6f);
  std::vector<float> probs(classes);
  std::mt19937_64 rng(opt.seed);
  for (int epoch = 0; epoch < opt.epochs; ++epoch) {
    for (std::size_t idx : shuffled_order(xs.size(), rng)) {
      const auto& x = xs[idx];
      softmax_predict(w, x, probs);
      for (std::size_t k = 0; k < x.size(); ++k) {
        const std::size_t base = static_cast<std::size_t>(x.index[k]) * classes;
        for (std::size_t c = 0; c < classes; ++c) {
          const float err = probs[c] - (labels[idx] == c ? 1.0f : 0.0f);
          const float g = err * x.value[k] + opt.l2 * w[base + c];
          g2[base + c] += g * g;
          w[base + c] -= opt.learning_rate * g / std::sqrt(g2[base + c]);
        }
      }
    }
  }
  return w;
}

std::pair<float, float> fit_platt(const std::vector<float>& x, const std::vector<std::uint8_t>& y) {
  double a = 1.0, b = 0.0;
  for (int iter = 0; iter < 50; ++iter) {
    // Gradient and Hessian of the mean log loss, with a tiny ridge for stability.
    double ga = 1e-6 * a, gb = 0.0, haa = 1e-6, hab = 0.0, hbb = 1e-9;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double p = 1.0 / (1.0 + std::exp(-(a * x[i] + b)));
      const double e = p - y[i], w = p * (1.0 - p);
      ga += e * x[i];
      gb += e;
      haa += w * x[i] * x[i];
      hab += w * x[i];
      hbb += w;
    }
    const double det = haa * hbb - hab * hab;
    if (std::abs(det) < 1e-12) break;
    const double da = (hbb * ga - hab * gb) / det, db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (std::abs(da) + std::abs(db) < 1e-7) break;
  }
  return {static_cast<float>(a), static_cast<float>(b)};
}

}  // namespace propscan::model
