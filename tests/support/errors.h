// Test helper for checking error messages.
#pragma once

#include <string>

#include "propscan/error.h"

namespace propscan::test {

// The message of the propscan::Error that `f()` throws; empty when it throws
// none. Any other exception passes through.
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace propscan::test
