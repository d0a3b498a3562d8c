#include "encoder/bf16.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstring>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>

#include "encoder/gemm.h"
#include "propscan/error.h"

namespace propscan::encoder {
namespace {

std::uint16_t bf16_bits(float v) {
  std::uint32_t bits;
  std::memcpy(&bits, &v, 4);
  // Round to nearest, ties to even; the encoder's values are finite.
  return static_cast<std::uint16_t>((bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16);
}

float from_bf16_bits(std::uint16_t b) {
  const std::uint32_t bits = static_cast<std::uint32_t>(b) << 16;
  float v;
  std::memcpy(&v, &bits, 4);
  return v;
}

// The rows a product runs in: blocks of kLargeBlock rows, then of
// kSmallBlock, the last one padded. A primitive is built for each block size
// once, at load, so that none is built while analysing.
constexpr int kLargeBlock = 256;
constexpr int kSmallBlock = 32;

const dnnl::engine& cpu_engine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

// Debian's oneDNN runs its kernels on OpenMP threads, as many as the machine
// has cores by default. Analysis has its own threads (-j): each thread that
// multiplies asks OpenMP for one thread, so a product runs on its caller's
// core. OpenMP is loaded with oneDNN; its setter is looked up there.
void one_openmp_thread_here() {
  thread_local const bool done = [] {
    using Setter = void (*)(int);
    if (auto set = reinterpret_cast<Setter>(dlsym(RTLD_DEFAULT, "omp_set_num_threads"))) set(1);
    return true;
  }();
  (void)done;
}

}  // namespace

float round_to_bf16(float v) { return from_bf16_bits(bf16_bits(v)); }

namespace {

// A product of a fixed number of rows, and the weights in its layout.
struct AmxBlock {
  int rows = 0;
  dnnl::matmul matmul;
  dnnl::memory::desc src, dst, bias;
  dnnl::memory weights;
};

// The block's primitive, or nothing when oneDNN would not run it on AMX.
bool make_block(const std::vector<float>& w, int in, int out, int rows, AmxBlock& block) {
  using dt = dnnl::memory::data_type;
  using tag = dnnl::memory::format_tag;
  const dnnl::memory::dim m = rows, k = in, n = out;
  block.rows = rows;
  block.src = dnnl::memory::desc({m, k}, dt::bf16, tag::ab);
  block.dst = dnnl::memory::desc({m, n}, dt::f32, tag::ab);
  block.bias = dnnl::memory::desc({1, n}, dt::f32, tag::ab);
  const dnnl::memory::desc weights_any({k, n}, dt::bf16, tag::any);
  const auto& engine = cpu_engine();
  const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(block.src, weights_any, block.bias, block.dst), engine);
  if (std::string(pd.impl_info_str()).find("amx") == std::string::npos) return false;
  block.matmul = dnnl::matmul(pd);
  dnnl::memory plain({{k, n}, dt::f32, tag::ab}, engine, const_cast<float*>(w.data()));
  block.weights = dnnl::memory(pd.weights_desc(), engine);
  dnnl::stream stream(engine);
  dnnl::reorder(plain, block.weights).execute(stream, plain, block.weights);
  stream.wait();
  return true;
}

}  // namespace

struct Bf16Dense::Amx {
  AmxBlock large, small;
};

bool Bf16Dense::uses_amx() {
  static const bool amx = [] {
    try {
      const std::vector<float> w(64 * 64, 0.0f);
      AmxBlock block;
      return make_block(w, 64, 64, kSmallBlock, block);
    } catch (const dnnl::error&) {
      return false;
    }
  }();
  return amx;
}

Bf16Dense::Bf16Dense(const std::vector<float>& w, int in, int out) : in_(in), out_(out) {
  rounded_.resize(w.size());
  std::transform(w.begin(), w.end(), rounded_.begin(), round_to_bf16);
  if (!uses_amx()) return;
  try {
    auto amx = std::make_shared<Amx>();
    if (make_block(w, in, out, kLargeBlock, amx->large) && make_block(w, in, out, kSmallBlock, amx->small)) {
      amx_ = std::move(amx);
    }
  } catch (const dnnl::error& e) {
    throw Error(std::string("sentence encoder: oneDNN cannot build a product (") + e.what() + ")");
  }
}

void Bf16Dense::apply(const float* x, int n, const std::vector<float>& bias, float* y, Path path) const {
  if (n == 0) return;
  const std::size_t in = static_cast<std::size_t>(in_), out = static_cast<std::size_t>(out_);
  if (!amx_ || path == Path::emulated) {
    thread_local std::vector<float> rounded_x;
    rounded_x.resize(static_cast<std::size_t>(n) * in);
    std::transform(x, x + rounded_x.size(), rounded_x.begin(), round_to_bf16);
    affine(rounded_x.data(), n, in_, rounded_.data(), bias, out_, y);
    return;
  }
  one_openmp_thread_here();
  const auto& engine = cpu_engine();
  thread_local std::vector<std::uint16_t> src;
  thread_local std::vector<float> padded;
  thread_local dnnl::stream stream(engine);
  const dnnl::memory bias_memory(amx_->large.bias, engine, const_cast<float*>(bias.data()));
  for (int r = 0; r < n;) {
    const AmxBlock& block = n - r >= kLargeBlock ? amx_->large : amx_->small;
    const int rows = std::min(block.rows, n - r);
    src.resize(static_cast<std::size_t>(block.rows) * in);
    const float* from = x + static_cast<std::size_t>(r) * in;
    const auto filled = std::transform(from, from + static_cast<std::size_t>(rows) * in, src.begin(), bf16_bits);
    std::fill(filled, src.end(), std::uint16_t{0});  // a partial block's padding
    float* to = y + static_cast<std::size_t>(r) * out;
    const bool partial = rows < block.rows;
    if (partial) padded.resize(static_cast<std::size_t>(block.rows) * out);
    const dnnl::memory src_memory(block.src, engine, src.data());
    const dnnl::memory dst_memory(block.dst, engine, partial ? padded.data() : to);
    block.matmul.execute(stream, {{DNNL_ARG_SRC, src_memory},
                                  {DNNL_ARG_WEIGHTS, block.weights},
                                  {DNNL_ARG_BIAS, bias_memory},
                                  {DNNL_ARG_DST, dst_memory}});
    stream.wait();
    if (partial) std::copy(padded.begin(), padded.begin() + static_cast<std::ptrdiff_t>(rows * out), to);
    r += rows;
  }
}

}  // namespace propscan::encoder
