// The wake channel: how a process that wrote to the store (tocsinctl approving an alert, an
// import) tells the broadcaster at once, instead of waiting for its once-a-second poll.
//
// A Unix datagram socket next to the store, `<store>-wake`, created by the broadcaster with mode
// 0600 (its owner and root may wake it; anyone else's writes are found by the poll). A
// notification carries nothing: it only says "look at the store". Sending never blocks and
// never fails loudly: a broadcaster that is not running simply is not woken.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "common/base/status.h"
#include "common/store/store.h"

namespace tocsin::engine {

std::string wakeSocketPath(const std::string& storePath);

// Tells the broadcaster of the store at `storePath` that the store changed. Best effort.
void notifyStoreChanged(const std::string& storePath);

// The broadcaster's end: calls `onWake` from its own thread for every notification.
class WakeListener {
 public:
  static Result<std::unique_ptr<WakeListener>> open(const std::string& storePath, std::function<void()> onWake);
  ~WakeListener();
  WakeListener(const WakeListener&) = delete;
  WakeListener& operator=(const WakeListener&) = delete;

 private:
  WakeListener(int fd, int stopFd, std::string path, std::function<void()> onWake);
  void run();

  int fd_;
  int stopFd_;  // an eventfd that ends run()
  std::string path_;
  std::function<void()> onWake_;
  std::thread thread_;
};

// A Store that calls `changed` after every write that committed, so whoever must hear of
// changes (the broadcaster, through notifyStoreChanged or its own wake()) does at once.
class NotifyingStore final : public Store {
 public:
  NotifyingStore(std::unique_ptr<Store> inner, std::function<void()> changed)
      : inner_(std::move(inner)), changed_(std::move(changed)) {}
  Status read(const Body& body) override { return inner_->read(body); }
  Status write(const Body& body) override;
  StoreInfo info() const override { return inner_->info(); }
  Status compact() override { return inner_->compact(); }
  Result<uint64_t> changeCount() override { return inner_->changeCount(); }

 private:
  std::unique_ptr<Store> inner_;
  std::function<void()> changed_;
};

}  // namespace tocsin::engine
