// SmppLink: a Bearer over one SMPP 3.4 account at a carrier's SMSC.
//
// One I/O thread per link owns the connection(s), the sessions and the queue (see session.h).
// It connects (plain TCP or TLS), binds, keeps the window full within the rate budget, and on
// any failure closes, puts unanswered parts back in the queue, waits (exponential backoff with
// jitter) and reconnects. submit() only hands the message to the thread through a small inbox.
#pragma once

#include <atomic>
#include <deque>
#include <mutex>
#include <random>
#include <thread>

#include "common/base/clock.h"
#include "hardware/bearer/bearer.h"
#include "hardware/net/connection.h"
#include "hardware/smpp/link_config.h"
#include "hardware/smpp/session.h"

namespace tocsin::smpp {

class SmppLink final : public Bearer {
 public:
  SmppLink(SmppLinkConfig config, Clock& clock);
  ~SmppLink() override;

  const std::string& name() const override { return config_.name; }
  void start(BearerListener& listener) override;
  bool submit(OutboundMessage message) override;
  BearerHealth health() const override;
  BearerCapacity capacity() const override;
  void stop(Micros drain) override;

  LinkCounters counters() const;
  // Waits until the link is bound or `timeout` passes (on the link's clock); for tools and tests.
  // One waiter at a time.
  bool waitUntilBound(Micros timeout) const;

 private:
  struct Channel {
    std::unique_ptr<net::Connection> connection;
    std::unique_ptr<SmppSession> session;
    std::string pendingOut;  // written partially
    bool wasBound = false;
  };

  void run();
  bool connectAll(std::vector<Channel>& channels);
  void serve(std::vector<Channel>& channels);
  void takeInbox();
  void setHealth(BearerState state, std::string detail);
  void publishCounters();

  SmppLinkConfig config_;
  Clock& clock_;
  BearerListener* listener_ = nullptr;
  std::unique_ptr<LinkShared> shared_;

  mutable std::mutex mutex_;
  mutable Wakeup healthChanged_;
  std::deque<OutboundMessage> inbox_;
  BearerHealth health_;
  LinkCounters counters_;
  size_t queued_ = 0;
  size_t inFlight_ = 0;
  bool accepting_ = true;
  std::atomic<bool> stopRequested_{false};
  Micros drain_{0};

  net::Wakeup wakeup_;
  Interrupt interrupt_;
  std::thread thread_;
  std::mt19937 jitter_{std::random_device{}()};
};

}  // namespace tocsin::smpp
