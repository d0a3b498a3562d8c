// Why a span was flagged: the words in it (and right beside it) that the
// models weighed most, read back from the linear tagger's and the technique
// classifier's own weights, and each named by the kind of cue that weighed
// (a cue phrase of the model's lists, the word's valence, its count in the
// article, the word itself for the span's technique).
#pragma once

#include <string_view>
#include <vector>

#include "features/article.h"
#include "model/model.h"
#include "propscan/document.h"

namespace propscan::explain {

inline constexpr std::size_t kMaxEvidence = 3;

// The evidence for span `s` (labelled with its technique), strongest first.
std::vector<Evidence> span_evidence(const Model& model, const features::ArticleView& view, const Span& s);

// What a word that pulls a span towards technique t usually is, for people.
std::string_view technique_cue(Technique t);

}  // namespace propscan::explain
