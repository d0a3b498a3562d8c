#include "propscan/technique.h"

namespace propscan {
namespace {

struct TechniqueInfo {
  std::string_view label;
  std::string_view name;
  std::string_view definition;
};

// Definitions are written for a general reader: what the technique does and
// why it persuades without arguing. The names are the web page's
// (web/highlight.js on main), so that it can take them from here.
constexpr std::array<TechniqueInfo, kNumTechniques> kInfo = {{
    {"Appeal_to_Authority", "Appeal to authority",
     "Claims something is true only because an expert, official or famous person says so, "
     "with no other evidence offered."},
    {"Appeal_to_fear-prejudice", "Appeal to fear / prejudice",
     "Builds support by making the audience afraid of what happens otherwise, or by playing "
     "on their existing prejudices against a group."},
    {"Bandwagon,Reductio_ad_hitlerum", "Bandwagon / reductio ad Hitlerum",
     "Urges acceptance because 'everyone' already agrees, or rejects an idea because a "
     "despised person or group is said to hold it."},
    {"Black-and-White_Fallacy", "Black-and-white fallacy",
     "Presents two options as the only possible ones when more exist, or tells the audience "
     "there is only one thing to do."},
    {"Causal_Oversimplification", "Causal oversimplification",
     "Blames a single cause for an outcome that has many, or treats one event following "
     "another as proof that the first caused it."},
    {"Doubt", "Doubt",
     "Questions the honesty, competence or credibility of a person, institution or claim, "
     "often by insinuation rather than evidence."},
    {"Exaggeration,Minimisation", "Exaggeration / minimisation",
     "Makes something seem far bigger, worse or better than it is, or plays down something "
     "serious as trivial."},
    {"Flag-Waving", "Flag-waving",
     "Justifies an idea by appealing to national, religious or group pride, as if loyalty "
     "alone settled the question."},
    {"Loaded_Language", "Loaded language",
     "Uses words chosen for their emotional punch rather than their meaning, to make the "
     "reader feel before they think."},
    {"Name_Calling,Labeling", "Name calling / labeling",
     "Sticks a label on a person, group or idea that the audience is meant to hate, fear or "
     "admire, in place of describing them."},
    {"Repetition", "Repetition",
     "Repeats the same word, phrase or claim again and again so that it sticks and starts to "
     "feel true."},
    {"Slogans", "Slogans",
     "A short, catchy phrase, often a rallying cry, that stands in for an argument."},
    {"Thought-terminating_Cliches", "Thought-terminating clichés",
     "A stock phrase that ends discussion instead of answering it, such as 'it is what it "
     "is' or 'enough said'."},
    {"Whataboutism,Straw_Men,Red_Herring", "Whataboutism / straw man / red herring",
     "Dodges a point by accusing the other side of hypocrisy, attacking a distorted version "
     "of its claim, or changing the subject."},
}};

constexpr std::array<Technique, kNumTechniques> kAll = [] {
  std::array<Technique, kNumTechniques> all{};
  for (std::size_t i = 0; i < kNumTechniques; ++i) all[i] = static_cast<Technique>(i);
  return all;
}();

}  // namespace

const std::array<Technique, kNumTechniques>& all_techniques() { return kAll; }

std::string_view technique_label(Technique t) { return kInfo[technique_index(t)].label; }

std::string_view technique_name(Technique t) { return kInfo[technique_index(t)].name; }

std::string_view technique_definition(Technique t) {
  return kInfo[technique_index(t)].definition;
}

std::optional<Technique> parse_technique(std::string_view label) {
  for (std::size_t i = 0; i < kNumTechniques; ++i) {
    if (kInfo[i].label == label) return static_cast<Technique>(i);
  }
  return std::nullopt;
}

}  // namespace propscan
