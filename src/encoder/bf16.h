// The encoder's dense layers with bfloat16 products: y = bf16(x) bf16(W) + b,
// the products summed in float. On a CPU with AMX they run through oneDNN's
// AMX kernels, about five times the speed of the float products (Eigen's
// AVX-512 kernels); elsewhere the same values are rounded to bfloat16 and
// multiplied in float by gemm(). Both paths give the same result up to the
// order of the float sums. docs/experiments.md (fifteenth round) has the
// measured effect on speed and accuracy.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

namespace propscan::encoder {

// `v` rounded to the nearest bfloat16 (ties to even), as a float.
float round_to_bf16(float v);

class Bf16Dense {
 public:
  enum class Path { fastest, emulated };

  Bf16Dense() = default;
  // `w` row-major [in x out].
  Bf16Dense(const std::vector<float>& w, int in, int out);

  // y[n x out] = bf16(x[n x in]) bf16(W) + bias, row-major, thread-safe.
  void apply(const float* x, int n, const std::vector<float>& bias, float* y, Path path = Path::fastest) const;

  // Whether apply() runs on AMX through oneDNN on this CPU.
  static bool uses_amx();

 private:
  struct Amx;
  int in_ = 0, out_ = 0;
  std::vector<float> rounded_;  // bf16(W) as floats, [in x out]
  std::shared_ptr<const Amx> amx_;
};

}  // namespace propscan::encoder
