#include "propscan/analyzer.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "features/article.h"
#include "metrics/metrics.h"
#include "model/model.h"
#include "model/model_file.h"
#include "neural/network.h"
#include "propscan/error.h"
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

Analysis Analyzer::analyze(const Document& doc) const {
  if (doc.text.size() > options_.max_article_chars) {
    throw Error(doc.id + ": article too long (" + std::to_string(doc.text.size()) + " characters, limit " +
                std::to_string(options_.max_article_chars) + ")");
  }
  const auto view = model_->view(doc.text);
  const auto probs = model_->token_probabilities(view);

  Analysis result;
  result.article_id = doc.id;
  result.spans = detect_spans(*model_, view, probs, static_cast<float>(threshold()), doc.id);
  std::sort(result.spans.begin(), result.spans.end(), [](const Span& a, const Span& b) {
    return std::tie(a.start, a.end, a.technique) < std::tie(b.start, b.end, b.technique);
  });
  result.sentences = view.sentences;
  for (const auto& s : result.spans) {
    result.span_sentence.push_back(text::sentence_index_at(result.sentences, s.start));
  }
  Offset covered = 0;
  for (const auto& m : metrics::merge_overlapping(result.spans)) covered += m.length();
  result.propaganda_score =
      doc.text.empty() ? 0.0 : static_cast<double>(covered) / static_cast<double>(doc.text.size());
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
  const features::SiblingIndex siblings(view, spans);
  features::PhraseCache phrases;
  std::vector<Technique> out;
  out.reserve(spans.size());
  for (const auto& s : spans) {
    auto probs = model_->technique_probabilities(view, s.start, s.end, siblings, &phrases);
    out.push_back(static_cast<Technique>(std::max_element(probs.begin(), probs.end()) - probs.begin()));
  }
  return out;
}

void set_compute_threads(int threads) { neural::set_blas_threads(threads); }

std::string default_model_path() {
  namespace fs = std::filesystem;
  const char* kName = "propscan.model";
  std::error_code ec;
  if (const char* env = std::getenv("PROPSCAN_MODEL"); env && *env) return env;
  // The install's datadir, then the same place relative to the running
  // binary (an installed tree that was moved), then a build tree beside the
  // sources (build/propscan -> models/), then the source tree itself.
  std::vector<fs::path> candidates = {fs::path(PROPSCAN_INSTALL_DATADIR) / kName};
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    candidates.push_back(exe.parent_path().parent_path() / "share" / "propscan" / kName);
    candidates.push_back(exe.parent_path().parent_path() / "models" / kName);
  }
  candidates.push_back(fs::path(PROPSCAN_SOURCE_DIR) / "models" / kName);
  for (const auto& c : candidates) {
    if (fs::is_regular_file(c, ec)) return c.string();
  }
  return {};
}

}  // namespace propscan
