#include "store/store.h"

#include "store/sql.h"

namespace propscan::store {

std::optional<Dimension> parse_dimension(const std::string& name) {
  if (name == "source") return Dimension::kSource;
  if (name == "day") return Dimension::kDay;
  if (name == "week") return Dimension::kWeek;
  if (name == "month") return Dimension::kMonth;
  if (name == "technique") return Dimension::kTechnique;
  if (name == "topic") return Dimension::kTopic;
  return std::nullopt;
}

std::string dimension_name(Dimension d) {
  switch (d) {
    case Dimension::kSource: return "source";
    case Dimension::kDay: return "day";
    case Dimension::kWeek: return "week";
    case Dimension::kMonth: return "month";
    case Dimension::kTechnique: return "technique";
    case Dimension::kTopic: return "topic";
  }
  return "";
}

std::string technique_column(std::size_t t) { return "tech" + std::to_string(t); }

std::string stats_aggregates(bool summary, bool by_technique) {
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

}  // namespace propscan::store
