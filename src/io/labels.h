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

// Parses label rows; `name` names the input in errors. Throws propscan::Error
// "NAME:LINE: ..." on the first malformed row (wrong field count, unknown
// technique, non-numeric or negative offsets, start >= end).
std::vector<Span> parse_labels(std::istream& in, const std::string& name, LabelFormat format);
std::vector<Span> read_labels_file(const std::string& path, LabelFormat format);

// Reads every "*.labels" file of a directory (e.g. labels-tc/), in name order.
std::vector<Span> read_labels_dir(const std::string& dir, LabelFormat format);

// Writes rows in the given format (kTemplate writes '?' for the technique).
void write_labels(std::ostream& out, const std::vector<Span>& spans, LabelFormat format);

}  // namespace propscan::io
