#include "model/reranker.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <utility>

#include "model/model.h"

namespace propscan::rerank {
namespace {

// Bucket of a probability-like value in [0, 1]: tenths.
std::string tenth(float v) { return std::to_string(std::clamp(static_cast<int>(v * 10.0f), 0, 9)); }

std::string length_bucket(int n) {
  if (n <= 3) return std::to_string(n);
  if (n <= 6) return "4-6";
  if (n <= 12) return "7-12";
  if (n <= 25) return "13-25";
  return "26+";
}

bool is_word(const features::ArticleView& view, int k) {
  return view.tokens[static_cast<std::size_t>(k)].kind != text::TokenKind::kPunct;
}

}  // namespace

ArticleStats article_stats(const features::ArticleView& view, const std::vector<float>& probs) {
  ArticleStats s;
  const std::size_t n = probs.size();
  for (float p : probs) {
    s.mean += p;
    if (p >= 0.3f) s.dense += 1.0f;
  }
  if (n) {
    s.mean /= static_cast<float>(n);
    s.dense /= static_cast<float>(n);
  }
  s.sentence_mean.assign(view.sentences.size(), 0.0f);
  s.sentence_max.assign(view.sentences.size(), 0.0f);
  for (std::size_t k = 0; k < view.sentences.size(); ++k) {
    const int first = view.sentence_first_token[k], end = view.sentence_end_token[k];
    for (int t = first; t < end; ++t) {
      s.sentence_mean[k] += probs[static_cast<std::size_t>(t)];
      s.sentence_max[k] = std::max(s.sentence_max[k], probs[static_cast<std::size_t>(t)]);
    }
    if (end > first) s.sentence_mean[k] /= static_cast<float>(end - first);
  }
  return s;
}

std::vector<Candidate> candidates(const features::ArticleView& view, const std::vector<float>& probs,
                                  const std::string& article_id) {
  std::vector<Candidate> out;
  std::set<std::pair<Offset, Offset>> seen;
  for (std::size_t e = 0; e < kExtents.size(); ++e) {
    for (auto& s : Model::decode_spans(view, probs, kExtents[e], article_id)) {
      if (!seen.emplace(s.start, s.end).second) continue;
      Candidate c;
      c.first_token = view.token_at_or_after(s.start);
      c.end_token = view.token_at_or_after(s.end);
      c.extent = static_cast<int>(e);
      c.span = std::move(s);
      out.push_back(std::move(c));
    }
  }
  return out;
}

void candidate_features(const features::ArticleView& view, const TokenProbabilities& token_probs,
                        const ArticleStats& stats, const Candidate& c,
                        const std::array<float, kNumTechniques>& techniques, const features::FeatureHasher& hasher,
                        features::SparseVector& x) {
  const auto& probs = token_probs.blend;
  const int a = c.first_token, b = c.end_token, n = b - a;
  const auto sent = static_cast<std::size_t>(view.token_sentence[static_cast<std::size_t>(a)]);
  float mean = 0.0f, lo = 1.0f, hi = 0.0f;
  bool quote = false, exclaim = false, question = false;
  for (int k = a; k < b; ++k) {
    const float p = probs[static_cast<std::size_t>(k)];
    mean += p;
    lo = std::min(lo, p);
    hi = std::max(hi, p);
    const auto& w = view.words[static_cast<std::size_t>(k)];
    quote = quote || view.in_quotes[static_cast<std::size_t>(k)] || w == "\"" || w == "\u201c" || w == "\u201d";
    exclaim = exclaim || w == "!";
    question = question || w == "?";
  }
  mean /= static_cast<float>(std::max(1, n));
  const std::string len = length_bucket(n);
  const std::string m = tenth(mean);

  hasher.add(x, "bias", "");
  hasher.add(x, "extent=", std::to_string(c.extent));
  hasher.add(x, "mean", "", mean);
  hasher.add(x, "max", "", hi);
  hasher.add(x, "min", "", lo);
  hasher.add(x, "mean=", m);
  hasher.add(x, "max=", tenth(hi));
  hasher.add(x, "min=", tenth(lo));
  hasher.add(x, "len=", len);
  hasher.add(x, "loglen", "", std::log1p(static_cast<float>(n)));
  hasher.add(x, "mean*len=", m + "|" + len);
  hasher.add(x, "extent*len=", std::to_string(c.extent) + "|" + len);

  // Each tagger's own view of it: where they disagree, which to believe
  // depends on the passage.
  auto mean_of = [&](const std::vector<float>& p) {
    float total = 0.0f;
    for (int k = a; k < b; ++k) total += p[static_cast<std::size_t>(k)];
    return total / static_cast<float>(std::max(1, n));
  };
  if (!token_probs.neural.empty()) {
    const float lin = mean_of(token_probs.linear), net = mean_of(token_probs.neural);
    hasher.add(x, "linear", "", lin);
    hasher.add(x, "neural", "", net);
    hasher.add(x, "linear=", tenth(lin));
    hasher.add(x, "neural=", tenth(net));
    hasher.add(x, "linear*neural=", tenth(lin) + "|" + tenth(net));
    hasher.add(x, "neural*len=", tenth(net) + "|" + len);
  }

  // The sentence around it.
  int words_before = 0, words_after = 0, sentence_words = 0;
  for (int k = view.sentence_first_token[sent]; k < view.sentence_end_token[sent]; ++k) {
    if (!is_word(view, k)) continue;
    ++sentence_words;
    if (k < a) ++words_before;
    if (k >= b) ++words_after;
  }
  const float cover = sentence_words ? static_cast<float>(sentence_words - words_before - words_after) /
                                           static_cast<float>(sentence_words)
                                     : 0.0f;
  hasher.add(x, "cover", "", cover);
  hasher.add(x, "cover=", tenth(cover));
  hasher.add(x, "mean*cover=", m + "|" + tenth(cover));
  hasher.add(x, "mean*extent=", m + "|" + std::to_string(c.extent));
  hasher.add(x, "max*len=", tenth(hi) + "|" + len);
  hasher.add(x, "sent_mean*len=", tenth(stats.sentence_mean[sent]) + "|" + len);
  hasher.add(x, "mean-sent=",
             std::to_string(static_cast<int>(std::floor((mean - stats.sentence_mean[sent]) * 10.0f))));
  hasher.add(x, "whole_start", words_before == 0 ? "1" : "0");
  hasher.add(x, "whole_end", words_after == 0 ? "1" : "0");
  hasher.add(x, "sent_mean=", tenth(stats.sentence_mean[sent]));
  hasher.add(x, "sent_max=", tenth(stats.sentence_max[sent]));
  hasher.add(x, "sent_mean", "", stats.sentence_mean[sent]);
  hasher.add(x, "title", view.line_of_token[static_cast<std::size_t>(a)] == 0 ? "1" : "0");
  // How sharply the probabilities fall at its edges.
  const float before = a > 0 ? probs[static_cast<std::size_t>(a - 1)] : 0.0f;
  const float after = b < static_cast<int>(probs.size()) ? probs[static_cast<std::size_t>(b)] : 0.0f;
  hasher.add(x, "edge_before=", tenth(before));
  hasher.add(x, "edge_after=", tenth(after));

  // The article: some are dense with propaganda, others barely touched.
  hasher.add(x, "art_mean=", tenth(stats.mean * 2.0f));
  hasher.add(x, "art_dense=", tenth(stats.dense * 2.0f));
  hasher.add(x, "art_mean", "", stats.mean);

  // What it looks like.
  hasher.add(x, "quote", quote ? "1" : "0");
  hasher.add(x, "exclaim", exclaim ? "1" : "0");
  hasher.add(x, "question", question ? "1" : "0");

  // Which technique it would be.
  const auto best = static_cast<std::size_t>(std::max_element(techniques.begin(), techniques.end()) -
                                             techniques.begin());
  const std::string name(technique_label(static_cast<Technique>(best)));
  hasher.add(x, "tech=", name);
  hasher.add(x, "tech*len=", name + "|" + len);
  hasher.add(x, "tech_conf=", tenth(techniques[best]));
  for (std::size_t t = 0; t < techniques.size(); ++t) {
    hasher.add(x, "tech_p", technique_label(static_cast<Technique>(t)), techniques[t]);
  }
}

float gold_share(const Candidate& c, const std::vector<std::uint8_t>& covered) {
  const auto inside = std::count(covered.begin() + c.span.start, covered.begin() + c.span.end, 1);
  return static_cast<float>(inside) / static_cast<float>(std::max<Offset>(1, c.span.length()));
}

float gold_coverage(const Candidate& c, const std::vector<Span>& merged_gold) {
  float total = 0.0f;
  for (const auto& g : merged_gold) {
    const Offset overlap = std::min(g.end, c.span.end) - std::max(g.start, c.span.start);
    if (overlap > 0) total += static_cast<float>(overlap) / static_cast<float>(g.length());
  }
  return std::min(total, 1.0f);
}

std::vector<Span> select(std::vector<Candidate> cands, float threshold) {
  std::stable_sort(cands.begin(), cands.end(), [](const Candidate& x, const Candidate& y) {
    return x.span.score > y.span.score;
  });
  std::vector<Span> picked;
  for (auto& c : cands) {
    if (c.span.score < threshold) break;
    const bool overlaps = std::any_of(picked.begin(), picked.end(), [&](const Span& p) {
      return p.start < c.span.end && c.span.start < p.end;
    });
    if (!overlaps) picked.push_back(std::move(c.span));
  }
  std::sort(picked.begin(), picked.end(), [](const Span& x, const Span& y) { return x.start < y.start; });
  return picked;
}

}  // namespace propscan::rerank
