// The SQLite store: every SQL statement of the store is in this file.
//
// The queries keep to what SQLite and PostgreSQL both run (standard types,
// ON CONFLICT, RETURNING, window functions); only the full-text search
// (FTS5) and the connection settings are SQLite's own.
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <set>
#include <unordered_map>
#include <utility>

#include <nlohmann/json.hpp>

#include "propscan/error.h"
#include "store/json.h"
#include "store/sql.h"
#include "store/stats_plan.h"
#include "store/store.h"
#include "text/utf8.h"

namespace propscan::store {
namespace {

// ---- Schema and migrations --------------------------------------------------

// The column of articles that counts the spans of technique t.

std::string technique_columns_ddl() {
  std::string out;
  for (std::size_t t = 0; t < kNumTechniques; ++t) out += "  " + technique_column(t) + " INTEGER NOT NULL DEFAULT 0,\n";
  return out;
}

// The summary's columns per technique: spans, articles using it, and the
// sum of those articles' propaganda scores.
std::string summary_columns_ddl() {
  std::string out;
  for (std::size_t t = 0; t < kNumTechniques; ++t) {
    const std::string n = std::to_string(t);
    out += "  tech" + n + " INTEGER NOT NULL DEFAULT 0,\n  articles" + n + " INTEGER NOT NULL DEFAULT 0,\n  score" + n +
           " DOUBLE PRECISION NOT NULL DEFAULT 0,\n";
  }
  return out;
}

std::string summary_backfill() {
  std::string cols = "source_id, day, week, month, articles, words, spans, score_sum";
  std::string values =
      "COALESCE(source_id, 0), COALESCE(day, ''), COALESCE(week, ''), COALESCE(month, ''), COUNT(*), SUM(words), "
      "SUM(span_count), SUM(propaganda_score)";
  for (std::size_t t = 0; t < kNumTechniques; ++t) {
    const std::string n = std::to_string(t);
    cols += ", tech" + n + ", articles" + n + ", score" + n;
    values += ", SUM(tech" + n + "), SUM(CASE WHEN tech" + n + " > 0 THEN 1 ELSE 0 END), SUM(CASE WHEN tech" + n +
              " > 0 THEN propaganda_score ELSE 0 END)";
  }
  return "INSERT INTO day_summary (" + cols + ") SELECT " + values +
         " FROM articles GROUP BY COALESCE(source_id, 0), COALESCE(day, ''), COALESCE(week, ''), COALESCE(month, '');\n";
}

// The articles a summary row names: top<k>_id, top<k>_score, k = 1..kCellTop
// (store/stats_plan.h), highest score first (ties: lower id), NULL past the
// row's articles.

std::string cell_top_ddl() {
  std::string out;
  for (int k = 1; k <= kCellTop; ++k) {
    const std::string n = std::to_string(k);
    out += "ALTER TABLE day_summary ADD COLUMN top" + n + "_id INTEGER;\n";
    out += "ALTER TABLE day_summary ADD COLUMN top" + n + "_score DOUBLE PRECISION;\n";
  }
  // The stored articles ranked within their row, once.
  out +=
      "CREATE TEMP TABLE cell_ranked AS SELECT sid, d, id, score, rn FROM (SELECT COALESCE(source_id, 0) AS sid, "
      "COALESCE(day, '') AS d, id, propaganda_score AS score, ROW_NUMBER() OVER (PARTITION BY COALESCE(source_id, 0), "
      "COALESCE(day, '') ORDER BY propaganda_score DESC, id) AS rn FROM articles) ranked WHERE rn <= " +
      std::to_string(kCellTop) + ";\n"
      "CREATE INDEX temp.cell_ranked_key ON cell_ranked (sid, d, rn);\n";
  for (int k = 1; k <= kCellTop; ++k) {
    const std::string n = std::to_string(k);
    out += "UPDATE day_summary SET top" + n + "_id = r.id, top" + n +
           "_score = r.score FROM cell_ranked r WHERE r.sid = day_summary.source_id AND r.d = day_summary.day "
           "AND r.rn = " + n + ";\n";
  }
  return out + "DROP TABLE cell_ranked;\n";
}

std::string technique_rows() {
  std::string out;
  for (Technique t : all_techniques()) {
    out += std::string(out.empty() ? "" : ", ") + "(" + std::to_string(technique_index(t)) + ", '" +
           std::string(technique_label(t)) + "')";
  }
  return out;
}

// Migration k (1-based) takes a store from schema version k-1 to k. A
// released migration never changes: a new schema is a new migration.
std::vector<std::string> migrations() {
  return {
      // 1: articles, their texts and spans, sources, failures.
      "CREATE TABLE techniques (id INTEGER PRIMARY KEY, label TEXT NOT NULL UNIQUE);\n"
      "INSERT INTO techniques (id, label) VALUES " + technique_rows() + ";\n"
      "CREATE TABLE sources (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);\n"
      "CREATE TABLE articles (\n"
      "  id INTEGER PRIMARY KEY,\n"
      "  ext_id TEXT NOT NULL,\n"
      "  source_id INTEGER REFERENCES sources (id),\n"
      "  published TEXT,\n"
      "  day TEXT,\n"
      "  week TEXT,\n"
      "  month TEXT,\n"
      "  url TEXT,\n"
      "  title TEXT,\n"
      "  text_hash TEXT NOT NULL UNIQUE,\n"
      "  chars INTEGER NOT NULL,\n"
      "  words INTEGER NOT NULL,\n"
      "  span_count INTEGER NOT NULL,\n"
      "  propaganda_score DOUBLE PRECISION NOT NULL,\n" +
          technique_columns_ddl() +
          "  analysed_at TEXT NOT NULL,\n"
          "  model TEXT NOT NULL\n"
          ");\n"
          "CREATE INDEX articles_source_day ON articles (source_id, day);\n"
          "CREATE INDEX articles_day ON articles (day);\n"
          "CREATE TABLE article_texts (\n"
          "  article_id INTEGER PRIMARY KEY REFERENCES articles (id),\n"
          "  title TEXT,\n"
          "  body TEXT NOT NULL\n"
          ");\n"
          "CREATE TABLE spans (\n"
          "  article_id INTEGER NOT NULL REFERENCES articles (id),\n"
          "  start_offset INTEGER NOT NULL,\n"
          "  end_offset INTEGER NOT NULL,\n"
          "  technique_id INTEGER NOT NULL REFERENCES techniques (id),\n"
          "  score DOUBLE PRECISION NOT NULL\n"
          ");\n"
          "CREATE INDEX spans_article ON spans (article_id);\n"
          "CREATE TABLE failures (input TEXT PRIMARY KEY, error TEXT NOT NULL, failed_at TEXT NOT NULL);\n",
      // 2: topics and full-text search. The search reads the texts through a
      // view in which the snippet markers (U+0001 to U+0003) cannot occur,
      // so an article cannot forge a highlight.
      "CREATE TABLE topics (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, query TEXT);\n"
      "CREATE TABLE article_topics (\n"
      "  topic_id INTEGER NOT NULL REFERENCES topics (id),\n"
      "  article_id INTEGER NOT NULL REFERENCES articles (id),\n"
      "  PRIMARY KEY (topic_id, article_id)\n"
      ");\n"
      "CREATE INDEX article_topics_article ON article_topics (article_id);\n"
      "CREATE VIEW article_search_content AS SELECT article_id,\n"
      "  replace(replace(replace(title, char(1), ' '), char(2), ' '), char(3), ' ') AS title,\n"
      "  replace(replace(replace(body, char(1), ' '), char(2), ' '), char(3), ' ') AS body\n"
      "  FROM article_texts;\n"
      "CREATE VIRTUAL TABLE article_fts USING fts5 (title, body, content='article_search_content',\n"
      "  content_rowid='article_id');\n"
      "INSERT INTO article_fts (article_fts) VALUES ('rebuild');\n",
      // 3: the totals of each source and day, so that stats read one row per
      // source and day instead of one per article; the store's articles are
      // summed into it. No source is 0, no date ''. Keyed by source, week and
      // day, so that grouping by source and week reads it in order.
      "CREATE TABLE day_summary (\n"
      "  source_id INTEGER NOT NULL,\n"
      "  day TEXT NOT NULL,\n"
      "  week TEXT NOT NULL,\n"
      "  month TEXT NOT NULL,\n"
      "  articles INTEGER NOT NULL,\n"
      "  words INTEGER NOT NULL,\n"
      "  spans INTEGER NOT NULL,\n" +
          summary_columns_ddl() +
          "  score_sum DOUBLE PRECISION NOT NULL,\n"
          "  PRIMARY KEY (source_id, week, day)\n"
          ") WITHOUT ROWID;\n"
          "CREATE INDEX articles_top ON articles (source_id, day, week, month, propaganda_score, id);\n" +
          summary_backfill(),
      // 4: each summary row names its most propagandistic articles, so that
      // stats find a group's from its rows instead of from every article.
      cell_top_ddl(),
      // 5: why each span was flagged. Spans stored before it have NULLs:
      // unknown, not the author's voice.
      "ALTER TABLE spans ADD COLUMN voice TEXT;\n"
      "ALTER TABLE spans ADD COLUMN speaker TEXT;\n"
      "ALTER TABLE spans ADD COLUMN precision_estimate DOUBLE PRECISION;\n"
      "ALTER TABLE spans ADD COLUMN evidence TEXT;\n",
  };
}

// ---- A thin layer over the C API ------------------------------------------------

class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql, const std::string& where) : db_(db), where_(where) {
    if (sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &stmt_, nullptr) != SQLITE_OK) {
      throw Error(where + ": " + sqlite3_errmsg(db));
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    next_ = 1;
    return *this;
  }
  Statement& bind(std::int64_t v) {
    check(sqlite3_bind_int64(stmt_, next_++, v));
    return *this;
  }
  Statement& bind(int v) { return bind(static_cast<std::int64_t>(v)); }
  Statement& bind(double v) {
    check(sqlite3_bind_double(stmt_, next_++, v));
    return *this;
  }
  Statement& bind(const std::string& v) {
    check(sqlite3_bind_text(stmt_, next_++, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    return *this;
  }
  // An empty string is stored as NULL (unknown).
  Statement& bind_or_null(const std::string& v) {
    if (v.empty()) {
      check(sqlite3_bind_null(stmt_, next_++));
      return *this;
    }
    return bind(v);
  }
  // True while there is a row.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw Error(where_ + ": " + sqlite3_errmsg(db_));
  }
  void run() {
    while (step()) {
    }
  }
  std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
  double real(int col) const { return sqlite3_column_double(stmt_, col); }
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  // Valid until the next step or reset.
  std::string_view text_view(int col) const {
    const auto* p = sqlite3_column_text(stmt_, col);
    return p ? std::string_view(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string_view();
  }
  std::string text(int col) const {
    const auto* p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) throw Error(where_ + ": " + sqlite3_errmsg(db_));
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::string where_;
  int next_ = 1;
};

std::string utc_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

class SqliteStore final : public Store {
 public:
  SqliteStore(const std::string& path, int target_version) : path_(path) {
    const int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                   nullptr);
    if (rc != SQLITE_OK) {
      const std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      sqlite3_close(db_);
      throw Error(path + ": cannot open the store (" + msg + ")");
    }
    try {
      sqlite3_busy_timeout(db_, 30000);
      sqlite3_extended_result_codes(db_, 1);
      // WAL: readers (stats, search, the ingest's look-ups) never wait for
      // the writer, and a killed writer leaves every committed batch intact.
      // synchronous=NORMAL keeps that through a crash of the process (not
      // through a power cut, where the last batches may be lost whole).
      exec("PRAGMA journal_mode = WAL", "cannot use write-ahead logging (not a database?)");
      exec("PRAGMA synchronous = NORMAL", "");
      exec("PRAGMA foreign_keys = ON", "");
      // Queries read many pages: map the file and keep a larger cache
      // (64 MiB) than the default 2 MiB.
      exec("PRAGMA mmap_size = 1073741824", "");
      exec("PRAGMA cache_size = -65536", "");
      migrate(target_version);
    } catch (...) {
      sqlite3_close(db_);
      throw;
    }
  }
  ~SqliteStore() override {
    statements_.clear();
    sqlite3_close(db_);
  }

  int schema_version() override { return version_; }

  Known lookup(const std::string& text_hash, const std::string& model) override {
    auto& q = statement("SELECT model FROM articles WHERE text_hash = ?");
    q.reset().bind(text_hash);
    if (!q.step()) return Known::kNo;
    const bool same = q.text(0) == model;
    q.reset();
    return same ? Known::kSameModel : Known::kOtherModel;
  }

  BatchResult write_batch(const std::vector<ArticleRecord>& articles,
                          const std::vector<FailureRecord>& failures) override {
    BatchResult result;
    const std::string now = utc_now();
    exec("BEGIN IMMEDIATE", "cannot start a transaction");
    try {
      const auto query_topics = topic_queries();
      touched_.clear();
      for (const auto& a : articles) write_article(a, now, query_topics, result);
      for (const auto& [source, cell] : touched_) update_cell_top(source, cell.first, cell.second);
      auto& fail = statement(
          "INSERT INTO failures (input, error, failed_at) VALUES (?, ?, ?) "
          "ON CONFLICT (input) DO UPDATE SET error = excluded.error, failed_at = excluded.failed_at");
      for (const auto& f : failures) {
        fail.reset().bind(f.input).bind(f.error).bind(now).run();
        ++result.failures;
      }
      exec("COMMIT", "cannot commit");
    } catch (...) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      sources_.clear();
      throw;
    }
    return result;
  }

  StatsResult stats(const StatsQuery& query) override;
  StatsResult stats_in_transaction(const StatsQuery& query);
  ArticleList list_articles(const ArticleListQuery& query) override;
  std::optional<StoredArticle> article(std::int64_t id) override;
  std::pair<std::string, std::string> date_range() override;
  std::vector<SearchHit> search(const SearchQuery& query) override;

  std::int64_t add_topic(const std::string& name, const std::string& query) override {
    if (name.empty()) throw Error("a topic needs a name");
    if (query.empty()) throw Error("topic '" + name + "': empty query");
    exec("BEGIN IMMEDIATE", "cannot start a transaction");
    try {
      const std::int64_t id = topic_id(name, query);
      statement("UPDATE topics SET query = ? WHERE id = ?").reset().bind(query).bind(id).run();
      statement("DELETE FROM article_topics WHERE topic_id = ?").reset().bind(id).run();
      try {
        Statement(db_,
                  "INSERT INTO article_topics (topic_id, article_id) SELECT ?, rowid FROM article_fts "
                  "WHERE article_fts MATCH ? ON CONFLICT DO NOTHING",
                  path_)
            .bind(id)
            .bind(query)
            .run();
      } catch (const Error& e) {
        throw Error("topic '" + name + "': invalid query '" + query + "' (" + sqlite3_errmsg(db_) + ")");
      }
      auto& n = statement("SELECT COUNT(*) FROM article_topics WHERE topic_id = ?");
      n.reset().bind(id).step();
      const std::int64_t members = n.integer(0);
      n.reset();
      exec("COMMIT", "cannot commit");
      return members;
    } catch (...) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }

  void remove_topic(const std::string& name) override {
    exec("BEGIN IMMEDIATE", "cannot start a transaction");
    try {
      auto& find = statement("SELECT id FROM topics WHERE name = ?");
      find.reset().bind(name);
      if (!find.step()) throw Error("no topic '" + name + "' in " + path_);
      const std::int64_t id = find.integer(0);
      find.reset();
      statement("DELETE FROM article_topics WHERE topic_id = ?").reset().bind(id).run();
      statement("DELETE FROM topics WHERE id = ?").reset().bind(id).run();
      exec("COMMIT", "cannot commit");
    } catch (...) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }

  std::vector<TopicInfo> topics() override {
    std::vector<TopicInfo> out;
    Statement q(db_,
                "SELECT t.name, t.query, COUNT(at.article_id) FROM topics t "
                "LEFT JOIN article_topics at ON at.topic_id = t.id GROUP BY t.id, t.name, t.query ORDER BY t.name",
                path_);
    while (q.step()) out.push_back({q.text(0), q.text(1), q.integer(2)});
    return out;
  }

  Counts counts() override {
    Counts c;
    Statement q(db_,
                "SELECT (SELECT COUNT(*) FROM articles), (SELECT COUNT(*) FROM spans), "
                "(SELECT COUNT(*) FROM failures)",
                path_);
    q.step();
    c.articles = q.integer(0);
    c.spans = q.integer(1);
    c.failures = q.integer(2);
    return c;
  }

  std::vector<FailureRecord> failures() override {
    std::vector<FailureRecord> out;
    Statement q(db_, "SELECT input, error FROM failures ORDER BY input", path_);
    while (q.step()) out.push_back({q.text(0), q.text(1)});
    return out;
  }

 private:
  void exec(const std::string& sql, const std::string& what) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : sqlite3_errmsg(db_);
      sqlite3_free(err);
      throw Error(path_ + ": " + (what.empty() ? msg : what + " (" + msg + ")"));
    }
  }

  // A statement prepared once per connection and kept.
  Statement& statement(const std::string& sql) {
    auto it = statements_.find(sql);
    if (it == statements_.end()) it = statements_.emplace(sql, std::make_unique<Statement>(db_, sql, path_)).first;
    return *it->second;
  }

  int read_version() {
    Statement tables(db_, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'", path_);
    tables.step();
    if (tables.integer(0) == 0) return -1;
    Statement v(db_, "SELECT version FROM schema_version", path_);
    if (!v.step()) throw Error(path_ + ": not a propscan store (no schema version row)");
    return static_cast<int>(v.integer(0));
  }

  void migrate(int target) {
    int version = read_version();
    if (version < 0) {
      Statement any(db_, "SELECT COUNT(*) FROM sqlite_master", path_);
      any.step();
      if (any.integer(0) > 0) throw Error(path_ + ": not a propscan store (a database with other tables)");
    }
    const auto steps = migrations();
    const int current = static_cast<int>(steps.size());
    if (version > current) {
      throw Error(path_ + ": store schema version " + std::to_string(version) + " is newer than this propscan's (" +
                  std::to_string(current) + "); use a newer propscan");
    }
    while (version < target) {
      // Each step in its own transaction; another process may have migrated
      // meanwhile, so the version is read again inside it.
      exec("BEGIN IMMEDIATE", "cannot start a transaction");
      try {
        version = read_version();
        if (version < 0) {
          exec("CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version (version) VALUES (0)",
               "cannot create the schema");
          version = 0;
        }
        if (version < target) {
          exec(steps[static_cast<std::size_t>(version)],
               "cannot migrate the store to schema version " + std::to_string(version + 1));
          exec("UPDATE schema_version SET version = " + std::to_string(version + 1), "");
          ++version;
        }
        exec("COMMIT", "cannot commit the migration");
      } catch (...) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
      }
    }
    version_ = version;
  }

  std::int64_t source_id(const std::string& name) {
    auto it = sources_.find(name);
    if (it != sources_.end()) return it->second;
    statement("INSERT INTO sources (name) VALUES (?) ON CONFLICT (name) DO NOTHING").reset().bind(name).run();
    auto& q = statement("SELECT id FROM sources WHERE name = ?");
    q.reset().bind(name).step();
    const std::int64_t id = q.integer(0);
    q.reset();
    // A rolled-back batch drops the whole cache (write_batch).
    sources_.emplace(name, id);
    return id;
  }

  std::unordered_map<std::int64_t, std::string> source_names() {
    std::unordered_map<std::int64_t, std::string> names;
    auto& q = statement("SELECT id, name FROM sources");
    q.reset();
    while (q.step()) names.emplace(q.integer(0), q.text(1));
    return names;
  }

  // The id of a topic, created (with `query`, possibly empty) when missing.
  std::int64_t topic_id(const std::string& name, const std::string& query) {
    auto& ins = statement("INSERT INTO topics (name, query) VALUES (?, ?) ON CONFLICT (name) DO NOTHING");
    ins.reset().bind(name).bind_or_null(query).run();
    auto& q = statement("SELECT id FROM topics WHERE name = ?");
    q.reset().bind(name).step();
    const std::int64_t id = q.integer(0);
    q.reset();
    return id;
  }

  std::vector<std::pair<std::int64_t, std::string>> topic_queries() {
    std::vector<std::pair<std::int64_t, std::string>> out;
    auto& q = statement("SELECT id, query FROM topics WHERE query IS NOT NULL");
    q.reset();
    while (q.step()) out.emplace_back(q.integer(0), q.text(1));
    return out;
  }

  // What one article adds to its source's and day's summary row.
  struct Contribution {
    std::int64_t spans = 0;
    double score = 0.0;
    std::array<std::int64_t, kNumTechniques> tech{};
  };

  // Adds `plus` and takes away `minus` (a replaced analysis) in the summary
  // row of (source, day).
  void add_to_summary(std::int64_t source, const std::string& day, const std::string& week, const std::string& month,
                      std::int64_t articles, std::int64_t words, const Contribution& plus, const Contribution& minus) {
    touched_.insert({source, {week, day}});
    std::string cols = "source_id, day, week, month, articles, words, spans, score_sum";
    std::string marks = "?, ?, ?, ?, ?, ?, ?, ?";
    std::string update =
        "articles = day_summary.articles + excluded.articles, words = day_summary.words + excluded.words, "
        "spans = day_summary.spans + excluded.spans, score_sum = day_summary.score_sum + excluded.score_sum";
    for (std::size_t t = 0; t < kNumTechniques; ++t) {
      for (const std::string c : {"tech", "articles", "score"}) {
        const std::string col = c + std::to_string(t);
        cols += ", " + col;
        marks += ", ?";
        update += ", " + col + " = day_summary." + col + " + excluded." + col;
      }
    }
    auto& up = statement("INSERT INTO day_summary (" + cols + ") VALUES (" + marks +
                         ") ON CONFLICT (source_id, week, day) DO UPDATE SET " + update);
    up.reset().bind(source).bind(day).bind(week).bind(month).bind(articles).bind(words);
    up.bind(plus.spans - minus.spans).bind(plus.score - minus.score);
    for (std::size_t t = 0; t < kNumTechniques; ++t) {
      const bool p = plus.tech[t] > 0, m = minus.tech[t] > 0;
      up.bind(plus.tech[t] - minus.tech[t]);
      up.bind(static_cast<std::int64_t>(p) - static_cast<std::int64_t>(m));
      up.bind((p ? plus.score : 0.0) - (m ? minus.score : 0.0));
    }
    up.run();
  }

  // Names the summary row's most propagandistic articles again.
  void update_cell_top(std::int64_t source, const std::string& week, const std::string& day) {
    // No source and no date are NULL in articles; the four forms keep the
    // look-up on the index.
    const std::string sql = std::string("SELECT id, propaganda_score FROM articles WHERE ") +
                            (source ? "source_id = ?" : "source_id IS NULL") + " AND " +
                            (day.empty() ? "day IS NULL" : "day = ?") +
                            " ORDER BY propaganda_score DESC, id LIMIT " + std::to_string(kCellTop);
    auto& q = statement(sql);
    q.reset();
    if (source) q.bind(source);
    if (!day.empty()) q.bind(day);
    std::vector<std::pair<std::int64_t, double>> top;
    while (q.step()) top.emplace_back(q.integer(0), q.real(1));
    std::string set;
    for (int k = 1; k <= kCellTop; ++k) {
      set += std::string(set.empty() ? "" : ", ") + "top" + std::to_string(k) + "_id = ?, top" + std::to_string(k) +
             "_score = ?";
    }
    auto& up = statement("UPDATE day_summary SET " + set + " WHERE source_id = ? AND week = ? AND day = ?");
    up.reset();
    for (std::size_t k = 0; k < static_cast<std::size_t>(kCellTop); ++k) {
      if (k < top.size()) {
        up.bind(top[k].first).bind(top[k].second);
      } else {
        up.bind_or_null("").bind_or_null("");
      }
    }
    up.bind(source).bind(week).bind(day).run();
  }

  void write_spans(std::int64_t article, const ArticleRecord& a) {
    auto& ins = statement(
        "INSERT INTO spans (article_id, start_offset, end_offset, technique_id, score, voice, speaker, "
        "precision_estimate, evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (std::size_t k = 0; k < a.spans.size(); ++k) {
      const Span& s = a.spans[k];
      ins.reset().bind(article).bind(static_cast<std::int64_t>(s.start)).bind(static_cast<std::int64_t>(s.end));
      ins.bind(static_cast<std::int64_t>(s.technique ? technique_index(*s.technique) : 0)).bind(s.score);
      if (k < a.explanations.size()) {
        const SpanExplanation& e = a.explanations[k];
        ins.bind(std::string(e.voice == Voice::kQuoted ? "quoted" : "author")).bind_or_null(e.speaker);
        if (e.precision_estimate) {
          ins.bind(*e.precision_estimate);
        } else {
          ins.bind_or_null("");
        }
        ins.bind(evidence_json(e.evidence));
      } else {
        ins.bind_or_null("").bind_or_null("").bind_or_null("").bind_or_null("");
      }
      ins.run();
    }
  }

  static std::array<std::int64_t, kNumTechniques> technique_counts(const ArticleRecord& a) {
    std::array<std::int64_t, kNumTechniques> n{};
    for (const auto& s : a.spans) {
      if (s.technique) ++n[technique_index(*s.technique)];
    }
    return n;
  }

  void write_article(const ArticleRecord& a, const std::string& now,
                     const std::vector<std::pair<std::int64_t, std::string>>& query_topics, BatchResult& result) {
    const auto counts = technique_counts(a);
    std::string old_sql =
        "SELECT id, model, COALESCE(source_id, 0), COALESCE(day, ''), COALESCE(week, ''), COALESCE(month, ''), "
        "span_count, propaganda_score";
    for (std::size_t t = 0; t < kNumTechniques; ++t) old_sql += ", " + technique_column(t);
    auto& find = statement(old_sql + " FROM articles WHERE text_hash = ?");
    find.reset().bind(a.text_hash);
    if (find.step()) {
      const std::int64_t id = find.integer(0);
      const bool same = find.text(1) == a.model;
      Contribution old;
      old.spans = find.integer(6);
      old.score = find.real(7);
      for (std::size_t t = 0; t < kNumTechniques; ++t) old.tech[t] = find.integer(8 + static_cast<int>(t));
      const std::int64_t sid = find.integer(2);
      const std::string day = find.text(3), week = find.text(4), month = find.text(5);
      find.reset();
      if (!same) {
        // The summary loses the old analysis and gains the new one.
        Contribution now_;
        now_.spans = static_cast<std::int64_t>(a.spans.size());
        now_.score = a.propaganda_score;
        now_.tech = counts;
        add_to_summary(sid, day, week, month, 0, 0, now_, old);
      }
      if (same) {
        ++result.unchanged;
      } else {
        // Re-analysed by another model: the same text, new spans and scores.
        statement("DELETE FROM spans WHERE article_id = ?").reset().bind(id).run();
        std::string sql = "UPDATE articles SET span_count = ?, propaganda_score = ?, analysed_at = ?, model = ?";
        for (std::size_t t = 0; t < kNumTechniques; ++t) sql += ", " + technique_column(t) + " = ?";
        auto& up = statement(sql + " WHERE id = ?");
        up.reset().bind(static_cast<std::int64_t>(a.spans.size())).bind(a.propaganda_score).bind(now).bind(a.model);
        for (auto n : counts) up.bind(n);
        up.bind(id).run();
        write_spans(id, a);
        ++result.replaced;
      }
      statement("DELETE FROM failures WHERE input = ?").reset().bind(a.input).run();
      return;
    }
    find.reset();
    std::string cols =
        "ext_id, source_id, published, day, week, month, url, title, text_hash, chars, words, span_count, "
        "propaganda_score, analysed_at, model";
    std::string marks = "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?";
    for (std::size_t t = 0; t < kNumTechniques; ++t) {
      cols += ", " + technique_column(t);
      marks += ", ?";
    }
    auto& ins = statement("INSERT INTO articles (" + cols + ") VALUES (" + marks + ") RETURNING id");
    ins.reset().bind(a.ext_id);
    if (a.source.empty()) {
      ins.bind_or_null("");
    } else {
      ins.bind(source_id(a.source));
    }
    const NormalisedDate none;
    const NormalisedDate& date = a.published ? *a.published : none;
    ins.bind_or_null(date.iso).bind_or_null(date.day).bind_or_null(date.week).bind_or_null(date.month);
    ins.bind_or_null(a.url).bind_or_null(a.title).bind(a.text_hash).bind(a.chars).bind(a.words);
    ins.bind(static_cast<std::int64_t>(a.spans.size())).bind(a.propaganda_score).bind(now).bind(a.model);
    for (auto n : counts) ins.bind(n);
    ins.step();
    const std::int64_t id = ins.integer(0);
    ins.reset();
    statement("INSERT INTO article_texts (article_id, title, body) VALUES (?, ?, ?)")
        .reset()
        .bind(id)
        .bind_or_null(a.title)
        .bind(a.text)
        .run();
    statement(
        "INSERT INTO article_fts (rowid, title, body) SELECT article_id, title, body FROM article_search_content "
        "WHERE article_id = ?")
        .reset()
        .bind(id)
        .run();
    write_spans(id, a);
    Contribution mine;
    mine.spans = static_cast<std::int64_t>(a.spans.size());
    mine.score = a.propaganda_score;
    mine.tech = counts;
    add_to_summary(a.source.empty() ? 0 : source_id(a.source), date.day, date.week, date.month, 1, a.words, mine, {});
    for (const auto& name : a.topics) {
      statement("INSERT INTO article_topics (topic_id, article_id) VALUES (?, ?) ON CONFLICT DO NOTHING")
          .reset()
          .bind(topic_id(name, ""))
          .bind(id)
          .run();
    }
    for (const auto& [topic, query] : query_topics) {
      statement(
          "INSERT INTO article_topics (topic_id, article_id) SELECT ?, rowid FROM article_fts "
          "WHERE article_fts MATCH ? AND rowid = ? ON CONFLICT DO NOTHING")
          .reset()
          .bind(topic)
          .bind(query)
          .bind(id)
          .run();
    }
    statement("DELETE FROM failures WHERE input = ?").reset().bind(a.input).run();
    ++result.added;
  }

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
  int version_ = 0;
  std::map<std::string, std::unique_ptr<Statement>> statements_;
  std::map<std::string, std::int64_t> sources_;
  // The summary rows (source, (week, day)) the batch being written changed.
  std::set<std::pair<std::int64_t, std::pair<std::string, std::string>>> touched_;
};

// ---- Stats -------------------------------------------------------------------

StatsResult SqliteStore::stats(const StatsQuery& query) {
  // One read transaction: the counts and the top articles see the same
  // snapshot, and the many small reads take the file's locks once.
  exec("BEGIN", "cannot start a transaction");
  try {
    StatsResult result = stats_in_transaction(query);
    exec("COMMIT", "cannot end the transaction");
    return result;
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

// A statement's current row.
class StatementRow final : public Row {
 public:
  explicit StatementRow(const Statement& s) : s_(s) {}
  bool is_null(int col) const override { return s_.is_null(col); }
  std::string_view text(int col) const override { return s_.text_view(col); }
  std::int64_t integer(int col) const override { return s_.integer(col); }
  double real(int col) const override { return s_.real(col); }

 private:
  const Statement& s_;
};

std::string question_mark(int) { return "?"; }

StatsResult SqliteStore::stats_in_transaction(const StatsQuery& query) {
  StatsPlan plan(query, question_mark);
  const auto run = [&](const std::string& sql, auto&& each) {
    Statement q(db_, sql, path_);
    for (const auto& p : plan.params()) q.bind(p);
    const StatementRow row(q);
    while (q.step()) each(row);
  };
  run(plan.counts_sql(), [&](const Row& row) { plan.add_counts(row); });
  std::unordered_map<std::int64_t, ArticleRef> refs;
  if (plan.wants_top()) {
    run(plan.top_sql(), [&](const Row& row) { plan.add_top(row); });
    // The kept articles, read in id order (neighbouring rows share pages).
    auto& read = statement(
        "SELECT ext_id, title, COALESCE(source_id, 0), published, propaganda_score, span_count FROM articles "
        "WHERE id = ?");
    const auto names = source_names();
    for (const std::int64_t id : plan.top_ids()) {
      read.reset().bind(id);
      if (read.step()) {
        const auto source = names.find(read.integer(2));
        refs[id] = {id,           read.text(0), read.text(1), source == names.end() ? std::string() : source->second,
                    read.text(3), read.real(4), read.integer(5)};
      }
      read.reset();
    }
  }
  return plan.finish(refs, source_names());
}

// ---- The corpus view's articles ----------------------------------------------

ArticleList SqliteStore::list_articles(const ArticleListQuery& query) {
  std::vector<std::string> params;
  const std::string where = article_list_where(query, question_mark, params);
  ArticleList out;
  {
    Statement q(db_, "SELECT COUNT(*) FROM articles a" + where, path_);
    for (const auto& p : params) q.bind(p);
    if (q.step()) out.total = q.integer(0);
  }
  Statement q(db_, article_list_sql(where, question_mark, static_cast<int>(params.size())), path_);
  for (const auto& p : params) q.bind(p);
  q.bind(static_cast<std::int64_t>(query.limit)).bind(static_cast<std::int64_t>(query.offset));
  const StatementRow row(q);
  while (q.step()) out.articles.push_back(article_list_item(row));
  return out;
}

std::optional<StoredArticle> SqliteStore::article(std::int64_t id) {
  Statement q(db_,
              "SELECT a.ext_id, a.title, s.name, a.published, a.propaganda_score, a.span_count, a.url, t.body, "
              "a.chars, a.model, a.analysed_at FROM articles a JOIN article_texts t ON t.article_id = a.id "
              "LEFT JOIN sources s ON s.id = a.source_id WHERE a.id = ?",
              path_);
  q.bind(id);
  if (!q.step()) return std::nullopt;
  StoredArticle out;
  out.article = {id, q.text(0), q.text(1), q.text(2), q.text(3), q.real(4), q.integer(5)};
  out.url = q.text(6);
  out.text = q.text(7);
  out.chars = q.integer(8);
  out.model = q.text(9);
  out.analysed_at = q.text(10);
  Statement spans(db_,
                  "SELECT start_offset, end_offset, technique_id, score FROM spans WHERE article_id = ? "
                  "ORDER BY start_offset, end_offset, technique_id",
                  path_);
  spans.bind(id);
  const auto techniques = all_techniques();
  while (spans.step()) {
    Span s;
    s.article_id = out.article.ext_id;
    s.start = spans.integer(0);
    s.end = spans.integer(1);
    const auto t = static_cast<std::size_t>(spans.integer(2));
    if (t < techniques.size()) s.technique = techniques[t];
    s.score = spans.real(3);
    out.spans.push_back(std::move(s));
  }
  return out;
}

std::pair<std::string, std::string> SqliteStore::date_range() {
  Statement q(db_, "SELECT MIN(day), MAX(day) FROM articles WHERE day IS NOT NULL", path_);
  if (!q.step()) return {};
  return {q.text(0), q.text(1)};
}

// ---- Search --------------------------------------------------------------------

std::vector<SearchHit> SqliteStore::search(const SearchQuery& query) {
  if (query.text.find_first_not_of(" \t") == std::string::npos) throw Error("empty search query");
  std::vector<SearchHit> hits;
  Statement q(db_,
              "SELECT a.id, a.ext_id, a.title, s.name, a.published, a.propaganda_score, a.span_count, "
              "snippet(article_fts, -1, char(1), char(2), char(3), 16) "
              "FROM article_fts JOIN articles a ON a.id = article_fts.rowid "
              "LEFT JOIN sources s ON s.id = a.source_id "
              "WHERE article_fts MATCH ? ORDER BY article_fts.rank, a.id LIMIT ?",
              path_);
  q.bind(query.text).bind(static_cast<std::int64_t>(query.limit));
  try {
    while (q.step()) {
      SearchHit hit;
      hit.article = {q.integer(0), q.text(1), q.text(2), q.text(3), q.text(4), q.real(5), q.integer(6)};
      const std::u32string raw = text::decode_utf8(q.text(7));
      std::int64_t open = -1;
      for (std::size_t i = 0; i < raw.size(); ++i) {
        const char32_t c = raw[i];
        if (c == 1) {
          open = static_cast<std::int64_t>(hit.snippet.size());
        } else if (c == 2) {
          if (open >= 0) hit.matches.emplace_back(open, static_cast<std::int64_t>(hit.snippet.size()));
          open = -1;
        } else if (c == 3) {
          (hit.snippet.empty() ? hit.snippet_starts_inside : hit.snippet_ends_inside) = true;
        } else {
          hit.snippet += c;
        }
      }
      hits.push_back(std::move(hit));
    }
  } catch (const Error&) {
    throw Error("search query '" + query.text + "': " + sqlite3_errmsg(db_));
  }
  return hits;
}

}  // namespace

int current_schema_version() { return static_cast<int>(migrations().size()); }

std::unique_ptr<Store> open_store(const std::string& path) {
  return std::make_unique<SqliteStore>(path, current_schema_version());
}

std::unique_ptr<Store> open_store_at_version(const std::string& path, int version) {
  return std::make_unique<SqliteStore>(path, std::min(version, current_schema_version()));
}

}  // namespace propscan::store
