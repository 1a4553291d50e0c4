// PeriodicTask: runs a function every `interval` on its own thread, timed by a Clock, so tests
// drive it with FakeClock instead of waiting. stop() wakes it at once and joins it.
#pragma once

#include <functional>
#include <thread>

#include "common/base/clock.h"

namespace tocsin {

class PeriodicTask {
 public:
  // `task` runs on the task's thread; it must not throw (exceptions are caught and reported to
  // `onError` so that one bad run never kills the thread).
  PeriodicTask(Clock& clock, std::chrono::nanoseconds interval, std::function<void()> task,
               std::function<void(const std::string&)> onError = {});
  ~PeriodicTask();
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  // First run after one interval.
  void start();
  void stop();

 private:
  void loop();
  Clock& clock_;
  std::chrono::nanoseconds interval_;
  std::function<void()> task_;
  std::function<void(const std::string&)> onError_;
  Interrupt stop_;
  std::thread thread_;
};

}  // namespace tocsin
