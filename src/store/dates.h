// Publication dates of stored articles: the forms accepted on input, and
// their normalised ISO 8601 form with the calendar keys stats group by.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace propscan::store {

struct NormalisedDate {
  std::string iso;    // "2024-03-01", or "2024-03-01T09:30:00Z" (UTC) with a time
  std::string day;    // "2024-03-01"
  std::string week;   // ISO week: "2024-W09"
  std::string month;  // "2024-03"
};

// Accepts ISO 8601 dates and date-times ("2024-03-01", "2024-03-01T09:30",
// "2024-03-01T09:30:00.5+02:00", "2024-03-01 09:30:00Z"), "2024/03/01",
// "1 March 2024", "March 1, 2024" (full or three-letter month names) and the
// RFC 2822 form of feeds ("Fri, 01 Mar 2024 09:30:00 +0000"). A time with an
// offset is converted to UTC (which may move the day); one without an offset
// is taken as UTC. Returns nullopt for anything else, including dates that do
// not exist (2023-02-29) and times out of range.
std::optional<NormalisedDate> normalise_date(std::string_view text);

// The one-line reason a date was refused, for error messages.
std::string date_error(std::string_view text);

}  // namespace propscan::store
