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
#include <utility>

#include "propscan/error.h"
#include "store/store.h"
#include "text/utf8.h"

namespace propscan::store {
namespace {

// ---- Schema and migrations --------------------------------------------------

// The column of articles that counts the spans of technique t.
std::string technique_column(std::size_t t) { return "tech" + std::to_string(t); }

std::string technique_columns_ddl() {
  std::string out;
  for (std::size_t t = 0; t < kNumTechniques; ++t) out += "  " + technique_column(t) + " INTEGER NOT NULL DEFAULT 0,\n";
  return out;
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

std::string sql_key(Dimension d) {
  switch (d) {
    case Dimension::kSource: return "s.name";
    case Dimension::kDay: return "a.day";
    case Dimension::kWeek: return "a.week";
    case Dimension::kMonth: return "a.month";
    case Dimension::kTopic: return "tp.name";
    case Dimension::kTechnique: return "tq.label";
  }
  return "";
}

// The technique-t count of an article, for a technique joined as tq.
std::string technique_case() {
  std::string out = "CASE tq.id";
  for (std::size_t t = 0; t < kNumTechniques; ++t) {
    out += " WHEN " + std::to_string(t) + " THEN a." + technique_column(t);
  }
  return out + " END";
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
      for (const auto& a : articles) write_article(a, now, query_topics, result);
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

  void write_spans(std::int64_t article, const ArticleRecord& a) {
    auto& ins = statement(
        "INSERT INTO spans (article_id, start_offset, end_offset, technique_id, score) VALUES (?, ?, ?, ?, ?)");
    for (const auto& s : a.spans) {
      ins.reset().bind(article).bind(static_cast<std::int64_t>(s.start)).bind(static_cast<std::int64_t>(s.end));
      ins.bind(static_cast<std::int64_t>(s.technique ? technique_index(*s.technique) : 0)).bind(s.score).run();
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
    auto& find = statement("SELECT id, model FROM articles WHERE text_hash = ?");
    find.reset().bind(a.text_hash);
    if (find.step()) {
      const std::int64_t id = find.integer(0);
      const bool same = find.text(1) == a.model;
      find.reset();
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
};


// ---- Stats -------------------------------------------------------------------

StatsResult SqliteStore::stats(const StatsQuery& query) {
  StatsResult result;
  result.by = query.by;
  const auto technique_pos = std::find(query.by.begin(), query.by.end(), Dimension::kTechnique);
  const bool by_technique = technique_pos != query.by.end();
  const bool by_topic = std::find(query.by.begin(), query.by.end(), Dimension::kTopic) != query.by.end();
  std::vector<std::string> keys;  // the SQL grouping keys: every dimension but technique
  for (Dimension d : query.by) {
    if (d != Dimension::kTechnique) keys.push_back(sql_key(d));
  }
  std::string from = " FROM articles a LEFT JOIN sources s ON s.id = a.source_id";
  if (by_topic) from += " JOIN article_topics atp ON atp.article_id = a.id JOIN topics tp ON tp.id = atp.topic_id";
  std::string where;
  std::vector<std::string> params;
  const auto add = [&](const std::string& clause, const std::string& value) {
    where += (where.empty() ? " WHERE " : " AND ") + clause;
    params.push_back(value);
  };
  if (!query.source.empty()) add("a.source_id = (SELECT id FROM sources WHERE name = ?)", query.source);
  if (!query.topic.empty()) {
    add("a.id IN (SELECT ft.article_id FROM article_topics ft JOIN topics fto ON fto.id = ft.topic_id "
        "WHERE fto.name = ?)",
        query.topic);
  }
  if (!query.since.empty()) add("a.day >= ?", query.since);
  if (!query.until.empty()) add("a.day <= ?", query.until);
  std::string key_list;
  for (const auto& k : keys) key_list += (key_list.empty() ? "" : ", ") + k;

  // One pass over the article rows (never the spans): counts per group, and
  // per technique from the articles' technique columns.
  std::string sql = "SELECT ";
  for (const auto& k : keys) sql += k + ", ";
  sql += "COUNT(*), SUM(a.words), SUM(a.span_count), SUM(a.propaganda_score)";
  for (std::size_t t = 0; t < kNumTechniques; ++t) sql += ", SUM(a." + technique_column(t) + ")";
  if (by_technique) {
    for (std::size_t t = 0; t < kNumTechniques; ++t) {
      sql += ", SUM(CASE WHEN a." + technique_column(t) + " > 0 THEN 1 ELSE 0 END)";
      sql += ", SUM(CASE WHEN a." + technique_column(t) + " > 0 THEN a.propaganda_score ELSE 0 END)";
    }
  }
  sql += from + where;
  if (!keys.empty()) sql += " GROUP BY " + key_list;
  Statement q(db_, sql, path_);
  for (const auto& p : params) q.bind(p);
  const int base = static_cast<int>(keys.size());
  while (q.step()) {
    StatsRow row;
    for (int k = 0; k < base; ++k) row.keys.push_back(q.text(k));
    row.articles = q.integer(base);
    if (row.articles == 0) continue;
    row.words = q.integer(base + 1);
    row.spans = q.integer(base + 2);
    row.total_spans = row.spans;
    row.mean_score = q.real(base + 3) / static_cast<double>(row.articles);
    for (std::size_t t = 0; t < kNumTechniques; ++t) row.technique_spans[t] = q.integer(base + 4 + static_cast<int>(t));
    if (!by_technique) {
      result.rows.push_back(std::move(row));
      continue;
    }
    // A row per technique used in the group.
    const int extra = base + 4 + static_cast<int>(kNumTechniques);
    const auto at = static_cast<std::size_t>(technique_pos - query.by.begin());
    for (Technique t : all_techniques()) {
      const std::size_t i = technique_index(t);
      const std::int64_t articles = q.integer(extra + 2 * static_cast<int>(i));
      if (articles == 0) continue;
      StatsRow trow;
      trow.keys = row.keys;
      trow.keys.insert(trow.keys.begin() + static_cast<std::ptrdiff_t>(at), std::string(technique_label(t)));
      trow.articles = articles;
      trow.words = row.words;
      trow.spans = row.technique_spans[i];
      trow.total_spans = row.spans;
      trow.technique_spans[i] = trow.spans;
      trow.mean_score = q.real(extra + 2 * static_cast<int>(i) + 1) / static_cast<double>(articles);
      result.rows.push_back(std::move(trow));
    }
  }
  std::sort(result.rows.begin(), result.rows.end(),
            [](const StatsRow& x, const StatsRow& y) { return x.keys < y.keys; });
  if (query.top <= 0 || result.rows.empty()) return result;

  // The most propagandistic articles of each group.
  std::vector<std::string> top_keys;
  for (Dimension d : query.by) top_keys.push_back(sql_key(d));
  std::string inner = "SELECT ";
  std::string partition;
  for (std::size_t k = 0; k < top_keys.size(); ++k) {
    inner += top_keys[k] + " AS k" + std::to_string(k) + ", ";
    partition += (partition.empty() ? "" : ", ") + top_keys[k];
  }
  inner +=
      "a.id AS id, a.ext_id AS ext_id, a.title AS title, s.name AS source_name, a.published AS published, "
      "a.propaganda_score AS score, a.span_count AS span_count, ROW_NUMBER() OVER (" +
      (partition.empty() ? std::string() : "PARTITION BY " + partition + " ") +
      "ORDER BY a.propaganda_score DESC, a.id) AS rn" + from;
  if (by_technique) inner += " JOIN techniques tq ON " + technique_case() + " > 0";
  inner += where;
  std::string outer = "SELECT ";
  for (std::size_t k = 0; k < top_keys.size(); ++k) outer += "k" + std::to_string(k) + ", ";
  outer += "id, ext_id, title, source_name, published, score, span_count FROM (" + inner +
           ") ranked WHERE rn <= ? ORDER BY score DESC, id";
  Statement top(db_, outer, path_);
  for (const auto& p : params) top.bind(p);
  top.bind(query.top);
  std::map<std::vector<std::string>, StatsRow*> by_keys;
  for (auto& row : result.rows) by_keys[row.keys] = &row;
  const int n = static_cast<int>(top_keys.size());
  while (top.step()) {
    std::vector<std::string> k;
    for (int i = 0; i < n; ++i) k.push_back(top.text(i));
    auto it = by_keys.find(k);
    if (it == by_keys.end()) continue;
    ArticleRef ref;
    ref.id = top.integer(n);
    ref.ext_id = top.text(n + 1);
    ref.title = top.text(n + 2);
    ref.source = top.text(n + 3);
    ref.published = top.text(n + 4);
    ref.propaganda_score = top.real(n + 5);
    ref.spans = top.integer(n + 6);
    it->second->top.push_back(std::move(ref));
  }
  return result;
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
