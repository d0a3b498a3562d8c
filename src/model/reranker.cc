#include "model/reranker.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <set>
#include <utility>

#include "model/model.h"

namespace propscan::rerank {

std::string tenth(float v) { return std::to_string(std::clamp(static_cast<int>(v * 10.0f), 0, 9)); }

namespace {

std::string length_bucket(int n) {
  if (n <= 3) return std::to_string(n);
  if (n <= 6) return "4-6";
  if (n <= 12) return "7-12";
  if (n <= 25) return "13-25";
  return "26+";
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

std::pair<Offset, Offset> sentence_span(const features::ArticleView& view, std::size_t k) {
  const int first = view.sentence_first_token[k], end = view.sentence_end_token[k];
  if (end <= first) return {0, 0};
  return {view.tokens[static_cast<std::size_t>(first)].start, view.tokens[static_cast<std::size_t>(end - 1)].end};
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

namespace {

// What both rerankers see of a candidate.
struct Shape {
  int tokens = 0;
  std::size_t sentence = 0;
  float mean = 0.0f, lo = 1.0f, hi = 0.0f;
  float linear = 0.0f, neural = 0.0f;  // each tagger's own mean
  bool quote = false, exclaim = false, question = false;
  int words_before = 0, words_after = 0, sentence_words = 0;
  float cover = 0.0f;                // share of the sentence's words inside
  float before = 0.0f, after = 0.0f;  // probabilities just outside its edges
};

Shape shape_of(const features::ArticleView& view, const TokenProbabilities& token_probs, const Candidate& c) {
  const auto& probs = token_probs.blend;
  Shape s;
  const int a = c.first_token, b = c.end_token;
  s.tokens = b - a;
  s.sentence = static_cast<std::size_t>(view.token_sentence[static_cast<std::size_t>(a)]);
  for (int k = a; k < b; ++k) {
    const auto u = static_cast<std::size_t>(k);
    const float p = probs[u];
    s.mean += p;
    s.lo = std::min(s.lo, p);
    s.hi = std::max(s.hi, p);
    if (!token_probs.neural.empty()) {
      s.linear += token_probs.linear[u];
      s.neural += token_probs.neural[u];
    }
    const auto& w = view.words[u];
    s.quote = s.quote || view.in_quotes[u] || w == "\"" || w == "\u201c" || w == "\u201d";
    s.exclaim = s.exclaim || w == "!";
    s.question = s.question || w == "?";
  }
  const auto n = static_cast<float>(std::max(1, s.tokens));
  s.mean /= n;
  s.linear = token_probs.neural.empty() ? s.mean : s.linear / n;
  s.neural = token_probs.neural.empty() ? s.mean : s.neural / n;
  // Counted from the view's running word count, not by a pass over the
  // sentence for each candidate.
  const auto& before = view.words_before;
  const int s_first = view.sentence_first_token[s.sentence], s_end = view.sentence_end_token[s.sentence];
  const auto at = [&](int t) { return before[static_cast<std::size_t>(std::clamp(t, s_first, s_end))]; };
  s.sentence_words = at(s_end) - at(s_first);
  s.words_before = at(a) - at(s_first);
  s.words_after = at(s_end) - at(b);
  s.cover = s.sentence_words ? static_cast<float>(s.sentence_words - s.words_before - s.words_after) /
                                   static_cast<float>(s.sentence_words)
                             : 0.0f;
  s.before = a > 0 ? probs[static_cast<std::size_t>(a - 1)] : 0.0f;
  s.after = b < static_cast<int>(probs.size()) ? probs[static_cast<std::size_t>(b)] : 0.0f;
  return s;
}

}  // namespace

void candidate_features(const features::ArticleView& view, const TokenProbabilities& token_probs,
                        const ArticleStats& stats, const Candidate& c,
                        const std::array<float, kNumTechniques>& techniques, const features::FeatureHasher& hasher,
                        features::SparseVector& x) {
  const Shape s = shape_of(view, token_probs, c);
  const int n = s.tokens;
  const float mean = s.mean, lo = s.lo, hi = s.hi;
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
  if (!token_probs.neural.empty()) {
    hasher.add(x, "linear", "", s.linear);
    hasher.add(x, "neural", "", s.neural);
    hasher.add(x, "linear=", tenth(s.linear));
    hasher.add(x, "neural=", tenth(s.neural));
    hasher.add(x, "linear*neural=", tenth(s.linear) + "|" + tenth(s.neural));
    hasher.add(x, "neural*len=", tenth(s.neural) + "|" + len);
  }

  // The sentence around it.
  const auto sent = s.sentence;
  hasher.add(x, "cover", "", s.cover);
  hasher.add(x, "cover=", tenth(s.cover));
  hasher.add(x, "mean*cover=", m + "|" + tenth(s.cover));
  hasher.add(x, "mean*extent=", m + "|" + std::to_string(c.extent));
  hasher.add(x, "max*len=", tenth(hi) + "|" + len);
  hasher.add(x, "sent_mean*len=", tenth(stats.sentence_mean[sent]) + "|" + len);
  hasher.add(x, "mean-sent=",
             std::to_string(static_cast<int>(std::floor((mean - stats.sentence_mean[sent]) * 10.0f))));
  hasher.add(x, "whole_start", s.words_before == 0 ? "1" : "0");
  hasher.add(x, "whole_end", s.words_after == 0 ? "1" : "0");
  hasher.add(x, "sent_mean=", tenth(stats.sentence_mean[sent]));
  hasher.add(x, "sent_max=", tenth(stats.sentence_max[sent]));
  hasher.add(x, "sent_mean", "", stats.sentence_mean[sent]);
  if (!stats.sentence_prob.empty()) {
    const float sp = stats.sentence_prob[sent];
    hasher.add(x, "sent_p", "", sp);
    hasher.add(x, "sent_p=", tenth(sp));
    hasher.add(x, "sent_p*mean=", tenth(sp) + "|" + m);
    hasher.add(x, "sent_p*cover=", tenth(sp) + "|" + tenth(s.cover));
    hasher.add(x, "sent_p*len=", tenth(sp) + "|" + len);
  }
  hasher.add(x, "title", view.line_of_token[static_cast<std::size_t>(c.first_token)] == 0 ? "1" : "0");
  // How sharply the probabilities fall at its edges.
  hasher.add(x, "edge_before=", tenth(s.before));
  hasher.add(x, "edge_after=", tenth(s.after));

  // The article: some are dense with propaganda, others barely touched.
  hasher.add(x, "art_mean=", tenth(stats.mean * 2.0f));
  hasher.add(x, "art_dense=", tenth(stats.dense * 2.0f));
  hasher.add(x, "art_mean", "", stats.mean);
  if (stats.density >= 0.0f) {
    hasher.add(x, "art_density", "", stats.density);
    hasher.add(x, "art_density=", tenth(stats.density));
    hasher.add(x, "art_density*mean=", tenth(stats.density) + "|" + m);
    hasher.add(x, "art_density*len=", tenth(stats.density) + "|" + len);
  }

  // What its words say, to a model that reads nothing else.
  if (c.text_score >= 0.0f) {
    hasher.add(x, "text", "", c.text_score);
    hasher.add(x, "text=", tenth(c.text_score));
    hasher.add(x, "text*len=", tenth(c.text_score) + "|" + len);
    hasher.add(x, "text*mean=", tenth(c.text_score) + "|" + m);
  }
  if (!stats.sentence_text.empty()) {
    const float st = stats.sentence_text[s.sentence];
    hasher.add(x, "sent_text", "", st);
    hasher.add(x, "sent_text=", tenth(st));
    hasher.add(x, "sent_text*len=", tenth(st) + "|" + len);
  }

  // What it looks like.
  hasher.add(x, "quote", s.quote ? "1" : "0");
  hasher.add(x, "exclaim", s.exclaim ? "1" : "0");
  hasher.add(x, "question", s.question ? "1" : "0");

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
  // The picked spans do not overlap, so kept by start an overlap is with a
  // neighbour: the last one starting before the candidate ends.
  std::map<Offset, Offset> taken;
  for (auto& c : cands) {
    if (c.span.score < threshold) break;
    auto it = taken.lower_bound(c.span.end);
    const bool overlaps = it != taken.begin() && std::prev(it)->second > c.span.start;
    if (!overlaps) {
      taken.emplace(c.span.start, c.span.end);
      picked.push_back(std::move(c.span));
    }
  }
  std::sort(picked.begin(), picked.end(), [](const Span& x, const Span& y) { return x.start < y.start; });
  return picked;
}

}  // namespace propscan::rerank
