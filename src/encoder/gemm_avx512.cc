// Compiled with AVX-512 enabled (CMakeLists.txt) and called only on a CPU
// that has it. Nothing but Eigen and this function is compiled here: an
// inline function of another header compiled here with AVX-512 could be the
// copy the linker keeps for the whole library.
#include <Eigen/Core>

#include "encoder/gemm.h"

namespace propscan::encoder::avx512 {

void gemm(int m, int n, int k, float alpha, Matrix a, Matrix b, bool transpose_b, float beta, float* c, int ldc) {
  using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using Stride = Eigen::OuterStride<>;
  const Eigen::Map<const RowMajor, 0, Stride> A(a.data, m, k, Stride(a.ld));
  Eigen::Map<RowMajor, 0, Stride> C(c, m, n, Stride(ldc));
  if (transpose_b) {
    const Eigen::Map<const RowMajor, 0, Stride> B(b.data, n, k, Stride(b.ld));
    if (beta == 0.0f) {
      C.noalias() = alpha * A * B.transpose();
    } else {
      C.noalias() += alpha * A * B.transpose();
    }
  } else {
    const Eigen::Map<const RowMajor, 0, Stride> B(b.data, k, n, Stride(b.ld));
    if (beta == 0.0f) {
      C.noalias() = alpha * A * B;
    } else {
      C.noalias() += alpha * A * B;
    }
  }
}

}  // namespace propscan::encoder::avx512
