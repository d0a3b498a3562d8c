#include "cli/common.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <system_error>

#include "propscan/error.h"

namespace propscan::cli {
namespace {

TEST(GuardedTest, AnyExceptionBecomesOneLineAndExitStatusOne) {
  // Issue 19, finding 8: an exception that is not propscan's own (here the
  // one std::thread throws when no thread can start) aborted the process.
  set_exit_code(0);
  testing::internal::CaptureStderr();
  guarded([] { throw std::system_error(std::make_error_code(std::errc::resource_unavailable_try_again)); })();
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(exit_code(), 1);
  EXPECT_EQ(err.rfind("propscan: unexpected error: ", 0), 0u) << err;
  EXPECT_EQ(err.find('\n'), err.size() - 1) << err;
  set_exit_code(0);
  testing::internal::CaptureStderr();
  guarded([] { throw Error("notes.txt: invalid UTF-8 at byte 7"); })();
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "propscan: notes.txt: invalid UTF-8 at byte 7\n");
  EXPECT_EQ(exit_code(), 1);
  set_exit_code(0);
}

TEST(ResolveModelTest, FastAndAccurateNameTheShippedModelsAndAnythingElseIsAPath) {
  namespace fs = std::filesystem;
  const std::string fast = resolve_model("fast");
  const std::string accurate = resolve_model("accurate");
  EXPECT_EQ(fs::path(fast).filename(), "propscan.model");
  EXPECT_EQ(fs::path(accurate).filename(), "propscan-accurate.model");
  EXPECT_TRUE(fs::is_regular_file(fast));
  EXPECT_TRUE(fs::is_regular_file(accurate));
  EXPECT_EQ(fs::path(fast).parent_path(), fs::path(accurate).parent_path());
  EXPECT_EQ(resolve_model("./fast"), "./fast");
  EXPECT_EQ(resolve_model("/tmp/mine.model"), "/tmp/mine.model");
}

}  // namespace
}  // namespace propscan::cli
