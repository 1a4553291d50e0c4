#include "common/base/clock.h"

namespace tocsin {

void Interrupt::trigger() {
  {
    std::lock_guard lock(mutex_);
    fired_ = true;
  }
  cv_.notify_all();
}

bool Interrupt::triggered() const {
  std::lock_guard lock(mutex_);
  return fired_;
}

Timestamp SystemClock::now() const {
  return std::chrono::time_point_cast<Micros>(std::chrono::system_clock::now());
}

MonoTime SystemClock::monotonic() const { return std::chrono::steady_clock::now(); }

bool SystemClock::sleepUntil(MonoTime deadline, Interrupt& interrupt) {
  std::unique_lock lock(interrupt.mutex_);
  return !interrupt.cv_.wait_until(lock, deadline, [&] { return interrupt.fired_; });
}

}  // namespace tocsin
