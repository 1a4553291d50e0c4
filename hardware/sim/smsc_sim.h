// SmscSimulator: an SMPP 3.4 SMSC for the demo, the benchmarks and tests.
//
// It accepts many binds (plain TCP or TLS), answers submit_sm with a message id (hexadecimal;
// receipts carry it again as a TLV and in decimal in their text, as real SMSCs do), sends
// delivery receipts with a configurable mix of outcomes and delay, enforces a per-bind rate with
// ESME_RTHROTTLED, and injects faults on demand: dropped connections, stalls, garbage PDUs,
// refused submits. Messages from phones (MO) can be injected. Everything it receives can be
// reported as JSON lines. One thread per connection, batching reads and writes, so it is never
// the bottleneck of a benchmark.
#pragma once

#include <atomic>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/base/clock.h"
#include "common/base/status.h"
#include "common/base/time.h"
#include "hardware/net/connection.h"
#include "hardware/smpp/pdu.h"

namespace tocsin::sim {

struct SmscSimConfig {
  std::string host = "127.0.0.1";
  int port = 2775;  // 0: any free port
  std::optional<net::TlsServerOptions> tls;
  std::map<std::string, std::string> accounts;  // system_id -> password; empty: any bind is accepted
  Micros latency{0};                            // before each submit_sm_resp
  double tpsPerBind = 0;                        // above it: ESME_RTHROTTLED (0: no limit)
  bool receipts = true;                         // when registered_delivery asks for one
  Micros receiptDelay = std::chrono::milliseconds(50);
  double undeliverableRatio = 0;                // the rest are delivered...
  double expiredRatio = 0;
  double failRatio = 0;                         // submit_sm refused with failStatus
  uint32_t failStatus = 0x45;                   // ESME_RSUBMITFAIL
  uint64_t seed = 1;
};

struct SmscSimStats {
  uint64_t connections = 0;
  uint64_t binds = 0;
  uint64_t submits = 0;      // submit_sm answered with ESME_ROK
  uint64_t throttled = 0;
  uint64_t refused = 0;
  uint64_t receiptsSent = 0;
  uint64_t mosSent = 0;
  uint64_t deliverResps = 0;
};

class SmscSimulator {
 public:
  SmscSimulator(SmscSimConfig config, Clock& clock);
  ~SmscSimulator();

  Status start();
  void stop();
  int port() const;

  // Each accepted submit_sm as one JSON line on `out` (owned by the caller; nullptr: none).
  void reportTo(std::FILE* out) { report_ = out; }
  // Each submit_sm with priority_flag >= `minPriority` as one JSON line on `out` at once, with
  // the monotonic time it arrived ("mono_ns", CLOCK_MONOTONIC: comparable across processes on
  // one machine), for latency measurements.
  void watchPriority(int minPriority, std::FILE* out) {
    watchMin_ = minPriority;
    watch_ = out;
  }

  // Sends a message from a phone to a bind able to receive (false when there is none).
  bool injectMo(const std::string& from, const std::string& to, const std::string& text);
  // Faults on demand.
  void dropConnections();
  void stall(Micros duration);
  void sendGarbage();

  SmscSimStats stats() const;
  std::string summaryJson() const;

 private:
  struct Conn;
  struct Served;
  void acceptLoop();
  void serve(std::shared_ptr<Conn> conn);
  void post(Conn& conn, std::string bytes);
  // One connection's work, one command each.
  void handle(Served& s, const smpp::Pdu& pdu, MonoTime now);
  void onBind(Served& s, const smpp::Pdu& pdu, MonoTime now);
  void onSubmit(Served& s, const smpp::Pdu& pdu, MonoTime now);
  void reportSubmit(Served& s, const smpp::ShortMessage& sm, uint64_t id, std::string_view body, const std::string& concat);
  void sendReceipt(Served& s, const smpp::ShortMessage& sm, uint64_t id, MonoTime now);
  std::shared_ptr<Conn> receiptTarget(const std::shared_ptr<Conn>& conn);
  void gatherOutput(Served& s, MonoTime now);
  bool readInput(Served& s);

  SmscSimConfig config_;
  Clock& clock_;
  std::unique_ptr<net::Listener> listener_;
  std::thread acceptThread_;
  std::atomic<bool> stopping_{false};
  std::FILE* report_ = nullptr;
  std::FILE* watch_ = nullptr;
  int watchMin_ = 4;
  std::mutex reportMutex_;

  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<Conn>> conns_;
  std::vector<std::thread> threads_;
  SmscSimStats stats_;
  std::atomic<uint64_t> nextId_{0x10000};
  std::mutex stallMutex_;
  MonoTime stalledUntil_{};
  size_t moCursor_ = 0;
};

}  // namespace tocsin::sim
