// SQL that the SQLite and the PostgreSQL stores share (both keep to the
// common subset): internal to src/store/.
#pragma once

#include <cstddef>
#include <string>

namespace propscan::store {

// The per-technique count column of articles and day_summary: tech0, tech1...
std::string technique_column(std::size_t t);

// The aggregate columns of a stats query, in the order both stores read
// them: over the day summary (alias d) or over the articles (alias a), with
// each technique's articles and score sum when grouping by technique.
std::string stats_aggregates(bool summary, bool by_technique);

}  // namespace propscan::store
