// ModemBank: a Bearer over a bank of GSM modems on serial ports.
//
// One I/O thread owns the ports and the BankCore (see bank_core.h for how parts are scheduled
// across modems). It opens each modem's port, polls them all, feeds the bytes to the sessions,
// writes what they say, closes a port whose modem hung or went away and reopens it after the
// configured interval (a USB modem that comes back under the same /dev/serial/by-id name is
// picked up again). submit() only hands the message to the thread through a small inbox.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "common/base/clock.h"
#include "hardware/bearer/bearer.h"
#include "hardware/modem/bank_core.h"
#include "hardware/modem/serial_port.h"
#include "hardware/net/connection.h"

namespace tocsin::modem {

class ModemBank final : public Bearer {
 public:
  ModemBank(BankConfig config, Clock& clock, std::unique_ptr<SerialPortOpener> opener = nullptr);
  ~ModemBank() override;

  const std::string& name() const override { return config_.name; }
  void start(BearerListener& listener) override;
  bool submit(OutboundMessage message) override;
  BearerHealth health() const override;
  BearerCapacity capacity() const override;
  void stop(Micros drain) override;

  std::vector<ModemView> modems() const;
  BankCounters counters() const;
  // Waits until `done(modems)` holds or `timeout` passes (on the bank's clock); for tools and
  // tests. One waiter at a time.
  bool waitFor(const std::function<bool(const std::vector<ModemView>&)>& done, Micros timeout) const;

 private:
  struct Port {
    std::unique_ptr<SerialPort> port;
    std::string pendingOut;
  };
  void run();
  void takeInbox();
  void closePort(size_t i, const std::string& reason, MonoTime now);
  void publish(MonoTime now);

  BankConfig config_;
  Clock& clock_;
  std::unique_ptr<SerialPortOpener> opener_;
  std::unique_ptr<BankCore> core_;
  std::vector<Port> ports_;

  mutable std::mutex mutex_;
  mutable Wakeup changed_;  // raised on every publish(), for waitFor()
  BearerListener* listener_ = nullptr;
  std::deque<OutboundMessage> inbox_;
  BearerHealth health_;
  BearerCapacity capacity_;
  std::vector<ModemView> modems_;
  BankCounters counters_;
  bool accepting_ = true;
  std::atomic<bool> stopRequested_{false};
  Micros drain_{0};

  net::Wakeup wakeup_;
  std::thread thread_;
};

}  // namespace tocsin::modem
