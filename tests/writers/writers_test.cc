#include "writers/writers.h"

#include <gtest/gtest.h>

namespace propscan::writers {
namespace {

TEST(WritersTest, TerminalSafeReplacesControlsAndBidiOverrides) {
  // An escape sequence, a C1 control, a right-to-left override and an
  // isolate (issue 19, finding 8) become U+FFFD; text, line breaks and tabs stay.
  EXPECT_EQ(terminal_safe(U"a\x1b[31mb\u0085c\u202Ed\u2066e\n\tf"), "a\uFFFD[31mb\uFFFDc\uFFFDd\uFFFDe\n\tf");
  EXPECT_EQ(terminal_safe(U"Zürich — “quoted”"), "Zürich — “quoted”");
}

}  // namespace
}  // namespace propscan::writers
