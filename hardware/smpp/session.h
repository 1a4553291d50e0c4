// The client side of one SMPP connection, as a pure state machine.
//
// No sockets, no threads, no clock reads: the link (link.h) feeds it the bytes it receives and
// the time of its pass (wall time for validity periods and incoming messages, monotonic time
// for timers), flushes its outbox to the socket, and closes the connection when closeReason() is
// set. Everything that outlives one connection (the queue of parts, the token bucket, receipts
// still expected) lives in LinkShared, so a reconnect resumes where the drop left off.
//
// A part is in exactly one place at a time: the queue, the window (sent, response awaited), or
// done. When a connection is abandoned its window goes back to the queue, counted as resent.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/base/time.h"
#include "hardware/bearer/bearer.h"
#include "hardware/bearer/concat_assembler.h"
#include "hardware/bearer/part_queue.h"
#include "hardware/bearer/token_bucket.h"
#include "hardware/smpp/correlator.h"
#include "hardware/smpp/framing.h"
#include "hardware/smpp/link_config.h"
#include "hardware/smpp/pdu.h"

namespace tocsin::smpp {

struct LinkCounters {
  uint64_t submitted = 0;   // submit_sm sent
  uint64_t accepted = 0;    // parts accepted
  uint64_t throttled = 0;   // ESME_RTHROTTLED / ESME_RMSGQFUL answers
  uint64_t resent = 0;      // parts sent again after a drop or a timeout
  uint64_t failed = 0;      // messages failed
  uint64_t receipts = 0;
  uint64_t incoming = 0;
  uint64_t reconnects = 0;
};

// State shared by the connections of one link and kept across reconnects.
struct LinkShared {
  LinkShared(const SmppLinkConfig& cfg, BearerListener& l);

  // Turns a message into parts ready for submit_sm; fails it at once when it cannot be sent.
  std::shared_ptr<PendingMessage> prepare(OutboundMessage message);
  void enqueue(const std::shared_ptr<PendingMessage>& message);
  // Terminal failure (once per message).
  void fail(PendingMessage& message, FailureKind kind, const std::string& reason);
  size_t queuedMessages() const;

  const SmppLinkConfig& config;
  BearerListener& listener;
  PartQueue queue;
  TokenBucket bucket;
  MonoTime pausedUntil{};
  Correlator correlator;
  ConcatAssembler assembler;
  LinkCounters counters;
  uint16_t nextConcatReference = 0;

 private:
  // A text planned and encoded for this link, one part after another, without headers.
  struct Encoded {
    std::string text;
    text::Normalization normalization = text::Normalization::kNone;
    uint8_t dataCoding = 0;
    std::vector<std::string> parts;
  };
  const Encoded* encodeText(const std::string& text, text::Normalization normalization, std::string& error);
  std::optional<Encoded> lastEncoded_;
};

enum class BindKind { kTransceiver, kTransmitter, kReceiver };

class SmppSession {
 public:
  // Queues the bind PDU.
  SmppSession(LinkShared& shared, BindKind kind, MonoTime now);
  ~SmppSession();

  void onBytes(std::string_view data, Instant now);
  // Timers (enquire_link, response timeouts) and sending what the window and the rate allow.
  void onTick(Instant now);
  // Graceful close: stop submitting; unbind once the window is empty or `deadline` passes.
  void beginUnbind(MonoTime now, MonoTime deadline);
  // The connection is gone: parts awaiting a response go back to the queue.
  void abandon();

  std::string& outbox() { return outbox_; }
  const std::optional<std::string>& closeReason() const { return closeReason_; }
  bool bound() const { return state_ == State::kBound; }
  bool unbound() const { return state_ == State::kClosed; }
  size_t inFlight() const { return window_.size(); }
  // The latest time onTick() should be called.
  MonoTime nextWakeup(MonoTime now) const;
  std::string describe() const;

 private:
  enum class State { kBinding, kBound, kUnbinding, kClosed };
  struct InFlight {
    PartTask task;
    MonoTime sentAt;
  };

  uint32_t nextSequence();
  void send(Pdu& pdu);
  void close(std::string reason);
  void tick(MonoTime now);
  void handle(const Pdu& pdu, MonoTime now);
  void handleSubmitResp(const Pdu& pdu, MonoTime now);
  void handleDeliver(const Pdu& pdu, MonoTime now);
  void requeue(PartTask task, bool resent);
  void pump(MonoTime now);
  bool submitPart(PartTask task, MonoTime now);
  void checkTimeouts(MonoTime now);

  LinkShared& shared_;
  BindKind kind_;
  State state_ = State::kBinding;
  std::string outbox_;
  std::optional<std::string> closeReason_;
  uint32_t sequence_ = 0;
  uint32_t bindSequence_ = 0;
  MonoTime bindSentAt_;
  std::optional<uint32_t> enquireSequence_;
  MonoTime enquireSentAt_{};
  std::optional<uint32_t> unbindSequence_;
  MonoTime unbindSentAt_{};
  MonoTime unbindDeadline_{};
  MonoTime lastReceived_;
  Timestamp wallNow_{};  // the wall time of the pass being handled
  std::unordered_map<uint32_t, InFlight> window_;
  FrameReader frames_;
};

// "000000010000000R": a relative validity period of `d` (capped at 30 days).
std::string relativeTime(Micros d);

}  // namespace tocsin::smpp
