#include "broadcaster/api/click_recorder.h"

namespace tocsin::api {

void ClickRecorder::start(Clock& sleeper) {
  std::lock_guard lock(mutex_);
  if (running_) return;
  sleeper_ = &sleeper;
  running_ = true;
  stopping_ = false;
  thread_ = std::thread([this] { serve(); });
}

void ClickRecorder::stop() {
  {
    std::lock_guard lock(mutex_);
    if (!running_) return;
    stopping_ = true;
  }
  wake_.notify();
  thread_.join();
  std::lock_guard lock(mutex_);
  running_ = false;
}

void ClickRecorder::record(const std::string& code) {
  bool now = false;
  {
    std::lock_guard lock(mutex_);
    pending_.push_back({code, clock_.now()});
    now = !running_;
    if (running_ && pending_.size() >= 1000) wake_.notify();
  }
  if (now) flush();
}

size_t ClickRecorder::flush() {
  std::vector<LinkClick> batch;
  {
    std::lock_guard lock(mutex_);
    batch.swap(pending_);
  }
  if (batch.empty()) return 0;
  auto store = stores_.acquire();
  const Status st = store->write([&](StoreTx& tx) {
    tx.shops().recordClicks(batch);
    return Status::okStatus();
  });
  if (!st.ok()) {
    // Kept for the next round rather than dropped: the store may only be busy.
    std::lock_guard lock(mutex_);
    if (pending_.size() < 100000) pending_.insert(pending_.begin(), batch.begin(), batch.end());
    return 0;
  }
  return batch.size();
}

void ClickRecorder::serve() {
  for (;;) {
    sleeper_->sleepUntil(sleeper_->monotonic() + std::chrono::milliseconds(200), wake_);
    flush();
    std::lock_guard lock(mutex_);
    if (stopping_) break;
  }
  flush();
}

}  // namespace tocsin::api
