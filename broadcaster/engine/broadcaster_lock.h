// One broadcaster per store, and a way to tell whether it runs without a heartbeat in the store:
// while it runs, tocsin-broadcaster holds `<store>-broadcaster` locked (flock, exclusive; the
// file is 0600 and holds its pid). The lock goes with the process, however it ends.
#pragma once

#include <memory>
#include <string>

#include "common/base/clock.h"
#include "common/base/status.h"

namespace tocsin::engine {

class BroadcasterLock {
 public:
  // Takes the lock, waiting up to `patience` for a process that only looks at it; refuses when
  // another broadcaster holds it.
  static Result<std::unique_ptr<BroadcasterLock>> acquire(const std::string& storePath, Clock& clock,
                                                          Micros patience = std::chrono::seconds(2));
  ~BroadcasterLock();
  BroadcasterLock(const BroadcasterLock&) = delete;
  BroadcasterLock& operator=(const BroadcasterLock&) = delete;

 private:
  explicit BroadcasterLock(int fd) : fd_(fd) {}
  int fd_;
};

enum class BroadcasterPresence { kRunning, kStopped, kUnknown };
// Whether a broadcaster runs on the store at `storePath` (kUnknown: the lock file cannot be
// read by this user).
BroadcasterPresence broadcasterPresence(const std::string& storePath);
const char* presenceName(BroadcasterPresence p);  // "running", "not running", "unknown"

}  // namespace tocsin::engine
