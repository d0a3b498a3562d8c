#include "io/input.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include <nlohmann/json.hpp>
#include <utf8proc.h>

#include "io/html.h"
#include "io/lines.h"
#include "propscan/error.h"
#include "text/utf8.h"

namespace propscan::io {
namespace fs = std::filesystem;

namespace {

std::string human_size(std::size_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + " bytes";
  char buf[32];
  if (bytes < (1u << 20)) {
    std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(bytes) / 1024.0);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  }
  return buf;
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string optional_string(const nlohmann::json& obj, const char* key, const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return {};
  if (!it->is_string()) throw Error(where + ": field '" + key + "' is not a string");
  return it->get<std::string>();
}

InputItem jsonl_item(const std::string& name, const std::string& line, const InputLimits& limits) {
  InputItem item;
  item.name = name;
  try {
    nlohmann::json obj;
    try {
      obj = nlohmann::json::parse(line);
    } catch (const nlohmann::json::parse_error& e) {
      // nlohmann's messages are long; keep the position only.
      throw Error(name + ": malformed JSON near byte " + std::to_string(e.byte));
    }
    if (!obj.is_object()) throw Error(name + ": expected a JSON object");
    auto text = obj.find("text");
    if (text == obj.end() || !text->is_string()) {
      throw Error(name + ": missing string field 'text'");
    }
    std::string id;
    auto id_it = obj.find("id");
    if (id_it == obj.end() || id_it->is_null()) {
      throw Error(name + ": missing field 'id'");
    } else if (id_it->is_string()) {
      id = id_it->get<std::string>();
    } else if (id_it->is_number_unsigned()) {
      id = std::to_string(id_it->get<std::uint64_t>());
    } else if (id_it->is_number_integer()) {
      id = std::to_string(id_it->get<std::int64_t>());
    } else {
      throw Error(name + ": field 'id' must be a string or an integer");
    }
    if (id.empty()) throw Error(name + ": field 'id' is empty");
    // An id is printed as the first column of the SemEval formats: a tab or
    // a line break in it would forge rows.
    if (std::any_of(id.begin(), id.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; })) {
      throw Error(name + ": field 'id' holds a control character (tab, line break, ...)");
    }
    item.doc = document_from_bytes(name, id, text->get<std::string>(), limits);
    item.doc.title = optional_string(obj, "title", name);
    item.doc.source = optional_string(obj, "source", name);
    item.doc.date = optional_string(obj, "date", name);
    item.doc.url = optional_string(obj, "url", name);
    if (auto topics = obj.find("topics"); topics != obj.end() && !topics->is_null()) {
      const auto bad = [&] { return Error(name + ": field 'topics' must be a string or an array of strings"); };
      if (topics->is_string()) {
        item.topics.push_back(topics->get<std::string>());
      } else if (topics->is_array()) {
        for (const auto& t : *topics) {
          if (!t.is_string()) throw bad();
          item.topics.push_back(t.get<std::string>());
        }
      } else {
        throw bad();
      }
      for (const auto& t : item.topics) {
        if (t.empty() || !text::is_valid_utf8(t)) throw Error(name + ": a topic in 'topics' is empty or not UTF-8");
      }
    }
  } catch (const Error& e) {
    item.error = e.what();
  } catch (const nlohmann::json::exception& e) {
    item.error = name + ": invalid JSON value";
  }
  return item;
}

// At most `limit` + 1 bytes of a stream: enough to tell that it is too large
// without reading an endless one (/dev/zero, a pipe that never closes).
std::string read_bounded(std::istream& in, std::size_t limit, const std::string& name) {
  std::string bytes;
  char block[1 << 16];
  while (bytes.size() <= limit) {
    const auto want = std::min<std::size_t>(sizeof block, limit + 1 - bytes.size());
    in.read(block, static_cast<std::streamsize>(want));
    if (in.gcount() <= 0) break;
    bytes.append(block, static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) throw Error(name + ": read error");
  return bytes;
}

InputItem text_item(const std::string& name, const std::string& id, const std::string& bytes,
                    const InputLimits& limits) {
  InputItem item;
  item.name = name;
  try {
    item.doc = document_from_bytes(name, id, bytes, limits);
  } catch (const Error& e) {
    item.error = e.what();
  }
  return item;
}

InputItem file_item(const std::string& path, const InputLimits& limits) {
  InputItem item;
  item.name = path;
  try {
    std::error_code ec;
    auto size = fs::file_size(path, ec);
    if (!ec && size > limits.max_article_bytes) {
      throw Error(path + ": too large (" + human_size(size) + ", limit " +
                  human_size(limits.max_article_bytes) + ")");
    }
    std::string bytes = read_file_bytes(path, limits.max_article_bytes);
    if (is_html_path(path)) {
      // Offsets refer to the extracted text, which is what is analysed.
      if (bytes.find('\0') != std::string::npos) throw Error(path + ": binary data (contains NUL bytes)");
      try {
        (void)text::decode_utf8(bytes);
      } catch (const Error& e) {
        throw Error(path + ": " + e.what() + " (HTML is read as UTF-8)");
      }
      HtmlArticle html = extract_html_article(bytes);
      item.doc = document_from_bytes(path, article_id_from_path(path), html.text, limits);
      item.doc.title = std::move(html.title);
      item.doc.source = std::move(html.source);
      item.doc.date = std::move(html.date);
    } else {
      item.doc = document_from_bytes(path, article_id_from_path(path), bytes, limits);
    }
  } catch (const Error& e) {
    item.error = e.what();
  }
  return item;
}

}  // namespace

std::string article_id_from_path(const std::string& path) {
  std::string stem = fs::path(path).stem().string();
  if (stem.rfind("article", 0) == 0 && stem.size() > 7) return stem.substr(7);
  return stem;
}

std::string read_file_bytes(const std::string& path, std::size_t limit) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error(path + ": no such file");
  if (fs::is_directory(path, ec)) throw Error(path + ": is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open for reading");
  // Read in large blocks: a character iterator costs a third of the model's
  // load time.
  std::string bytes;
  if (const auto size = fs::file_size(path, ec); !ec && size <= limit) bytes.reserve(size);
  bytes += read_bounded(in, limit, path);
  if (bytes.size() > limit) {
    throw Error(path + ": too large (more than " + human_size(limit) + ")");
  }
  return bytes;
}

Document document_from_bytes(const std::string& name, const std::string& id,
                             const std::string& bytes, const InputLimits& limits) {
  if (bytes.size() > limits.max_article_bytes) {
    throw Error(name + ": too large (" + human_size(bytes.size()) + ", limit " +
                human_size(limits.max_article_bytes) + ")");
  }
  if (bytes.find('\0') != std::string::npos) throw Error(name + ": binary data (contains NUL bytes)");
  if (!text::is_valid_utf8(id)) throw Error(name + ": article id is not valid UTF-8");
  Document doc;
  doc.id = id;
  try {
    doc.text = text::decode_utf8(bytes);
  } catch (const Error& e) {
    throw Error(name + ": " + e.what());
  }
  // Blank: nothing but white space of any script (no-break spaces, line and
  // paragraph separators, form feeds) and byte order marks.
  bool blank = std::all_of(doc.text.begin(), doc.text.end(), [](char32_t c) {
    if (c == 0xFEFF || c == U'\t' || c == U'\n' || c == U'\r' || c == U'\f' || c == U'\v' || c == 0x85) return true;
    const auto category = utf8proc_category(static_cast<utf8proc_int32_t>(c));
    return category == UTF8PROC_CATEGORY_ZS || category == UTF8PROC_CATEGORY_ZL || category == UTF8PROC_CATEGORY_ZP;
  });
  if (blank) throw Error(name + ": empty article (no text)");
  return doc;
}

void read_jsonl(std::istream& in, const std::string& name, const InputLimits& limits,
                const std::function<void(InputItem&&)>& visit) {
  std::string line;
  std::size_t line_no = 0;
  for (LineStatus status; (status = read_line(in, line, limits.max_line_bytes)) != LineStatus::kEnd;) {
    ++line_no;
    const std::string where = name + ":" + std::to_string(line_no);
    if (status == LineStatus::kTooLong) {
      InputItem item;
      item.name = where;
      item.error = where + ": line longer than " + human_size(limits.max_line_bytes) +
                   " (not JSONL?); the rest of the input is not read";
      visit(std::move(item));
      return;
    }
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;  // blank lines
    visit(jsonl_item(where, line, limits));
  }
  if (in.bad()) throw Error(name + ": read error");
}

void read_input(const std::string& path, bool jsonl, const InputLimits& limits,
                const std::function<void(InputItem&&)>& visit) {
  if (path == "-") {
    if (jsonl) {
      read_jsonl(std::cin, "stdin", limits, visit);
    } else {
      const std::string bytes = read_bounded(std::cin, limits.max_article_bytes, "stdin");
      visit(text_item("stdin", "stdin", bytes, limits));
    }
    return;
  }
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error(path + ": no such file or directory");
  if (fs::is_directory(path, ec)) {
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(path, ec)) {
      if (entry.path().extension() == ".txt" || is_html_path(entry.path().string())) {
        files.push_back(entry.path().string());
      }
    }
    if (ec) throw Error(path + ": cannot list directory (" + ec.message() + ")");
    if (files.empty()) throw Error(path + ": no *.txt or *.html files in directory");
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      // A FIFO or a device among the files would block the batch or never
      // end: in a directory only regular files (or links to them) are read.
      if (!fs::is_regular_file(f, ec)) {
        InputItem item;
        item.name = f;
        item.error = f + ": not a regular file (a FIFO, socket or device); skipped";
        visit(std::move(item));
        continue;
      }
      visit(file_item(f, limits));
    }
    return;
  }
  if (jsonl || ends_with(path, ".jsonl")) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path + ": cannot open for reading");
    read_jsonl(in, path, limits, visit);
    return;
  }
  visit(file_item(path, limits));
}

std::size_t count_input(const std::string& path, bool jsonl) {
  std::error_code ec;
  if (path == "-" || !fs::exists(path, ec)) return 0;
  if (fs::is_directory(path, ec)) {
    std::size_t n = 0;
    for (const auto& entry : fs::directory_iterator(path, ec)) {
      n += entry.path().extension() == ".txt" || is_html_path(entry.path().string());
    }
    return n;
  }
  if (!jsonl && !ends_with(path, ".jsonl")) return 1;
  // A pipe or a device cannot be read twice (or never ends): not counted.
  if (!fs::is_regular_file(path, ec)) return 0;
  std::ifstream in(path, std::ios::binary);
  std::string line;
  std::size_t n = 0;
  for (LineStatus status; (status = read_line(in, line, InputLimits{}.max_line_bytes)) == LineStatus::kLine;) {
    n += line.find_first_not_of(" \t\r") != std::string::npos;
  }
  return n;
}

std::vector<InputItem> read_all(const std::string& path, bool jsonl, const InputLimits& limits) {
  std::vector<InputItem> items;
  read_input(path, jsonl, limits, [&](InputItem&& item) { items.push_back(std::move(item)); });
  return items;
}

}  // namespace propscan::io
