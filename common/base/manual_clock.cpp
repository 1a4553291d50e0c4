#include "common/base/manual_clock.h"

#include <vector>

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
    sleepers_[&signal] = deadline;
  }
  sleepersChanged_.notify_all();
  bool reached;
  {
    std::unique_lock lock(signal.mutex_);
    signal.cv_.wait(lock, [&] { return signal.raised_.load() || monotonic() >= deadline; });
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
  std::vector<Signal*> toWake;
  {
    std::lock_guard lock(mutex_);
    wall_ += std::chrono::duration_cast<Micros>(d);
    mono_ += d;
    for (const auto& [signal, deadline] : sleepers_) toWake.push_back(signal);
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
  // A sleeper whose deadline has come or whose signal was raised is about to wake: not asleep.
  sleepersChanged_.wait(lock, [&] {
    size_t asleep = 0;
    for (const auto& [signal, deadline] : sleepers_)
      if (deadline > mono_ && !signal->raised_.load()) ++asleep;
    return asleep >= n;
  });
}

}  // namespace tocsin
