// The corpus's tab-separated label files:
//   TC / FLC rows: id <TAB> technique <TAB> start <TAB> end
//   SI rows:       id <TAB> start <TAB> end
//   TC template:   id <TAB> ? <TAB> start <TAB> end
#pragma once

#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "propscan/span.h"

namespace propscan::io {

enum class LabelFormat { kTechnique, kSpanOnly, kTemplate };

// The rows of label files that parsed, each with where it came from, and a
// one-line error "NAME:LINE: ..." for each malformed row (wrong field count,
// unknown technique, non-numeric or negative offsets, start >= end), which is
// skipped: one bad row does not sink the others.
struct LabelRows {
  std::vector<Span> spans;
  std::vector<std::string> where;   // "NAME:LINE" of each span
  std::vector<std::string> errors;  // the skipped rows
};

LabelRows parse_label_rows(std::istream& in, const std::string& name, LabelFormat format);
LabelRows read_labels_file(const std::string& path, LabelFormat format);

// Every "*.labels" file of a directory (e.g. labels-tc/), in name order.
LabelRows read_labels_dir(const std::string& dir, LabelFormat format);

// parse_label_rows that throws propscan::Error with the first malformed row.
std::vector<Span> parse_labels(std::istream& in, const std::string& name, LabelFormat format);

// Writes rows in the given format (kTemplate writes '?' for the technique).
void write_labels(std::ostream& out, const std::vector<Span>& spans, LabelFormat format);

}  // namespace propscan::io
