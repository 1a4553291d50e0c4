#include "broadcaster/daemon/service_manager.h"

#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace tocsin::service {
namespace {

class SystemdNotifier final : public ServiceManager {
 public:
  SystemdNotifier() {
    uint64_t usec = 0;
    // The watchdog is ours only when WATCHDOG_PID (if set) names this process.
    if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) timeout_ = std::chrono::microseconds(usec);
  }
  void ready(const std::string& s) override { send("READY=1\nSTATUS=" + s); }
  void status(const std::string& s) override { send("STATUS=" + s); }
  void watchdog() override { send("WATCHDOG=1"); }
  void stopping() override { send("STOPPING=1\nSTATUS=stopping: draining the bearers"); }
  std::optional<std::chrono::microseconds> watchdogTimeout() const override { return timeout_; }

 private:
  static void send(const std::string& state) {
    // Nothing to do without NOTIFY_SOCKET; a failure to reach systemd is not the daemon's to fix.
    (void)sd_notify(0, state.c_str());
  }
  std::optional<std::chrono::microseconds> timeout_;
};

}  // namespace

std::unique_ptr<ServiceManager> systemServiceManager() { return std::make_unique<SystemdNotifier>(); }

bool stderrIsJournal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (!stream) return false;
  struct stat st {};
  if (::fstat(STDERR_FILENO, &st) != 0) return false;
  const std::string expected = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  return expected == stream;
}

}  // namespace tocsin::service
