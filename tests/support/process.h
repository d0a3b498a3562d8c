// Test helpers for running other programs: a shell command run to its end
// (exit status and output), and a child process whose standard error is read
// through a pipe while it runs.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace propscan::test {

// What a command run to its end returned.
struct CommandResult {
  int status = -1;  // exit status; -1 when it could not run or was killed by a signal
  std::string out;  // standard output, and standard error too when merged
};

// Runs `command` through the shell and collects its standard output. Its
// standard error goes to the same pipe when `merge_stderr`, else to /dev/null.
CommandResult run_command(const std::string& command, bool merge_stderr = false);

// A program started with `argv` (argv[0] is its path), its standard error
// kept in output() as read_until() reads it. The destructor kills (SIGKILL)
// and reaps a process that is still running.
class ChildProcess {
 public:
  explicit ChildProcess(std::vector<std::string> argv);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The process id; -1 when it could not be started or has been stopped.
  pid_t pid() const { return pid_; }
  // Everything read from its standard error so far.
  const std::string& output() const { return output_; }

  // Reads standard error until `marker` appears in output() (or to end of
  // file when `marker` is empty), for at most `timeout`; returns output().
  const std::string& read_until(const std::string& marker,
                                std::chrono::milliseconds timeout = std::chrono::seconds(20));

  // Sends `sig`, reads standard error to its end and waits for the process;
  // returns its exit status, or 128 + the signal that ended it.
  int stop(int sig);

 private:
  pid_t pid_ = -1;
  int err_ = -1;
  std::string output_;
};

}  // namespace propscan::test
