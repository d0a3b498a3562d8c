#include "store/dates.h"

#include <gtest/gtest.h>

namespace propscan::store {
namespace {

std::string iso(const char* s) {
  const auto d = normalise_date(s);
  return d ? d->iso : "(refused)";
}

TEST(StoreDates, AcceptsIsoDatesAndDateTimes) {
  EXPECT_EQ(iso("2024-03-01"), "2024-03-01");
  EXPECT_EQ(iso(" 2024-03-01\n"), "2024-03-01");
  EXPECT_EQ(iso("2024-03-01T09:30"), "2024-03-01T09:30:00Z");
  EXPECT_EQ(iso("2024-03-01T09:30:15Z"), "2024-03-01T09:30:15Z");
  EXPECT_EQ(iso("2024-03-01 09:30:15.250"), "2024-03-01T09:30:15Z");
  EXPECT_EQ(iso("2024-03-01T09:30:00-05:00"), "2024-03-01T14:30:00Z");
  EXPECT_EQ(iso("2024-03-01T09:30:00+0100"), "2024-03-01T08:30:00Z");
  // An offset can move the day, across a leap day and a year.
  EXPECT_EQ(iso("2024-03-01T01:30:00+02:00"), "2024-02-29T23:30:00Z");
  EXPECT_EQ(iso("2023-12-31T22:00:00-03:00"), "2024-01-01T01:00:00Z");
  EXPECT_EQ(normalise_date("2024-03-01T01:30:00+02:00")->day, "2024-02-29");
}

TEST(StoreDates, AcceptsCommonWrittenForms) {
  EXPECT_EQ(iso("2024/03/01"), "2024-03-01");
  EXPECT_EQ(iso("1 March 2024"), "2024-03-01");
  EXPECT_EQ(iso("01 Mar 2024"), "2024-03-01");
  EXPECT_EQ(iso("March 1, 2024"), "2024-03-01");
  EXPECT_EQ(iso("Sept. 9, 2024"), "2024-09-09");
  EXPECT_EQ(iso("Fri, 01 Mar 2024 09:30:00 +0000"), "2024-03-01T09:30:00Z");
  EXPECT_EQ(iso("Fri, 01 Mar 2024 09:30:00 GMT"), "2024-03-01T09:30:00Z");
  EXPECT_EQ(iso("Friday, 1 March 2024 23:30 -0100"), "2024-03-02T00:30:00Z");
}

TEST(StoreDates, RefusesWhatIsNotADate) {
  for (const char* bad : {"", "yesterday", "2023-02-29", "2024-13-01", "2024-04-31", "2024-03-01T24:00",
                          "2024-03-01T09:60", "03/01/2024", "01-03-2024", "2024-3-1", "2024-03-01T09:30+25:00",
                          "1 Smarch 2024", "2024-03-01 and more", "Fri, 01 Mar 2024 09:30:00 PST"}) {
    EXPECT_FALSE(normalise_date(bad).has_value()) << bad;
  }
  EXPECT_TRUE(normalise_date("2024-02-29").has_value());
  EXPECT_TRUE(normalise_date("2000-02-29").has_value());
  EXPECT_FALSE(normalise_date("1900-02-29").has_value());
  const std::string msg = date_error("31/31/2024\x1b[2J");
  EXPECT_NE(msg.find("'31/31/2024?[2J'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("2024-03-01"), std::string::npos) << msg;
}

TEST(StoreDates, GroupsByIsoWeekAndMonth) {
  const auto d = normalise_date("2024-03-01");
  EXPECT_EQ(d->week, "2024-W09");
  EXPECT_EQ(d->month, "2024-03");
  // Weeks belong to the year of their Thursday.
  EXPECT_EQ(normalise_date("2021-01-03")->week, "2020-W53");
  EXPECT_EQ(normalise_date("2021-01-04")->week, "2021-W01");
  EXPECT_EQ(normalise_date("2024-12-30")->week, "2025-W01");
  EXPECT_EQ(normalise_date("2024-01-01")->week, "2024-W01");
  EXPECT_EQ(normalise_date("2024-04-10")->week, "2024-W15");
  EXPECT_EQ(normalise_date("2026-12-31")->week, "2026-W53");
}

}  // namespace
}  // namespace propscan::store
