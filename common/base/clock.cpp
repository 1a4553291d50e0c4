#include "common/base/clock.h"

namespace tocsin {

void Signal::raise() {
  {
    std::lock_guard lock(mutex_);
    raised_ = true;
  }
  cv_.notify_all();
}

bool Signal::raised() const {
  std::lock_guard lock(mutex_);
  return raised_;
}

bool Signal::take() {
  const bool was = raised_;
  if (!latch_) raised_ = false;
  return was;
}

Timestamp SystemClock::now() const {
  return std::chrono::time_point_cast<Micros>(std::chrono::system_clock::now());
}

MonoTime SystemClock::monotonic() const { return std::chrono::steady_clock::now(); }

bool SystemClock::sleepUntil(MonoTime deadline, Signal& signal) {
  std::unique_lock lock(signal.mutex_);
  const bool woken = signal.cv_.wait_until(lock, deadline, [&] { return signal.raised_.load(); });
  return !(woken && signal.take());
}

}  // namespace tocsin
