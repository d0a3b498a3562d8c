#include "store/stats_plan.h"

#include <algorithm>

#include "store/sql.h"

namespace propscan::store {
namespace {

const char* const kTopicJoin = " JOIN article_topics atp ON atp.article_id = a.id JOIN topics tp ON tp.id = atp.topic_id";

// The aggregate columns, in the order add_counts() reads them: over the day
// summary (alias d) or over the articles (alias a), with each technique's
// articles and score sum when grouping by technique.
std::string aggregates(bool summary, bool by_technique) {
  std::string sql;
  if (summary) {
    sql += "SUM(d.articles), SUM(d.words), SUM(d.spans), SUM(d.score_sum)";
    for (std::size_t i = 0; i < kNumTechniques; ++i) sql += ", SUM(d." + technique_column(i) + ")";
    if (by_technique) {
      for (std::size_t i = 0; i < kNumTechniques; ++i) {
        sql += ", SUM(d.articles" + std::to_string(i) + "), SUM(d.score" + std::to_string(i) + ")";
      }
    }
  } else {
    sql += "COUNT(*), SUM(a.words), SUM(a.span_count), SUM(a.propaganda_score)";
    for (std::size_t i = 0; i < kNumTechniques; ++i) sql += ", SUM(a." + technique_column(i) + ")";
    if (by_technique) {
      for (std::size_t i = 0; i < kNumTechniques; ++i) {
        sql += ", SUM(CASE WHEN a." + technique_column(i) + " > 0 THEN 1 ELSE 0 END)";
        sql += ", SUM(CASE WHEN a." + technique_column(i) + " > 0 THEN a.propaganda_score ELSE 0 END)";
      }
    }
  }
  return sql;
}

}  // namespace

StatsPlan::StatsPlan(const StatsQuery& query, ParameterMark mark) : query_(query), mark_(mark) {
  result_.by = query.by;
  const auto technique = std::find(query.by.begin(), query.by.end(), Dimension::kTechnique);
  by_technique_ = technique != query.by.end();
  technique_at_ = static_cast<std::size_t>(technique - query.by.begin());
  by_topic_ = std::find(query.by.begin(), query.by.end(), Dimension::kTopic) != query.by.end();
  // Without topics, the counts come from the summary of each source and day
  // (one row per source and day, not per article); topics need the articles.
  summary_ = !by_topic_ && query.topic.empty();
  for (std::size_t i = 0; i < query.by.size(); ++i) {
    if (query.by[i] != Dimension::kTechnique) dims_.push_back(i);
  }
  for (const auto* p : {&query.source, &query.topic, &query.since, &query.until}) {
    if (!p->empty()) params_.push_back(*p);
  }
}

std::string StatsPlan::key_of(Dimension d, const std::string& table) const {
  switch (d) {
    case Dimension::kSource: return table + ".source_id";
    case Dimension::kDay: return table + ".day";
    case Dimension::kWeek: return table + ".week";
    case Dimension::kMonth: return table + ".month";
    case Dimension::kTopic: return "tp.name";
    case Dimension::kTechnique: break;
  }
  return "";
}

// The selection, on the summary (d) or on the articles (a), with the
// parameters in the order of params().
std::string StatsPlan::where(const std::string& table) const {
  std::string out;
  int n = 0;
  const auto add = [&](const std::string& before, const std::string& after = "") {
    out += (out.empty() ? " WHERE " : " AND ") + before + mark_(++n) + after;
  };
  if (!query_.source.empty()) add(table + ".source_id = (SELECT id FROM sources WHERE name = ", ")");
  if (!query_.topic.empty()) {
    add("a.id IN (SELECT ft.article_id FROM article_topics ft JOIN topics fto ON fto.id = ft.topic_id "
        "WHERE fto.name = ",
        ")");
  }
  // Undated articles have day '' in the summary and NULL in articles: both
  // fall outside any range.
  if (!query_.since.empty()) add(table + ".day >= ");
  if (!query_.until.empty()) add(table + ".day <= ");
  return out;
}

std::string StatsPlan::counts_sql() const {
  const std::string t = summary_ ? "d" : "a";
  std::string keys;
  for (std::size_t i : dims_) keys += (keys.empty() ? "" : ", ") + key_of(query_.by[i], t);
  std::string sql = "SELECT " + (keys.empty() ? "" : keys + ", ") + aggregates(summary_, by_technique_);
  sql += summary_ ? " FROM day_summary d" : std::string(" FROM articles a") + (by_topic_ ? kTopicJoin : "");
  sql += where(t);
  if (!keys.empty()) sql += " GROUP BY " + keys;
  return sql;
}

namespace {

// A key column's text: no source (0 in the summary, NULL in articles) is "".
std::string_view key_text(const Row& row, int col, Dimension d) {
  if (row.is_null(col)) return {};
  const std::string_view v = row.text(col);
  return d == Dimension::kSource && v == "0" ? std::string_view() : v;
}

}  // namespace

void StatsPlan::add_counts(const Row& q) {
  StatsRow row;
  const int base = static_cast<int>(dims_.size());
  for (int k = 0; k < base; ++k) row.keys.emplace_back(key_text(q, k, query_.by[dims_[static_cast<std::size_t>(k)]]));
  row.articles = q.integer(base);
  if (row.articles == 0) return;
  row.words = q.integer(base + 1);
  row.spans = q.integer(base + 2);
  row.total_spans = row.spans;
  row.mean_score = q.real(base + 3) / static_cast<double>(row.articles);
  for (std::size_t i = 0; i < kNumTechniques; ++i) row.technique_spans[i] = q.integer(base + 4 + static_cast<int>(i));
  if (!by_technique_) {
    result_.rows.push_back(std::move(row));
    return;
  }
  // A row per technique used in the group.
  const int extra = base + 4 + static_cast<int>(kNumTechniques);
  for (Technique tq : all_techniques()) {
    const std::size_t i = technique_index(tq);
    const std::int64_t articles = q.integer(extra + 2 * static_cast<int>(i));
    if (articles == 0) continue;
    StatsRow trow;
    trow.keys = row.keys;
    trow.keys.insert(trow.keys.begin() + static_cast<std::ptrdiff_t>(technique_at_), std::string(technique_label(tq)));
    trow.articles = articles;
    trow.words = row.words;
    trow.spans = row.technique_spans[i];
    trow.total_spans = row.spans;
    trow.technique_spans[i] = trow.spans;
    trow.mean_score = q.real(extra + 2 * static_cast<int>(i) + 1) / static_cast<double>(articles);
    result_.rows.push_back(std::move(trow));
  }
}

bool StatsPlan::summary_top() const { return summary_ && !by_technique_ && query_.top <= kCellTop; }

std::string StatsPlan::top_sql() const {
  std::string sql = "SELECT ";
  if (summary_top()) {
    // A group's best articles are among the best of its summary rows.
    for (std::size_t i : dims_) sql += key_of(query_.by[i], "d") + ", ";
    for (int k = 1; k <= kCellTop; ++k) {
      sql += std::string(k > 1 ? ", " : "") + "d.top" + std::to_string(k) + "_id, d.top" + std::to_string(k) + "_score";
    }
    return sql + " FROM day_summary d" + where("d");
  }
  for (std::size_t i : dims_) sql += key_of(query_.by[i], "a") + ", ";
  sql += "a.propaganda_score, a.id";
  if (by_technique_) {
    for (std::size_t i = 0; i < kNumTechniques; ++i) sql += ", a." + technique_column(i);
  }
  return sql + " FROM articles a" + (by_topic_ ? kTopicJoin : "") + where("a");
}

std::size_t StatsPlan::group_of(const Row& row, std::string_view technique) {
  if (best_.empty()) {
    best_.resize(result_.rows.size());
    for (std::size_t r = 0; r < result_.rows.size(); ++r) {
      std::string k;
      for (const auto& v : result_.rows[r].keys) (k += v) += '\x1f';
      groups_.emplace(std::move(k), r);
    }
  }
  key_.clear();
  const std::size_t n = dims_.size();
  for (std::size_t k = 0; k <= n; ++k) {
    if (!technique.empty() && k == technique_at_) (key_ += technique) += '\x1f';
    if (k < n) (key_ += key_text(row, static_cast<int>(k), query_.by[dims_[k]])) += '\x1f';
  }
  if (key_ == last_key_) return last_;
  const auto it = groups_.find(key_);
  last_key_ = key_;
  last_ = it == groups_.end() ? std::string::npos : it->second;
  return last_;
}

void StatsPlan::offer(std::size_t group, double score, std::int64_t id) {
  auto& list = best_[group];
  const auto top = static_cast<std::size_t>(query_.top);
  const auto better = [](const std::pair<double, std::int64_t>& x, const std::pair<double, std::int64_t>& y) {
    return x.first > y.first || (x.first == y.first && x.second < y.second);
  };
  const std::pair<double, std::int64_t> entry{score, id};
  if (list.size() == top && !better(entry, list.back())) return;
  list.insert(std::upper_bound(list.begin(), list.end(), entry, better), entry);
  if (list.size() > top) list.pop_back();
}

void StatsPlan::add_top(const Row& row) {
  const int n = static_cast<int>(dims_.size());
  if (summary_top()) {
    const auto g = group_of(row, {});
    if (g == std::string::npos) return;
    for (int k = 0; k < kCellTop && !row.is_null(n + 2 * k); ++k) offer(g, row.real(n + 2 * k + 1), row.integer(n + 2 * k));
    return;
  }
  const double score = row.real(n);
  const std::int64_t id = row.integer(n + 1);
  if (!by_technique_) {
    if (const auto g = group_of(row, {}); g != std::string::npos) offer(g, score, id);
    return;
  }
  for (Technique t : all_techniques()) {
    const std::size_t i = technique_index(t);
    if (row.integer(n + 2 + static_cast<int>(i)) == 0) continue;
    if (const auto g = group_of(row, technique_label(t)); g != std::string::npos) offer(g, score, id);
  }
}

std::vector<std::int64_t> StatsPlan::top_ids() const {
  std::vector<std::int64_t> ids;
  for (const auto& list : best_) {
    for (const auto& entry : list) ids.push_back(entry.second);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

StatsResult StatsPlan::finish(const std::unordered_map<std::int64_t, ArticleRef>& articles,
                              const std::unordered_map<std::int64_t, std::string>& source_names) {
  for (std::size_t r = 0; r < best_.size(); ++r) {
    for (const auto& entry : best_[r]) {
      const auto it = articles.find(entry.second);
      result_.rows[r].top.push_back(it == articles.end() ? ArticleRef{} : it->second);
    }
  }
  const auto source_at = std::find(query_.by.begin(), query_.by.end(), Dimension::kSource);
  if (source_at != query_.by.end()) {
    const auto i = static_cast<std::size_t>(source_at - query_.by.begin());
    for (auto& row : result_.rows) {
      if (!row.keys[i].empty()) row.keys[i] = source_names.at(std::stoll(row.keys[i]));
    }
  }
  std::sort(result_.rows.begin(), result_.rows.end(),
            [](const StatsRow& x, const StatsRow& y) { return x.keys < y.keys; });
  return std::move(result_);
}

}  // namespace propscan::store
