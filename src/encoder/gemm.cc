#include "encoder/gemm.h"

#include <cblas.h>

#include <algorithm>

namespace propscan::encoder {

bool gemm_uses_avx512() {
  static const bool avx512 = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
  }();
  return avx512;
}

void gemm(int m, int n, int k, float alpha, Matrix a, Matrix b, bool transpose_b, float beta, float* c, int ldc) {
  if (m == 0 || n == 0) return;
  if (gemm_uses_avx512()) {
    avx512::gemm(m, n, k, alpha, a, b, transpose_b, beta, c, ldc);
    return;
  }
  cblas_sgemm(CblasRowMajor, CblasNoTrans, transpose_b ? CblasTrans : CblasNoTrans, m, n, k, alpha, a.data, a.ld,
              b.data, b.ld, beta, c, ldc);
}

void affine(const float* x, int n, int in, const float* w, const std::vector<float>& bias, int out, float* y) {
  for (int r = 0; r < n; ++r) std::copy(bias.begin(), bias.end(), y + static_cast<std::size_t>(r) * out);
  gemm(n, out, in, 1.0f, {x, in}, {w, out}, false, 1.0f, y, out);
}

}  // namespace propscan::encoder
