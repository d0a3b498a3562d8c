#include "propscan/analyzer.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "features/article.h"
#include "io/install_dirs.h"
#include "metrics/metrics.h"
#include "model/explain.h"
#include "model/model.h"
#include "model/model_file.h"
#include "neural/network.h"
#include "propscan/error.h"
#include "text/quotes.h"
#include "text/sentences.h"

namespace propscan {

Analyzer::Analyzer(const std::string& model_path, AnalyzerOptions options)
    : Analyzer(load_model(model_path), options) {}

Analyzer::Analyzer(std::shared_ptr<const Model> model, AnalyzerOptions options)
    : model_(std::move(model)), options_(options) {
  if (!model_) throw Error("analyzer: no model");
}

Analyzer::~Analyzer() = default;

double Analyzer::threshold() const {
  return options_.threshold >= 0.0 ? options_.threshold : static_cast<double>(model_->config().threshold);
}

namespace {

double covered_share(const std::vector<Span>& spans, std::size_t chars) {
  Offset covered = 0;
  for (const auto& m : metrics::merge_overlapping(spans)) covered += m.length();
  return chars == 0 ? 0.0 : static_cast<double>(covered) / static_cast<double>(chars);
}

void explain_analysis(const Model& model, const Document& doc, const features::ArticleView& view, Analysis& result) {
  // Who speaks: each span is in the voice of the quotation holding most of
  // it, or the author's.
  result.quotations = text::find_quotations(doc.text);
  std::vector<std::uint8_t> quoted(doc.text.size(), 0);
  for (const auto& q : result.quotations) {
    if (!q.speech) continue;
    std::fill(quoted.begin() + static_cast<std::ptrdiff_t>(q.start), quoted.begin() + static_cast<std::ptrdiff_t>(q.end), std::uint8_t{1});
  }
  result.explanations.reserve(result.spans.size());
  for (const auto& s : result.spans) {
    SpanExplanation e;
    e.evidence = explain::span_evidence(model, view, s);
    e.precision_estimate = model.precision_estimate(s.score);
    const int q = text::quotation_at(result.quotations, s.start, s.end);
    if (q >= 0 && result.quotations[static_cast<std::size_t>(q)].speech) {
      e.voice = Voice::kQuoted;
      e.speaker = result.quotations[static_cast<std::size_t>(q)].speaker;
    }
    result.explanations.push_back(std::move(e));
  }
  // The propaganda score over all the text, the author's prose and the quotations.
  Offset covered = 0, covered_quoted = 0;
  for (const auto& m : metrics::merge_overlapping(result.spans)) {
    covered += m.length();
    for (Offset i = m.start; i < m.end; ++i) covered_quoted += quoted[static_cast<std::size_t>(i)];
  }
  const auto share = [](Offset part, Offset whole) {
    return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
  };
  result.quoted_chars = std::count(quoted.begin(), quoted.end(), std::uint8_t{1});
  result.author_chars = static_cast<Offset>(doc.text.size()) - result.quoted_chars;
  result.propaganda_score = share(covered, static_cast<Offset>(doc.text.size()));
  result.quoted_score = share(covered_quoted, result.quoted_chars);
  result.author_score = share(covered - covered_quoted, result.author_chars);
}

}  // namespace

Analysis Analyzer::analyze(const Document& doc) const {
  if (doc.text.size() > options_.max_article_chars) {
    throw Error(doc.id + ": article too long (" + std::to_string(doc.text.size()) + " characters, limit " +
                std::to_string(options_.max_article_chars) + ")");
  }
  const auto view = model_->view(doc.text);
  const auto probs = model_->token_probabilities(view);

  Analysis result;
  result.article_id = doc.id;
  std::vector<float> sentence_probs;
  result.spans = detect_spans(*model_, view, probs, static_cast<float>(threshold()), doc.id, &sentence_probs);
  std::sort(result.spans.begin(), result.spans.end(), [](const Span& a, const Span& b) {
    return std::tie(a.start, a.end, a.technique) < std::tie(b.start, b.end, b.technique);
  });
  result.sentences = view.sentences;
  for (const auto& s : result.spans) {
    result.span_sentence.push_back(text::sentence_index_at(result.sentences, s.start));
  }
  result.sentence_scores.assign(sentence_probs.begin(), sentence_probs.end());
  if (options_.explain) {
    explain_analysis(*model_, doc, view, result);
  } else {
    result.propaganda_score = covered_share(result.spans, doc.text.size());
  }
  // Among articles scored at the model's own threshold, whatever this one's.
  // At another threshold, this article's spans at the model's own are
  // found again for it.
  if (model_->parts().calibration) {
    const float tuned = model_->config().threshold;
    const std::vector<Span> at_tuned = threshold() == static_cast<double>(tuned)
                                           ? result.spans
                                           : detect_spans(*model_, view, probs, tuned, doc.id);
    result.propaganda_percentile = model_->article_percentile(covered_share(at_tuned, doc.text.size()));
  }
  return result;
}

std::vector<Technique> Analyzer::classify(const Document& doc, const std::vector<Span>& spans) const {
  for (const auto& s : spans) {
    if (s.start < 0 || s.end > static_cast<Offset>(doc.text.size()) || s.start >= s.end) {
      throw Error(doc.id + ": span " + std::to_string(s.start) + "-" + std::to_string(s.end) +
                  " is outside the article (" + std::to_string(doc.text.size()) + " characters)");
    }
  }
  const auto view = model_->view(doc.text);
  features::PhraseCache phrases;
  return label_passages(*model_, view, spans, &phrases);
}

void set_compute_threads(int threads) { neural::set_blas_threads(threads); }

namespace {

// A shipped model file by name: the install's datadir, then the same place
// relative to the running binary (an installed tree that was moved), then a
// build tree beside the sources (build/propscan -> models/), then the source
// tree itself. Empty when none is found.
std::string find_shipped_model(const char* name) {
  namespace fs = std::filesystem;
  std::error_code ec;
  // Where an install keeps it, the models/ folder beside a binary's bin/,
  // then the source tree's.
  std::vector<fs::path> candidates;
  for (const auto& dir : io::installed_data_dirs()) candidates.push_back(dir / name);
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) candidates.push_back(exe.parent_path().parent_path() / "models" / name);
  candidates.push_back(fs::path(PROPSCAN_SOURCE_DIR) / "models" / name);
  for (const auto& c : candidates) {
    if (fs::is_regular_file(c, ec)) return c.string();
  }
  return {};
}

}  // namespace

std::string default_model_path() {
  if (const char* env = std::getenv("PROPSCAN_MODEL"); env && *env) return env;
  return find_shipped_model("propscan.model");
}

std::string find_model(const std::string& model) {
  if (model.empty()) return default_model_path();
  if (model != "fast" && model != "accurate") return model;
  const std::string path = find_shipped_model(model == "fast" ? "propscan.model" : "propscan-accurate.model");
  if (path.empty()) {
    throw Error("the " + model + " model is not installed (looked in the install's share/propscan/ and models/)");
  }
  return path;
}

}  // namespace propscan
