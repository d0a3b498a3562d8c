// The 14 techniques of the Propaganda Techniques Corpus (SemEval-2020 Task 11).
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace propscan {

// Alphabetical by corpus label, as in the corpus's technique list.
enum class Technique : unsigned char {
  kAppealToAuthority,
  kAppealToFearPrejudice,
  kBandwagonReductioAdHitlerum,
  kBlackAndWhiteFallacy,
  kCausalOversimplification,
  kDoubt,
  kExaggerationMinimisation,
  kFlagWaving,
  kLoadedLanguage,
  kNameCallingLabeling,
  kRepetition,
  kSlogans,
  kThoughtTerminatingCliches,
  kWhataboutismStrawMenRedHerring,
};

inline constexpr std::size_t kNumTechniques = 14;

// All techniques in enum order, for iteration.
const std::array<Technique, kNumTechniques>& all_techniques();

// The exact corpus label, e.g. "Name_Calling,Labeling".
std::string_view technique_label(Technique t);

// A readable name for people, e.g. "Name calling / labeling": what the page,
// the Python module and reports show where the label would be cryptic.
std::string_view technique_name(Technique t);

// A plain-language definition, one or two sentences.
std::string_view technique_definition(Technique t);

// Parses an exact corpus label; nullopt when the label is unknown.
std::optional<Technique> parse_technique(std::string_view label);

inline std::size_t technique_index(Technique t) { return static_cast<std::size_t>(t); }

}  // namespace propscan
