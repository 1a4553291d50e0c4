#include "broadcaster/engine/dispatcher.h"

#include <unistd.h>

#include <algorithm>

#include "broadcaster/engine/webhooks.h"
#include "common/base/json_text.h"
#include "policies/message_class.h"
#include "policies/promotion.h"
#include "policies/sending_hours.h"

namespace tocsin::engine {
namespace {

constexpr int kAlertRank = 2;  // test/exercise and above
constexpr const char* kActor = "system:broadcaster";

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "," : "") + parts[i];
  return out;
}

bool usable(const BearerHealth& h) { return h.state == BearerState::kUp || h.state == BearerState::kDegraded; }

}  // namespace

// What one pass gathers inside its transaction.
struct Dispatcher::PassWork {
  Timestamp now;
  std::vector<Handover> handovers;
  std::unordered_map<JobId, std::optional<Job>> jobs;
  std::map<std::pair<std::string, std::string>, policy::Decision> hours;  // (country, zone) -> decision
  std::vector<std::pair<std::string, std::string>> notes;                // for the observer, after commit
  bool busy = false;
};

Dispatcher::Dispatcher(Store& store, AuditLog& audit, const policy::PolicyConfig& policies, const TimeZones& zones,
                       const Suppressor& suppressor, const PhoneNormalizer& phones, Clock& clock, DispatcherOptions options)
    : store_(store),
      audit_(audit),
      policies_(policies),
      zones_(zones),
      suppressor_(suppressor),
      clock_(clock),
      options_(options),
      expander_(policies, suppressor),
      inbound_(policies, phones) {}

Dispatcher::~Dispatcher() = default;

void Dispatcher::addBearer(Bearer& bearer, int minRank, size_t limit) {
  Slot s;
  s.bearer = &bearer;
  s.minRank = minRank;
  s.limit = std::max<size_t>(1, limit);
  slotByName_[bearer.name()] = slots_.size();
  slots_.push_back(s);
}

Status Dispatcher::start() {
  startedAt_ = clock_.monotonic();
  int64_t requeued = 0;
  TOCSIN_RETURN_IF_ERROR(audit_.write(store_, kActor, [&](StoreTx& tx, AuditRecorder& rec) {
    requeued = tx.messages().requeueSubmitted(
        "outcome unknown after the broadcaster stopped while a bearer held it; sent again", rec.now());
    rec.record("broadcaster.start", "store",
               std::to_string(requeued) + " messages of unknown outcome put back in the queue (possible duplicates)");
    return Status::okStatus();
  }));
  counters_.recovered = static_cast<uint64_t>(requeued);
  for (auto& s : slots_) s.bearer->start(*this);
  return Status::okStatus();
}

void Dispatcher::push(Event e) {
  {
    std::lock_guard lock(mutex_);
    events_.push_back(std::move(e));
    woken_ = true;
  }
  wakeup_.notify_one();
}

void Dispatcher::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wakeup_.notify_one();
}

void Dispatcher::onAccepted(const std::string& bearer, MessageId id, const std::vector<std::string>& carrierIds,
                            int resentParts) {
  push(Accepted{bearer, id, carrierIds, resentParts});
}
void Dispatcher::onFailed(const std::string& bearer, MessageId id, FailureKind kind, const std::string& reason) {
  push(Failed{bearer, id, kind, reason});
}
void Dispatcher::onReceipt(const std::string& bearer, const Receipt& receipt) { push(ReceiptEvent{bearer, receipt}); }
void Dispatcher::onIncoming(const IncomingMessage& message) { push(message); }

DispatcherStats Dispatcher::stats() const {
  std::lock_guard lock(mutex_);
  return published_;
}

Micros Dispatcher::backoff(int attempts) const {
  Micros d = options_.retryMin;
  for (int i = 1; i < attempts && d < options_.retryMax; ++i) d *= 2;
  return std::min(d, options_.retryMax);
}

void Dispatcher::finishFlight(MessageId id) {
  auto it = inFlight_.find(id);
  if (it == inFlight_.end()) return;
  Slot& s = slots_[it->second.slot];
  if (s.outstanding) --s.outstanding;
  if (it->second.rank == 0 && s.promotional) --s.promotional;
  if (it->second.rank >= kAlertRank && alertsInFlight_) --alertsInFlight_;
  inFlight_.erase(it);
}

const Job* Dispatcher::job(StoreTx& tx, JobId id, PassWork& work) {
  auto it = work.jobs.find(id);
  if (it == work.jobs.end()) it = work.jobs.emplace(id, tx.jobs().find(id)).first;
  return it->second ? &*it->second : nullptr;
}

Status Dispatcher::apply(StoreTx& tx, AuditRecorder& audit, const Event& e, PassWork& work) {
  const Timestamp now = work.now;
  if (const auto* a = std::get_if<Accepted>(&e)) {
    const auto it = inFlight_.find(a->id);
    const size_t slot = it != inFlight_.end() ? it->second.slot : slotByName_.count(a->bearer) ? slotByName_[a->bearer] : 0;
    MessageOutcome o;
    o.id = a->id;
    o.state = MessageState::kSent;
    o.bearer = a->bearer;
    o.carrierIds = join(a->carrierIds);
    o.parts = static_cast<int>(a->carrierIds.size());
    tx.messages().record(o, now);
    if (a->carrierIds.size() > 1) multipart_[a->id] = {static_cast<int>(a->carrierIds.size()), 0};
    if (!slots_.empty()) ++slots_[slot].accepted;
    ++counters_.sent;
    counters_.resentParts += static_cast<uint64_t>(a->resent);
    finishFlight(a->id);
    return Status::okStatus();
  }
  if (const auto* f = std::get_if<Failed>(&e)) {
    const auto it = inFlight_.find(f->id);
    const int attempts = it != inFlight_.end() ? it->second.attempts : options_.maxAttempts;
    if (it != inFlight_.end()) ++slots_[it->second.slot].failed;
    finishFlight(f->id);
    MessageOutcome o;
    o.id = f->id;
    o.bearer = f->bearer;
    if (f->reason == "bearer stopped") {
      // Never handed to the network: back to the queue, and the attempt does not count.
      o.state = MessageState::kQueued;
      o.attemptDelta = -1;
      o.error = "the bearer " + f->bearer + " stopped before sending it";
    } else if (f->kind == FailureKind::kPermanent) {
      o.state = MessageState::kFailed;
      o.error = f->bearer + ": " + f->reason;
      ++counters_.failed;
    } else if (attempts >= options_.maxAttempts) {
      o.state = MessageState::kFailed;
      o.error = "gave up after " + std::to_string(attempts) + " attempts; the last, on " + f->bearer + ": " + f->reason;
      ++counters_.failed;
    } else {
      o.state = MessageState::kWaiting;
      o.notBefore = now + backoff(attempts);
      o.error = "attempt " + std::to_string(attempts) + " on " + f->bearer + " failed: " + f->reason + "; trying again";
      if (!nextWaiting_ || *o.notBefore < *nextWaiting_) nextWaiting_ = o.notBefore;
      ++counters_.retried;
    }
    tx.messages().record(o, now);
    return Status::okStatus();
  }
  if (const auto* r = std::get_if<ReceiptEvent>(&e)) {
    ++counters_.receipts;
    const Receipt& rc = r->receipt;
    DeliveryReport report;
    report.message = rc.messageId;
    report.part = rc.part;
    report.bearer = r->bearer;
    report.carrierId = rc.carrierId;
    report.status = rc.state == DeliveryState::kDelivered ? "delivered"
                    : rc.state == DeliveryState::kFailed  ? "failed"
                    : rc.state == DeliveryState::kExpired ? "expired"
                                                          : "pending";
    report.detail = rc.detail;
    report.receivedAt = now;
    tx.messages().addDeliveryReport(report);
    tx.webhooks().enqueue("delivery", deliveryEventJson(report), now);
    if (!rc.messageId || rc.state == DeliveryState::kPending) return Status::okStatus();
    MessageOutcome o;
    o.id = *rc.messageId;
    if (rc.state == DeliveryState::kDelivered) {
      // A long message is delivered once every part is.
      if (auto mp = multipart_.find(o.id); mp != multipart_.end()) {
        if (++mp->second.second < mp->second.first) return Status::okStatus();
        multipart_.erase(mp);
      }
      o.state = MessageState::kDelivered;
      ++counters_.delivered;
    } else {
      multipart_.erase(o.id);
      o.state = rc.state == DeliveryState::kExpired ? MessageState::kExpired : MessageState::kFailed;
      o.error = "receipt from " + r->bearer + ": " + rc.detail;
    }
    tx.messages().record(o, now);
    return Status::okStatus();
  }
  const auto& in = std::get<IncomingMessage>(e);
  ++counters_.incoming;
  return inbound_.handle(tx, audit, in).status();
}

Status Dispatcher::advanceJobs(StoreTx& tx, AuditRecorder& audit, PassWork& work) {
  const Timestamp now = work.now;
  auto jobs = tx.jobs().inStates({"approved", "expanding", "sending"});
  // Alerts first: expand the most urgent job.
  std::stable_sort(jobs.begin(), jobs.end(), [](const Job& a, const Job& b) {
    return policy::rank(policy::parseClass(a.messageClass).value_or(policy::MessageClass::kPromotional)) >
           policy::rank(policy::parseClass(b.messageClass).value_or(policy::MessageClass::kPromotional));
  });
  bool expanded = false;
  for (Job& j : jobs) {
    const std::string object = "job:" + std::to_string(j.id);
    if (j.state == "approved") {
      if (j.notBefore && *j.notBefore > now) continue;
      if (j.expiresAt && *j.expiresAt <= now) {
        tx.jobs().setState(j.id, "done", now);
        audit.record(j.kind + ".expire", object, "its validity ended before it started");
        work.notes.emplace_back(j.kind + ".expire", object);
        continue;
      }
      tx.jobs().setState(j.id, "expanding", now);
      j.state = "expanding";
      audit.record(j.kind + ".start", object, "finding recipients");
      work.notes.emplace_back(j.kind + ".start", object + " " + j.messageClass + " \"" + j.title + "\"");
    }
    if (j.state == "expanding") {
      if (expanded) continue;  // one fan-out step per pass keeps every pass short
      expanded = true;
      const int64_t batch = j.kind == "campaign" ? options_.campaignBatch : options_.expansionBatch;
      TOCSIN_ASSIGN_OR_RETURN(const ExpansionStep step, expander_.step(tx, j, batch, now));
      counters_.expanded += static_cast<uint64_t>(step.queued);
      work.busy = true;
      if (step.finished) {
        tx.jobs().setState(j.id, "sending", now);
        const std::string what = std::to_string(j.recipients + step.queued + step.refused) + " recipients (" +
                                 std::to_string(step.refused) + " refused in this last step)";
        audit.record(j.kind + ".expanded", object, what);
        work.notes.emplace_back(j.kind + ".expanded", object + " " + what);
      }
      continue;
    }
    // Sending: done once nothing is left to send.
    const JobProgress p = tx.jobs().progress(j.id);
    if (p.count(MessageState::kQueued) + p.count(MessageState::kWaiting) + p.count(MessageState::kSubmitted) == 0) {
      tx.jobs().setState(j.id, "done", now);
      const std::string what = std::to_string(p.count(MessageState::kSent) + p.count(MessageState::kDelivered)) +
                               " sent (" + std::to_string(p.count(MessageState::kDelivered)) + " delivered), " +
                               std::to_string(p.count(MessageState::kFailed)) + " failed, " +
                               std::to_string(p.count(MessageState::kExpired)) + " expired, " +
                               std::to_string(p.count(MessageState::kRefused)) + " refused, " +
                               std::to_string(p.count(MessageState::kCancelled)) + " cancelled";
      audit.record(j.kind + ".done", object, what);
      work.notes.emplace_back(j.kind + ".done", object + " " + what);
    }
  }
  return Status::okStatus();
}

bool Dispatcher::admit(StoreTx& tx, const OutgoingMessage& m, const Job& j, Timestamp now, PassWork& work) {
  MessageOutcome o;
  o.id = m.id;
  o.attemptDelta = -1;  // it never left: the claim's attempt does not count
  auto settle = [&](MessageState state, std::string why) {
    o.state = state;
    o.error = std::move(why);
    tx.messages().record(o, now);
    return false;
  };
  if (j.state == "cancelled") return settle(MessageState::kCancelled, "the " + j.kind + " was cancelled");
  if (j.state == "paused") {
    o.state = MessageState::kWaiting;  // held without a time until the campaign resumes
    tx.messages().record(o, now);
    return false;
  }
  if (j.expiresAt && *j.expiresAt <= now) {
    ++counters_.refused;
    return settle(MessageState::kExpired, "its validity ended at " + formatUtc(*j.expiresAt) + " before it could be sent");
  }
  if (m.rank > 0) return true;
  // Promotional: every rule again at the moment of sending (a STOP may have arrived since).
  const std::optional<Contact> contact = m.contact ? tx.contacts().findById(*m.contact) : std::nullopt;
  if (!contact) {
    ++counters_.refused;
    return settle(MessageState::kRefused, "the contact no longer exists (erased)");
  }
  const std::string purpose = j.purpose.value_or("");
  const auto standing = tx.consent().standing(contact->id, purpose);
  policy::ConsentView view;
  if (standing) {
    view.state = standing->state == ConsentAction::kConfirmed   ? policy::ConsentView::State::kConfirmed
                 : standing->state == ConsentAction::kWithdrawn ? policy::ConsentView::State::kWithdrawn
                                                                : policy::ConsentView::State::kGranted;
    view.since = standing->since;
  }
  const bool suppressed = tx.suppressions().contains(suppressor_.fingerprint(contact->phone));
  auto decision = policy::promotionalConsent(purpose, view, suppressed);
  if (decision.refused()) {
    ++counters_.refused;
    return settle(MessageState::kRefused, decision.reason);
  }
  decision = policy::senderAllowed(policies_.senders, contact->region, j.sender.value_or(""));
  if (decision.refused()) {
    ++counters_.refused;
    return settle(MessageState::kRefused, decision.reason);
  }
  const std::string zone = contact->details.timeZone.value_or("");
  auto key = std::make_pair(contact->region, zone);
  auto cached = work.hours.find(key);
  if (cached == work.hours.end())
    cached = work.hours.emplace(key, policy::promotionalHours(policies_.hours, zones_, contact->region, zone, now)).first;
  decision = cached->second;
  if (decision.allowed() && policies_.frequencyCap.maxMessages > 0) {
    const auto [recent, oldest] = tx.messages().recentPromotional(contact->id, now - policies_.frequencyCap.window);
    decision = policy::frequencyCap(policies_.frequencyCap, recent, oldest, now);
  }
  if (decision.refused()) {
    ++counters_.refused;
    return settle(MessageState::kRefused, decision.reason);
  }
  if (decision.waits()) {
    ++counters_.waiting;
    o.notBefore = decision.waitUntil;
    if (!nextWaiting_ || *o.notBefore < *nextWaiting_) nextWaiting_ = o.notBefore;
    return settle(MessageState::kWaiting, decision.reason);
  }
  return true;
}

Status Dispatcher::claim(StoreTx& tx, AuditRecorder& audit, PassWork& work) {
  const Timestamp now = work.now;
  // Pre-emption: while an alert is queued, waiting for a retry or on its way, no promotion is
  // claimed anywhere.
  const bool alerts = alertsInFlight_ > 0 || tx.messages().anyPendingAtOrAbove(kAlertRank);
  if (alerts != promotionsPaused_) {
    promotionsPaused_ = alerts;
    const std::string why = alerts ? "an alert is being sent: promotional sending stops on every bearer"
                                   : "no alert left to send: promotional sending resumes";
    audit.record(alerts ? "promotions.pause" : "promotions.resume", "broadcaster", why);
    work.notes.emplace_back(alerts ? "promotions.pause" : "promotions.resume", why);
  }
  if (!claiming_) return Status::okStatus();
  // Room per bearer: promotions up to its limit, alerts and transactional as much again.
  std::vector<size_t> room(slots_.size(), 0), promoRoom(slots_.size(), 0);
  size_t urgentTotal = 0, promoTotal = 0;
  for (size_t i = 0; i < slots_.size(); ++i) {
    const Slot& s = slots_[i];
    if (!usable(s.health) || s.outstanding >= 2 * s.limit) continue;
    room[i] = 2 * s.limit - s.outstanding;
    urgentTotal += room[i];
    if (s.minRank == 0 && s.promotional < s.limit) promoRoom[i] = std::min(room[i], s.limit - s.promotional);
  }
  if (urgentTotal == 0) return Status::okStatus();
  std::vector<OutgoingMessage> claimed = tx.messages().claim(1, static_cast<int64_t>(urgentTotal), now);
  if (claimed.size() < urgentTotal && !promotionsPaused_) {
    size_t left = urgentTotal - claimed.size();
    for (size_t i = 0; i < slots_.size(); ++i) promoTotal += std::min(promoRoom[i], left);
    promoTotal = std::min(promoTotal, left);
    if (promoTotal > 0) {
      auto promos = tx.messages().claim(0, static_cast<int64_t>(promoTotal), now);
      claimed.insert(claimed.end(), std::make_move_iterator(promos.begin()), std::make_move_iterator(promos.end()));
    }
  }
  if (claimed.empty()) return Status::okStatus();
  work.busy = true;
  // Spread over the bearers in turn, so that an alert fans out over every one of them; a reply
  // leaves by the bearer it answers, and a retry tries another bearer first.
  for (const OutgoingMessage& m : claimed) {
    const Job* j = job(tx, m.job, work);
    if (!j) return Status::dataLoss("message " + std::to_string(m.id) + " belongs to no job");
    auto fits = [&](size_t i) {
      const Slot& s = slots_[i];
      return room[i] > 0 && s.minRank <= m.rank && (m.rank > 0 || promoRoom[i] > 0);
    };
    std::optional<size_t> pick;
    if (m.bearer) {
      if (auto it = slotByName_.find(*m.bearer); it != slotByName_.end() && fits(it->second)) {
        if (m.attempts == 0) pick = it->second;  // a reply: the same bearer
      }
    }
    for (size_t k = 0; !pick && k < slots_.size(); ++k) {
      const size_t i = (nextSlot_ + k) % slots_.size();
      if (!fits(i)) continue;
      if (m.attempts > 0 && m.bearer && slots_[i].bearer->name() == *m.bearer) continue;  // another first
      pick = i;
    }
    for (size_t i = 0; !pick && i < slots_.size(); ++i)
      if (fits(i)) pick = i;
    if (!pick) {
      // No bearer may carry it now (a transactional message and only alert bearers free):
      // back to the queue, no attempt counted.
      MessageOutcome o;
      o.id = m.id;
      o.state = MessageState::kQueued;
      o.attemptDelta = -1;
      tx.messages().record(o, now);
      continue;
    }
    nextSlot_ = (*pick + 1) % slots_.size();
    if (!admit(tx, m, *j, now, work)) continue;
    auto texts = parseTexts(j->texts.value_or("[]"));
    if (!texts.ok() && !m.body) {
      MessageOutcome o{m.id, MessageState::kFailed, std::nullopt, std::nullopt, std::nullopt,
                       "its job's text is gone (scrubbed by retention)", std::nullopt, -1};
      tx.messages().record(o, now);
      continue;
    }
    Slot& s = slots_[*pick];
    const auto cls = policy::parseClass(j->messageClass).value_or(policy::MessageClass::kPromotional);
    OutboundMessage out;
    out.id = m.id;
    out.destination = m.destination;
    out.sender = j->sender.value_or("");
    out.text = m.body ? *m.body : textFor(*texts, m.language).second;
    out.priority = m.rank;
    out.networkPriority = policy::smppPriority(cls);
    out.wantReceipt = true;
    out.expiresAt = j->expiresAt;
    out.label = j->kind + " " + std::to_string(j->id);
    work.handovers.push_back({*pick, std::move(out), InFlight{*pick, m.attempts + 1, m.rank, m.job}});
    --room[*pick];
    ++s.outstanding;
    if (m.rank == 0) {
      --promoRoom[*pick];
      ++s.promotional;
    }
  }
  return Status::okStatus();
}

void Dispatcher::publishStatus(StoreTx& tx, Timestamp now) {
  std::string b = "{\"pid\":" + std::to_string(::getpid()) + ",\"promotions_paused\":" +
                  (promotionsPaused_ ? "true" : "false") + ",\"in_flight\":" + std::to_string(inFlight_.size()) +
                  ",\"submitted\":" + std::to_string(counters_.submitted) + ",\"sent\":" + std::to_string(counters_.sent) +
                  ",\"failed\":" + std::to_string(counters_.failed) + ",\"delivered\":" + std::to_string(counters_.delivered) +
                  ",\"recovered\":" + std::to_string(counters_.recovered) + ",\"passes\":" + std::to_string(counters_.passes) + "}";
  tx.runtime().put("broadcaster", b, now);
  for (const Slot& s : slots_) {
    std::string v = "{\"state\":";
    appendJsonString(v, bearerStateName(s.health.state));
    v += ",\"detail\":";
    appendJsonString(v, s.health.detail);
    v += ",\"carries\":" + std::to_string(s.minRank) + ",\"limit\":" + std::to_string(s.limit) +
         ",\"outstanding\":" + std::to_string(s.outstanding) + ",\"submitted\":" + std::to_string(s.submitted) +
         ",\"accepted\":" + std::to_string(s.accepted) + ",\"failed\":" + std::to_string(s.failed) + "}";
    tx.runtime().put("bearer:" + s.bearer->name(), v, now);
  }
}

Result<bool> Dispatcher::pass() {
  PassWork work;
  work.now = clock_.now();
  const MonoTime mono = clock_.monotonic();
  std::vector<Event> fresh;
  {
    std::lock_guard lock(mutex_);
    fresh.swap(events_);
    woken_ = false;
  }
  for (auto& e : fresh) retained_.push_back(std::move(e));
  std::vector<std::pair<std::string, std::string>> healthNotes;
  for (auto& s : slots_) {
    BearerHealth h = s.bearer->health();
    if (h.state != s.health.state)
      healthNotes.emplace_back("bearer." + std::string(bearerStateName(h.state)), s.bearer->name() + ": " + h.detail);
    s.health = std::move(h);
  }
  // Keep what this pass may change, to undo it if the transaction does not commit.
  const auto slotsBefore = slots_;
  const auto inFlightBefore = inFlight_;
  const auto multipartBefore = multipart_;
  const auto countersBefore = counters_;
  const bool pausedBefore = promotionsPaused_;
  const size_t alertsBefore = alertsInFlight_;
  const size_t applied = retained_.size();

  const Status st = audit_.write(store_, kActor, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    work.handovers.clear();
    work.jobs.clear();
    for (size_t k = 0; k < applied; ++k) TOCSIN_RETURN_IF_ERROR(apply(tx, rec, retained_[k], work));
    if (applied) work.busy = true;
    if ((nextWaiting_ && *nextWaiting_ <= work.now) || work.now >= nextReleaseCheck_) {
      if (tx.messages().releaseWaiting(work.now) > 0) work.busy = true;
      nextWaiting_ = tx.messages().nextWaiting();
      nextReleaseCheck_ = work.now + std::chrono::seconds(1);
    }
    TOCSIN_RETURN_IF_ERROR(advanceJobs(tx, rec, work));
    TOCSIN_RETURN_IF_ERROR(claim(tx, rec, work));
    if (mono >= nextStatus_) {
      publishStatus(tx, work.now);
      nextStatus_ = mono + options_.statusInterval;
    }
    return Status::okStatus();
  });
  if (!st.ok()) {
    slots_ = slotsBefore;
    inFlight_ = inFlightBefore;
    multipart_ = multipartBefore;
    counters_ = countersBefore;
    promotionsPaused_ = pausedBefore;
    alertsInFlight_ = alertsBefore;
    if (observer_) observer_("store.error", st.message());
    return st;  // the events stay retained for the next pass
  }
  if (observer_) {
    for (const auto& [event, detail] : healthNotes) observer_(event, detail);
    for (const auto& [event, detail] : work.notes) observer_(event, detail);
  }
  retained_.erase(retained_.begin(), retained_.begin() + static_cast<std::ptrdiff_t>(applied));
  // Durable: now the bearers may have them.
  for (auto& h : work.handovers) {
    Slot& s = slots_[h.slot];
    const MessageId id = h.message.id;
    if (h.flight.rank >= kAlertRank) ++alertsInFlight_;
    inFlight_[id] = h.flight;
    ++s.submitted;
    ++counters_.submitted;
    if (!s.bearer->submit(std::move(h.message))) {
      // Its queue is full or it is stopping: the message goes back through the usual path.
      push(Failed{s.bearer->name(), id, FailureKind::kRetryable, "the bearer refused it (queue full or stopping)"});
    }
  }
  ++counters_.passes;
  counters_.promotionsPaused = promotionsPaused_;
  counters_.bearers.clear();
  for (const Slot& s : slots_)
    counters_.bearers.push_back({s.bearer->name(), s.health, s.minRank, s.limit, s.outstanding, s.submitted, s.accepted, s.failed});
  {
    std::lock_guard lock(mutex_);
    published_ = counters_;
  }
  return work.busy;
}

void Dispatcher::run(const std::atomic<bool>& stopping, Micros drain) {
  auto waitForWork = [&](Micros timeout) {
    std::unique_lock lock(mutex_);
    wakeup_.wait_for(lock, timeout, [&] { return woken_ || stopping.load(); });
  };
  while (!stopping) {
    auto busy = pass();
    if (!busy.ok()) {
      waitForWork(std::chrono::milliseconds(100));  // a store error: try again shortly, events are kept
      continue;
    }
    if (!*busy) waitForWork(options_.idlePoll);
  }
  // Drain: no new claims; record what the bearers answer for what they hold.
  claiming_ = false;
  const MonoTime deadline = clock_.monotonic() + drain;
  while (!inFlight_.empty() && clock_.monotonic() < deadline) {
    (void)pass();
    waitForWork(std::chrono::milliseconds(20));
  }
  for (auto& s : slots_) s.bearer->stop(std::chrono::seconds(0));
  (void)pass();
  nextStatus_ = MonoTime{};  // the last status shows what the bearers finally answered
  (void)pass();
}

}  // namespace tocsin::engine
