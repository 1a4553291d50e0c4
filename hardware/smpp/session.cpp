#include "hardware/smpp/session.h"

#include <algorithm>
#include <cstdio>

#include "common/text/gsm7.h"
#include "common/text/unicode.h"
#include "hardware/bearer/user_data_header.h"
#include "hardware/smpp/codec.h"
#include "hardware/smpp/receipt.h"

namespace tocsin::smpp {
namespace {

constexpr Micros kOrphanCheck = std::chrono::seconds(1);

Address senderAddress(const SmppLinkConfig& c, const std::string& sender) {
  Address a;
  std::string s = sender.empty() ? c.defaultSender : sender;
  const bool plus = !s.empty() && s[0] == '+';
  if (plus) s.erase(0, 1);
  const bool digits = !s.empty() && std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
  if (!digits) {
    a.ton = 5;  // alphanumeric
    a.npi = 0;
  } else if (plus || s.size() > 8) {
    a.ton = 1;  // international
    a.npi = 1;
  } else {
    a.ton = 3;  // network specific: a short code
    a.npi = 0;
  }
  if (c.sourceTon) a.ton = *c.sourceTon;
  if (c.sourceNpi) a.npi = *c.sourceNpi;
  a.address = s;
  return a;
}

// The octets one part carries in short_message (or message_payload).
std::string partBytes(const text::SmsPart& part, text::SmsEncoding encoding, bool latin1) {
  if (encoding == text::SmsEncoding::kGsm7 && latin1) {
    // Re-read the septets as text, then write Latin-1 (every GSM character that Latin-1 has;
    // the rest become '?', which the carrier would not have shown anyway).
    std::string out;
    for (char32_t cp : text::decodeSeptets(part.payload.data(), part.payload.size()))
      out += cp < 0x100 ? static_cast<char>(cp) : '?';
    return out;
  }
  return std::string(part.payload.begin(), part.payload.end());
}

DeliveryState deliveryState(MessageState s) {
  switch (s) {
    case MessageState::kDelivered: return DeliveryState::kDelivered;
    case MessageState::kExpired: return DeliveryState::kExpired;
    case MessageState::kEnroute:
    case MessageState::kAccepted:
    case MessageState::kScheduled: return DeliveryState::kPending;
    default: return DeliveryState::kFailed;
  }
}

// Text of an incoming short message (UDH already removed).
std::string incomingText(const ShortMessage& sm, std::string_view body, bool latin1) {
  const auto* p = reinterpret_cast<const uint8_t*>(body.data());
  if (sm.dataCoding == 0x08) return text::decodePayload(text::SmsEncoding::kUcs2, p, body.size());
  if (sm.dataCoding == 0x03 || (latin1 && sm.dataCoding == 0x00)) {
    std::string out;
    for (unsigned char c : body) text::appendUtf8(out, c);
    return out;
  }
  return text::decodePayload(text::SmsEncoding::kGsm7, p, body.size());
}

}  // namespace

std::string relativeTime(Micros d) {
  int64_t s = std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::seconds>(d).count());
  s = std::min<int64_t>(s, 30 * 86400);
  char buf[64];  // 16 characters; room for what the compiler cannot prove about the values
  std::snprintf(buf, sizeof buf, "0000%02lld%02lld%02lld%02lld000R", static_cast<long long>(s / 86400),
                static_cast<long long>(s / 3600 % 24), static_cast<long long>(s / 60 % 60),
                static_cast<long long>(s % 60));
  return buf;
}

LinkShared::LinkShared(const SmppLinkConfig& cfg, BearerListener& l)
    : config(cfg),
      listener(l),
      bucket(cfg.messagesPerSecond, std::max(1.0, cfg.messagesPerSecond / 10)),
      correlator(cfg.receiptMemory, cfg.orphanReceiptWait, 4'000'000) {}

const LinkShared::Encoded* LinkShared::encodeText(const std::string& text, text::Normalization normalization,
                                                    std::string& error) {
  // An alert sends one text to many people: it is planned and encoded once.
  if (lastEncoded_ && lastEncoded_->text == text && lastEncoded_->normalization == normalization) return &*lastEncoded_;
  text::SegmentOptions opts;
  opts.normalization = normalization;
  if (config.longMessages == LongMessages::kPayload) opts.maxParts = 1000;  // one PDU whatever the length
  auto plan = text::planSms(text, opts);
  if (!plan.ok()) {
    error = plan.status().message();
    return nullptr;
  }
  Encoded e;
  e.text = text;
  e.normalization = normalization;
  e.dataCoding = plan->encoding == text::SmsEncoding::kGsm7 ? config.gsmDataCoding : 0x08;
  for (const auto& p : plan->parts) e.parts.push_back(partBytes(p, plan->encoding, config.gsmAsLatin1));
  lastEncoded_ = std::move(e);
  return &*lastEncoded_;
}

std::shared_ptr<PendingMessage> LinkShared::prepare(OutboundMessage message) {
  auto m = std::make_shared<PendingMessage>();
  m->message = std::move(message);
  std::string error;
  const Encoded* e = encodeText(m->message.text, m->message.normalization, error);
  if (!e) {
    fail(*m, FailureKind::kPermanent, error);
    return nullptr;
  }
  m->dataCoding = e->dataCoding;
  if (config.longMessages == LongMessages::kPayload || e->parts.size() == 1) {
    std::string all;
    for (const auto& p : e->parts) all += p;
    m->parts.push_back(std::move(all));
  } else {
    m->concatReference = ++nextConcatReference;
    m->udh = config.longMessages == LongMessages::kUdh;
    const auto total = static_cast<uint8_t>(e->parts.size());
    for (size_t i = 0; i < e->parts.size(); ++i) {
      std::string bytes = e->parts[i];
      if (m->udh) {
        const auto udh = text::concatenationUdh(static_cast<uint8_t>(m->concatReference), total,
                                                static_cast<uint8_t>(i + 1), false);
        bytes.insert(0, std::string(udh.begin(), udh.end()));
      }
      m->parts.push_back(std::move(bytes));
    }
  }
  m->carrierIds.resize(m->parts.size());
  return m;
}

void LinkShared::enqueue(const std::shared_ptr<PendingMessage>& message) {
  for (size_t i = 0; i < message->parts.size(); ++i) queue.push(PartTask{message, static_cast<int>(i), queue.nextOrder(), 0});
}

void LinkShared::fail(PendingMessage& m, FailureKind kind, const std::string& reason) {
  if (m.finished) return;
  m.finished = true;
  ++counters.failed;
  listener.onFailed(config.name, m.message.id, kind, reason);
}

SmppSession::SmppSession(LinkShared& shared, BindKind kind, MonoTime now)
    : shared_(shared), kind_(kind), bindSentAt_(now), lastReceived_(now) {
  Pdu bind;
  bind.commandId = kind == BindKind::kTransceiver   ? command::kBindTransceiver
                   : kind == BindKind::kTransmitter ? command::kBindTransmitter
                                                    : command::kBindReceiver;
  bind.body = Bind{shared.config.systemId, shared.config.password, shared.config.systemType, 0x34, {}};
  bindSequence_ = nextSequence();
  bind.sequence = bindSequence_;
  send(bind);
}

SmppSession::~SmppSession() = default;

uint32_t SmppSession::nextSequence() {
  sequence_ = sequence_ >= 0x7FFFFFFF ? 1 : sequence_ + 1;
  return sequence_;
}

void SmppSession::send(Pdu& pdu) {
  if (pdu.sequence == 0) pdu.sequence = nextSequence();
  if (Status st = encodeInto(pdu, outbox_); !st.ok()) close("cannot encode " + std::string(commandName(pdu.commandId)) + ": " + st.message());
}

void SmppSession::close(std::string reason) {
  if (!closeReason_) closeReason_ = std::move(reason);
}

void SmppSession::onBytes(std::string_view data, Instant at) {
  wallNow_ = at.wall;
  const MonoTime now = at.mono;
  lastReceived_ = now;
  frames_.append(data);
  while (!closeReason_) {
    auto frame = frames_.next();
    if (!frame.ok()) {
      close(frame.status().message());
      return;
    }
    if (!*frame) break;
    const Decoded d = decode(**frame);
    if (const auto* e = std::get_if<DecodeError>(&d)) {
      // Answer what cannot be read; a broken response to one of ours is matched by sequence.
      if (!command::isResponse(e->commandId)) {
        Pdu nack = makeGenericNack(e->sequence, e->status);
        send(nack);
      }
      continue;
    }
    handle(std::get<Pdu>(d), now);
  }
  tick(now);
}

void SmppSession::handle(const Pdu& pdu, MonoTime now) {
  switch (pdu.commandId) {
    case command::responseTo(command::kBindTransceiver):
    case command::responseTo(command::kBindTransmitter):
    case command::responseTo(command::kBindReceiver):
      if (pdu.sequence != bindSequence_ || state_ != State::kBinding) return;
      if (pdu.commandStatus != status::kOk) {
        close("bind refused: " + statusName(pdu.commandStatus));
        return;
      }
      state_ = State::kBound;
      return;
    case command::responseTo(command::kSubmitSm): handleSubmitResp(pdu, now); return;
    case command::kGenericNack:
      if (window_.count(pdu.sequence)) handleSubmitResp(pdu, now);
      return;
    case command::kDeliverSm:
    case command::kDataSm: handleDeliver(pdu, now); return;
    case command::kEnquireLink: {
      Pdu r = makeResponse(pdu, status::kOk);
      send(r);
      return;
    }
    case command::responseTo(command::kEnquireLink):
      if (enquireSequence_ && *enquireSequence_ == pdu.sequence) enquireSequence_.reset();
      return;
    case command::kUnbind: {
      Pdu r = makeResponse(pdu, status::kOk);
      send(r);
      state_ = State::kClosed;
      close("the SMSC unbound");
      return;
    }
    case command::responseTo(command::kUnbind):
      state_ = State::kClosed;
      close("unbound");
      return;
    default:
      if (!command::isResponse(pdu.commandId)) {
        Pdu nack = makeGenericNack(pdu.sequence, status::kInvalidCommandId);
        send(nack);
      }
      return;
  }
}

void SmppSession::handleSubmitResp(const Pdu& pdu, MonoTime now) {
  auto it = window_.find(pdu.sequence);
  if (it == window_.end()) return;  // answered after we gave up on it: already requeued
  PartTask task = std::move(it->second.task);
  window_.erase(it);
  PendingMessage& m = *task.message;
  if (m.finished) return;
  const uint32_t st = pdu.commandId == command::kGenericNack && pdu.commandStatus == 0 ? status::kUnknownError
                                                                                      : pdu.commandStatus;
  if (st == status::kOk) {
    const auto* r = pdu.as<MessageIdResp>();
    const std::string carrierId = r ? r->messageId : std::string();
    m.carrierIds[static_cast<size_t>(task.part)] = carrierId;
    ++m.accepted;
    ++shared_.counters.accepted;
    if (!carrierId.empty() && m.message.wantReceipt) {
      for (const Receipt& early : shared_.correlator.registerPart(carrierId, {m.message.id, task.part}, now)) {
        ++shared_.counters.receipts;
        shared_.listener.onReceipt(shared_.config.name, early);
      }
    }
    if (m.accepted == static_cast<int>(m.parts.size())) {
      m.finished = true;
      shared_.listener.onAccepted(shared_.config.name, m.message.id, m.carrierIds, m.resent);
    }
    return;
  }
  if (st == status::kThrottled || st == status::kMessageQueueFull) {
    ++shared_.counters.throttled;
    shared_.pausedUntil = std::max(shared_.pausedUntil, now + shared_.config.throttlePause);
    requeue(std::move(task), false);  // throttling is not the message's fault: no attempt counted
    return;
  }
  const std::string reason = pdu.commandId == command::kGenericNack ? "generic_nack " + statusName(st)
                                                                     : statusName(st);
  if (isRetryableStatus(st) && task.attempts < shared_.config.maxAttempts) {
    requeue(std::move(task), false);
    return;
  }
  shared_.fail(m, isRetryableStatus(st) ? FailureKind::kRetryable : FailureKind::kPermanent,
               "the SMSC refused part " + std::to_string(task.part + 1) + ": " + reason);
}

void SmppSession::handleDeliver(const Pdu& pdu, MonoTime now) {
  Pdu resp = makeResponse(pdu, status::kOk);
  if (isDeliveryReceipt(pdu)) {
    if (auto r = receiptFromPdu(pdu); r.ok()) {
      Receipt receipt;
      receipt.carrierId = r->id;
      receipt.state = deliveryState(r->state);
      receipt.detail = "stat:" + r->stat + (r->err ? " err:" + *r->err : std::string());
      if (shared_.correlator.resolve(receipt, now)) {
        ++shared_.counters.receipts;
        shared_.listener.onReceipt(shared_.config.name, receipt);
      }
    }
    send(resp);
    return;
  }
  std::string from, to, body;
  uint16_t ref = 0;
  uint8_t total = 1, seq = 1;
  ShortMessage sm;
  if (const auto* d = pdu.as<ShortMessage>()) {
    sm = *d;
    body = d->shortMessage;
  } else if (const auto* ds = pdu.as<DataSm>()) {
    sm.source = ds->source;
    sm.destination = ds->destination;
    sm.esmClass = ds->esmClass;
    sm.dataCoding = ds->dataCoding;
  }
  if (body.empty())
    if (const Tlv* payload = pdu.findTlv(tlv::kMessagePayload)) body = payload->value;
  std::string_view text = body;
  if ((sm.esmClass & 0x40) && !text.empty()) {
    // A damaged header is dropped with what it claims to span; the rest is read as text.
    const size_t declared = std::min<size_t>(static_cast<uint8_t>(text[0]) + 1u, text.size());
    if (auto split = splitUserData(text); split.ok()) {
      if (const auto c = findConcatenation(split->elements)) {
        ref = c->reference;
        total = c->total;
        seq = c->sequence;
      }
    }
    text.remove_prefix(declared);
  } else if (auto sarRef = pdu.tlvU16(tlv::kSarMsgRefNum)) {
    ref = *sarRef;
    total = pdu.tlvU8(tlv::kSarTotalSegments).value_or(1);
    seq = pdu.tlvU8(tlv::kSarSegmentSeqnum).value_or(1);
  }
  from = (sm.source.ton == 1 ? "+" : "") + sm.source.address;
  to = sm.destination.address;
  if (auto whole = shared_.assembler.add(from, to, ref, total, seq, incomingText(sm, text, shared_.config.gsmAsLatin1), now)) {
    ++shared_.counters.incoming;
    shared_.listener.onIncoming({whole->from, whole->to, whole->text, shared_.config.name, wallNow_});
  }
  send(resp);
}

void SmppSession::requeue(PartTask task, bool resent) {
  if (task.message->finished) return;
  if (resent) {
    ++task.message->resent;
    ++shared_.counters.resent;
  }
  shared_.queue.push(std::move(task));
}

bool SmppSession::submitPart(PartTask task, MonoTime now) {
  PendingMessage& m = *task.message;
  if (m.finished) return true;  // failed meanwhile: drop the remaining part
  if (m.message.expiresAt && *m.message.expiresAt <= wallNow_) {
    shared_.fail(m, FailureKind::kPermanent, "expired before it could be sent");
    return true;
  }
  Pdu pdu;
  pdu.commandId = command::kSubmitSm;
  ShortMessage sm;
  sm.source = senderAddress(shared_.config, m.message.sender);
  std::string dest = m.message.destination;
  if (!dest.empty() && dest[0] == '+') dest.erase(0, 1);
  sm.destination = {1, 1, dest};
  sm.esmClass = m.udh ? 0x40 : 0x00;
  sm.priorityFlag = m.message.networkPriority.value_or(static_cast<uint8_t>(std::clamp(m.message.priority, 0, 3)));
  if (m.message.expiresAt) sm.validityPeriod = relativeTime(*m.message.expiresAt - wallNow_);
  sm.registeredDelivery = m.message.wantReceipt ? 1 : 0;
  sm.dataCoding = m.dataCoding;
  const std::string& bytes = m.parts[static_cast<size_t>(task.part)];
  if (shared_.config.longMessages == LongMessages::kPayload && bytes.size() > 254) {
    pdu.addTlvBytes(tlv::kMessagePayload, bytes);
  } else {
    sm.shortMessage = bytes;
  }
  if (shared_.config.longMessages == LongMessages::kSar && m.parts.size() > 1) {
    pdu.addTlvU16(tlv::kSarMsgRefNum, m.concatReference);
    pdu.addTlvU8(tlv::kSarTotalSegments, static_cast<uint8_t>(m.parts.size()));
    pdu.addTlvU8(tlv::kSarSegmentSeqnum, static_cast<uint8_t>(task.part + 1));
  }
  pdu.body = std::move(sm);
  pdu.sequence = nextSequence();
  if (Status st = encodeInto(pdu, outbox_); !st.ok()) {
    shared_.fail(m, FailureKind::kPermanent, "cannot encode submit_sm: " + st.message());
    return true;
  }
  ++task.attempts;
  ++shared_.counters.submitted;
  window_.emplace(pdu.sequence, InFlight{std::move(task), now});
  return true;
}

void SmppSession::pump(MonoTime now) {
  if (state_ != State::kBound || kind_ == BindKind::kReceiver) return;
  if (now < shared_.pausedUntil) return;
  while (window_.size() < shared_.config.window && !shared_.queue.empty()) {
    if (shared_.queue.top().message->finished) {
      shared_.queue.pop();
      continue;
    }
    if (!shared_.bucket.tryTake(now)) break;
    submitPart(shared_.queue.pop(), now);
  }
}

void SmppSession::checkTimeouts(MonoTime now) {
  const Micros timeout = shared_.config.responseTimeout;
  if (state_ == State::kBinding && now - bindSentAt_ >= timeout) {
    close("no answer to bind within " + formatDuration(timeout));
    return;
  }
  if (enquireSequence_ && now - enquireSentAt_ >= timeout) {
    close("enquire_link unanswered for " + formatDuration(timeout));
    return;
  }
  if (unbindSequence_ && now - unbindSentAt_ >= timeout) {
    state_ = State::kClosed;
    close("unbind unanswered; closing");
    return;
  }
  std::vector<uint32_t> expired;
  for (const auto& [seq, f] : window_)
    if (now - f.sentAt >= timeout) expired.push_back(seq);
  for (uint32_t seq : expired) {
    PartTask task = std::move(window_[seq].task);
    window_.erase(seq);
    if (shared_.config.onResponseTimeout == TimeoutPolicy::kFail || task.attempts >= shared_.config.maxAttempts)
      shared_.fail(*task.message, FailureKind::kRetryable,
                   "no answer to submit_sm within " + formatDuration(timeout) + " (outcome unknown)");
    else
      requeue(std::move(task), true);  // the SMSC may have taken it: a resend may duplicate
  }
  // Nothing at all came back for a whole timeout while we waited: the link is dead.
  if (!expired.empty() && now - lastReceived_ >= timeout) close("no traffic from the SMSC for " + formatDuration(timeout));
}

void SmppSession::onTick(Instant at) {
  wallNow_ = at.wall;
  tick(at.mono);
}

void SmppSession::tick(MonoTime now) {
  if (closeReason_) return;
  checkTimeouts(now);
  if (closeReason_) return;
  for (const Receipt& r : shared_.correlator.expireOrphans(now)) {
    ++shared_.counters.receipts;
    shared_.listener.onReceipt(shared_.config.name, r);  // unknown part: the caller finds it by carrier id
  }
  for (const auto& c : shared_.assembler.expire(now)) {
    ++shared_.counters.incoming;
    shared_.listener.onIncoming({c.from, c.to, c.text, shared_.config.name, wallNow_});
  }
  if (state_ == State::kBound && !enquireSequence_ && now - lastReceived_ >= shared_.config.enquireLinkInterval) {
    Pdu e;
    e.commandId = command::kEnquireLink;
    e.sequence = nextSequence();
    enquireSequence_ = e.sequence;
    enquireSentAt_ = now;
    send(e);
  }
  if (state_ == State::kUnbinding && !unbindSequence_ && (window_.empty() || now >= unbindDeadline_)) {
    Pdu u;
    u.commandId = command::kUnbind;
    u.sequence = nextSequence();
    unbindSequence_ = u.sequence;
    unbindSentAt_ = now;
    send(u);
  }
  pump(now);
}

void SmppSession::beginUnbind(MonoTime now, MonoTime deadline) {
  if (state_ == State::kClosed || state_ == State::kUnbinding) return;
  if (state_ == State::kBinding) {
    state_ = State::kClosed;
    close("stopped while binding");
    return;
  }
  state_ = State::kUnbinding;
  unbindDeadline_ = deadline;
  tick(now);
}

void SmppSession::abandon() {
  for (auto& [seq, f] : window_) requeue(std::move(f.task), true);
  window_.clear();
}

MonoTime SmppSession::nextWakeup(MonoTime now) const {
  const Micros timeout = shared_.config.responseTimeout;
  MonoTime next = now + std::min<Micros>(shared_.config.enquireLinkInterval, kOrphanCheck);
  if (state_ == State::kBinding) next = std::min(next, bindSentAt_ + timeout);
  if (enquireSequence_) next = std::min(next, enquireSentAt_ + timeout);
  else if (state_ == State::kBound) next = std::min(next, lastReceived_ + shared_.config.enquireLinkInterval);
  for (const auto& [seq, f] : window_) next = std::min(next, f.sentAt + timeout);
  if (state_ == State::kBound && kind_ != BindKind::kReceiver && !shared_.queue.empty() &&
      window_.size() < shared_.config.window) {
    if (now < shared_.pausedUntil) next = std::min(next, shared_.pausedUntil);
    else next = std::min(next, shared_.bucket.nextAvailable(now));
  }
  if (state_ == State::kUnbinding && !unbindSequence_) next = std::min(next, unbindDeadline_);
  return std::max(next, now);
}

std::string SmppSession::describe() const {
  switch (state_) {
    case State::kBinding: return "binding";
    case State::kBound: return "bound, " + std::to_string(window_.size()) + " in flight";
    case State::kUnbinding: return "unbinding";
    case State::kClosed: return "closed";
  }
  return "";
}

size_t LinkShared::queuedMessages() const { return queue.size(); }

}  // namespace tocsin::smpp
