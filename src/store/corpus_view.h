// The corpus view: what the dashboard (`propscan serve --db`, /api/corpus/...)
// and the offline report (`propscan report`) show, as JSON built from a
// Store's queries. docs/api.md describes every document.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "store/store.h"

namespace propscan::store {

// Outlets, topics, techniques and the date range of the store: what the
// dashboard's filters offer.
nlohmann::json corpus_facets(Store& store);

// For a selection, grouped by week or month (`interval`):
//   series   technique share over time per outlet: for each outlet and each
//            selected technique (all when none is), its share of the
//            outlet's spans in each period (null where the outlet has no
//            spans that period);
//   ranking  outlets by mean propaganda score, highest first;
//   mix      the share of each technique in each outlet's spans.
nlohmann::json corpus_overview(Store& store, const CorpusFilter& filter, Dimension interval);

nlohmann::json to_json(const ArticleList& list);

// The article in the shape of POST /api/analyze's answer (what the page's
// highlight view reads), plus its store id, outlet, date and model.
nlohmann::json to_json(const StoredArticle& article);

// The query of a corpus filter for stats: everything but the outlets and
// techniques, which the view applies to stats' rows.
StatsQuery stats_query(const CorpusFilter& filter);

}  // namespace propscan::store
