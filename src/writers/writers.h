// Output formats of `propscan analyze`. Every writer takes the article and
// its analysis and appends to a stream; offsets stay code points.
#pragma once

#include <ostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "propscan/document.h"

namespace propscan::writers {

enum class Format { kJson, kText, kSemevalSi, kSemevalFlc };

std::optional<Format> parse_format(std::string_view name);

// The JSON object of one article (what `--format json` prints, one per line,
// and what the HTTP API returns).
nlohmann::json analysis_json(const Document& doc, const Analysis& analysis);

struct TextStyle {
  bool color = false;  // ANSI highlighting, for terminals
};

void write(std::ostream& out, Format format, const Document& doc, const Analysis& analysis,
           const TextStyle& style = {});

// The last line of a batch in `text`: articles, passages, how many of them
// quoted, the mean propaganda score.
void write_batch_summary(std::ostream& out, const std::vector<const Analysis*>& analyses);

// "at this score, about 4 in 10 flagged passages matched annotators"
std::string precision_in_words(double precision_estimate);
// "higher than 68% of the reference articles"
std::string percentile_in_words(double percentile);

// One SemEval FLC row: id<TAB>technique<TAB>start<TAB>end.
void write_flc_row(std::ostream& out, std::string_view article_id, const Span& span);

// Article text made safe for a terminal: control characters (escape
// sequences included) other than newline and tab become U+FFFD.
std::string terminal_safe(std::u32string_view text);

}  // namespace propscan::writers
