// What the daemon tells the service manager that started it (systemd's notify protocol, through
// libsystemd): ready once the bearers, the dispatcher and the API are up; a status line; a
// watchdog ping while the dispatcher's loop is alive; stopping when asked to end. Started by
// anything else (a terminal, the tests), every call does nothing.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace tocsin::service {

class ServiceManager {
 public:
  virtual ~ServiceManager() = default;
  virtual void ready(const std::string& status) = 0;
  virtual void status(const std::string& status) = 0;
  virtual void watchdog() = 0;
  virtual void stopping() = 0;
  // The watchdog's timeout when the service manager runs one (WatchdogSec=); ping within it.
  virtual std::optional<std::chrono::microseconds> watchdogTimeout() const = 0;
};

// The service manager named by the environment (NOTIFY_SOCKET, WATCHDOG_USEC).
std::unique_ptr<ServiceManager> systemServiceManager();

// True when standard error is connected to systemd's journal (JOURNAL_STREAM names it), so log
// lines may carry their priority.
bool stderrIsJournal();

}  // namespace tocsin::service
