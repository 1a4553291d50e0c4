// Bearer: what the broadcaster sends SMS through (an SMPP link to a carrier, a bank of modems).
//
// Contract
// - Threads. start(), submit(), health(), capacity() and stop() may be called from any thread;
//   the broadcaster calls submit() from its dispatcher thread. Each bearer runs its own I/O
//   thread(s) and calls the BearerListener from them; a listener must be thread-safe and must
//   not block (it records the event and returns).
// - submit() never blocks: it hands the message to the bearer's own queue and returns. It
//   returns false only when the bearer is stopping or its queue is full (see capacity()); the
//   message then stays the caller's.
// - Every message submit() accepted ends in exactly one terminal callback: onAccepted once the
//   network took all its parts, or onFailed. Until then it is the bearer's to retry: through
//   reconnects, throttling and timeouts, a message is never dropped. A part whose outcome is
//   unknown (the link dropped before the response came) is sent again, so a message can reach
//   the network twice; onAccepted reports how many parts were resent that way.
// - After onAccepted, delivery receipts arrive with onReceipt, per part, possibly long after
//   and possibly after a restart (then without a message id: the carrier id identifies it).
// - Messages from phones (MO) arrive with onIncoming.
// - onHealthChanged is called whenever health() changes state (up, down, degraded...), so a
//   listener never needs to poll it.
// - Within a bearer, higher priority messages leave first; equal priorities leave in order.
// - stop(drain) stops taking messages, waits up to `drain` for in-flight parts to be answered,
//   then closes (SMPP unbind). Messages still queued are returned with onFailed(kRetryable,
//   "bearer stopped") so the caller can send them elsewhere.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/base/time.h"
#include "common/text/sms_text.h"

namespace tocsin {

using MessageId = int64_t;

struct OutboundMessage {
  MessageId id = 0;
  std::string destination;  // E.164, "+33612345678"
  std::string sender;       // alphanumeric sender id or a number; empty: the bearer's default
  std::string text;         // UTF-8; the bearer chooses GSM-7 or UCS-2 and splits it
  text::Normalization normalization = text::Normalization::kNone;
  int priority = 0;         // the class's rank, 0 (promotional) .. 7 (national alert); bearers order by it
  std::optional<uint8_t> networkPriority;  // SMPP priority_flag 0-3; default: priority clamped to 0-3
  bool wantReceipt = true;
  std::optional<Timestamp> expiresAt;  // not delivered after this (validity period)
  std::string label;        // for logs: "alert 12", "campaign 3"
};

// The reason given with onFailed for a message a stopping bearer hands back unsent.
inline constexpr const char* kBearerStopped = "bearer stopped";

enum class FailureKind {
  kRetryable,  // the same message may succeed later or elsewhere (throttled, link down, bearer stopped)
  kPermanent,  // it will not succeed as it is (invalid destination, rejected by the carrier)
};

enum class DeliveryState { kDelivered, kFailed, kExpired, kPending };

struct Receipt {
  std::optional<MessageId> messageId;  // known when the bearer still remembers the submission
  int part = 0;                        // 0-based, when known
  std::string carrierId;               // as the network named the part (SMPP message id, modem reference)
  DeliveryState state = DeliveryState::kPending;
  std::string detail;                  // "stat:UNDELIV err:034", "status 0x46 validity expired"
};

struct IncomingMessage {
  std::string from;  // E.164 or whatever the network gave
  std::string to;    // the number or short code it was sent to
  std::string text;  // UTF-8 (concatenated parts reassembled)
  std::string bearer;
  Timestamp receivedAt;
};

class BearerListener {
 public:
  virtual ~BearerListener() = default;
  // All parts taken by the network; carrierIds in part order.
  virtual void onAccepted(const std::string& bearer, MessageId id, const std::vector<std::string>& carrierIds,
                          int resentParts) = 0;
  virtual void onFailed(const std::string& bearer, MessageId id, FailureKind kind, const std::string& reason) = 0;
  virtual void onReceipt(const std::string& bearer, const Receipt& receipt) = 0;
  virtual void onIncoming(const IncomingMessage& message) = 0;
  // The bearer's health() moved to another state. Listeners that read health() when they need
  // it may ignore this.
  virtual void onHealthChanged(const std::string& bearer) { (void)bearer; }
};

enum class BearerState { kStarting, kUp, kDegraded, kDown, kStopped };
const char* bearerStateName(BearerState s);

struct BearerHealth {
  BearerState state = BearerState::kStarting;
  std::string detail;  // "bound to smsc.example:2775", "modem 2 of 8 hung, resetting"
};

struct BearerCapacity {
  double messagesPerSecond = 0;  // configured budget (0: unlimited)
  size_t queued = 0;             // messages waiting in the bearer
  size_t inFlight = 0;           // parts sent and not yet answered
  size_t queueLimit = 0;         // submit() refuses beyond this
};

class Bearer {
 public:
  virtual ~Bearer() = default;
  virtual const std::string& name() const = 0;
  virtual void start(BearerListener& listener) = 0;
  virtual bool submit(OutboundMessage message) = 0;
  virtual BearerHealth health() const = 0;
  virtual BearerCapacity capacity() const = 0;
  virtual void stop(Micros drain) = 0;
};

}  // namespace tocsin
