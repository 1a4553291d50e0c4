// Starting and stopping the programs integration tests and benchmarks talk to (simulators,
// independent peers), each stopped by its PID when the test ends.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace tocsin::testing {

class ChildProcess {
 public:
  struct Options {
    std::string workingDirectory;
    std::vector<std::string> environment;  // extra "NAME=value" entries
    bool pipeStdin = false;
    std::string stdoutFile;  // empty: read through readLine()
    std::string stderrFile;  // empty: inherit
  };

  ChildProcess(std::vector<std::string> argv, Options options);
  ChildProcess(std::vector<std::string> argv) : ChildProcess(std::move(argv), Options{}) {}
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  // The next line of stdout (without the newline), or nullopt after `timeout` or at EOF.
  std::optional<std::string> readLine(std::chrono::milliseconds timeout);
  // Reads lines until one contains `needle`.
  std::optional<std::string> waitForLine(const std::string& needle, std::chrono::milliseconds timeout);
  void writeLine(const std::string& line);
  void closeStdin();
  // SIGTERM, then SIGKILL after `grace`; returns the exit status (or -signal).
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
  // Waits for the process to exit on its own.
  std::optional<int> wait(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  int stdout_ = -1;
  std::string buffer_;
  std::optional<int> status_;
};

// An unused TCP port on 127.0.0.1 for programs that cannot take port 0 (bound and released,
// so a race is possible but unlikely).
int freeTcpPort();
// Waits until something accepts connections on 127.0.0.1:port.
bool waitForTcpPort(int port, std::chrono::milliseconds timeout);

}  // namespace tocsin::testing
