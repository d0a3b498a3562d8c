#include "store/sql.h"

#include "propscan/error.h"

namespace propscan::store {

std::string technique_column(std::size_t t) { return "tech" + std::to_string(t); }

std::string article_list_where(const ArticleListQuery& query, ParameterMark mark, std::vector<std::string>& params) {
  const CorpusFilter& f = query.filter;
  std::string where;
  const auto next = [&](const std::string& value) {
    params.push_back(value);
    return mark(static_cast<int>(params.size()));
  };
  const auto clause = [&](const std::string& c) { where += (where.empty() ? " WHERE " : " AND ") + c; };
  if (!f.sources.empty()) {
    // "" selects the articles without a source.
    std::string named, none;
    for (const auto& name : f.sources) {
      if (name.empty()) {
        none = "a.source_id IS NULL";
        continue;
      }
      named += (named.empty() ? "" : ", ") + next(name);
    }
    std::string any = named.empty() ? "" : "a.source_id IN (SELECT id FROM sources WHERE name IN (" + named + "))";
    if (!none.empty()) any = any.empty() ? none : any + " OR " + none;
    clause("(" + any + ")");
  }
  if (!f.techniques.empty()) {
    // Column names from technique indices, never from the request.
    std::string any;
    for (Technique t : f.techniques) {
      any += std::string(any.empty() ? "" : " OR ") + "a." + technique_column(technique_index(t)) + " > 0";
    }
    clause("(" + any + ")");
  }
  if (!f.topic.empty()) {
    clause("a.id IN (SELECT ft.article_id FROM article_topics ft JOIN topics fto ON fto.id = ft.topic_id "
           "WHERE fto.name = " + next(f.topic) + ")");
  }
  if (!f.since.empty()) clause("a.day >= " + next(f.since));
  if (!f.until.empty()) clause("a.day <= " + next(f.until));
  if (query.period_kind) {
    std::string column;
    switch (*query.period_kind) {
      case Dimension::kDay: column = "a.day"; break;
      case Dimension::kWeek: column = "a.week"; break;
      case Dimension::kMonth: column = "a.month"; break;
      default: throw Error("list_articles: a period is a day, a week or a month");
    }
    clause(column + " = " + next(query.period));
  }
  return where;
}

std::string article_list_sql(const std::string& where, ParameterMark mark, int params) {
  return "SELECT a.id, a.ext_id, a.title, s.name, a.published, a.propaganda_score, a.span_count, a.week, a.month "
         "FROM articles a LEFT JOIN sources s ON s.id = a.source_id" +
         where + " ORDER BY a.propaganda_score DESC, a.id LIMIT " + mark(params + 1) + " OFFSET " + mark(params + 2);
}

ArticleListItem article_list_item(const Row& r) {
  const auto text = [&](int col) { return std::string(r.is_null(col) ? std::string_view() : r.text(col)); };
  ArticleListItem item;
  item.article = {r.integer(0), text(1), text(2), text(3), text(4), r.real(5), r.integer(6)};
  item.week = text(7);
  item.month = text(8);
  return item;
}

}  // namespace propscan::store
