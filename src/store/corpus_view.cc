#include "store/corpus_view.h"

#include <algorithm>
#include <map>
#include <set>

#include "store/json.h"
#include "text/utf8.h"

namespace propscan::store {
namespace {

nlohmann::json name_or_null(const std::string& s) { return s.empty() ? nlohmann::json() : nlohmann::json(s); }

// Whether an outlet is selected ("" is the articles without one).
bool selected(const CorpusFilter& f, const std::string& source) {
  return f.sources.empty() || std::find(f.sources.begin(), f.sources.end(), source) != f.sources.end();
}

std::vector<Technique> shown_techniques(const CorpusFilter& f) {
  if (!f.techniques.empty()) return f.techniques;
  return {all_techniques().begin(), all_techniques().end()};
}

}  // namespace

StatsQuery stats_query(const CorpusFilter& filter) {
  StatsQuery q;
  q.topic = filter.topic;
  q.since = filter.since;
  q.until = filter.until;
  q.top = 0;
  return q;
}

nlohmann::json corpus_facets(Store& store) {
  nlohmann::json out;
  const Counts counts = store.counts();
  out["articles"] = counts.articles;
  out["spans"] = counts.spans;
  StatsQuery q;
  q.by = {Dimension::kSource};
  q.top = 0;
  out["sources"] = nlohmann::json::array();
  for (const auto& row : store.stats(q).rows) {
    out["sources"].push_back({{"name", name_or_null(row.keys[0])}, {"articles", row.articles}});
  }
  out["topics"] = nlohmann::json::array();
  for (const auto& t : store.topics()) out["topics"].push_back({{"name", t.name}, {"articles", t.articles}});
  out["techniques"] = nlohmann::json::array();
  for (Technique t : all_techniques()) {
    out["techniques"].push_back({{"label", technique_label(t)}, {"name", technique_name(t)}});
  }
  const auto [first, last] = store.date_range();
  out["first_day"] = name_or_null(first);
  out["last_day"] = name_or_null(last);
  return out;
}

nlohmann::json corpus_overview(Store& store, const CorpusFilter& filter, Dimension interval) {
  const std::vector<Technique> techniques = shown_techniques(filter);
  nlohmann::json out;
  out["interval"] = dimension_name(interval);
  out["techniques"] = nlohmann::json::array();
  for (Technique t : techniques) out["techniques"].push_back(technique_label(t));

  // Per outlet: ranking and mix.
  StatsQuery q = stats_query(filter);
  q.by = {Dimension::kSource};
  std::vector<StatsRow> outlets;
  for (auto& row : store.stats(q).rows) {
    if (selected(filter, row.keys[0])) outlets.push_back(std::move(row));
  }
  std::vector<const StatsRow*> ranked;
  for (const auto& row : outlets) ranked.push_back(&row);
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const StatsRow* x, const StatsRow* y) { return x->mean_score > y->mean_score; });
  out["ranking"] = nlohmann::json::array();
  for (const StatsRow* row : ranked) {
    out["ranking"].push_back({{"source", name_or_null(row->keys[0])},
                              {"articles", row->articles},
                              {"spans", row->spans},
                              {"words", row->words},
                              {"spans_per_1000_words", row->spans_per_1000_words()},
                              {"mean_score", row->mean_score}});
  }
  out["mix"] = nlohmann::json::array();
  for (const auto& row : outlets) {
    nlohmann::json shares = nlohmann::json::object();
    for (Technique t : techniques) shares[std::string(technique_label(t))] = row.share(t);
    out["mix"].push_back({{"source", name_or_null(row.keys[0])}, {"spans", row.spans}, {"shares", std::move(shares)}});
  }

  // Per outlet and period: the series. Undated articles have no period.
  q.by = {Dimension::kSource, interval};
  const StatsResult by_period = store.stats(q);
  std::set<std::string> period_set;
  for (const auto& row : by_period.rows) {
    if (!row.keys[1].empty() && selected(filter, row.keys[0])) period_set.insert(row.keys[1]);
  }
  const std::vector<std::string> periods(period_set.begin(), period_set.end());
  out["periods"] = periods;
  out["series"] = nlohmann::json::array();
  for (const auto& outlet : outlets) {
    const std::string& source = outlet.keys[0];
    std::vector<const StatsRow*> at(periods.size(), nullptr);
    for (const auto& row : by_period.rows) {
      if (row.keys[0] != source || row.keys[1].empty()) continue;
      at[static_cast<std::size_t>(std::lower_bound(periods.begin(), periods.end(), row.keys[1]) - periods.begin())] =
          &row;
    }
    for (Technique t : techniques) {
      nlohmann::json share = nlohmann::json::array(), spans = nlohmann::json::array();
      for (const StatsRow* row : at) {
        share.push_back(row && row->total_spans ? nlohmann::json(row->share(t)) : nlohmann::json());
        spans.push_back(row ? row->technique_spans[technique_index(t)] : 0);
      }
      out["series"].push_back({{"source", name_or_null(source)},
                               {"technique", technique_label(t)},
                               {"share", std::move(share)},
                               {"spans", std::move(spans)}});
    }
  }
  return out;
}

nlohmann::json to_json(const ArticleList& list) {
  nlohmann::json out;
  out["total"] = list.total;
  out["articles"] = nlohmann::json::array();
  for (const auto& item : list.articles) {
    nlohmann::json j = to_json(item.article);
    j["article_id"] = item.article.id;
    j["week"] = name_or_null(item.week);
    j["month"] = name_or_null(item.month);
    out["articles"].push_back(std::move(j));
  }
  return out;
}

nlohmann::json to_json(const StoredArticle& a) {
  const std::u32string text = text::decode_utf8(a.text);
  nlohmann::json spans = nlohmann::json::array();
  std::map<std::string, int> counts;
  for (const Span& s : a.spans) {
    const std::string label = s.technique ? std::string(technique_label(*s.technique)) : std::string();
    const auto begin = static_cast<std::size_t>(std::clamp<Offset>(s.start, 0, static_cast<Offset>(text.size())));
    const auto end = static_cast<std::size_t>(std::clamp<Offset>(s.end, static_cast<Offset>(begin), static_cast<Offset>(text.size())));
    spans.push_back({{"start", s.start},
                     {"end", s.end},
                     {"technique", label},
                     {"score", s.score},
                     {"text", text::encode_utf8(text.substr(begin, end - begin))}});
    ++counts[label];
  }
  nlohmann::json j = {{"article_id", a.article.id}, {"id", a.article.ext_id}, {"length", text.size()}};
  j["title"] = name_or_null(a.article.title);
  j["source"] = name_or_null(a.article.source);
  j["published"] = name_or_null(a.article.published);
  j["url"] = name_or_null(a.url);
  j["model"] = a.model;
  j["analysed_at"] = a.analysed_at;
  j["propaganda_score"] = a.article.propaganda_score;
  j["technique_counts"] = counts;
  j["text"] = a.text;
  j["spans"] = std::move(spans);
  return j;
}

}  // namespace propscan::store
