#include "io/labels.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>

#include "io/lines.h"
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

namespace {

// One row, or propscan::Error "WHERE: ..." when it is malformed.
Span parse_row(std::string_view line, const std::string& where, LabelFormat format) {
  const std::size_t expected = format == LabelFormat::kSpanOnly ? 3 : 4;
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
  return span;
}

// Far longer than any row (an id, a technique and two numbers).
constexpr std::size_t kMaxRowBytes = 1u << 16;

void append(LabelRows& into, LabelRows&& part) {
  into.spans.insert(into.spans.end(), std::make_move_iterator(part.spans.begin()),
                    std::make_move_iterator(part.spans.end()));
  into.where.insert(into.where.end(), std::make_move_iterator(part.where.begin()),
                    std::make_move_iterator(part.where.end()));
  into.errors.insert(into.errors.end(), std::make_move_iterator(part.errors.begin()),
                     std::make_move_iterator(part.errors.end()));
}

}  // namespace

LabelRows parse_label_rows(std::istream& in, const std::string& name, LabelFormat format) {
  LabelRows rows;
  std::string line;
  std::size_t line_no = 0;
  for (LineStatus status; (status = read_line(in, line, kMaxRowBytes)) != LineStatus::kEnd;) {
    const std::string where = name + ":" + std::to_string(++line_no);
    if (status == LineStatus::kTooLong) {
      rows.errors.push_back(where + ": line longer than 64 KiB (not a label file?); the rest of the file is not read");
      break;
    }
    if (line.empty()) continue;
    try {
      rows.spans.push_back(parse_row(line, where, format));
      rows.where.push_back(where);
    } catch (const Error& e) {
      rows.errors.push_back(e.what());
    }
  }
  if (in.bad()) rows.errors.push_back(name + ": read error");
  return rows;
}

std::vector<Span> parse_labels(std::istream& in, const std::string& name, LabelFormat format) {
  auto rows = parse_label_rows(in, name, format);
  if (!rows.errors.empty()) throw Error(rows.errors.front());
  return std::move(rows.spans);
}

LabelRows read_labels_file(const std::string& path, LabelFormat format) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw Error(path + ": is a directory, not a label file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open label file");
  return parse_label_rows(in, path, format);
}

LabelRows read_labels_dir(const std::string& dir, LabelFormat format) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw Error(dir + ": not a directory");
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".labels") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  LabelRows rows;
  for (const auto& f : files) {
    if (!fs::is_regular_file(f, ec)) {
      rows.errors.push_back(f + ": not a regular file (a FIFO, socket or device); skipped");
      continue;
    }
    append(rows, read_labels_file(f, format));
  }
  return rows;
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
