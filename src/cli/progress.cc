#include "cli/progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>

#include "propscan/error.h"

namespace propscan::cli {
namespace {

std::string duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const long s = std::lround(seconds);
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  }
  return buf;
}

}  // namespace

ProgressMode parse_progress_mode(const std::string& name) {
  if (name == "auto") return ProgressMode::kAuto;
  if (name == "bar") return ProgressMode::kBar;
  if (name == "lines") return ProgressMode::kLines;
  if (name == "none") return ProgressMode::kNone;
  throw Error("unknown progress mode '" + name + "' (auto, bar, lines, none)");
}

std::string progress_text(const std::string& label, std::size_t done, std::size_t total, const std::string& what,
                          double seconds, std::size_t width) {
  std::string out = label;
  char buf[96];
  if (total > 0) {
    const double share = std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
    const auto filled = static_cast<std::size_t>(share * static_cast<double>(width));
    if (width > 0) out += " [" + std::string(filled, '#') + std::string(width - filled, '.') + "]";
    std::snprintf(buf, sizeof buf, "  %zu/%zu  %3.0f%%", done, total, share * 100.0);
  } else {
    std::snprintf(buf, sizeof buf, "  %zu", done);
  }
  out += buf;
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0.0;
  std::snprintf(buf, sizeof buf, "  %.1f %s/s", rate, what.c_str());
  out += buf;
  if (total > 0) {
    if (done >= total) {
      out += "  in " + duration(seconds);
    } else {
      out += "  ETA " + (rate > 0 ? duration(static_cast<double>(total - done) / rate) : std::string("?"));
    }
  }
  return out;
}

Progress::Progress(std::string label, std::size_t total, std::string what, ProgressMode mode)
    : label_(std::move(label)), what_(std::move(what)), total_(total), mode_(mode) {
  if (mode_ == ProgressMode::kAuto) mode_ = isatty(STDERR_FILENO) ? ProgressMode::kBar : ProgressMode::kNone;
  start_ = last_draw_ = std::chrono::steady_clock::now();
  if (mode_ == ProgressMode::kBar) draw(true);
}

Progress::~Progress() { finish(); }

void Progress::update(std::size_t done) {
  std::lock_guard lock(mutex_);
  done_ = done;
  draw(false);
}

void Progress::add(std::size_t n) {
  std::lock_guard lock(mutex_);
  done_ += n;
  draw(false);
}

void Progress::message(const std::string& line) {
  std::lock_guard lock(mutex_);
  clear_line();
  std::cerr << line << '\n';
  if (mode_ == ProgressMode::kBar && !finished_) draw(true);
}

void Progress::finish() {
  std::lock_guard lock(mutex_);
  if (finished_) return;
  if (mode_ == ProgressMode::kBar || (mode_ == ProgressMode::kLines && drawn_ != done_)) draw(true);
  if (mode_ == ProgressMode::kBar) std::cerr << '\n';
  std::cerr.flush();
  finished_ = true;
}

void Progress::clear_line() {
  if (mode_ == ProgressMode::kBar && bar_shown_) std::cerr << "\r\x1b[2K";
  bar_shown_ = false;
}

void Progress::draw(bool force) {
  if (finished_ || mode_ == ProgressMode::kNone) return;
  const auto now = std::chrono::steady_clock::now();
  const double seconds = std::chrono::duration<double>(now - start_).count();
  if (mode_ == ProgressMode::kLines) {
    if (!force && done_ == drawn_) return;
    std::cerr << "propscan: " << progress_text(label_ + ":", done_, total_, what_, seconds, 0) << std::endl;
  } else {
    if (!force && now - last_draw_ < std::chrono::milliseconds(100)) return;
    clear_line();
    std::cerr << progress_text(label_, done_, total_, what_, seconds) << std::flush;
    bar_shown_ = true;
  }
  drawn_ = done_;
  last_draw_ = now;
}

}  // namespace propscan::cli
