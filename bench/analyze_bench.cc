// `make bench`: speed and memory of the analyzer on the PTC training articles.
//   BM_ModelLoad            time to load the shipped model
//   BM_Batch90WithLoad      load the model, then analyse 90 articles on one core
//   BM_Analyze/threads:N    articles per second on one core and on all cores
//   BM_AnalyzeWith(out)Explanations  CPU time per article on one core, with
//                           and without evidence and voice: what explaining costs
//   BM_Latency              p50 / p99 time per article on one core
//   BM_AnalyzeAccurate      articles per second of the accurate model on one core
// Peak memory is measured per process by scripts/bench-rss.sh (in one
// benchmark process it would only grow from one benchmark to the next).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "io/corpus.h"
#include "propscan/analyzer.h"

namespace {

std::string articles_dir() {
  if (const char* env = std::getenv("PROPSCAN_BENCH_DATA")) return env;
  return std::string(PROPSCAN_SOURCE_DIR) + "/../shared/data/ptc/train/articles";
}

const std::vector<propscan::Document>& articles() {
  static const auto docs = propscan::io::load_articles(articles_dir());
  return docs;
}

const propscan::Analyzer& analyzer() {
  static const propscan::Analyzer a(propscan::default_model_path());
  return a;
}

void BM_ModelLoad(benchmark::State& state) {
  const std::string path = propscan::default_model_path();
  for (auto _ : state) {
    propscan::Analyzer a(path);
    benchmark::DoNotOptimize(&a);
  }
}
BENCHMARK(BM_ModelLoad)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_Batch90WithLoad(benchmark::State& state) {
  const auto& docs = articles();
  const std::size_t n = std::min<std::size_t>(90, docs.size());
  for (auto _ : state) {
    propscan::Analyzer a(propscan::default_model_path());
    for (std::size_t i = 0; i < n; ++i) benchmark::DoNotOptimize(a.analyze(docs[i]));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
  state.counters["articles_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * n), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Batch90WithLoad)->Unit(benchmark::kMillisecond)->MinTime(3.0)->UseRealTime();

// Each benchmark thread analyses its share of the articles with the one
// shared analyzer.
void BM_Analyze(benchmark::State& state) {
  const auto& docs = articles();
  const auto& a = analyzer();
  std::size_t i = static_cast<std::size_t>(state.thread_index());
  std::int64_t done = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(a.analyze(docs[i % docs.size()]));
    i += static_cast<std::size_t>(state.threads());
    ++done;
  }
  state.SetItemsProcessed(done);
  state.counters["articles_per_s"] = benchmark::Counter(static_cast<double>(done), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Analyze)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(3.0)->Threads(1)->ThreadPerCpu();

// One thread analyses the articles in turn; CPU time, articles per second.
void analyze_in_turn(benchmark::State& state, const propscan::Analyzer& a) {
  const auto& docs = articles();
  std::size_t i = 0;
  std::int64_t done = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(a.analyze(docs[i % docs.size()]));
    ++i;
    ++done;
  }
  state.counters["articles_per_s"] = benchmark::Counter(static_cast<double>(done), benchmark::Counter::kIsRate);
}

// The same on one core without explanations (evidence, voice, speakers):
// against BM_Analyze/threads:1, what explaining costs.
void BM_AnalyzeWithoutExplanations(benchmark::State& state) {
  static const propscan::Analyzer a(propscan::default_model_path(), [] {
    propscan::AnalyzerOptions o;
    o.explain = false;
    return o;
  }());
  analyze_in_turn(state, a);
}
BENCHMARK(BM_AnalyzeWithoutExplanations)->Unit(benchmark::kMillisecond)->MinTime(3.0);

// With explanations, measured the same way (CPU time, one thread).
void BM_AnalyzeWithExplanations(benchmark::State& state) {
  analyze_in_turn(state, analyzer());
}
BENCHMARK(BM_AnalyzeWithExplanations)->Unit(benchmark::kMillisecond)->MinTime(3.0);

void BM_Latency(benchmark::State& state) {
  const auto& docs = articles();
  const auto& a = analyzer();
  std::vector<double> ms;
  for (auto _ : state) {
    ms.clear();
    for (const auto& d : docs) {
      auto t0 = std::chrono::steady_clock::now();
      benchmark::DoNotOptimize(a.analyze(d));
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
  }
  std::sort(ms.begin(), ms.end());
  state.counters["p50_ms"] = ms[ms.size() / 2];
  state.counters["p99_ms"] = ms[std::min(ms.size() - 1, ms.size() * 99 / 100)];
  state.counters["articles"] = static_cast<double>(ms.size());
}
BENCHMARK(BM_Latency)->Unit(benchmark::kMillisecond)->Iterations(1);

// The accurate model (its sentence encoder reads every sentence and every
// candidate passage) on one core, as BM_AnalyzeWithExplanations measures the
// fast one.
void BM_AnalyzeAccurate(benchmark::State& state) {
  static const propscan::Analyzer a(propscan::find_model("accurate"));
  analyze_in_turn(state, a);
}
BENCHMARK(BM_AnalyzeAccurate)->Unit(benchmark::kMillisecond)->MinTime(3.0);

}  // namespace

int main(int argc, char** argv) {
  // The analyzer runs one article per thread; libtorch must not add its own.
  propscan::set_compute_threads(1);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  std::cout << "articles: " << articles().size() << " from " << articles_dir() << "\n";
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

