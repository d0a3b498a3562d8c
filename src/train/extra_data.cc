#include "train/extra_data.h"

#include <filesystem>
#include <fstream>
#include <utility>

#include <nlohmann/json.hpp>

#include "propscan/document.h"
#include "propscan/error.h"
#include "text/utf8.h"

namespace propscan::train {
namespace {

struct MemeLabel {
  std::string_view label;
  std::optional<Technique> ptc;
};

// The task's labels and their PTC counterparts (its README's table).
constexpr MemeLabel kMemeLabels[] = {
    {"Appeal to authority", Technique::kAppealToAuthority},
    {"Appeal to fear/prejudice", Technique::kAppealToFearPrejudice},
    {"Bandwagon", Technique::kBandwagonReductioAdHitlerum},
    {"Black-and-white Fallacy/Dictatorship", Technique::kBlackAndWhiteFallacy},
    {"Causal Oversimplification", Technique::kCausalOversimplification},
    {"Doubt", Technique::kDoubt},
    {"Exaggeration/Minimisation", Technique::kExaggerationMinimisation},
    {"Flag-waving", Technique::kFlagWaving},
    {"Glittering generalities (Virtue)", std::nullopt},
    {"Loaded Language", Technique::kLoadedLanguage},
    {"Misrepresentation of Someone's Position (Straw Man)", Technique::kWhataboutismStrawMenRedHerring},
    {"Name calling/Labeling", Technique::kNameCallingLabeling},
    {"Obfuscation, Intentional vagueness, Confusion", std::nullopt},
    {"Presenting Irrelevant Data (Red Herring)", Technique::kWhataboutismStrawMenRedHerring},
    {"Reductio ad hitlerum", Technique::kBandwagonReductioAdHitlerum},
    {"Repetition", Technique::kRepetition},
    {"Slogans", Technique::kSlogans},
    {"Smears", std::nullopt},
    {"Thought-terminating clich\u00e9", Technique::kThoughtTerminatingCliches},
    {"Whataboutism", Technique::kWhataboutismStrawMenRedHerring},
};

// A string field of `j`; throws naming `what` when it is missing or not a string.
const std::string& string_field(const nlohmann::json& j, const char* key, const std::string& what) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_string()) throw Error(what + ": '" + key + "' must be a string");
  return it->get_ref<const std::string&>();
}

Offset offset_field(const nlohmann::json& j, const char* key, const std::string& what) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) throw Error(what + ": '" + key + "' must be a whole number");
  return it->get<Offset>();
}

// The meme's id: a string in the task's files; a number is accepted too.
std::string meme_id(const nlohmann::json& meme, const std::string& what) {
  const auto it = meme.find("id");
  if (it != meme.end() && it->is_string()) return it->get<std::string>();
  if (it != meme.end() && it->is_number_integer()) return std::to_string(it->get<std::int64_t>());
  throw Error(what + ": 'id' must be a string");
}

void read_meme(const nlohmann::json& meme, const std::string& where, const std::string& file_name,
               ExtraTechniqueData& out) {
  if (!meme.is_object()) throw Error(where + ": a meme must be a JSON object");
  const std::string id = meme_id(meme, where);
  const std::string what = where + " (id " + id + ")";
  const std::string& text = string_field(meme, "text", what);
  io::LabelledArticle art;
  try {
    art.doc = Document::from_utf8(file_name + ":" + id, text);
  } catch (const Error& e) {
    throw Error(what + ": " + e.what());
  }
  const auto labels = meme.find("labels");
  if (labels == meme.end() || !labels->is_array()) throw Error(what + ": 'labels' must be a list");
  const auto size = static_cast<Offset>(art.doc.text.size());
  for (std::size_t k = 0; k < labels->size(); ++k) {
    const auto& label = (*labels)[k];
    const std::string at = what + ", label " + std::to_string(k + 1);
    if (!label.is_object()) throw Error(at + ": a label must be a JSON object");
    const Offset start = offset_field(label, "start", at), end = offset_field(label, "end", at);
    if (start < 0 || start >= end || end > size) {
      throw Error(at + ": offsets " + std::to_string(start) + ".." + std::to_string(end) +
                  " do not lie in the text of " + std::to_string(size) + " characters");
    }
    const auto& fragment = string_field(label, "text_fragment", at);
    const std::u32string_view marked =
        std::u32string_view(art.doc.text)
            .substr(static_cast<std::size_t>(start), static_cast<std::size_t>(end - start));
    if (text::encode_utf8(marked) != fragment) throw Error(at + ": the offsets do not mark its text_fragment");
    const std::string& name = string_field(label, "technique", at);
    std::optional<Technique> technique;
    try {
      technique = ptc_technique_of_meme_label(name);
    } catch (const Error& e) {
      throw Error(at + ": " + e.what());
    }
    if (!technique) {
      ++out.dropped;
      continue;
    }
    art.techniques.push_back({.article_id = art.doc.id, .start = start, .end = end, .technique = technique});
    ++out.mapped;
  }
  if (art.techniques.empty()) return;
  art.si = art.techniques;
  out.articles.push_back(std::move(art));
}

}  // namespace

std::optional<Technique> ptc_technique_of_meme_label(std::string_view label) {
  for (const auto& m : kMemeLabels) {
    if (m.label == label) return m.ptc;
  }
  throw Error("unknown technique label '" + std::string(label) + "'");
}

void read_meme_file(const std::string& path, ExtraTechniqueData& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open the meme file");
  nlohmann::json memes;
  try {
    memes = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(path + ": not valid JSON (" + e.what() + ")");
  }
  if (!memes.is_array()) throw Error(path + ": expected a JSON array of memes");
  const std::string file_name = std::filesystem::path(path).stem().string();
  for (std::size_t m = 0; m < memes.size(); ++m) {
    read_meme(memes[m], path + ": meme " + std::to_string(m + 1), file_name, out);
  }
}

ExtraTechniqueData read_extra_technique_data(const std::string& dir) {
  ExtraTechniqueData out;
  for (const auto name : kExtraTechniqueFiles) {
    read_meme_file((std::filesystem::path(dir) / name).string(), out);
  }
  return out;
}

}  // namespace propscan::train
