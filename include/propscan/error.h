// The one error type of propscan: every failure is thrown as propscan::Error
// with a one-line message that names the input and what is wrong with it.
#pragma once

#include <stdexcept>
#include <string>

namespace propscan {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace propscan
