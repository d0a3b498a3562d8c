#include "model/explain.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "features/extract.h"

namespace propscan::explain {
namespace {

std::string cue_reason(int kind) {
  switch (static_cast<lexicon::CueKind>(kind)) {
    case lexicon::CueKind::kHedge: return "hedge";
    case lexicon::CueKind::kWeasel: return "weasel word (a vague source)";
    case lexicon::CueKind::kFiller: return "intensifier";
    case lexicon::CueKind::kCliche: return "cliché";
  }
  return "cue phrase";
}

// How much the classifier's features naming token j pull the span [first,
// last) towards technique t rather than the others (log-odds).
float technique_pull(const Model& model, const features::ArticleView& view, int j, int first, int last, Technique t) {
  const auto& h = model.classifier_hasher();
  const auto& weights = model.parts().classifier_weights;
  const std::string& w = view.words[static_cast<std::size_t>(j)];
  const auto pull = [&](std::string_view prefix, float value) {
    const std::size_t row = static_cast<std::size_t>(h.bucket(prefix, w)) * kNumTechniques;
    float mean = 0.0f;
    for (std::size_t k = 0; k < kNumTechniques; ++k) mean += weights[row + k];
    mean /= static_cast<float>(kNumTechniques);
    return (weights[row + technique_index(t)] - mean) * value;
  };
  float total = 0.0f;
  if (j >= first && j < last) {
    total += pull("u=", 1.0f / std::sqrt(static_cast<float>(last - first)));
    if (j == first) total += pull("first=", 1.0f);
    if (j == last - 1) total += pull("last=", 1.0f);
  } else if (j == first - 1) {
    total += pull("pre1=", 1.0f);
  } else if (j == last) {
    total += pull("post1=", 1.0f);
  }
  return total;
}

// Valence (VADER, -4 to 4) from which a word is "emotionally charged".
constexpr float kCharged = 1.0f;

// Words whose weight is that of the passage's edges, not of anything a
// reader would point at.
bool is_function_word(const std::string& w) {
  static const std::array<std::string_view, 36> kWords = {
      "the", "a",  "an",  "of",   "to",   "in",    "on",     "at",   "for",  "from", "with",  "by",
      "as",  "and", "or", "but",  "is",   "are",   "was",    "were", "be",   "been", "being", "has",
      "have", "had", "do", "does", "did", "would", "will",   "can",  "could", "that", "which", "it"};
  return std::find(kWords.begin(), kWords.end(), w) != kWords.end();
}

}  // namespace

std::string_view technique_cue(Technique t) {
  switch (t) {
    case Technique::kAppealToAuthority: return "appeal to an authority";
    case Technique::kAppealToFearPrejudice: return "word that plays on fear";
    case Technique::kBandwagonReductioAdHitlerum: return "appeal to the crowd or to a hated group";
    case Technique::kBlackAndWhiteFallacy: return "either-or wording";
    case Technique::kCausalOversimplification: return "single-cause wording";
    case Technique::kDoubt: return "word casting doubt";
    case Technique::kExaggerationMinimisation: return "exaggeration or minimisation";
    case Technique::kFlagWaving: return "patriotic term";
    case Technique::kLoadedLanguage: return "loaded wording";
    case Technique::kNameCallingLabeling: return "label attached to a person or group";
    case Technique::kRepetition: return "repeated wording";
    case Technique::kSlogans: return "slogan wording";
    case Technique::kThoughtTerminatingCliches: return "cliché that ends discussion";
    case Technique::kWhataboutismStrawMenRedHerring: return "deflection";
  }
  return "word the model weighs";
}

std::vector<Evidence> span_evidence(const Model& model, const features::ArticleView& view, const Span& s) {
  const int n = static_cast<int>(view.tokens.size());
  const int first = view.token_at_or_after(s.start);
  const int last = view.token_at_or_after(s.end);
  if (first >= last) return {};
  const int sent_first = view.sentence_first_token[static_cast<std::size_t>(view.token_sentence[static_cast<std::size_t>(first)])];
  const int sent_end = view.sentence_end_token[static_cast<std::size_t>(view.token_sentence[static_cast<std::size_t>(last - 1)])];
  struct Scored {
    Evidence e;
    int token;
  };
  std::vector<Scored> found;
  for (int j = std::max({first - 1, 0, sent_first}); j < std::min({last + 1, n, sent_end}); ++j) {
    const auto uj = static_cast<std::size_t>(j);
    if (!view.is_word(uj) || is_function_word(view.words[uj])) continue;
    auto g = features::token_word_weights(view, j, first, last, model.tagger_hasher(), model.parts().tagger_weights);
    const float pull = s.technique ? technique_pull(model, view, j, first, last, *s.technique) : 0.0f;
    const float weight = std::max(g.total(), 0.0f) + std::max(pull, 0.0f);
    if (weight <= 0.0f) continue;
    Evidence e;
    e.start = view.tokens[uj].start;
    e.end = view.tokens[uj].end;
    e.weight = weight;
    // Named by the cue the models read of it that a person can check, when
    // it weighed for the passage: a listed phrase, a repetition, a strong
    // valence; else by the technique it pulls towards.
    const auto count_it = view.word_count.find(view.words[uj]);
    const int count = count_it == view.word_count.end() ? 1 : count_it->second;
    const float valence = view.valence.empty() ? 0.0f : std::abs(view.valence[uj]);
    if (g.cue > 0.0f && !view.cues.empty() && view.cues[uj]) {
      int kind = 0;
      while (!(view.cues[uj] & (1u << kind))) ++kind;
      e.kind = "cue:" + std::string(lexicon::kCueKindNames[static_cast<std::size_t>(kind)]);
      e.reason = cue_reason(kind);
    } else if (g.repetition > 0.0f && count >= 2) {
      e.kind = "repetition";
      e.reason = "repeated " + std::to_string(count) + " times in this article";
    } else if (g.valence > 0.0f && valence >= kCharged) {
      e.kind = "valence";
      e.reason = "emotionally charged word";
    } else if (pull > 0.0f && s.technique == Technique::kRepetition && count >= 2) {
      e.kind = "repetition";
      e.reason = "repeated " + std::to_string(count) + " times in this article";
    } else if (pull > 0.0f && s.technique) {
      e.kind = "technique";
      e.reason = std::string(technique_cue(*s.technique));
    } else {
      e.kind = "word";
      e.reason = "word the model weighs as propaganda";
    }
    found.push_back({std::move(e), j});
  }
  std::stable_sort(found.begin(), found.end(), [](const Scored& a, const Scored& b) { return a.e.weight > b.e.weight; });
  std::vector<Evidence> out;
  for (auto& f : found) {
    if (out.size() == kMaxEvidence) break;
    out.push_back(std::move(f.e));
  }
  return out;
}

}  // namespace propscan::explain
