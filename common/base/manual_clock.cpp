#include "common/base/manual_clock.h"

namespace tocsin {

ManualClock::ManualClock(Timestamp start) : wall_(start), mono_(MonoTime(std::chrono::hours(1000))) {}

Timestamp ManualClock::now() const {
  std::lock_guard lock(mutex_);
  return wall_;
}

MonoTime ManualClock::monotonic() const {
  std::lock_guard lock(mutex_);
  return mono_;
}

bool ManualClock::sleepUntil(MonoTime deadline, Signal& signal) {
  {
    std::lock_guard lock(mutex_);
    sleepers_.insert(&signal);
  }
  sleepersChanged_.notify_all();
  bool reached;
  {
    std::unique_lock lock(signal.mutex_);
    signal.cv_.wait(lock, [&] { return signal.raised_ || monotonic() >= deadline; });
    reached = !signal.take();
  }
  {
    std::lock_guard lock(mutex_);
    sleepers_.erase(&signal);
  }
  sleepersChanged_.notify_all();
  return reached;
}

void ManualClock::advance(std::chrono::nanoseconds d) {
  std::set<Signal*> toWake;
  {
    std::lock_guard lock(mutex_);
    wall_ += std::chrono::duration_cast<Micros>(d);
    mono_ += d;
    toWake = sleepers_;
  }
  // Taking each sleeper's mutex before notifying closes the window between its check of the
  // time and its wait.
  for (Signal* i : toWake) {
    std::lock_guard lock(i->mutex_);
    i->cv_.notify_all();
  }
}

void ManualClock::setWall(Timestamp t) {
  std::lock_guard lock(mutex_);
  wall_ = t;
}

void ManualClock::waitForSleepers(size_t n) const {
  std::unique_lock lock(mutex_);
  sleepersChanged_.wait(lock, [&] { return sleepers_.size() >= n; });
}

}  // namespace tocsin
