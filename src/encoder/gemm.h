// The encoder's matrix products, row-major: C = alpha A B + beta C, with B
// transposed when asked. On a CPU with AVX-512 they run through Eigen
// compiled for it (gemm_avx512.cc); elsewhere through the system CBLAS.
// Debian 12's OpenBLAS (0.3.21) does not recognise recent Intel cores and
// runs its AVX2 kernels there, at about 0.55 times the speed of Eigen's
// AVX-512 ones (docs/experiments.md, twelfth round).
#pragma once

#include <vector>

namespace propscan::encoder {

struct Matrix {
  const float* data;
  int ld;  // row stride
};

// C[m x n] = alpha A[m x k] B + beta C, B being [k x n], or [n x k] when
// `transpose_b`. beta is 0 or 1.
void gemm(int m, int n, int k, float alpha, Matrix a, Matrix b, bool transpose_b, float beta, float* c, int ldc);

// y[n x out] = x[n x in] w[in x out] + bias on every row, all row-major.
void affine(const float* x, int n, int in, const float* w, const std::vector<float>& bias, int out, float* y);

// Whether gemm() runs the AVX-512 kernels on this CPU.
bool gemm_uses_avx512();

namespace avx512 {
// Only called when the CPU has AVX-512 (F, DQ, BW, VL).
void gemm(int m, int n, int k, float alpha, Matrix a, Matrix b, bool transpose_b, float beta, float* c, int ldc);
}  // namespace avx512

}  // namespace propscan::encoder
