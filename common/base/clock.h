// Clock: the only way Tocsin code reads the time or waits.
//
// Logic never calls std::chrono::system_clock::now() or sleeps directly; it is handed a
// Clock, so tests drive time by hand with ManualClock and never sleep on the real clock. Wall time (now) and monotonic time are separate because the wall clock may
// jump (NTP, operator) while deadlines must not.
#pragma once

#include <condition_variable>
#include <mutex>

#include "common/base/time.h"

namespace tocsin {

// A one-shot latch that wakes a sleeping thread early (shutdown). Thread-safe.
class Interrupt {
 public:
  void trigger();
  bool triggered() const;

 private:
  friend class SystemClock;
  friend class ManualClock;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool fired_ = false;
};

class Clock {
 public:
  virtual ~Clock() = default;
  // UTC wall-clock time.
  virtual Timestamp now() const = 0;
  virtual MonoTime monotonic() const = 0;
  // Blocks until monotonic() >= deadline or `interrupt` fires. Returns true when the deadline
  // was reached, false when interrupted. Safe to call from any thread.
  virtual bool sleepUntil(MonoTime deadline, Interrupt& interrupt) = 0;

  bool sleepFor(std::chrono::nanoseconds d, Interrupt& interrupt) { return sleepUntil(monotonic() + d, interrupt); }
};

class SystemClock final : public Clock {
 public:
  Timestamp now() const override;
  MonoTime monotonic() const override;
  bool sleepUntil(MonoTime deadline, Interrupt& interrupt) override;
};

}  // namespace tocsin
