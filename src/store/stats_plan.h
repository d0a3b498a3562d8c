// What the SQLite and the PostgreSQL stores share of `stats`: the SQL of a
// query (in the subset both speak, with each one's parameter marks) and the
// assembly of its answer from the rows each store reads its own way.
// Internal to src/store/.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/sql.h"
#include "store/store.h"

namespace propscan::store {

// The top articles kept with each summary row (day_summary's top<k>_id and
// top<k>_score columns, k = 1..kCellTop).
constexpr int kCellTop = 5;

// A stats query's plan. The store runs counts_sql() with params() and
// gives each row to add_counts(); then, when wants_top(), top_sql() with
// params() and each row to add_top(); reads the articles of top_ids(); and
// finish() names the sources and puts the rows in order.
class StatsPlan {
 public:
  StatsPlan(const StatsQuery& query, ParameterMark mark);

  const std::vector<std::string>& params() const { return params_; }
  std::string counts_sql() const;
  void add_counts(const Row& row);

  bool wants_top() const { return query_.top > 0 && !result_.rows.empty(); }
  // The rows that offer each group's top articles: the summary's kept
  // articles when they suffice, else every article's keys and score (a
  // covering index).
  std::string top_sql() const;
  void add_top(const Row& row);
  // The articles kept, in id order, each once.
  std::vector<std::int64_t> top_ids() const;

  // The answer, with the kept articles as `articles` gives them and source
  // ids replaced by `source_names`.
  StatsResult finish(const std::unordered_map<std::int64_t, ArticleRef>& articles,
                     const std::unordered_map<std::int64_t, std::string>& source_names);

 private:
  bool summary_top() const;
  std::string where(const std::string& table) const;
  std::string key_of(Dimension d, const std::string& table) const;
  // The group of the row's keys (with `technique`, unless empty, inserted
  // where the query groups by technique), or npos.
  std::size_t group_of(const Row& row, std::string_view technique);
  void offer(std::size_t group, double score, std::int64_t id);

  StatsQuery query_;
  ParameterMark mark_;
  bool by_technique_ = false, by_topic_ = false, summary_ = false;
  std::size_t technique_at_ = 0;  // the technique's place in query_.by
  std::vector<std::size_t> dims_;  // the place in query_.by of each SQL key column
  std::vector<std::string> params_;
  StatsResult result_;
  // Top articles: the groups by their keys joined with U+001F (a key holding
  // one could at worst misplace a top article, never a count), the best
  // (score, id) of each, and the last group found (rows come in index
  // order, so a group's rows mostly follow each other).
  std::unordered_map<std::string, std::size_t> groups_;
  std::vector<std::vector<std::pair<double, std::int64_t>>> best_;
  std::string key_, last_key_ = "\x1e";
  std::size_t last_ = std::string::npos;
};

}  // namespace propscan::store
