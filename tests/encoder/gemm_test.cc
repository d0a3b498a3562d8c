// The encoder's matrix products against a plain triple loop, on whichever
// path this CPU takes (Eigen's AVX-512 kernels or the system CBLAS).
#include "encoder/gemm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace propscan::encoder {
namespace {

std::vector<float> filled(int n, int salt) {
  std::vector<float> v(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = static_cast<float>((i * 37 + salt) % 23) / 11.0f - 1.0f;
  return v;
}

// Row-major m x n result of alpha A B (+ C), A and B read with strides.
void check(int m, int n, int k, bool transpose_b, float beta) {
  const int lda = k + 3, ldb = (transpose_b ? k : n) + 5, ldc = n + 2;
  const auto a = filled(m * lda, 1);
  const auto b = filled((transpose_b ? n : k) * ldb, 2);
  auto c = filled(m * ldc, 3);
  const auto before = c;
  const float alpha = 0.5f;
  gemm(m, n, k, alpha, {a.data(), lda}, {b.data(), ldb}, transpose_b, beta, c.data(), ldc);
  for (int r = 0; r < m; ++r) {
    for (int col = 0; col < n; ++col) {
      double sum = 0.0;
      for (int i = 0; i < k; ++i) {
        const float bv = transpose_b ? b[static_cast<std::size_t>(col * ldb + i)] : b[static_cast<std::size_t>(i * ldb + col)];
        sum += static_cast<double>(a[static_cast<std::size_t>(r * lda + i)]) * bv;
      }
      const double expected = alpha * sum + beta * before[static_cast<std::size_t>(r * ldc + col)];
      ASSERT_NEAR(c[static_cast<std::size_t>(r * ldc + col)], expected, 1e-4 * (1.0 + std::fabs(expected)))
          << m << "x" << n << "x" << k << " at " << r << "," << col;
    }
    // The padding past each row's n columns is left alone.
    EXPECT_EQ(c[static_cast<std::size_t>(r * ldc + n)], before[static_cast<std::size_t>(r * ldc + n)]);
  }
}

TEST(GemmTest, MatchesAPlainLoopWithStridesTransposedOrNotAddingOrNot) {
  for (const bool transpose_b : {false, true}) {
    for (const float beta : {0.0f, 1.0f}) {
      check(1, 1, 1, transpose_b, beta);
      check(7, 13, 5, transpose_b, beta);
      check(33, 64, 128, transpose_b, beta);
      check(70, 96, 512, transpose_b, beta);
    }
  }
}

TEST(GemmTest, AnEmptyProductWritesNothing) {
  std::vector<float> c{1.0f, 2.0f};
  const std::vector<float> a{1.0f}, b{1.0f};
  gemm(0, 2, 1, 1.0f, {a.data(), 1}, {b.data(), 2}, false, 0.0f, c.data(), 2);
  EXPECT_EQ(c, (std::vector<float>{1.0f, 2.0f}));
}

}  // namespace
}  // namespace propscan::encoder
