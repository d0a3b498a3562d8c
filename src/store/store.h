// The corpus store: analysed articles, their spans, sources, topics and the
// articles that failed, kept so that a corpus can be counted, compared over
// time and searched. `Store` is the interface; SQLite (sqlite_store.h) is the
// default implementation, and a server database can be added behind the same
// interface. docs/store.md describes the schema.
//
// Every query a command or an HTTP endpoint needs is one method taking a
// plain query struct and returning plain result structs (stats, search,
// topics), so a JSON endpoint is a parse of its parameters, a call and a
// to_json (store/json.h).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "propscan/document.h"
#include "propscan/span.h"
#include "propscan/technique.h"
#include "store/dates.h"

namespace propscan::store {

// An analysed article, ready to be stored.
struct ArticleRecord {
  std::string input;      // where it was read from ("dir/a.txt", "feed.jsonl:12")
  std::string ext_id;     // the id the input gave it
  std::string source;     // the outlet; may be empty
  std::optional<NormalisedDate> published;  // unknown when unset
  std::string url;
  std::string title;
  std::string text;       // UTF-8; span offsets are code points into it
  std::string text_hash;  // sha256_hex(text)
  std::int64_t chars = 0;  // code points
  std::int64_t words = 0;
  double propaganda_score = 0.0;
  std::vector<Span> spans;          // each with a technique
  std::vector<SpanExplanation> explanations;  // explanations[i] explains spans[i]; may be empty
  std::vector<std::string> topics;  // named in the input (JSONL "topics")
  std::string model;                // model_id() of the model that analysed it
};

// An article that could not be read or analysed.
struct FailureRecord {
  std::string input;
  std::string error;  // one line, naming the input
};

// What the store holds for a text hash.
enum class Known { kNo, kSameModel, kOtherModel };

// What write_batch did.
struct BatchResult {
  std::size_t added = 0;       // new articles
  std::size_t replaced = 0;    // re-analysed: spans replaced
  std::size_t unchanged = 0;   // already stored with the same model
  std::size_t failures = 0;    // failure records written
};

// ---- Queries -----------------------------------------------------------------

enum class Dimension { kSource, kDay, kWeek, kMonth, kTechnique, kTopic };

// "source", "day", "week", "month", "technique", "topic"; nullopt otherwise.
std::optional<Dimension> parse_dimension(const std::string& name);
std::string dimension_name(Dimension d);

struct StatsQuery {
  std::vector<Dimension> by;  // groups, in this order; none: one row for the selection
  std::string source;         // only this outlet (empty: all)
  std::string topic;          // only articles of this topic (empty: all)
  std::string since;          // first day, "YYYY-MM-DD" inclusive (empty: open)
  std::string until;          // last day, inclusive (empty: open)
  int top = 3;                // most propagandistic articles shown per group
};

struct ArticleRef {
  std::int64_t id = 0;  // the store's id
  std::string ext_id;
  std::string title;
  std::string source;
  std::string published;
  double propaganda_score = 0.0;
  std::int64_t spans = 0;
};

// One group of articles. In a row grouped by technique, `articles` counts
// the group's articles that use it, `words` all the words of the group (so
// spans per 1,000 words is the technique's density there), `mean_score` is
// the mean of the articles using it, and `top` are chosen among them.
struct StatsRow {
  std::vector<std::string> keys;  // one per dimension; "" for an article without it
  std::int64_t articles = 0;
  std::int64_t spans = 0;
  std::int64_t words = 0;
  double mean_score = 0.0;  // mean propaganda score of the articles
  // The spans the technique shares are shares of: the row's own, or for a
  // row grouped by technique, all the spans of its other keys' group.
  std::int64_t total_spans = 0;
  // Spans of each technique (technique_index order). In a row grouped by
  // technique, only that technique's entry is set.
  std::array<std::int64_t, kNumTechniques> technique_spans{};
  // The most propagandistic articles (highest propaganda score first).
  std::vector<ArticleRef> top;

  double spans_per_1000_words() const { return words ? 1000.0 * static_cast<double>(spans) / static_cast<double>(words) : 0.0; }
  double share(Technique t) const {
    return total_spans ? static_cast<double>(technique_spans[technique_index(t)]) / static_cast<double>(total_spans) : 0.0;
  }
};

struct StatsResult {
  std::vector<Dimension> by;
  std::vector<StatsRow> rows;  // ordered by keys
};

struct SearchQuery {
  std::string text;  // an FTS query: words, "phrases", AND/OR/NOT, prefix*
  std::size_t limit = 20;
};

struct SearchHit {
  ArticleRef article;
  // A window of the text around the matches, and the matched ranges in it
  // (code points into `snippet`, end exclusive). Untrusted article text:
  // writers must neutralise it for their medium.
  std::u32string snippet;
  std::vector<std::pair<std::int64_t, std::int64_t>> matches;
  bool snippet_starts_inside = false;  // text before the window was cut
  bool snippet_ends_inside = false;
};

struct TopicInfo {
  std::string name;
  std::string query;  // empty for a topic named only by the input
  std::int64_t articles = 0;
};

// The selection of the corpus view (dashboard, report): every filter is
// optional, an empty one selects all.
struct CorpusFilter {
  std::vector<std::string> sources;     // outlets by name; "" is the articles without one
  std::vector<Technique> techniques;    // articles using any of these
  std::string topic;
  std::string since;  // "YYYY-MM-DD", inclusive
  std::string until;
};

// The articles of a selection, and of one period of it.
struct ArticleListQuery {
  CorpusFilter filter;
  // Only the articles of this period: a week ("2024-W09") or a month
  // ("2024-03") as stats name them. kind is kWeek, kMonth or kDay.
  std::optional<Dimension> period_kind;
  std::string period;
  std::size_t limit = 50;
  std::size_t offset = 0;
};

struct ArticleListItem {
  ArticleRef article;
  std::string week;   // "" when undated
  std::string month;
};

struct ArticleList {
  std::vector<ArticleListItem> articles;  // highest propaganda score first (ties: store id)
  std::int64_t total = 0;                 // articles in the selection
};

// One stored article, whole: what the highlight view shows.
struct StoredArticle {
  ArticleRef article;
  std::string url;
  std::string text;         // UTF-8; span offsets are code points into it
  std::int64_t chars = 0;   // code points
  std::string model;
  std::string analysed_at;
  std::vector<Span> spans;  // by start, then end
};

struct Counts {
  std::int64_t articles = 0;
  std::int64_t spans = 0;
  std::int64_t failures = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // The schema version of the open database (after migrations).
  virtual int schema_version() = 0;

  // Whether a text is stored, and whether `model` analysed it.
  virtual Known lookup(const std::string& text_hash, const std::string& model) = 0;

  // Writes the articles (with their spans and topics) and the failures in
  // one transaction: after a crash either all of the batch is stored or
  // none of it. An article whose text is stored with the same model is left
  // alone; with another model, its spans and scores are replaced. A failure
  // replaces an earlier failure of the same input; a stored article clears it.
  virtual BatchResult write_batch(const std::vector<ArticleRecord>& articles,
                                  const std::vector<FailureRecord>& failures) = 0;

  virtual StatsResult stats(const StatsQuery& query) = 0;
  virtual std::vector<SearchHit> search(const SearchQuery& query) = 0;

  // Adds (or redefines) a topic as a full-text query; every stored article
  // that matches joins it now, and every article stored later when it
  // matches. Returns the number of member articles. Throws propscan::Error
  // on an invalid query.
  virtual std::int64_t add_topic(const std::string& name, const std::string& query) = 0;
  virtual void remove_topic(const std::string& name) = 0;
  virtual std::vector<TopicInfo> topics() = 0;

  // The articles of a selection, most propagandistic first.
  virtual ArticleList list_articles(const ArticleListQuery& query) = 0;
  // The article with this store id, or nullopt.
  virtual std::optional<StoredArticle> article(std::int64_t id) = 0;
  // The first and last publication day of the stored articles ("" when none is dated).
  virtual std::pair<std::string, std::string> date_range() = 0;

  virtual Counts counts() = 0;
  virtual std::vector<FailureRecord> failures() = 0;
};

// Opens (creating when missing) the SQLite store at `path` and migrates it
// to the current schema. Throws propscan::Error naming `path` when it is not
// a propscan store, is of a newer schema, or cannot be opened.
std::unique_ptr<Store> open_store(const std::string& path);

// The schema version this build writes.
int current_schema_version();

// For tests of the migrations: opens the store migrated up to `version`
// only, as an older propscan would have left it.
std::unique_ptr<Store> open_store_at_version(const std::string& path, int version);

}  // namespace propscan::store
