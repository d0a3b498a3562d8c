#include "lexicon/cues.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <tuple>

#include "propscan/error.h"
#include "text/chars.h"
#include "text/tokenizer.h"
#include "text/utf8.h"

namespace propscan::lexicon {

void CuePhrases::add(CueKind kind, std::string_view text) {
  const std::u32string decoded = text::decode_utf8(text);
  Phrase p{kind, std::string(text), {}};
  for (const auto& tok : text::tokenize(decoded)) {
    p.words.push_back(text::normalize_word(
        std::u32string_view(decoded).substr(static_cast<std::size_t>(tok.start),
                                            static_cast<std::size_t>(tok.end - tok.start))));
  }
  if (p.words.empty()) return;
  auto& starting = by_first_word_[p.words.front()];
  for (auto k : starting) {
    if (phrases_[k].kind == kind && phrases_[k].words == p.words) return;
  }
  starting.push_back(static_cast<std::uint32_t>(phrases_.size()));
  phrases_.push_back(std::move(p));
}

std::vector<const CuePhrases::Phrase*> CuePhrases::sorted() const {
  std::vector<const Phrase*> out;
  out.reserve(phrases_.size());
  for (const auto& p : phrases_) out.push_back(&p);
  std::sort(out.begin(), out.end(),
            [](const Phrase* a, const Phrase* b) { return std::tie(a->kind, a->text) < std::tie(b->kind, b->text); });
  return out;
}

std::vector<std::uint8_t> CuePhrases::match(const std::vector<std::string>& words) const {
  std::vector<std::uint8_t> mask(words.size(), 0);
  if (phrases_.empty()) return mask;
  for (std::size_t i = 0; i < words.size(); ++i) {
    auto it = by_first_word_.find(words[i]);
    if (it == by_first_word_.end()) continue;
    for (auto k : it->second) {
      const Phrase& p = phrases_[k];
      if (i + p.words.size() > words.size()) continue;
      if (!std::equal(p.words.begin() + 1, p.words.end(), words.begin() + static_cast<std::ptrdiff_t>(i + 1))) {
        continue;
      }
      const auto bit = static_cast<std::uint8_t>(1u << static_cast<unsigned>(p.kind));
      for (std::size_t j = i; j < i + p.words.size(); ++j) mask[j] |= bit;
    }
  }
  return mask;
}

std::vector<std::string> read_js_string_array(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open the word list");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string src = buffer.str();

  std::vector<std::string> out;
  std::size_t i = src.find('[');
  if (i == std::string::npos) throw Error(path + ": no array literal in the word list");
  ++i;
  while (i < src.size() && src[i] != ']') {
    const char c = src[i];
    if (c == '\'' || c == '"') {
      std::string s;
      ++i;
      while (i < src.size() && src[i] != c) {
        if (src[i] == '\\' && i + 1 < src.size()) ++i;  // \' \" \\ stand for themselves
        s.push_back(src[i++]);
      }
      if (i >= src.size()) throw Error(path + ": unterminated string in the word list");
      ++i;
      out.push_back(std::move(s));
    } else if (src.compare(i, 2, "//") == 0) {
      i = src.find('\n', i);
      if (i == std::string::npos) break;
    } else if (src.compare(i, 2, "/*") == 0) {
      i = src.find("*/", i + 2);
      if (i == std::string::npos) break;
      i += 2;
    } else if (c == ',' || std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else {
      throw Error(path + ": unexpected '" + std::string(1, c) + "' in the word list at byte " + std::to_string(i));
    }
  }
  if (i >= src.size()) throw Error(path + ": unterminated array in the word list");
  if (out.empty()) throw Error(path + ": the word list is empty");
  for (const auto& s : out) {
    if (!text::is_valid_utf8(s)) throw Error(path + ": a word list entry is not valid UTF-8");
  }
  return out;
}

CuePhrases load_cue_packages(const std::string& node_modules) {
  CuePhrases cues;
  for (int k = 0; k < kNumCueKinds; ++k) {
    const auto path = (std::filesystem::path(node_modules) / kCuePackageFiles[static_cast<std::size_t>(k)]).string();
    for (const auto& phrase : read_js_string_array(path)) cues.add(static_cast<CueKind>(k), phrase);
  }
  return cues;
}

}  // namespace propscan::lexicon
