// Clock: the only way Tocsin code reads the time or waits.
//
// Logic never calls std::chrono::system_clock::now() or sleeps directly; it is handed a Clock,
// so tests drive time by hand with ManualClock and never sleep on the real clock. Wall time
// (now) and monotonic time are separate because the wall clock may jump (NTP, operator) while
// deadlines must not. A check in scripts/test keeps it so: a direct clock read, sleep or timed
// wait outside common/base fails the build's tests.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "common/base/time.h"

namespace tocsin {

// Something a thread waits for through a Clock, raised by another thread. Thread-safe.
class Signal {
 public:
  Signal(const Signal&) = delete;
  Signal& operator=(const Signal&) = delete;

 protected:
  explicit Signal(bool latch) : latch_(latch) {}
  ~Signal() = default;
  void raise();
  bool raised() const;

 private:
  friend class SystemClock;
  friend class ManualClock;
  // Under mutex_: whether it was raised; a wake-up is consumed, a latch stays raised.
  bool take();
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::atomic<bool> raised_{false};  // changed under mutex_; read alone by ManualClock::waitForSleepers
  const bool latch_;
};

// A one-shot latch that wakes a sleeping thread early (shutdown): once triggered, every wait on
// it returns at once.
class Interrupt final : public Signal {
 public:
  Interrupt() : Signal(true) {}
  void trigger() { raise(); }
  bool triggered() const { return raised(); }
};

// "There is new work": notify() wakes the thread waiting on it, or the next wait if none is
// waiting yet. Each wait consumes the notification, so one notify() wakes one wait.
class Wakeup final : public Signal {
 public:
  Wakeup() : Signal(false) {}
  void notify() { raise(); }
};

class Clock {
 public:
  virtual ~Clock() = default;
  // UTC wall-clock time.
  virtual Timestamp now() const = 0;
  virtual MonoTime monotonic() const = 0;
  Instant instant() const { return {now(), monotonic()}; }
  // Blocks until monotonic() >= deadline or `signal` is raised. Returns true when the deadline
  // was reached, false when the signal came first. Safe to call from any thread.
  virtual bool sleepUntil(MonoTime deadline, Signal& signal) = 0;

  bool sleepFor(std::chrono::nanoseconds d, Signal& signal) { return sleepUntil(monotonic() + d, signal); }
};

class SystemClock final : public Clock {
 public:
  Timestamp now() const override;
  MonoTime monotonic() const override;
  bool sleepUntil(MonoTime deadline, Signal& signal) override;
};

}  // namespace tocsin
