#include "cli/progress.h"

#include <gtest/gtest.h>

#include "propscan/error.h"

namespace propscan::cli {
namespace {

TEST(ProgressBar, ShowsCountRateAndTimeLeft) {
  EXPECT_EQ(progress_text("ingest", 30, 120, "articles", 10.0, 8),
            "ingest [##......]  30/120   25%  3.0 articles/s  ETA 0:30");
  EXPECT_EQ(progress_text("ingest", 120, 120, "articles", 40.0, 8),
            "ingest [########]  120/120  100%  3.0 articles/s  in 0:40");
  // An unknown total: no bar, no time left.
  EXPECT_EQ(progress_text("ingest", 7, 0, "articles", 2.0, 8), "ingest  7  3.5 articles/s");
  // Nothing done yet: no rate to estimate from.
  EXPECT_EQ(progress_text("train", 0, 10, "folds", 0.0, 4), "train [....]  0/10    0%  0.0 folds/s  ETA ?");
  // Hours; and width 0 for log lines.
  EXPECT_EQ(progress_text("x", 1, 10000, "articles", 2.0, 0), "x  1/10000    0%  0.5 articles/s  ETA 5:33:18");
}

TEST(ProgressBar, ModesByName) {
  EXPECT_EQ(parse_progress_mode("lines"), ProgressMode::kLines);
  EXPECT_EQ(parse_progress_mode("none"), ProgressMode::kNone);
  EXPECT_THROW(parse_progress_mode("fancy"), Error);
}

}  // namespace
}  // namespace propscan::cli
