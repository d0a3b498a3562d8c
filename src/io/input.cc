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
#include "propscan/error.h"
#include "text/utf8.h"

namespace propscan::io {
namespace fs = std::filesystem;

namespace {

std::string human_size(std::size_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
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

void read_jsonl_stream(std::istream& in, const std::string& name, const InputLimits& limits,
                       const std::function<void(InputItem&&)>& visit) {
  std::string line;
  std::size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;  // blank lines
    visit(jsonl_item(name + ":" + std::to_string(line_no), line, limits));
  }
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
    std::string bytes = read_file_bytes(path);
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

std::string read_file_bytes(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error(path + ": no such file");
  if (fs::is_directory(path, ec)) throw Error(path + ": is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open for reading");
  // Read in large blocks: a character iterator costs a third of the model's
  // load time.
  std::string bytes;
  if (const auto size = fs::file_size(path, ec); !ec) bytes.reserve(size);
  char block[1 << 16];
  while (in.read(block, sizeof block) || in.gcount() > 0) bytes.append(block, static_cast<std::size_t>(in.gcount()));
  if (in.bad()) throw Error(path + ": read error");
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

void read_input(const std::string& path, bool jsonl, const InputLimits& limits,
                const std::function<void(InputItem&&)>& visit) {
  if (path == "-") {
    if (jsonl) {
      read_jsonl_stream(std::cin, "stdin", limits, visit);
    } else {
      std::string bytes((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
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
    for (const auto& f : files) visit(file_item(f, limits));
    return;
  }
  if (jsonl || ends_with(path, ".jsonl")) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path + ": cannot open for reading");
    read_jsonl_stream(in, path, limits, visit);
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
  std::ifstream in(path, std::ios::binary);
  std::string line;
  std::size_t n = 0;
  while (std::getline(in, line)) n += line.find_first_not_of(" \t\r") != std::string::npos;
  return n;
}

std::vector<InputItem> read_all(const std::string& path, bool jsonl, const InputLimits& limits) {
  std::vector<InputItem> items;
  read_input(path, jsonl, limits, [&](InputItem&& item) { items.push_back(std::move(item)); });
  return items;
}

}  // namespace propscan::io
