// Clicks on tracked short links, written in batches: the redirect answers at once and the click
// joins the next batch (every 200 ms, or at 1,000 clicks), one write for all of them. Clicks
// still buffered when the daemon is killed are lost; they are counts, not messages.
#pragma once

#include <mutex>
#include <thread>
#include <vector>

#include "broadcaster/api/store_pool.h"
#include "common/base/clock.h"
#include "common/store/records.h"

namespace tocsin::api {

class ClickRecorder {
 public:
  ClickRecorder(StorePool& stores, const Clock& clock) : stores_(stores), clock_(clock) {}
  ~ClickRecorder() { stop(); }

  // Without start(), every click is written at once (tests that drive routes directly).
  // `sleeper` is the clock the batching thread waits on.
  void start(Clock& sleeper);
  void stop();  // writes what is buffered
  void record(const std::string& code);
  // Writes what is buffered now; returns how many clicks.
  size_t flush();

 private:
  void serve();

  StorePool& stores_;
  const Clock& clock_;
  Clock* sleeper_ = nullptr;
  std::mutex mutex_;
  Wakeup wake_;
  std::vector<LinkClick> pending_;
  std::thread thread_;
  bool running_ = false;
  bool stopping_ = false;
};

}  // namespace tocsin::api
