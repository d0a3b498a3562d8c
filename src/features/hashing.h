// Sparse feature vectors with hashed feature names. The hash is our own
// FNV-1a so that a model file means the same on every build and platform.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace propscan::features {

inline std::uint64_t fnv1a(std::string_view s, std::uint64_t h = 1469598103934665603ull) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

struct SparseVector {
  std::vector<std::uint32_t> index;
  std::vector<float> value;

  void add(std::uint32_t i, float v) {
    index.push_back(i);
    value.push_back(v);
  }
  std::size_t size() const { return index.size(); }
  void clear() {
    index.clear();
    value.clear();
  }
};

// Maps feature names "prefix" + "value" into 2^bits buckets.
class FeatureHasher {
 public:
  explicit FeatureHasher(unsigned bits) : mask_((1u << bits) - 1) {}

  std::uint32_t bucket(std::string_view prefix, std::string_view value) const {
    std::uint64_t h = fnv1a(value, fnv1a(prefix));
    h ^= h >> 29;  // fold high bits in: FNV's low bits mix poorly on short keys
    return static_cast<std::uint32_t>(h) & mask_;
  }
  void add(SparseVector& v, std::string_view prefix, std::string_view value, float weight = 1.0f) const {
    v.add(bucket(prefix, value), weight);
  }
  std::uint32_t dimension() const { return mask_ + 1; }

 private:
  std::uint32_t mask_;
};

}  // namespace propscan::features
