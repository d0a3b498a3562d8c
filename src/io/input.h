// Reading articles: a file, a directory of *.txt, standard input, or JSONL.
// Bad articles become failed items with a one-line message; the others are
// still read, so nothing is lost in a batch.
#pragma once

#include <cstddef>
#include <functional>
#include <istream>
#include <string>
#include <vector>

#include "propscan/document.h"

namespace propscan::io {

struct InputLimits {
  std::size_t max_article_bytes = 8u << 20;  // 8 MiB a single article
  std::size_t max_line_bytes = 64u << 20;    // a JSONL line (its text may be escaped)
};

// One article read from the input, or the reason it could not be read.
struct InputItem {
  std::string name;   // where it came from: a path, "stdin", or "file.jsonl:LINE"
  Document doc;       // valid when error is empty
  std::vector<std::string> topics;  // the JSONL "topics" field (a string or strings)
  std::string error;  // one line, starting with `name`
  bool ok() const { return error.empty(); }
};

// The article id of a file name: "article123.txt" -> "123", "notes.txt" -> "notes".
std::string article_id_from_path(const std::string& path);

// Decodes raw article bytes; throws propscan::Error naming `name` when the
// bytes are empty, binary, invalid UTF-8 or over the size limit.
Document document_from_bytes(const std::string& name, const std::string& id,
                             const std::string& bytes, const InputLimits& limits = {});

// Reads `path`: "-" is stdin (text, or JSONL when `jsonl` is set), a directory
// yields its *.txt, *.html and *.htm files in name order, a *.jsonl file (or
// any file when `jsonl` is set) yields one article a line, and an HTML file
// its article's text and title (io/html.h). `visit` is called once per item,
// in input order. Throws propscan::Error only when the path itself cannot be
// opened (missing, unreadable, empty directory).
void read_input(const std::string& path, bool jsonl, const InputLimits& limits,
                const std::function<void(InputItem&&)>& visit);

// Reads JSONL from `in`, one article a line ("NAME:LINE" names each item);
// blank lines are skipped, a line over limits.max_line_bytes ends the input
// with a failed item.
void read_jsonl(std::istream& in, const std::string& name, const InputLimits& limits,
                const std::function<void(InputItem&&)>& visit);

// How many items read_input would visit, counted without decoding them
// (JSONL lines that are not blank, files of a directory); for progress bars.
// 0 for standard input, a pipe or a device.
std::size_t count_input(const std::string& path, bool jsonl);

// Convenience: all items in a vector.
std::vector<InputItem> read_all(const std::string& path, bool jsonl = false,
                                const InputLimits& limits = {});

// Reads a whole file into bytes; throws propscan::Error naming the path,
// also when it holds more than `limit` bytes (checked while reading, so a
// device or a pipe without end is refused too).
std::string read_file_bytes(const std::string& path, std::size_t limit = InputLimits{}.max_article_bytes);

}  // namespace propscan::io
