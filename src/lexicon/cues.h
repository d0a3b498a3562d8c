// Cue phrases: word lists whose presence is evidence for some techniques.
// Hedges and weasel words ("allegedly", "some say") come with Doubt,
// fillers ("absolutely", "totally") with Exaggeration and Loaded_Language,
// clichés ("at the end of the day") with Thought-terminating_Cliches and
// Slogans. The lists are read at training time from the npm packages
// `hedges`, `weasels`, `fillers` (MIT, Titus Wormer) and `no-cliches` (MIT,
// Matt Blair); the model keeps them, so analysing needs no data files.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace propscan::lexicon {

enum class CueKind : std::uint8_t { kHedge, kWeasel, kFiller, kCliche };
inline constexpr int kNumCueKinds = 4;
inline constexpr std::array<std::string_view, kNumCueKinds> kCueKindNames = {"hedge", "weasel", "filler", "cliche"};

class CuePhrases {
 public:
  struct Phrase {
    CueKind kind;
    std::string text;                // as listed
    std::vector<std::string> words;  // normalized tokens, as ArticleView::words has them
  };

  CuePhrases() = default;

  // Adds one phrase; ignored when it has no tokens or is already listed
  // under the same kind.
  void add(CueKind kind, std::string_view text);

  // Every phrase, sorted by kind and text (so a saved model's bytes do not
  // depend on the order of reading).
  std::vector<const Phrase*> sorted() const;
  std::size_t size() const { return phrases_.size(); }
  bool empty() const { return phrases_.empty(); }

  // Bitmask per token (bit k = CueKind k): the token lies inside an
  // occurrence of a phrase of that kind. `words`: an article's normalized
  // tokens.
  std::vector<std::uint8_t> match(const std::vector<std::string>& words) const;

 private:
  std::vector<Phrase> phrases_;
  // First word of a phrase -> the phrases that start with it.
  std::unordered_map<std::string, std::vector<std::uint32_t>> by_first_word_;
};

// The string literals of the first array literal in a JavaScript module
// (`export const hedges = ['a bit', ...]`), as the packages ship their lists.
// Throws Error naming `path` when the file cannot be read or lists nothing.
std::vector<std::string> read_js_string_array(const std::string& path);

// The four lists from the npm packages installed under `node_modules`.
// Throws Error naming the missing or unreadable file.
CuePhrases load_cue_packages(const std::string& node_modules);

// The package files, relative to node_modules, in CueKind order.
inline constexpr std::array<std::string_view, kNumCueKinds> kCuePackageFiles = {
    "hedges/index.js", "weasels/index.js", "fillers/index.js", "no-cliches/cliches.js"};

}  // namespace propscan::lexicon
