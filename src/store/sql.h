// SQL that the SQLite and the PostgreSQL stores share (both keep to the
// common subset): internal to src/store/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace propscan::store {

// The per-technique count column of articles and day_summary: tech0, tech1...
std::string technique_column(std::size_t t);

// One row of a result, read by column.
class Row {
 public:
  virtual ~Row() = default;
  virtual bool is_null(int col) const = 0;
  // Valid until the next row is read.
  virtual std::string_view text(int col) const = 0;
  virtual std::int64_t integer(int col) const = 0;
  virtual double real(int col) const = 0;
};

// The mark of the n-th bound parameter (from 1): "?" or "$n".
using ParameterMark = std::string (*)(int n);

// The dashboard's article lists (Store::list_articles): the selection over
// articles (alias a), its parameters appended to `params` in order; the
// query of one page of it, with limit and offset as the two parameters
// after those; and an article of its rows.
std::string article_list_where(const ArticleListQuery& query, ParameterMark mark, std::vector<std::string>& params);
std::string article_list_sql(const std::string& where, ParameterMark mark, int params);
ArticleListItem article_list_item(const Row& row);

}  // namespace propscan::store
