// A Bearer whose outcomes the test decides: it records what it was handed and answers when the
// test says so, on the test's thread. For the dispatcher's unit tests.
#pragma once

#include <map>
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
    held.push_back(message);
    all.push_back(std::move(message));
    return true;
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
  void receipt(MessageId id, DeliveryState state, const std::string& detail = "stat:DELIVRD") {
    listener_->onReceipt(name_, Receipt{id, 0, name_ + "-" + std::to_string(id), state, detail});
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
};

}  // namespace tocsin::testing
