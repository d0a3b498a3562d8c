#include "store/store.h"

namespace propscan::store {

std::optional<Dimension> parse_dimension(const std::string& name) {
  if (name == "source") return Dimension::kSource;
  if (name == "day") return Dimension::kDay;
  if (name == "week") return Dimension::kWeek;
  if (name == "month") return Dimension::kMonth;
  if (name == "technique") return Dimension::kTechnique;
  if (name == "topic") return Dimension::kTopic;
  return std::nullopt;
}

std::string dimension_name(Dimension d) {
  switch (d) {
    case Dimension::kSource: return "source";
    case Dimension::kDay: return "day";
    case Dimension::kWeek: return "week";
    case Dimension::kMonth: return "month";
    case Dimension::kTechnique: return "technique";
    case Dimension::kTopic: return "topic";
  }
  return "";
}

}  // namespace propscan::store
