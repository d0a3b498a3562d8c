#include "store/json.h"

#include "text/utf8.h"

namespace propscan::store {

nlohmann::json to_json(const ArticleRef& a) {
  nlohmann::json j = {{"id", a.ext_id}, {"propaganda_score", a.propaganda_score}, {"spans", a.spans}};
  j["title"] = a.title.empty() ? nlohmann::json() : nlohmann::json(a.title);
  j["source"] = a.source.empty() ? nlohmann::json() : nlohmann::json(a.source);
  j["published"] = a.published.empty() ? nlohmann::json() : nlohmann::json(a.published);
  return j;
}

nlohmann::json to_json(const StatsResult& result) {
  nlohmann::json out;
  out["by"] = nlohmann::json::array();
  for (Dimension d : result.by) out["by"].push_back(dimension_name(d));
  out["rows"] = nlohmann::json::array();
  for (const auto& row : result.rows) {
    nlohmann::json r;
    for (std::size_t k = 0; k < result.by.size(); ++k) {
      r[dimension_name(result.by[k])] = row.keys[k].empty() ? nlohmann::json() : nlohmann::json(row.keys[k]);
    }
    r["articles"] = row.articles;
    r["spans"] = row.spans;
    r["words"] = row.words;
    r["spans_per_1000_words"] = row.spans_per_1000_words();
    r["mean_score"] = row.mean_score;
    nlohmann::json techniques = nlohmann::json::object();
    for (Technique t : all_techniques()) {
      const auto n = row.technique_spans[technique_index(t)];
      if (n) techniques[std::string(technique_label(t))] = {{"spans", n}, {"share", row.share(t)}};
    }
    r["techniques"] = techniques;
    r["top"] = nlohmann::json::array();
    for (const auto& a : row.top) r["top"].push_back(to_json(a));
    out["rows"].push_back(std::move(r));
  }
  return out;
}

nlohmann::json to_json(const std::vector<SearchHit>& hits) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& h : hits) {
    nlohmann::json j = to_json(h.article);
    j["snippet"] = text::encode_utf8(h.snippet);
    j["matches"] = nlohmann::json::array();
    for (const auto& [b, e] : h.matches) j["matches"].push_back({b, e});
    j["snippet_cut_before"] = h.snippet_starts_inside;
    j["snippet_cut_after"] = h.snippet_ends_inside;
    out.push_back(std::move(j));
  }
  return out;
}

std::string evidence_json(const std::vector<Evidence>& evidence) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& e : evidence) {
    j.push_back({{"start", e.start}, {"end", e.end}, {"kind", e.kind}, {"reason", e.reason}});
  }
  return j.dump();
}

}  // namespace propscan::store
