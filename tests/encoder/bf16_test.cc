// The encoder's bfloat16 products: the rounding, and the AMX path (on a CPU
// that has it) against the emulated one and against a plain loop over the
// rounded values, across the row blocks the AMX path cuts a product into.
#include "encoder/bf16.h"

#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <vector>

namespace propscan::encoder {
namespace {

TEST(Bf16Test, RoundsToTheNearestBfloat16TiesToEven) {
  EXPECT_EQ(round_to_bf16(1.0f), 1.0f);
  EXPECT_EQ(round_to_bf16(-2.5f), -2.5f);
  EXPECT_EQ(round_to_bf16(0.0f), 0.0f);
  // Near 1 a bfloat16 steps by 2^-7: halfway between 1 and 1 + 2^-7 goes to
  // 1 (even), halfway between 1 + 2^-7 and 1 + 2^-6 goes to 1 + 2^-6.
  EXPECT_EQ(round_to_bf16(1.0f + 0x1p-8f), 1.0f);
  EXPECT_EQ(round_to_bf16(1.0f + 3 * 0x1p-8f), 1.0f + 0x1p-6f);
  EXPECT_EQ(round_to_bf16(1.0f + 0x1p-8f + 0x1p-12f), 1.0f + 0x1p-7f);
  EXPECT_EQ(round_to_bf16(0.1f), 0.10009765625f);
}

std::vector<float> filled(int n, int salt) {
  std::vector<float> v(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = static_cast<float>((i * 37 + salt) % 101) / 37.0f - 1.3f;
  return v;
}

TEST(Bf16Test, ProductsEqualAPlainLoopOverTheRoundedValuesOnEitherPath) {
  std::cout << "AMX: " << (Bf16Dense::uses_amx() ? "yes" : "no") << "\n";
  const int in = 80, out = 48;
  const auto w = filled(in * out, 1);
  const auto bias = filled(out, 2);
  const Bf16Dense dense(w, in, out);
  // 1 row; a small block less one, exactly, plus one; a large block and more.
  for (const int n : {1, 31, 32, 33, 256, 300, 545}) {
    const auto x = filled(n * in, n);
    std::vector<float> fastest(static_cast<std::size_t>(n) * out, -7.0f), emulated = fastest;
    dense.apply(x.data(), n, bias, fastest.data());
    dense.apply(x.data(), n, bias, emulated.data(), Bf16Dense::Path::emulated);
    for (int r = 0; r < n; ++r) {
      for (int c = 0; c < out; ++c) {
        double sum = bias[static_cast<std::size_t>(c)], magnitude = std::fabs(sum);
        for (int i = 0; i < in; ++i) {
          const double p = static_cast<double>(round_to_bf16(x[static_cast<std::size_t>(r * in + i)])) *
                           round_to_bf16(w[static_cast<std::size_t>(i * out + c)]);
          sum += p;
          magnitude += std::fabs(p);
        }
        const std::size_t at = static_cast<std::size_t>(r * out + c);
        // Float sums of 80 terms, in whichever order each path takes.
        ASSERT_NEAR(fastest[at], sum, 1e-5 * magnitude) << n << " rows, at " << r << "," << c;
        ASSERT_NEAR(emulated[at], sum, 1e-5 * magnitude) << n << " rows, at " << r << "," << c;
      }
    }
  }
}

TEST(Bf16Test, NoRowsWritesNothing) {
  const Bf16Dense dense(std::vector<float>(4, 1.0f), 2, 2);
  std::vector<float> y{3.0f};
  dense.apply(nullptr, 0, {0.0f, 0.0f}, y.data());
  EXPECT_EQ(y[0], 3.0f);
}

}  // namespace
}  // namespace propscan::encoder
