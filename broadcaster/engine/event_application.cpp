#include "broadcaster/engine/event_application.h"

#include <algorithm>

#include "broadcaster/engine/webhooks.h"

namespace tocsin::engine {
namespace {

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "," : "") + parts[i];
  return out;
}

const char* reportStatus(DeliveryState s) {
  switch (s) {
    case DeliveryState::kDelivered: return "delivered";
    case DeliveryState::kFailed: return "failed";
    case DeliveryState::kExpired: return "expired";
    case DeliveryState::kPending: return "pending";
  }
  return "pending";
}

}  // namespace

Micros RetryPolicy::backoff(int attempts) const {
  Micros d = first;
  for (int i = 1; i < attempts && d < max; ++i) d *= 2;
  return std::min(d, max);
}

Status EventApplier::apply(StoreTx& tx, AuditRecorder& audit, const BearerEvent& event, const BearerScheduler& bearers,
                           Timestamp now, EventEffects& effects) const {
  if (const auto* a = std::get_if<Accepted>(&event)) {
    tx.messages().record(accepted(*a, effects), now);
  } else if (const auto* f = std::get_if<Failed>(&event)) {
    failed(tx, *f, bearers, now, effects);
  } else if (const auto* r = std::get_if<ReceiptEvent>(&event)) {
    receipt(tx, *r, now, effects);
  } else {
    ++effects.incoming;
    return inbound_.handle(tx, audit, std::get<IncomingMessage>(event)).status();
  }
  return Status::okStatus();
}

Status EventApplier::applyAll(StoreTx& tx, AuditRecorder& audit, const std::deque<BearerEvent>& events, size_t count,
                              const BearerScheduler& bearers, Timestamp now, EventEffects& effects) const {
  std::vector<MessageOutcome> sent;
  auto flush = [&] {
    tx.messages().recordAll(sent, now);
    sent.clear();
  };
  for (size_t k = 0; k < count && k < events.size(); ++k) {
    if (const auto* a = std::get_if<Accepted>(&events[k])) {
      sent.push_back(accepted(*a, effects));
      continue;
    }
    flush();  // what came before this event is recorded before it
    TOCSIN_RETURN_IF_ERROR(apply(tx, audit, events[k], bearers, now, effects));
  }
  flush();
  return Status::okStatus();
}

MessageOutcome EventApplier::accepted(const Accepted& a, EventEffects& effects) const {
  MessageOutcome o;
  o.id = a.id;
  o.state = MessageState::kSent;
  o.bearer = a.bearer;
  o.carrierIds = join(a.carrierIds);
  o.parts = static_cast<int>(a.carrierIds.size());
  ++effects.sent;
  effects.resentParts += static_cast<uint64_t>(a.resent);
  effects.finished.push_back({a.id, true, false});
  return o;
}

void EventApplier::failed(StoreTx& tx, const Failed& f, const BearerScheduler& bearers, Timestamp now,
                          EventEffects& effects) const {
  const Flight* flight = bearers.flight(f.id);
  const int attempts = flight ? flight->attempts : retry_.maxAttempts;
  effects.finished.push_back({f.id, false, !f.neverSent});
  MessageOutcome o;
  o.id = f.id;
  o.bearer = f.bearer;
  if (f.neverSent) {
    // Never handed to the network: back to the queue, and the attempt does not count.
    o.state = MessageState::kQueued;
    o.attemptDelta = -1;
    o.error = "the bearer " + f.bearer + " gave it back unsent: " + f.reason;
  } else if (f.kind == FailureKind::kPermanent) {
    o.state = MessageState::kFailed;
    o.error = f.bearer + ": " + f.reason;
    ++effects.failed;
  } else if (attempts >= retry_.maxAttempts) {
    o.state = MessageState::kFailed;
    o.error = "gave up after " + std::to_string(attempts) + " attempts; the last, on " + f.bearer + ": " + f.reason;
    ++effects.failed;
  } else {
    o.state = MessageState::kWaiting;
    o.notBefore = now + retry_.backoff(attempts);
    o.error = "attempt " + std::to_string(attempts) + " on " + f.bearer + " failed: " + f.reason + "; trying again";
    if (!effects.earliestRetry || *o.notBefore < *effects.earliestRetry) effects.earliestRetry = o.notBefore;
    ++effects.retried;
  }
  tx.messages().record(o, now);
}

void EventApplier::receipt(StoreTx& tx, const ReceiptEvent& r, Timestamp now, EventEffects& effects) const {
  ++effects.receipts;
  const Receipt& rc = r.receipt;
  DeliveryReport report;
  report.message = rc.messageId;
  report.part = rc.part;
  report.bearer = r.bearer;
  report.carrierId = rc.carrierId;
  report.status = reportStatus(rc.state);
  report.detail = rc.detail;
  report.receivedAt = now;
  tx.messages().addDeliveryReport(report);
  tx.webhooks().enqueue("delivery", deliveryEventJson(report), now,
                        rc.messageId ? tx.jobs().shopOf(*rc.messageId >> 32) : std::nullopt);
  if (!rc.messageId || rc.state == DeliveryState::kPending) return;
  MessageOutcome o;
  o.id = *rc.messageId;
  if (rc.state == DeliveryState::kDelivered) {
    // A long message is delivered once every part is; the parts are counted in the store.
    if (!tx.messages().recordPartDelivered(o.id, rc.part)) return;
    o.state = MessageState::kDelivered;
    ++effects.delivered;
  } else {
    o.state = rc.state == DeliveryState::kExpired ? MessageState::kExpired : MessageState::kFailed;
    o.error = "receipt from " + r.bearer + ": " + rc.detail;
  }
  tx.messages().record(o, now);
}

}  // namespace tocsin::engine
