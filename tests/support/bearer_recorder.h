// A thread-safe BearerListener that records every callback, for bearer integration tests.
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "hardware/bearer/bearer.h"

namespace tocsin::testing {

class BearerRecorder : public BearerListener {
 public:
  void onAccepted(const std::string&, MessageId id, const std::vector<std::string>& carrierIds, int resent) override {
    std::lock_guard lock(mutex_);
    accepted[id] = carrierIds;
    resentParts += resent;
    terminal.insert(id);
    ++terminalCalls;
    changed_.notify_all();
  }
  void onFailed(const std::string&, MessageId id, FailureKind kind, const std::string& reason) override {
    std::lock_guard lock(mutex_);
    failed[id] = {kind, reason};
    terminal.insert(id);
    ++terminalCalls;
    changed_.notify_all();
  }
  void onReceipt(const std::string&, const Receipt& r) override {
    std::lock_guard lock(mutex_);
    receipts.push_back(r);
    changed_.notify_all();
  }
  void onIncoming(const IncomingMessage& m) override {
    std::lock_guard lock(mutex_);
    incoming.push_back(m);
    changed_.notify_all();
  }

  // Waits (real time) until `done()` holds, at most `timeout`.
  template <typename Pred>
  bool waitFor(Pred done, std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return done(); });
  }
  bool waitForTerminal(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    return waitFor([&] { return terminal.size() >= n; }, timeout);
  }
  template <typename F>
  auto locked(F f) {
    std::lock_guard lock(mutex_);
    return f();
  }

  std::map<MessageId, std::vector<std::string>> accepted;
  std::map<MessageId, std::pair<FailureKind, std::string>> failed;
  std::set<MessageId> terminal;
  size_t terminalCalls = 0;  // more than terminal.size() would mean a message ended twice
  int resentParts = 0;
  std::vector<Receipt> receipts;
  std::vector<IncomingMessage> incoming;

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
};

}  // namespace tocsin::testing
