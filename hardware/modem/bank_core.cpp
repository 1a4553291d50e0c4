#include "hardware/modem/bank_core.h"

#include <algorithm>
#include <cmath>

#include "common/text/sms_text.h"
#include "hardware/tpdu/tpdu.h"

namespace tocsin::modem {
namespace {

constexpr double kDefaultSendSeconds = 4.0;  // until a modem has sent something

std::string digitsOf(const std::string& number) {
  std::string d;
  for (char c : number)
    if (c >= '0' && c <= '9') d += c;
  return d;
}

bool validDestination(const std::string& d) {
  const size_t start = !d.empty() && d[0] == '+' ? 1 : 0;
  if (d.size() - start < 3 || d.size() - start > 20) return false;
  return std::all_of(d.begin() + static_cast<std::ptrdiff_t>(start), d.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

struct BankCore::Slot {
  explicit Slot(const ModemConfig& c) : config(c) {}
  const ModemConfig& config;
  std::unique_ptr<SlotEvents> events;
  std::unique_ptr<ModemSession> session;
  std::string emptyOutbox;
  PartQueue own;                     // the next parts of long messages started here
  std::optional<PartTask> current;   // the part being sent
  uint64_t token = 0;
  MonoTime sendStarted{};
  MonoTime reopenAt{};
  MonoTime restUntil{};
  bool recovering = false;           // the last port was closed because the modem hung
  bool everReady = false;
  int consecutiveFailures = 0;
  uint64_t sent = 0, failed = 0, reopened = 0;
  double averageSendSeconds = kDefaultSendSeconds;
  std::string problem;
};

class BankCore::SlotEvents final : public ModemEvents {
 public:
  SlotEvents(BankCore& core, size_t index) : core_(core), index_(index) {}
  void setNow(MonoTime now) { now_ = now; }
  void onSent(uint64_t token, uint8_t reference) override { core_.sent(index_, token, reference, now_); }
  void onSendFailed(uint64_t token, SendFailure kind, const std::string& reason) override {
    core_.sendFailed(index_, token, kind, reason, now_);
  }
  void onStatusReport(const tpdu::SmsStatusReport& report) override { core_.statusReport(index_, report, now_); }
  void onIncoming(const tpdu::SmsDeliver& message) override { core_.incoming(index_, message, now_); }

 private:
  BankCore& core_;
  size_t index_;
  MonoTime now_{};
};

BankCore::BankCore(const BankConfig& config, BearerListener& listener, const Clock& clock, MonoTime now)
    : config_(config), listener_(listener), clock_(clock), startedAt_(now) {
  for (size_t i = 0; i < config.modems.size(); ++i) {
    slots_.push_back(std::make_unique<Slot>(config.modems[i]));
    slots_.back()->events = std::make_unique<SlotEvents>(*this, i);
    slots_.back()->reopenAt = now;
  }
}

BankCore::~BankCore() = default;

const ModemConfig& BankCore::modemConfig(size_t i) const { return slots_[i]->config; }

void BankCore::add(OutboundMessage message) {
  auto m = std::make_shared<PendingMessage>();
  m->message = std::move(message);
  ++counters_.submitted;
  ++open_;
  if (!validDestination(m->message.destination)) {
    fail(*m, FailureKind::kPermanent, "a modem cannot send to '" + m->message.destination + "': not a phone number");
    return;
  }
  text::SegmentOptions opts;
  opts.normalization = m->message.normalization;
  auto plan = text::planSms(m->message.text, opts);
  if (!plan.ok()) {
    fail(*m, FailureKind::kPermanent, plan.status().message());
    return;
  }
  m->dataCoding = plan->encoding == text::SmsEncoding::kGsm7 ? 0x00 : 0x08;
  for (const auto& p : plan->parts) m->parts.emplace_back(p.payload.begin(), p.payload.end());
  m->carrierIds.resize(m->parts.size());
  m->udh = m->parts.size() > 1;
  if (m->udh) m->concatReference = ++nextConcatReference_;
  central_.push(PartTask{m, 0, central_.nextOrder(), 0, -1});
}

bool BankCore::usable(const Slot& s, MonoTime now) const {
  return s.session && s.session->status().initialised && s.session->status().registered() && !s.session->hungReason() &&
         now >= s.restUntil;
}

bool BankCore::wantsPort(size_t i, MonoTime now) const {
  const Slot& s = *slots_[i];
  return !s.session && now >= s.reopenAt;
}

void BankCore::portOpened(size_t i, MonoTime now) {
  Slot& s = *slots_[i];
  s.events->setNow(now);
  s.session = std::make_unique<ModemSession>(s.config, *s.events, now, s.recovering);
  s.recovering = false;
}

void BankCore::portOpenFailed(size_t i, const std::string& reason, MonoTime now) {
  Slot& s = *slots_[i];
  s.problem = reason;
  s.reopenAt = now + s.config.reopenInterval;
}

std::optional<std::string> BankCore::hung(size_t i) const {
  const Slot& s = *slots_[i];
  if (!s.session) return std::nullopt;
  return s.session->hungReason();
}

void BankCore::portClosed(size_t i, const std::string& reason, MonoTime now) {
  Slot& s = *slots_[i];
  if (!s.session) return;
  if (s.session->hungReason()) {
    ++counters_.hangs;
    s.recovering = true;
  } else {
    ++counters_.portsLost;
  }
  ++s.reopened;
  s.problem = reason;
  s.session.reset();
  s.reopenAt = now + s.config.reopenInterval;
  // What it was sending may or may not have gone out: send it again.
  if (s.current) {
    PartTask t = std::move(*s.current);
    s.current.reset();
    if (!t.message->finished) {
      ++t.message->resent;
      ++counters_.resent;
      retry(i, std::move(t), s.config.name + ": " + reason, true);
    }
  }
  // Long messages half-sent through this SIM start again elsewhere.
  while (!s.own.empty()) restart(s.own.pop(), static_cast<int>(i));
}

std::string& BankCore::outbox(size_t i) {
  Slot& s = *slots_[i];
  if (!s.session) {
    s.emptyOutbox.clear();
    return s.emptyOutbox;
  }
  return s.session->outbox();
}

void BankCore::onBytes(size_t i, std::string_view data, MonoTime now) {
  Slot& s = *slots_[i];
  if (!s.session) return;
  s.events->setNow(now);
  s.session->onBytes(data, now);
}

void BankCore::onTick(MonoTime now) {
  for (auto& s : slots_) {
    if (!s->session) continue;
    s->events->setNow(now);
    s->session->onTick(now);
    if (usable(*s, now)) s->everReady = true;
  }
  for (auto& c : assembler_.expire(now)) {
    ++counters_.incoming;
    listener_.onIncoming({c.from, c.to, c.text, config_.name, clock_.now()});
  }
  while (!trackedExpiry_.empty() && trackedExpiry_.front().first <= now) {
    auto it = tracked_.find(trackedExpiry_.front().second);
    if (it != tracked_.end() && it->second.expires <= now) tracked_.erase(it);
    trackedExpiry_.pop_front();
  }
  schedule(now);
}

void BankCore::schedule(MonoTime now) {
  if (sendingStopped_) return;
  std::vector<size_t> free;
  for (size_t i = 0; i < slots_.size(); ++i) {
    const Slot& s = *slots_[i];
    if (!s.current && usable(s, now) && s.session->readyToSend(now)) free.push_back(i);
  }
  // Healthiest and least used first.
  std::sort(free.begin(), free.end(), [&](size_t a, size_t b) {
    const Slot& x = *slots_[a];
    const Slot& y = *slots_[b];
    if (x.consecutiveFailures != y.consecutiveFailures) return x.consecutiveFailures < y.consecutiveFailures;
    if (x.sent != y.sent) return x.sent < y.sent;
    return x.session->status().signalDbm.value_or(-200) > y.session->status().signalDbm.value_or(-200);
  });
  for (size_t i : free) {
    while (auto task = takeFor(i, now))
      if (startPart(i, std::move(*task), now)) break;
  }
}

std::optional<PartTask> BankCore::takeFor(size_t i, MonoTime now) {
  Slot& s = *slots_[i];
  while (!s.own.empty() && s.own.top().message->finished) s.own.pop();
  // A part that failed on this modem waits for another one, if any other could take it.
  bool othersUsable = false;
  for (size_t j = 0; j < slots_.size(); ++j)
    if (j != i && usable(*slots_[j], now)) othersUsable = true;
  std::vector<PartTask> skipped;
  std::optional<PartTask> fromCentral;
  while (!central_.empty()) {
    PartTask t = central_.pop();
    if (t.message->finished) {
      continue;
    }
    if (t.avoid == static_cast<int>(i) && othersUsable && skipped.size() < 64) {
      skipped.push_back(std::move(t));
      continue;
    }
    fromCentral = std::move(t);
    break;
  }
  for (auto& t : skipped) central_.push(std::move(t));
  if (!s.own.empty()) {
    const PartTask& mine = s.own.top();
    // A continuation goes first unless something more urgent waits.
    if (!fromCentral || fromCentral->message->message.priority <= mine.message->message.priority) {
      if (fromCentral) central_.push(std::move(*fromCentral));
      return s.own.pop();
    }
  }
  return fromCentral;
}

bool BankCore::startPart(size_t i, PartTask task, MonoTime now) {
  Slot& s = *slots_[i];
  PendingMessage& m = *task.message;
  if (m.finished) return false;
  if (m.message.expiresAt && *m.message.expiresAt <= clock_.now()) {
    fail(m, FailureKind::kPermanent, "expired before it could be sent");
    return false;
  }
  tpdu::SubmitRequest r;
  r.destination = m.message.destination;
  r.encoding = m.dataCoding == 0x08 ? text::SmsEncoding::kUcs2 : text::SmsEncoding::kGsm7;
  r.payload.assign(m.parts[static_cast<size_t>(task.part)].begin(), m.parts[static_cast<size_t>(task.part)].end());
  if (m.udh)
    r.udh = text::concatenationUdh(static_cast<uint8_t>(m.concatReference), static_cast<uint8_t>(m.parts.size()),
                                   static_cast<uint8_t>(task.part + 1), false);
  r.statusReportRequest = m.message.wantReceipt && s.config.statusReports;
  if (m.message.expiresAt) {
    const auto left = std::chrono::duration_cast<Micros>(*m.message.expiresAt - clock_.now());
    r.validity = std::max<Micros>(left, std::chrono::minutes(5));
  }
  auto pdu = tpdu::encodeSubmit(r);
  if (!pdu.ok()) {
    fail(m, FailureKind::kPermanent, pdu.status().message());
    return false;
  }
  ++task.attempts;
  s.token = ++nextToken_;
  s.sendStarted = now;
  s.current = std::move(task);
  s.events->setNow(now);
  s.session->send(SendJob{s.token, pdu->hex, pdu->tpduLength}, now);
  return true;
}

void BankCore::sent(size_t i, uint64_t token, uint8_t reference, MonoTime now) {
  Slot& s = *slots_[i];
  if (!s.current || token != s.token) return;
  PartTask t = std::move(*s.current);
  s.current.reset();
  ++s.sent;
  ++counters_.partsSent;
  s.consecutiveFailures = 0;
  const double took = std::chrono::duration<double>(now - s.sendStarted).count();
  s.averageSendSeconds = s.sent == 1 ? took : 0.8 * s.averageSendSeconds + 0.2 * took;
  PendingMessage& m = *t.message;
  if (m.finished) return;
  const std::string carrierId = s.config.name + ":" + std::to_string(reference);
  m.carrierIds[static_cast<size_t>(t.part)] = carrierId;
  ++m.accepted;
  if (m.message.wantReceipt && s.config.statusReports) {
    const std::string key = carrierId + ":" + digitsOf(m.message.destination);
    const MonoTime expires = now + config_.receiptMemory;
    tracked_[key] = Tracked{m.message.id, t.part, carrierId, expires};
    trackedExpiry_.emplace_back(expires, key);
  }
  if (t.part + 1 < static_cast<int>(m.parts.size())) {
    s.own.push(PartTask{t.message, t.part + 1, t.order, 0, -1});
    return;
  }
  finishAccepted(m);
}

void BankCore::sendFailed(size_t i, uint64_t token, SendFailure kind, const std::string& reason, MonoTime now) {
  Slot& s = *slots_[i];
  if (!s.current || token != s.token) return;
  PartTask t = std::move(*s.current);
  s.current.reset();
  ++s.failed;
  ++counters_.partsFailed;
  const std::string why = s.config.name + ": " + reason;
  switch (kind) {
    case SendFailure::kPermanent:
      fail(*t.message, FailureKind::kPermanent, why);
      return;
    case SendFailure::kModemProblem:
      // Not the message's fault: the modem rests and the part goes elsewhere, uncounted.
      s.problem = reason;
      s.restUntil = now + config_.problemCooldown;
      retry(i, std::move(t), why, false);
      return;
    case SendFailure::kRetryable:
      ++s.consecutiveFailures;
      retry(i, std::move(t), why, true);
      return;
    case SendFailure::kNoAnswer:
      // It may have gone out: sending it again risks a duplicate, which beats losing it.
      ++s.consecutiveFailures;
      ++t.message->resent;
      ++counters_.resent;
      retry(i, std::move(t), why, true);
      return;
  }
}

void BankCore::retry(size_t i, PartTask task, const std::string& reason, bool countAttempt) {
  PendingMessage& m = *task.message;
  if (m.finished) return;
  if (!countAttempt) --task.attempts;
  if (task.attempts >= config_.maxAttempts) {
    fail(m, FailureKind::kRetryable,
         "gave up after " + std::to_string(task.attempts) + " attempts; the last: " + reason);
    return;
  }
  if (task.part == 0) {
    task.avoid = static_cast<int>(i);
    central_.push(std::move(task));
    return;
  }
  Slot& s = *slots_[i];
  if (s.session && countAttempt) {
    s.own.push(std::move(task));  // the rest of a long message must leave through the same SIM
    return;
  }
  restart(std::move(task), static_cast<int>(i));
}

void BankCore::restart(PartTask task, int avoid) {
  PendingMessage& m = *task.message;
  if (m.finished) return;
  ++counters_.restarted;
  m.resent += m.accepted;
  counters_.resent += static_cast<uint64_t>(m.accepted);
  m.accepted = 0;
  std::fill(m.carrierIds.begin(), m.carrierIds.end(), std::string());
  m.concatReference = ++nextConcatReference_;  // a fresh reference: the phone must not mix the two
  central_.push(PartTask{task.message, 0, task.order, task.attempts, avoid});
}

void BankCore::finishAccepted(PendingMessage& m) {
  m.finished = true;
  --open_;
  ++counters_.accepted;
  listener_.onAccepted(config_.name, m.message.id, m.carrierIds, m.resent);
}

void BankCore::fail(PendingMessage& m, FailureKind kind, const std::string& reason) {
  if (m.finished) return;
  m.finished = true;
  --open_;
  ++counters_.failed;
  listener_.onFailed(config_.name, m.message.id, kind, reason);
}

void BankCore::statusReport(size_t i, const tpdu::SmsStatusReport& report, MonoTime now) {
  (void)now;
  const Slot& s = *slots_[i];
  ++counters_.receipts;
  Receipt r;
  r.carrierId = s.config.name + ":" + std::to_string(report.messageReference);
  if (report.delivered()) r.state = DeliveryState::kDelivered;
  else if (report.temporary()) r.state = DeliveryState::kPending;
  else if (report.status == 0x46) r.state = DeliveryState::kExpired;
  else r.state = DeliveryState::kFailed;
  char code[8];
  std::snprintf(code, sizeof code, "0x%02X", report.status);
  r.detail = std::string("status ") + code + " " + tpdu::statusDescription(report.status);
  const std::string key = r.carrierId + ":" + digitsOf(report.recipient.value);
  if (auto it = tracked_.find(key); it != tracked_.end()) {
    r.messageId = it->second.message;
    r.part = it->second.part;
    if (r.state != DeliveryState::kPending) tracked_.erase(it);
  }
  listener_.onReceipt(config_.name, r);
}

void BankCore::incoming(size_t i, const tpdu::SmsDeliver& message, MonoTime now) {
  const Slot& s = *slots_[i];
  const std::string from = message.originator.toString();
  if (auto c = message.userData.concatenation()) {
    if (auto whole = assembler_.add(from, s.config.number, c->reference, c->total, c->sequence, message.userData.text, now)) {
      ++counters_.incoming;
      listener_.onIncoming({whole->from, whole->to, whole->text, config_.name, clock_.now()});
    }
    return;
  }
  ++counters_.incoming;
  listener_.onIncoming({from, s.config.number, message.userData.text, config_.name, clock_.now()});
}

MonoTime BankCore::nextWakeup(MonoTime now) const {
  MonoTime next = now + std::chrono::seconds(1);
  for (const auto& s : slots_) {
    if (s->session) next = std::min(next, s->session->nextWakeup(now));
    else next = std::min(next, s->reopenAt);
    if (s->restUntil > now) next = std::min(next, s->restUntil);
  }
  return std::max(now, next);
}

void BankCore::failQueued(const std::string& reason) {
  for (auto& s : slots_) {
    if (s->current) {
      PartTask t = std::move(*s->current);
      s->current.reset();
      fail(*t.message, FailureKind::kRetryable, reason + " while a part was being sent; it may have gone out");
    }
    while (!s->own.empty()) {
      PartTask t = s->own.pop();
      fail(*t.message, FailureKind::kRetryable, reason + " half-way through a long message");
    }
  }
  while (!central_.empty()) {
    PartTask t = central_.pop();
    fail(*t.message, FailureKind::kRetryable, reason);
  }
}

size_t BankCore::inFlight() const {
  size_t n = 0;
  for (const auto& s : slots_) n += s->current ? 1 : 0;
  return n;
}

BearerHealth BankCore::health(MonoTime now) const {
  size_t ready = 0;
  bool everReady = false;
  std::string problems;
  for (const auto& s : slots_) {
    everReady = everReady || s->everReady;
    if (usable(*s, now)) {
      ++ready;
      continue;
    }
    std::string why = s->session && !s->session->status().problem.empty() ? s->session->status().problem : s->problem;
    if (s->session && !s->session->status().initFinished && why.empty()) why = "starting";
    if (s->restUntil > now) why = "resting after: " + s->problem;
    problems += (problems.empty() ? "" : "; ") + s->config.name + ": " + (why.empty() ? "not ready" : why);
  }
  const size_t n = slots_.size();
  const std::string count = std::to_string(ready) + " of " + std::to_string(n) + " modems ready";
  if (ready == n) return {BearerState::kUp, count};
  if (ready > 0) return {BearerState::kDegraded, count + "; " + problems};
  const bool starting = now - startedAt_ < std::chrono::seconds(60) && !everReady;
  return {starting ? BearerState::kStarting : BearerState::kDown, count + "; " + problems};
}

BearerCapacity BankCore::capacity() const {
  BearerCapacity c;  // an estimate from what each initialised modem has shown it can do
  for (const auto& s : slots_) {
    if (!s->session || !s->session->status().initialised) continue;
    const double interval = std::chrono::duration<double>(s->config.minSendInterval).count();
    c.messagesPerSecond += 1.0 / std::max(0.05, std::max(s->averageSendSeconds, interval));
  }
  c.inFlight = inFlight();
  c.queued = open_ - std::min(open_, c.inFlight);
  c.queueLimit = config_.queueLimit;
  return c;
}

std::vector<ModemView> BankCore::modems(MonoTime now) const {
  std::vector<ModemView> out;
  for (const auto& s : slots_) {
    ModemView v;
    v.name = s->config.name;
    v.device = s->config.device;
    v.portOpen = s->session != nullptr;
    if (s->session) {
      v.status = s->session->status();
    }
    v.usable = usable(*s, now);
    v.sending = s->current.has_value();
    v.problem = !v.status.problem.empty() ? v.status.problem : s->problem;
    v.sent = s->sent;
    v.failed = s->failed;
    v.reopened = s->reopened;
    v.averageSendSeconds = s->sent ? s->averageSendSeconds : 0;
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace tocsin::modem
