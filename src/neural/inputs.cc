#include <algorithm>
#include <cmath>

#include "features/hashing.h"
#include "neural/sequence_tagger.h"

namespace propscan::neural {
namespace {
constexpr std::uint32_t kSurfaceFeatures = 11 + lexicon::kNumCueKinds;
}

constexpr std::uint32_t kLinearFeatures = 2;

std::uint32_t input_dim(int vector_dimension, bool reads_linear) {
  return static_cast<std::uint32_t>(vector_dimension) + kSurfaceFeatures + (reads_linear ? kLinearFeatures : 0);
}

std::vector<float> token_inputs(const features::ArticleView& view, std::span<const float> linear) {
  const std::size_t n = view.tokens.size();
  const auto d = static_cast<std::size_t>(view.vector_dimension);
  const std::size_t width = input_dim(view.vector_dimension, !linear.empty());
  std::vector<float> x(n * width, 0.0f);
  for (std::size_t i = 0; i < n; ++i) {
    float* row = x.data() + i * width;
    if (d && view.vectors[i]) std::copy(view.vectors[i], view.vectors[i] + d, row);
    float* s = row + d;
    s[0] = d && view.vectors[i] ? 1.0f : 0.0f;
    s[1] = view.tokens[i].kind == text::TokenKind::kSymbol ? 1.0f : 0.0f;
    const float v = view.valence.empty() ? 0.0f : view.valence[i];
    s[2] = v / 4.0f;
    s[3] = std::abs(v) / 4.0f;
    const std::string& shape = view.shapes[i];
    s[4] = !shape.empty() && shape[0] == 'X' ? 1.0f : 0.0f;
    s[5] = shape == "X" && view.words[i].size() > 1 ? 1.0f : 0.0f;
    s[6] = view.tokens[i].kind == text::TokenKind::kPunct ? 1.0f : 0.0f;
    s[7] = view.tokens[i].kind == text::TokenKind::kNumber ? 1.0f : 0.0f;
    s[8] = view.in_quotes[i] ? 1.0f : 0.0f;
    s[9] = view.line_of_token[i] == 0 ? 1.0f : 0.0f;
    auto it = view.word_count.find(view.words[i]);
    const int count = it == view.word_count.end() ? 1 : it->second;
    s[10] = view.words[i].size() >= 4 ? std::log(static_cast<float>(count)) / 3.0f : 0.0f;
    const unsigned cues = view.cues.empty() ? 0u : view.cues[i];
    for (int k = 0; k < lexicon::kNumCueKinds; ++k) s[11 + k] = (cues >> k) & 1u ? 1.0f : 0.0f;
    if (!linear.empty()) {
      const float p = std::clamp(linear[i], 1e-4f, 1.0f - 1e-4f);
      s[kSurfaceFeatures] = p;
      s[kSurfaceFeatures + 1] = std::log(p / (1.0f - p)) / 4.0f;
    }
  }
  return x;
}

std::vector<std::int64_t> token_keys(const features::ArticleView& view, std::uint32_t buckets) {
  std::vector<std::int64_t> keys(view.tokens.size() * kWordKeys, 0);
  if (buckets == 0) return keys;
  for (std::size_t i = 0; i < view.tokens.size(); ++i) {
    // The last three bytes, as the linear tagger's suffix feature takes them:
    // a key, not text, so a split character does no harm.
    const std::string_view w = view.words[i];
    const std::string_view suffix = w.size() > 3 ? w.substr(w.size() - 3) : w;
    keys[i * kWordKeys] = static_cast<std::int64_t>(features::fnv1a(w, features::fnv1a("w=")) % buckets);
    keys[i * kWordKeys + 1] = static_cast<std::int64_t>(features::fnv1a(suffix, features::fnv1a("s=")) % buckets);
  }
  return keys;
}

}  // namespace propscan::neural
