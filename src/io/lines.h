// Reading text line by line without trusting the input: a line has a length
// limit, so a file without line breaks (/dev/zero, a binary file) cannot
// grow memory without bound.
#pragma once

#include <cstddef>
#include <istream>
#include <string>

namespace propscan::io {

enum class LineStatus { kLine, kTooLong, kEnd };

// Reads the next line into `line`, without its '\n' (and a '\r' before it).
// kTooLong: the line has more than `max_bytes` bytes; `line` then holds its
// first `max_bytes` and the stream is left inside the line (stop reading it:
// an endless line never ends). kEnd: nothing more to read.
inline LineStatus read_line(std::istream& in, std::string& line, std::size_t max_bytes) {
  line.clear();
  std::streambuf* buf = in.rdbuf();
  if (buf == nullptr) return LineStatus::kEnd;
  bool any = false;
  for (int c = buf->sbumpc(); c != std::char_traits<char>::eof(); c = buf->sbumpc()) {
    any = true;
    if (c == '\n') break;
    if (line.size() == max_bytes) return LineStatus::kTooLong;
    line.push_back(static_cast<char>(c));
  }
  if (!any) {
    in.setstate(std::ios::eofbit);
    return LineStatus::kEnd;
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return LineStatus::kLine;
}

}  // namespace propscan::io
