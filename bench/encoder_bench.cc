// `make bench`: the sentence encoder (src/encoder/) on one core.
//   BM_EncoderLoad       time to read the package's weights
//   BM_EncodeBatch32     sentences per second, batches of 32 news sentences
//                        (the first sentences of the PTC training articles)
#include <benchmark/benchmark.h>

#include <cstdlib>

#include "encoder/sentence_encoder.h"
#include "io/corpus.h"
#include "neural/network.h"
#include "text/sentences.h"

namespace {

using propscan::encoder::SentenceEncoder;

std::string articles_dir() {
  if (const char* env = std::getenv("PROPSCAN_BENCH_DATA")) return env;
  return std::string(PROPSCAN_SOURCE_DIR) + "/../shared/data/ptc/train/articles";
}

const SentenceEncoder& encoder() {
  static const SentenceEncoder e = SentenceEncoder::load(SentenceEncoder::default_dir());
  return e;
}

// 32 sentences from the articles, in order, each over 20 characters.
std::vector<std::u32string> news_batch() {
  std::vector<std::u32string> batch;
  for (const auto& doc : propscan::io::load_articles(articles_dir())) {
    for (const auto& s : propscan::text::split_sentences(doc.text)) {
      if (s.end - s.start <= 20) continue;
      batch.push_back(doc.text.substr(s.start, s.end - s.start));
      if (batch.size() == 32) return batch;
    }
  }
  return batch;
}

void BM_EncoderLoad(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(SentenceEncoder::load(SentenceEncoder::default_dir()));
}
BENCHMARK(BM_EncoderLoad)->Unit(benchmark::kMillisecond);

void BM_EncodeBatch32(benchmark::State& state) {
  propscan::neural::set_blas_threads(1);
  const auto batch = news_batch();
  if (batch.size() < 32) {
    state.SkipWithError("fewer than 32 sentences in the articles (PROPSCAN_BENCH_DATA)");
    return;
  }
  std::size_t pieces = 0;
  for (const auto& s : batch) pieces += encoder().tokenize(s).size();
  for (auto _ : state) benchmark::DoNotOptimize(encoder().encode(batch));
  state.counters["sentences/s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * batch.size()), benchmark::Counter::kIsRate);
  state.counters["pieces/sentence"] = static_cast<double>(pieces) / static_cast<double>(batch.size());
}
BENCHMARK(BM_EncodeBatch32)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
