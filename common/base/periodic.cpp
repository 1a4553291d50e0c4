#include "common/base/periodic.h"

#include <exception>

namespace tocsin {

PeriodicTask::PeriodicTask(Clock& clock, std::chrono::nanoseconds interval, std::function<void()> task,
                           std::function<void(const std::string&)> onError)
    : clock_(clock), interval_(interval), task_(std::move(task)), onError_(std::move(onError)) {}

PeriodicTask::~PeriodicTask() { stop(); }

void PeriodicTask::start() { thread_ = std::thread([this] { loop(); }); }

void PeriodicTask::stop() {
  stop_.trigger();
  if (thread_.joinable()) thread_.join();
}

void PeriodicTask::loop() {
  MonoTime next = clock_.monotonic() + interval_;
  while (clock_.sleepUntil(next, stop_)) {
    try {
      task_();
    } catch (const std::exception& e) {
      if (onError_) onError_(e.what());
    }
    // Runs are spaced by the interval from their scheduled start; a slow run is not repeated
    // to catch up.
    next += interval_;
    const MonoTime now = clock_.monotonic();
    if (next < now) next = now + interval_;
  }
}

}  // namespace tocsin
