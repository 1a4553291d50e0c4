// ManualClock: time that moves only when its owner says so: the fake clock of every timing
// test, and the simulated calendar of the demo.
//
// Threads sleeping on it wake when advance() passes their deadline; waitForSleepers() lets a
// test wait until a background thread has gone to sleep, so tests never race and never sleep.
#pragma once

#include <map>

#include "common/base/clock.h"

namespace tocsin {

class ManualClock final : public Clock {
 public:
  explicit ManualClock(Timestamp start = fromMicros(1'790'000'000'000'000));  // 2026-09-21T14:13:20Z

  Timestamp now() const override;
  MonoTime monotonic() const override;
  bool sleepUntil(MonoTime deadline, Signal& signal) override;

  // Moves both clocks forward and wakes sleepers whose deadline has come.
  void advance(std::chrono::nanoseconds d);
  // Sets the wall clock (as if NTP stepped it); the monotonic clock is unaffected.
  void setWall(Timestamp t);
  // Blocks until at least `n` threads are asleep on this clock: their deadline still ahead and
  // their signal not raised (a thread just woken by advance() or a signal does not count until
  // it has gone back to sleep).
  void waitForSleepers(size_t n) const;

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable sleepersChanged_;
  Timestamp wall_;
  MonoTime mono_;
  std::map<Signal*, MonoTime> sleepers_;  // and their deadlines
};

}  // namespace tocsin
