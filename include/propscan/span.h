// The one representation of a span, used by the models, the metrics, the
// label files, the writers and the server.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "propscan/technique.h"

namespace propscan {

// Offsets are Unicode code points into the whole article text (a byte order
// mark is character 0); start is inclusive, end exclusive.
using Offset = std::int64_t;

struct Span {
  std::string article_id;
  Offset start = 0;
  Offset end = 0;
  // Unset only for span-identification labels, which carry no technique.
  std::optional<Technique> technique;
  // Model confidence in [0, 1]; 1 for gold labels.
  double score = 1.0;

  Offset length() const { return end - start; }
};

}  // namespace propscan
