// The JSON form of the store's query results: what `propscan stats
// --format json` and `propscan search --format json` print, and what HTTP
// endpoints over the store return.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/store.h"

namespace propscan::store {

// {"by": ["source", ...], "rows": [{"source": "...", "articles": n, "spans": n,
//  "words": n, "spans_per_1000_words": x, "mean_score": x,
//  "techniques": {"Loaded_Language": {"spans": n, "share": x}, ...},
//  "top": [{"id": "...", "title": "...", ...}]}]}
nlohmann::json to_json(const StatsResult& result);

// [{"id": "...", "title": "...", "source": "...", "published": "...",
//   "propaganda_score": x, "spans": n, "snippet": "...",
//   "matches": [[start, end], ...]}]: match offsets are code points into
// the snippet.
nlohmann::json to_json(const std::vector<SearchHit>& hits);

nlohmann::json to_json(const ArticleRef& article);

// A span's evidence as stored: a JSON array of {start, end, kind, reason}.
std::string evidence_json(const std::vector<Evidence>& evidence);

}  // namespace propscan::store
