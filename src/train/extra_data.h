// Extra labelled texts for the technique classifier: the texts of memes of
// SemEval-2021 Task 6 (subtask 2), annotated with the PTC's guidelines, with
// their spans mapped onto the PTC's 14 techniques. Training reads them when
// the configuration's `extra_technique_data` names their directory.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "io/corpus.h"
#include "propscan/technique.h"

namespace propscan::train {

// The files of the task's directory that are read: its training and
// development splits (its test split is kept aside, like the PTC's).
inline constexpr std::string_view kExtraTechniqueFiles[] = {"training_set_task2.txt", "dev_set_task2.txt"};

struct ExtraTechniqueData {
  // One article for each meme with at least one mapped span; its id is
  // "<file>:<meme id>", its techniques (and si) the mapped spans.
  std::vector<io::LabelledArticle> articles;
  std::size_t mapped = 0;   // spans kept
  std::size_t dropped = 0;  // spans whose label has no PTC counterpart (Smears, ...)
};

// The PTC technique of one of the task's 20 labels; nullopt for the labels
// that have none. Throws propscan::Error for a label that is not one of the 20.
std::optional<Technique> ptc_technique_of_meme_label(std::string_view label);

// Reads one file of the task: a JSON array of {id, text, labels: [{start,
// end, technique, text_fragment}]}, offsets in code points. Throws
// propscan::Error naming the file when it cannot be read, is not valid JSON,
// or a meme or span is malformed (missing field, offsets outside the text or
// not matching text_fragment, unknown label).
void read_meme_file(const std::string& path, ExtraTechniqueData& out);

// Reads every file of kExtraTechniqueFiles in `dir`.
ExtraTechniqueData read_extra_technique_data(const std::string& dir);

}  // namespace propscan::train
