#include "neural/technique_network.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>

#include "propscan/error.h"

namespace propscan::neural {

void TechniqueNetwork::check() const {
  const auto in = static_cast<std::size_t>(input), h = static_cast<std::size_t>(hidden);
  if (in == 0 || h == 0 || w1.size() != h * in || b1.size() != h || w2.size() != kNumTechniques * h ||
      b2.size() != kNumTechniques || !(weight >= 0.0f && weight <= 1.0f)) {
    throw Error("technique network: parameters do not fit its sizes");
  }
}

std::array<float, kNumTechniques> TechniqueNetwork::log_probabilities(const std::vector<float>& x) const {
  thread_local std::vector<float> z;
  z.assign(b1.begin(), b1.end());
  cblas_sgemv(CblasRowMajor, CblasNoTrans, static_cast<int>(hidden), static_cast<int>(input), 1.0f, w1.data(),
              static_cast<int>(input), x.data(), 1, 1.0f, z.data(), 1);
  for (auto& v : z) v = std::max(v, 0.0f);
  std::array<float, kNumTechniques> out{};
  std::copy(b2.begin(), b2.end(), out.begin());
  cblas_sgemv(CblasRowMajor, CblasNoTrans, static_cast<int>(kNumTechniques), static_cast<int>(hidden), 1.0f,
              w2.data(), static_cast<int>(hidden), z.data(), 1, 1.0f, out.data(), 1);
  const float top = *std::max_element(out.begin(), out.end());
  double sum = 0.0;
  for (float v : out) sum += std::exp(static_cast<double>(v - top));
  const auto log_sum = static_cast<float>(std::log(sum)) + top;
  for (auto& v : out) v -= log_sum;
  return out;
}

}  // namespace propscan::neural
