#include "writers/writers.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include <nlohmann/json.hpp>

#include "text/utf8.h"

namespace propscan::writers {
namespace {

std::u32string_view fragment(const Document& doc, const Span& s) {
  return std::u32string_view(doc.text).substr(static_cast<std::size_t>(s.start),
                                               static_cast<std::size_t>(s.end - s.start));
}

std::string label_of(const Span& s) {
  return s.technique ? std::string(technique_label(*s.technique)) : std::string("?");
}

std::string percent(double x) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f%%", x * 100.0);
  return buf;
}

std::string fixed2(double x) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.2f", x);
  return buf;
}

// One colour per technique, cycling through the 6 bright ANSI colours.
std::string ansi_color(const Span& s) {
  int idx = s.technique ? static_cast<int>(technique_index(*s.technique)) : 0;
  return "\x1b[1;" + std::to_string(91 + idx % 6) + "m";
}

}  // namespace

std::string precision_in_words(double p) {
  const long in_ten = std::lround(std::clamp(p, 0.0, 1.0) * 10.0);
  return "at this score, about " + std::to_string(in_ten) + " in 10 flagged passages matched annotators";
}

std::string percentile_in_words(double p) {
  return "higher than " + std::to_string(std::lround(std::clamp(p, 0.0, 1.0) * 100.0)) + "% of the reference articles";
}

namespace {

// The sentence (or a window of it) with the fragment marked.
void write_text_span(std::ostream& out, const Document& doc, const Analysis& a, std::size_t k,
                     const TextStyle& style) {
  const Span& s = a.spans[k];
  out << "  " << s.start << "-" << s.end << "  " << label_of(s) << "  score " << fixed2(s.score) << "\n";
  std::u32string_view text(doc.text);
  Offset ctx_start = s.start, ctx_end = s.end;
  int sent = a.span_sentence[k];
  if (sent >= 0 && static_cast<std::size_t>(sent) < a.sentences.size()) {
    ctx_start = std::min(ctx_start, a.sentences[static_cast<std::size_t>(sent)].start);
    ctx_end = std::max(ctx_end, a.sentences[static_cast<std::size_t>(sent)].end);
  }
  // Long sentences are cut to 80 characters either side of the fragment.
  ctx_start = std::max(ctx_start, s.start - 80);
  ctx_end = std::min(ctx_end, s.end + 80);
  auto piece = [&](Offset b, Offset e) {
    return terminal_safe(text.substr(static_cast<std::size_t>(b), static_cast<std::size_t>(e - b)));
  };
  out << "    " << (ctx_start > 0 && ctx_start == s.start - 80 ? "…" : "") << piece(ctx_start, s.start);
  if (style.color) {
    out << ansi_color(s) << piece(s.start, s.end) << "\x1b[0m";
  } else {
    out << "[[" << piece(s.start, s.end) << "]]";
  }
  out << piece(s.end, ctx_end) << "\n";
  if (k < a.explanations.size()) {
    const SpanExplanation& e = a.explanations[k];
    out << "    voice: " << (e.voice == Voice::kQuoted ? "quoted" : "author's own");
    if (!e.speaker.empty()) out << " (" << terminal_safe(text::decode_utf8(e.speaker)) << ")";
    out << "\n";
    if (e.precision_estimate) out << "    " << precision_in_words(*e.precision_estimate) << "\n";
    if (!e.evidence.empty()) {
      out << "    why:";
      for (std::size_t i = 0; i < e.evidence.size(); ++i) {
        out << (i ? ";" : "") << " \"" << piece(e.evidence[i].start, e.evidence[i].end) << "\" "
            << e.evidence[i].reason;
      }
      out << "\n";
    }
  }
}

std::string_view voice_name(Voice v) { return v == Voice::kQuoted ? "quoted" : "author"; }

// The explanation of span k and the sentence scores, in the JSON of both to_json forms.
void add_explanation(nlohmann::json& span, const Document* doc, const Analysis& a, std::size_t k) {
  if (k >= a.explanations.size()) return;
  const SpanExplanation& e = a.explanations[k];
  nlohmann::json evidence = nlohmann::json::array();
  for (const auto& ev : e.evidence) {
    nlohmann::json j = {{"start", ev.start}, {"end", ev.end}, {"kind", ev.kind}, {"reason", ev.reason},
                        {"weight", ev.weight}};
    if (doc) {
      j["text"] = text::encode_utf8(std::u32string_view(doc->text).substr(static_cast<std::size_t>(ev.start),
                                                                           static_cast<std::size_t>(ev.end - ev.start)));
    }
    evidence.push_back(std::move(j));
  }
  span["evidence"] = std::move(evidence);
  if (e.precision_estimate) span["precision_estimate"] = *e.precision_estimate;
  span["voice"] = voice_name(e.voice);
  if (!e.speaker.empty()) span["speaker"] = e.speaker;
}

void add_summary(nlohmann::json& j, const Analysis& a) {
  if (a.propaganda_percentile) j["propaganda_percentile"] = *a.propaganda_percentile;
  if (!a.explanations.empty() || a.author_chars + a.quoted_chars > 0) {
    j["author_score"] = a.author_score;
    j["quoted_score"] = a.quoted_score;
  }
  if (!a.quotations.empty() || !a.explanations.empty()) {
    nlohmann::json quotations = nlohmann::json::array();
    for (const auto& q : a.quotations) {
      if (!q.speech) continue;
      nlohmann::json jq = {{"start", q.start}, {"end", q.end}};
      if (!q.speaker.empty()) jq["speaker"] = q.speaker;
      quotations.push_back(std::move(jq));
    }
    j["quotations"] = std::move(quotations);
  }
  nlohmann::json sentences = nlohmann::json::array();
  for (std::size_t k = 0; k < a.sentences.size(); ++k) {
    nlohmann::json s = {{"start", a.sentences[k].start}, {"end", a.sentences[k].end}};
    if (k < a.sentence_scores.size()) s["score"] = a.sentence_scores[k];
    sentences.push_back(std::move(s));
  }
  j["sentences"] = std::move(sentences);
}

}  // namespace

std::optional<Format> parse_format(std::string_view name) {
  if (name == "json") return Format::kJson;
  if (name == "text") return Format::kText;
  if (name == "semeval-si") return Format::kSemevalSi;
  if (name == "semeval-flc") return Format::kSemevalFlc;
  return std::nullopt;
}

void write_flc_row(std::ostream& out, std::string_view article_id, const Span& span) {
  out << article_id << '\t' << label_of(span) << '\t' << span.start << '\t' << span.end << '\n';
}

std::string terminal_safe(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char32_t c : text) {
    // C0 and C1 controls (escape sequences), and the bidirectional
    // overrides and isolates, which can make a terminal show text in an
    // order other than the article's.
    const bool bidi = (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
    bool control = (c < 0x20 && c != U'\n' && c != U'\t') || (c >= 0x7F && c < 0xA0) || bidi;
    text::append_utf8(out, control ? char32_t{0xFFFD} : c);
  }
  return out;
}

nlohmann::json analysis_json(const Document& doc, const Analysis& a) {
  nlohmann::json spans = nlohmann::json::array();
  std::map<std::string, int> counts;
  for (std::size_t k = 0; k < a.spans.size(); ++k) {
    const Span& s = a.spans[k];
    spans.push_back({{"start", s.start},
                     {"end", s.end},
                     {"technique", label_of(s)},
                     {"score", s.score},
                     {"text", text::encode_utf8(fragment(doc, s))},
                     {"sentence", a.span_sentence[k]}});
    add_explanation(spans.back(), &doc, a, k);
    ++counts[label_of(s)];
  }
  nlohmann::json j = {{"id", doc.id}, {"length", doc.text.size()}};
  if (!doc.title.empty()) j["title"] = doc.title;
  if (!doc.source.empty()) j["source"] = doc.source;
  if (!doc.date.empty()) j["date"] = doc.date;
  if (!doc.url.empty()) j["url"] = doc.url;
  j["propaganda_score"] = a.propaganda_score;
  j["technique_counts"] = counts;
  j["spans"] = std::move(spans);
  add_summary(j, a);
  return j;
}

}  // namespace propscan::writers

namespace propscan {

std::string to_json(const Analysis& analysis, const Document& doc) {
  return writers::analysis_json(doc, analysis).dump();
}

std::string to_json(const Analysis& a) {
  nlohmann::json spans = nlohmann::json::array();
  for (std::size_t k = 0; k < a.spans.size(); ++k) {
    const Span& s = a.spans[k];
    spans.push_back({{"start", s.start},
                     {"end", s.end},
                     {"technique", s.technique ? std::string(technique_label(*s.technique)) : std::string()},
                     {"score", s.score},
                     {"sentence", a.span_sentence[k]}});
    writers::add_explanation(spans.back(), nullptr, a, k);
  }
  nlohmann::json j = {{"id", a.article_id}, {"propaganda_score", a.propaganda_score}, {"spans", std::move(spans)}};
  writers::add_summary(j, a);
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace propscan

namespace propscan::writers {

void write(std::ostream& out, Format format, const Document& doc, const Analysis& a, const TextStyle& style) {
  switch (format) {
    case Format::kJson:
      // Invalid UTF-8 cannot reach here (input is validated), so dump() never throws.
      out << analysis_json(doc, a).dump() << '\n';
      break;
    case Format::kSemevalSi:
      for (const auto& s : a.spans) out << doc.id << '\t' << s.start << '\t' << s.end << '\n';
      break;
    case Format::kSemevalFlc:
      for (const auto& s : a.spans) write_flc_row(out, doc.id, s);
      break;
    case Format::kText: {
      const std::string bold = style.color ? "\x1b[1m" : "";
      const std::string reset = style.color ? "\x1b[0m" : "";
      out << bold << "== " << terminal_safe(text::decode_utf8(doc.id)) << reset << "  " << a.spans.size()
          << " passage" << (a.spans.size() == 1 ? "" : "s") << ", propaganda score "
          << percent(a.propaganda_score) << " of " << doc.text.size() << " characters\n";
      for (const auto& [name, value] : {std::pair<const char*, const std::string*>{"title", &doc.title},
                                        {"source", &doc.source}, {"date", &doc.date}}) {
        if (!value->empty()) out << "   " << name << ": " << terminal_safe(text::decode_utf8(*value)) << "\n";
      }
      if (a.propaganda_percentile) out << "   " << percentile_in_words(*a.propaganda_percentile) << "\n";
      if (a.author_chars + a.quoted_chars > 0 && a.quoted_chars > 0) {
        out << "   author's prose " << percent(a.author_score) << ", quoted material " << percent(a.quoted_score)
            << "\n";
      }
      for (std::size_t k = 0; k < a.spans.size(); ++k) write_text_span(out, doc, a, k, style);
      out << '\n';
      break;
    }
  }
}

void write_batch_summary(std::ostream& out, const std::vector<const Analysis*>& analyses) {
  std::size_t passages = 0, quoted = 0;
  double total = 0.0;
  for (const Analysis* a : analyses) {
    passages += a->spans.size();
    for (const auto& e : a->explanations) quoted += e.voice == Voice::kQuoted;
    total += a->propaganda_score;
  }
  out << "== " << analyses.size() << " article" << (analyses.size() == 1 ? "" : "s") << ", " << passages
      << " passage" << (passages == 1 ? "" : "s") << " (" << quoted << " quoted), mean propaganda score "
      << percent(analyses.empty() ? 0.0 : total / static_cast<double>(analyses.size())) << "\n";
}

}  // namespace propscan::writers
