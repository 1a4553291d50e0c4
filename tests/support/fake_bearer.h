// A Bearer whose outcomes the test decides: it records what it was handed and answers when the
// test says so, on the test's thread. For the dispatcher's unit tests.
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "hardware/bearer/bearer.h"

namespace tocsin::testing {

class FakeBearer final : public Bearer {
 public:
  explicit FakeBearer(std::string name) : name_(std::move(name)) {}

  const std::string& name() const override { return name_; }
  void start(BearerListener& listener) override { listener_ = &listener; }
  bool submit(OutboundMessage message) override {
    if (refuse) return false;
    {
      std::lock_guard lock(mutex_);
      held.push_back(message);
      all.push_back(std::move(message));
    }
    handed_.notify_all();
    return true;
  }
  // Blocks until at least `n` messages were ever handed over (for tests that run the
  // dispatcher's loop on its own thread; ctest's timeout ends a test that waits forever).
  void waitForHanded(size_t n) {
    std::unique_lock lock(mutex_);
    handed_.wait(lock, [&] { return all.size() >= n; });
  }
  BearerHealth health() const override { return healthNow; }
  BearerCapacity capacity() const override { return {}; }
  void stop(Micros) override {
    for (const auto& m : held) listener_->onFailed(name_, m.id, FailureKind::kRetryable, "bearer stopped");
    held.clear();
  }

  // Answers for the oldest `n` messages held (all when n < 0).
  void acceptAll(int n = -1) {
    while (!held.empty() && n-- != 0) {
      const auto m = held.front();
      held.erase(held.begin());
      listener_->onAccepted(name_, m.id, {name_ + "-" + std::to_string(m.id)}, 0);
    }
  }
  void failAll(FailureKind kind, const std::string& reason) {
    for (const auto& m : held) listener_->onFailed(name_, m.id, kind, reason);
    held.clear();
  }
  void receipt(MessageId id, DeliveryState state, const std::string& detail = "stat:DELIVRD", int part = 0) {
    listener_->onReceipt(name_, Receipt{id, part, name_ + "-" + std::to_string(id) + "." + std::to_string(part), state, detail});
  }
  // The network took every part of the oldest message held: one carrier id per part.
  void acceptParts(int parts) {
    const auto m = held.front();
    held.erase(held.begin());
    std::vector<std::string> ids;
    for (int p = 0; p < parts; ++p) ids.push_back(name_ + "-" + std::to_string(m.id) + "." + std::to_string(p));
    listener_->onAccepted(name_, m.id, ids, 0);
  }
  // The bearer's state changes, and it says so, as real bearers do.
  void setHealth(BearerState state, const std::string& detail) {
    healthNow = {state, detail};
    if (listener_) listener_->onHealthChanged(name_);
  }
  void incoming(const std::string& from, const std::string& text) {
    listener_->onIncoming({from, "36180", text, name_, Timestamp{}});
  }

  BearerHealth healthNow{BearerState::kUp, "up"};
  bool refuse = false;
  std::vector<OutboundMessage> held;  // handed over, not yet answered
  std::vector<OutboundMessage> all;   // everything ever handed over

 private:
  std::string name_;
  BearerListener* listener_ = nullptr;
  std::mutex mutex_;
  std::condition_variable handed_;
};

}  // namespace tocsin::testing
