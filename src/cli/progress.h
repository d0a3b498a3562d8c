// Progress of a long command on standard error: a bar with the count, the
// rate and the time left on a terminal; nothing, or one line per step when
// asked (for logs), otherwise. Shared by ingest, batch analyze and train.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>

namespace propscan::cli {

enum class ProgressMode {
  kAuto,   // a bar when standard error is a terminal, else nothing
  kBar,    // a bar
  kLines,  // one line per update() that moved the count, for logs
  kNone,
};

// "auto", "bar", "lines", "none".
ProgressMode parse_progress_mode(const std::string& name);

class Progress {
 public:
  // `total` may be 0 (unknown): then no bar and no time left, only the count
  // and the rate. `what` names the things counted ("articles").
  Progress(std::string label, std::size_t total, std::string what, ProgressMode mode = ProgressMode::kAuto);
  ~Progress();  // finishes the bar line
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Sets the count of things done (thread-safe). The bar is redrawn at most
  // ten times a second.
  void update(std::size_t done);
  void add(std::size_t n = 1);
  // Prints a line of its own (an error, say) above the bar.
  void message(const std::string& line);
  // Draws the final state and ends the line.
  void finish();

  bool active() const { return mode_ == ProgressMode::kBar || mode_ == ProgressMode::kLines; }

 private:
  void draw(bool force);
  void clear_line();

  std::string label_, what_;
  std::size_t total_, done_ = 0, drawn_ = 0;
  ProgressMode mode_;
  std::chrono::steady_clock::time_point start_, last_draw_;
  bool finished_ = false, bar_shown_ = false;
  std::mutex mutex_;
};

// The line the bar shows, for tests: "LABEL [#####.....]  12/40  30%  5.1 articles/s  ETA 0:05".
std::string progress_text(const std::string& label, std::size_t done, std::size_t total, const std::string& what,
                          double seconds, std::size_t width = 24);

}  // namespace propscan::cli
