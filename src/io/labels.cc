#include "io/labels.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>

#include "propscan/error.h"

namespace propscan::io {
namespace fs = std::filesystem;

namespace {

std::vector<std::string_view> split_tabs(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t pos = 0;
  while (true) {
    std::size_t tab = line.find('\t', pos);
    fields.push_back(line.substr(pos, tab == std::string_view::npos ? std::string_view::npos : tab - pos));
    if (tab == std::string_view::npos) break;
    pos = tab + 1;
  }
  return fields;
}

Offset parse_offset(std::string_view field, const std::string& where, const char* what) {
  Offset value = 0;
  auto [ptr, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
  if (ec != std::errc() || ptr != field.data() + field.size() || value < 0) {
    throw Error(where + ": " + what + " offset '" + std::string(field) + "' is not a non-negative integer");
  }
  return value;
}

}  // namespace

std::vector<Span> parse_labels(std::istream& in, const std::string& name, LabelFormat format) {
  const std::size_t expected = format == LabelFormat::kSpanOnly ? 3 : 4;
  std::vector<Span> spans;
  std::string line;
  std::size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const std::string where = name + ":" + std::to_string(line_no);
    auto fields = split_tabs(line);
    if (fields.size() != expected) {
      throw Error(where + ": expected " + std::to_string(expected) + " tab-separated fields, found " +
                  std::to_string(fields.size()));
    }
    Span span;
    span.article_id = std::string(fields[0]);
    if (span.article_id.empty()) throw Error(where + ": empty article id");
    std::size_t first_offset = 1;
    if (format == LabelFormat::kTechnique) {
      span.technique = parse_technique(fields[1]);
      if (!span.technique) throw Error(where + ": unknown technique '" + std::string(fields[1]) + "'");
      first_offset = 2;
    } else if (format == LabelFormat::kTemplate) {
      // Templates carry '?', but a labelled file works as a template too.
      if (fields[1] != "?" && !parse_technique(fields[1])) {
        throw Error(where + ": expected '?' or a technique, found '" + std::string(fields[1]) + "'");
      }
      first_offset = 2;
    }
    span.start = parse_offset(fields[first_offset], where, "start");
    span.end = parse_offset(fields[first_offset + 1], where, "end");
    if (span.start >= span.end) {
      throw Error(where + ": start " + std::to_string(span.start) + " is not before end " +
                  std::to_string(span.end));
    }
    spans.push_back(std::move(span));
  }
  return spans;
}

std::vector<Span> read_labels_file(const std::string& path, LabelFormat format) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open label file");
  return parse_labels(in, path, format);
}

std::vector<Span> read_labels_dir(const std::string& dir, LabelFormat format) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw Error(dir + ": not a directory");
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".labels") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  std::vector<Span> spans;
  for (const auto& f : files) {
    auto part = read_labels_file(f, format);
    spans.insert(spans.end(), std::make_move_iterator(part.begin()), std::make_move_iterator(part.end()));
  }
  return spans;
}

void write_labels(std::ostream& out, const std::vector<Span>& spans, LabelFormat format) {
  for (const auto& s : spans) {
    out << s.article_id << '\t';
    if (format == LabelFormat::kTechnique) {
      if (!s.technique) throw Error("label output: span " + s.article_id + " " + std::to_string(s.start) +
                                    "-" + std::to_string(s.end) + " has no technique");
      out << technique_label(*s.technique) << '\t';
    } else if (format == LabelFormat::kTemplate) {
      out << "?\t";
    }
    out << s.start << '\t' << s.end << '\n';
  }
}

}  // namespace propscan::io
