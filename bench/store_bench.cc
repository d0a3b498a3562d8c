// `make bench`: the corpus store's queries on a synthetic store of 200,000
// articles and 1,000,000 spans (100 sources over two years, every article
// dated, 0 to 10 spans each, five on average).
//   BM_StatsBySourceWeek    stats --by source,week (required: 500 ms or less)
//   BM_StatsByTechnique     stats --by technique
//   BM_Search               a full-text query, 20 results with snippets
//   BM_CorpusOverview       the dashboard's charts (/api/corpus/overview) of
//                           the whole store, and of five outlets
//   BM_CorpusArticles       the dashboard's article list of a clicked point
// The store is built once, into $PROPSCAN_BENCH_STORE (default
// bench-store.db in the build directory), and reused while it holds the
// expected counts; scripts/bench-corpus.sh times the command line on it.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <random>

#include "store/corpus_view.h"
#include "store/dates.h"
#include "store/sha256.h"
#include "store/store.h"

namespace {

using namespace propscan;

constexpr std::int64_t kArticles = 200'000;
constexpr std::int64_t kSpans = 1'000'000;

std::string store_path() {
  if (const char* env = std::getenv("PROPSCAN_BENCH_STORE")) return env;
  return PROPSCAN_BENCH_STORE_DEFAULT;
}

std::string source_name(int k) { return "Source " + std::to_string(k); }

void build_store(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  auto st = store::open_store(path);
  std::mt19937_64 rng(20);
  const std::vector<std::string> words{"council", "budget", "harbour", "plan",   "critics", "said", "the",  "new",
                                       "vote",    "minister", "police", "school", "tax",     "a",    "of",   "on",
                                       "disgraceful", "corrupt", "reform", "market", "energy", "price", "week", "city"};
  std::vector<store::ArticleRecord> batch;
  std::int64_t spans = 0;
  for (std::int64_t i = 0; i < kArticles; ++i) {
    store::ArticleRecord a;
    a.input = "synthetic:" + std::to_string(i);
    a.ext_id = "s" + std::to_string(i);
    a.source = source_name(static_cast<int>(rng() % 100));
    const int day = static_cast<int>(rng() % 730);
    char date[64];
    std::snprintf(date, sizeof date, "%04d-%02d-%02d", 2023 + day / 365, 1 + day % 365 * 12 / 365, 1 + day % 28);
    a.published = store::normalise_date(date);
    a.title = "Story " + std::to_string(i);
    for (int w = 0; w < 80; ++w) a.text += words[rng() % words.size()] + (w % 12 == 11 ? ". " : " ");
    a.text += std::to_string(i);
    a.text_hash = store::sha256_hex(a.text);
    a.chars = static_cast<std::int64_t>(a.text.size());
    a.words = 81;
    // 0..10 spans, 5 on average; the last article tops the total up to kSpans.
    const std::int64_t n = i + 1 == kArticles ? kSpans - spans : static_cast<std::int64_t>(rng() % 11);
    for (std::int64_t k = 0; k < n; ++k) {
      Span s;
      s.start = static_cast<Offset>(k * 10);
      s.end = s.start + 8;
      // Loaded language and name calling dominate, as in the corpus.
      const auto r = rng() % 100;
      s.technique = r < 45 ? Technique::kLoadedLanguage
                  : r < 65 ? Technique::kNameCallingLabeling
                           : all_techniques()[r % kNumTechniques];
      s.score = static_cast<double>(rng() % 1000) / 1000.0;
      a.spans.push_back(s);
    }
    spans += n;
    a.propaganda_score = static_cast<double>(n) / 20.0;
    a.model = "synthetic";
    batch.push_back(std::move(a));
    if (batch.size() == 5000) {
      st->write_batch(batch, {});
      batch.clear();
    }
  }
  st->write_batch(batch, {});
}

store::Store& bench_store() {
  static std::unique_ptr<store::Store> st = [] {
    const std::string path = store_path();
    bool ok = false;
    if (std::filesystem::exists(path)) {
      auto existing = store::open_store(path);
      const auto c = existing->counts();
      ok = c.articles == kArticles && c.spans == kSpans;
    }
    if (!ok) {
      std::cerr << "building the synthetic store " << path << " (200,000 articles, 1,000,000 spans)...\n";
      build_store(path);
    }
    return store::open_store(path);
  }();
  return *st;
}

void BM_StatsBySourceWeek(benchmark::State& state) {
  auto& st = bench_store();
  store::StatsQuery q;
  q.by = {store::Dimension::kSource, store::Dimension::kWeek};
  std::size_t rows = 0;
  for (auto _ : state) rows = st.stats(q).rows.size();
  state.counters["groups"] = static_cast<double>(rows);
}
BENCHMARK(BM_StatsBySourceWeek)->Unit(benchmark::kMillisecond)->Iterations(5);

// The same counts without the most propagandistic articles of each group.
void BM_StatsBySourceWeekCountsOnly(benchmark::State& state) {
  auto& st = bench_store();
  store::StatsQuery q;
  q.by = {store::Dimension::kSource, store::Dimension::kWeek};
  q.top = 0;
  for (auto _ : state) benchmark::DoNotOptimize(st.stats(q));
}
BENCHMARK(BM_StatsBySourceWeekCountsOnly)->Unit(benchmark::kMillisecond)->Iterations(5);

void BM_StatsByTechnique(benchmark::State& state) {
  auto& st = bench_store();
  store::StatsQuery q;
  q.by = {store::Dimension::kTechnique};
  for (auto _ : state) benchmark::DoNotOptimize(st.stats(q));
}
BENCHMARK(BM_StatsByTechnique)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_Search(benchmark::State& state) {
  auto& st = bench_store();
  store::SearchQuery q;
  q.text = "harbour AND corrupt";
  for (auto _ : state) benchmark::DoNotOptimize(st.search(q));
}
BENCHMARK(BM_Search)->Unit(benchmark::kMillisecond)->Iterations(10);

void BM_CorpusOverview(benchmark::State& state) {
  auto& st = bench_store();
  store::CorpusFilter f;
  if (state.range(0)) {
    for (int s = 0; s < 5; ++s) f.sources.push_back(source_name(s));
  }
  for (auto _ : state) benchmark::DoNotOptimize(store::corpus_overview(st, f, store::Dimension::kWeek));
}
BENCHMARK(BM_CorpusOverview)->Arg(0)->Arg(1)->ArgName("five_outlets")->Unit(benchmark::kMillisecond)->Iterations(3);

// The 50 most propagandistic articles of one outlet in one week using one technique.
void BM_CorpusArticles(benchmark::State& state) {
  auto& st = bench_store();
  store::ArticleListQuery q;
  q.filter.sources = {source_name(3)};
  q.filter.techniques = {Technique::kLoadedLanguage};
  q.period_kind = store::Dimension::kWeek;
  q.period = "2024-W10";
  std::size_t n = 0;
  for (auto _ : state) n = st.list_articles(q).articles.size();
  state.counters["articles"] = static_cast<double>(n);
}
BENCHMARK(BM_CorpusArticles)->Unit(benchmark::kMillisecond)->Iterations(10);

}  // namespace
