// BankCore: the scheduling heart of a modem bank, as a pure state machine.
//
// It owns one ModemSession per open port and every message the bank accepted. The thread that
// drives it (ModemBank) opens and closes ports, moves bytes and passes the time; tests drive it
// with in-process modem emulators on a fake clock.
//
// Scheduling
// - One priority queue for the whole bank: a modem that becomes free takes the most urgent part
//   there is, so an alert waits at most for the part a modem is already sending, never behind
//   promotional traffic handed out earlier.
// - The parts of a long message all leave through the same SIM, because the phone reassembles
//   them by sender number and reference: once part 1 went through modem M, part 2 waits in M's
//   own queue. If M is lost half-way, the message starts again, whole, on another modem.
// - When several modems are free at once, the healthiest and least used goes first (fewest
//   consecutive failures, fewest messages sent, best signal).
// - Every part has an attempt limit (on any modem), so one bad message never blocks the others;
//   a part that failed on a modem is tried on another one first. A modem that cannot send at all
//   (no SMSC, SIM problem) rests for a while and its part goes elsewhere without counting.
// - A modem that hangs or disappears hands back what it was sending; the outcome of that part is
//   unknown, so it is sent again (and counted as resent).
//
// Status reports are matched by modem, message reference and recipient (references wrap at 256
// per SIM, so the recipient guards against an old reference).
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/base/clock.h"
#include "hardware/bearer/bearer.h"
#include "hardware/bearer/concat_assembler.h"
#include "hardware/bearer/part_queue.h"
#include "hardware/modem/modem_session.h"

namespace tocsin::modem {

struct ModemView {
  std::string name;
  std::string device;
  bool portOpen = false;
  bool usable = false;       // initialised, registered, not resting
  bool sending = false;
  ModemStatus status;
  std::string problem;       // the latest reason it could not be used, if any
  uint64_t sent = 0;         // parts accepted by the network
  uint64_t failed = 0;       // parts that failed on it
  uint64_t reopened = 0;     // hangs and unplugs recovered from
  double averageSendSeconds = 0;
};

struct BankCounters {
  uint64_t submitted = 0;
  uint64_t accepted = 0;    // messages
  uint64_t failed = 0;      // messages
  uint64_t partsSent = 0;
  uint64_t partsFailed = 0;
  uint64_t resent = 0;      // parts sent again after an unknown outcome
  uint64_t restarted = 0;   // long messages started again on another modem
  uint64_t receipts = 0;
  uint64_t incoming = 0;
  uint64_t hangs = 0;
  uint64_t portsLost = 0;
};

class BankCore {
 public:
  BankCore(const BankConfig& config, BearerListener& listener, const Clock& clock, MonoTime now);
  ~BankCore();
  BankCore(const BankCore&) = delete;
  BankCore& operator=(const BankCore&) = delete;

  size_t modemCount() const { return slots_.size(); }
  const ModemConfig& modemConfig(size_t i) const;

  // Takes the message; a message that can never be sent (bad destination, text too long) fails
  // at once through the listener.
  void add(OutboundMessage message);

  // Port lifecycle, reported by the driver.
  bool wantsPort(size_t i, MonoTime now) const;  // closed, and its reopen time has come
  void portOpened(size_t i, MonoTime now);
  void portOpenFailed(size_t i, const std::string& reason, MonoTime now);
  void portClosed(size_t i, const std::string& reason, MonoTime now);
  // Set when the modem stopped answering: the driver closes the port and calls portClosed.
  std::optional<std::string> hung(size_t i) const;

  void onBytes(size_t i, std::string_view data, MonoTime now);
  // Timers of every session, then hands parts to free modems.
  void onTick(MonoTime now);
  std::string& outbox(size_t i);
  MonoTime nextWakeup(MonoTime now) const;

  // Stop starting sends (parts being sent finish); then failQueued hands back the rest.
  void stopSending() { sendingStopped_ = true; }
  void failQueued(const std::string& reason);
  size_t inFlight() const;          // parts being sent now
  size_t openMessages() const { return open_; }

  BearerHealth health(MonoTime now) const;
  BearerCapacity capacity() const;
  std::vector<ModemView> modems(MonoTime now) const;
  const BankCounters& counters() const { return counters_; }

 private:
  struct Slot;
  class SlotEvents;
  struct Tracked {
    MessageId message = 0;
    int part = 0;
    std::string carrierId;
    MonoTime expires;
  };

  bool usable(const Slot& s, MonoTime now) const;
  void schedule(MonoTime now);
  std::optional<PartTask> takeFor(size_t i, MonoTime now);
  bool startPart(size_t i, PartTask task, MonoTime now);
  void sent(size_t i, uint64_t token, uint8_t reference, MonoTime now);
  void sendFailed(size_t i, uint64_t token, SendFailure kind, const std::string& reason, MonoTime now);
  void statusReport(size_t i, const tpdu::SmsStatusReport& report, MonoTime now);
  void incoming(size_t i, const tpdu::SmsDeliver& message, MonoTime now);
  // The part's outcome on modem i is unknown or failed: try again (or give up after the limit).
  void retry(size_t i, PartTask task, const std::string& reason, bool countAttempt);
  // A long message lost its SIM half-way: all its parts again, elsewhere.
  void restart(PartTask task, int avoid);
  void finishAccepted(PendingMessage& m);
  void fail(PendingMessage& m, FailureKind kind, const std::string& reason);

  const BankConfig& config_;
  BearerListener& listener_;
  const Clock& clock_;
  MonoTime startedAt_;
  std::vector<std::unique_ptr<Slot>> slots_;
  PartQueue central_;
  std::map<std::string, Tracked> tracked_;  // "modem:reference:recipient digits"
  std::deque<std::pair<MonoTime, std::string>> trackedExpiry_;
  ConcatAssembler assembler_;
  BankCounters counters_;
  size_t open_ = 0;
  uint64_t nextToken_ = 0;
  uint8_t nextConcatReference_ = 0;
  bool sendingStopped_ = false;
};

}  // namespace tocsin::modem
