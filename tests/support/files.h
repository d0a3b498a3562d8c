// Test helpers for files: a path for a temporary file named after the
// running test, and reading or writing a whole file as bytes.
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace propscan::test {

// A path in the temporary directory, unique to this process and the running
// test: propscan_<suite>_<pid>_<test><suffix>. The test removes the file.
inline std::string temp_path(const std::string& suffix) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return (std::filesystem::temp_directory_path() / ("propscan_" + std::string(info->test_suite_name()) + "_" +
                                                    std::to_string(getpid()) + "_" + info->name() + suffix))
      .string();
}

// The bytes of the file at `path` (empty when it cannot be read).
inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Writes `bytes` to the file at `path`, replacing it.
inline void spit(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

}  // namespace propscan::test
