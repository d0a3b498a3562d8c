// SQL that the SQLite and the PostgreSQL stores share (both keep to the
// common subset): internal to src/store/.
#pragma once

#include <cstddef>
#include <string>

namespace propscan::store {

// The per-technique count column of articles and day_summary: tech0, tech1...
std::string technique_column(std::size_t t);

}  // namespace propscan::store
