#include "broadcaster/engine/dispatcher.h"

#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "broadcaster/engine/job_texts.h"
#include "broadcaster/engine/send_admission.h"
#include "common/base/json_text.h"
#include "common/base/version.h"
#include "policies/message_class.h"
#include "policies/sending_hours.h"

namespace tocsin::engine {
namespace {

constexpr const char* kActor = "system:broadcaster";

}  // namespace

// What one pass gathers inside its transaction, applied to memory once it commits.
struct Dispatcher::PassWork {
  struct Handover {
    size_t slot = 0;
    OutboundMessage message;
  };

  Timestamp now;
  MonoTime mono;
  bool external = false;         // someone else wrote: look at waiting messages again
  bool publish = false;          // the status is due in this pass
  EventEffects effects;
  LifecycleStep lifecycle;
  std::optional<BearerScheduler::Plan> plan;
  std::vector<Handover> handovers;
  std::unordered_map<JobId, std::optional<JobStatus>> statuses;
  std::map<std::pair<std::string, std::string>, policy::Decision> hours;  // (region, time zone)
  // The recipients of the promotions claimed in this pass, read together before admission:
  // three statements for the lot instead of three a message.
  struct Recipient {
    Contact contact;
    Digest fingerprint{};  // of the phone number, as the suppression list keeps it
    bool suppressed = false;
  };
  std::unordered_map<ContactId, Recipient> recipients;                       // those that exist
  std::map<std::pair<ContactId, std::string>, ConsentStanding> standings;   // (contact, purpose)
  std::vector<Note> notes;
  bool promotionsPaused = false;
  bool checkedWaiting = false;
  bool checkedLeases = false;
  int64_t reclaimed = 0;
  std::optional<Timestamp> nextWaiting;  // from the store, when checked
  std::optional<Timestamp> newWaits;     // waits decided in this pass
  uint64_t refused = 0, waiting = 0;
  bool busy = false;

  void wait(Timestamp until) {
    if (!newWaits || until < *newWaits) newWaits = until;
  }
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
      events_(policies, phones, suppressor, RetryPolicy{options.maxAttempts, options.retryMin, options.retryMax}),
      lifecycle_(expander_, LifecycleOptions{options.expansionBatch, options.campaignBatch}) {}

Dispatcher::~Dispatcher() = default;

void Dispatcher::addBearer(Bearer& bearer, int minRank, size_t limit) { bearers_.add(bearer, minRank, limit); }

Status Dispatcher::start() {
  int64_t requeued = 0;
  TOCSIN_RETURN_IF_ERROR(audit_.write(store_, kActor, [&](StoreTx& tx, AuditRecorder& rec) {
    if (!options_.node.empty()) readStoreClock(tx);
    requeued = tx.messages().requeueSubmitted(
        "outcome unknown after the broadcaster stopped while a bearer held it; sent again", rec.now() + storeOffset_,
        options_.node);
    rec.record("broadcaster.start", "store",
               std::to_string(requeued) + " messages of unknown outcome put back in the queue (possible duplicates)");
    return Status::okStatus();
  }));
  counters_.recovered = static_cast<uint64_t>(requeued);
  if (auto changes = store_.changeCount(); changes.ok()) lastChangeCount_ = *changes;
  for (size_t i = 0; i < bearers_.size(); ++i) bearers_.bearer(i).start(*this);
  return Status::okStatus();
}

void Dispatcher::push(BearerEvent e) {
  {
    std::lock_guard lock(mutex_);
    queued_.push_back(std::move(e));
  }
  wakeup_.notify();
}

void Dispatcher::wake() {
  {
    std::lock_guard lock(mutex_);
    externalChange_ = true;
  }
  wakeup_.notify();
}

void Dispatcher::onAccepted(const std::string& bearer, MessageId id, const std::vector<std::string>& carrierIds,
                            int resentParts) {
  push(Accepted{bearer, id, carrierIds, resentParts});
}
void Dispatcher::onFailed(const std::string& bearer, MessageId id, FailureKind kind, const std::string& reason) {
  push(Failed{bearer, id, kind, reason, reason == kBearerStopped});
}
void Dispatcher::onReceipt(const std::string& bearer, const Receipt& receipt) { push(ReceiptEvent{bearer, receipt}); }
void Dispatcher::onIncoming(const IncomingMessage& message) { push(message); }
void Dispatcher::onHealthChanged(const std::string&) { wakeup_.notify(); }

DispatcherStats Dispatcher::stats() const {
  std::lock_guard lock(mutex_);
  return published_;
}

const JobStatus* Dispatcher::jobStatus(StoreTx& tx, JobId id, PassWork& work) {
  auto it = work.statuses.find(id);
  if (it == work.statuses.end()) it = work.statuses.emplace(id, tx.jobs().status(id)).first;
  return it->second ? &*it->second : nullptr;
}

void Dispatcher::prefetchRecipients(StoreTx& tx, const std::vector<OutgoingMessage>& claimed, PassWork& work) {
  std::map<std::string, std::vector<ContactId>> byPurpose;
  std::vector<ContactId> ids;
  for (const OutgoingMessage& m : claimed) {
    if (m.rank != 0 || !m.contact) continue;
    const Job* job = contents_.get(tx, m.job);
    if (!job) continue;
    byPurpose[job->purpose.value_or("")].push_back(*m.contact);
    ids.push_back(*m.contact);
  }
  if (ids.empty()) return;
  std::vector<Digest> fingerprints;
  for (Contact& c : tx.contacts().findByIds(ids)) {
    fingerprints.push_back(suppressor_.fingerprint(c.phone));
    work.recipients[c.id] = {std::move(c), fingerprints.back(), false};
  }
  const std::set<Digest> suppressed = tx.suppressions().containing(fingerprints);
  for (auto& [id, r] : work.recipients) r.suppressed = suppressed.count(r.fingerprint) > 0;
  for (const auto& [purpose, contacts] : byPurpose)
    for (const auto& [id, standing] : tx.consent().standingOf(contacts, purpose)) work.standings[{id, purpose}] = standing;
}

bool Dispatcher::admit(StoreTx& tx, const OutgoingMessage& m, const Job& job, PassWork& work) {
  const JobStatus* status = jobStatus(tx, m.job, work);
  Admission a = status ? admitForJob(*status, work.now) : Admission{Admission::Verdict::kCancel, "its job is gone", {}};
  if (a.send() && m.rank == 0) {
    const std::string purpose = job.purpose.value_or("");
    RecipientFacts facts;
    // The recipient as prefetchRecipients() read it for this pass.
    const Contact* contact = nullptr;
    if (auto it = m.contact ? work.recipients.find(*m.contact) : work.recipients.end(); it != work.recipients.end()) {
      contact = &it->second.contact;
      facts.suppressed = it->second.suppressed;
      if (auto s = work.standings.find({*m.contact, purpose}); s != work.standings.end()) facts.standing = s->second;
    }
    if (contact) {
      facts.exists = true;
      facts.region = contact->region;
      const std::string zone = contact->details.timeZone.value_or("");
      auto key = std::make_pair(contact->region, zone);
      auto cached = work.hours.find(key);
      if (cached == work.hours.end())
        cached = work.hours.emplace(key, policy::promotionalHours(policies_.hours, zones_, contact->region, zone, work.now)).first;
      facts.hours = cached->second;
      if (policies_.frequencyCap.maxMessages > 0) {
        const auto [recent, oldest] = tx.messages().recentPromotional(contact->id, work.now - policies_.frequencyCap.window);
        facts.recentPromotions = recent;
        facts.oldestRecent = oldest;
      }
    }
    a = admitPromotion(facts, purpose, job.sender.value_or(""), policies_, work.now);
  }
  if (a.send()) return true;
  MessageOutcome o;
  o.id = m.id;
  o.attemptDelta = -1;  // it never left: the claim's attempt does not count
  switch (a.verdict) {
    case Admission::Verdict::kCancel: o.state = MessageState::kCancelled; break;
    case Admission::Verdict::kHold: o.state = MessageState::kWaiting; break;  // no time: until it resumes
    case Admission::Verdict::kExpire: o.state = MessageState::kExpired; ++work.refused; break;
    case Admission::Verdict::kRefuse: o.state = MessageState::kRefused; ++work.refused; break;
    case Admission::Verdict::kWait:
      o.state = MessageState::kWaiting;
      o.notBefore = a.until;
      if (a.until) work.wait(*a.until);
      ++work.waiting;
      break;
    case Admission::Verdict::kSend: break;
  }
  if (!a.reason.empty()) o.error = a.reason;
  tx.messages().record(o, work.now);
  return false;
}

Lease Dispatcher::lease(Timestamp now) const {
  if (options_.node.empty()) return {};
  return {options_.node, now + storeOffset_ + options_.lease};
}

void Dispatcher::readStoreClock(StoreTx& tx) {
  const Timestamp before = clock_.now();
  const auto server = tx.runtime().serverClock();
  if (!server) return;  // a file on this machine: its clock is the store's
  const Timestamp after = clock_.now();
  storeOffset_ = *server - (before + (after - before) / 2);
}

Status Dispatcher::claim(StoreTx& tx, AuditRecorder& audit, PassWork& work) {
  // Pre-emption: while an alert is queued, waiting for a retry or on its way, no promotion is
  // claimed anywhere.
  const bool alerts = bearers_.alertsInFlight() || tx.messages().anyPendingAtOrAbove(kAlertRank);
  if (alerts != promotionsPaused_) {
    const std::string event = alerts ? "promotions.pause" : "promotions.resume";
    const std::string why = alerts ? "an alert is being sent: promotional sending stops on every bearer"
                                   : "no alert left to send: promotional sending resumes";
    audit.record(event, "broadcaster", why);
    work.notes.push_back({event, why});
  }
  work.promotionsPaused = alerts;
  if (!claiming_) return Status::okStatus();
  work.plan = bearers_.plan();
  BearerScheduler::Plan& plan = *work.plan;
  if (plan.urgentRoom() == 0) return Status::okStatus();
  // A job whose chosen bearers cannot take anything now stays in the queue without holding up
  // the others behind it.
  std::vector<JobId> skip;
  for (const JobStatus& j : work.lifecycle.sending) {
    const Job* content = contents_.get(tx, j.id);
    if (content && !content->bearers.empty() && !plan.canServe(content->bearers, rank(j.messageClass))) skip.push_back(j.id);
  }
  const Lease held = lease(work.now);
  std::vector<OutgoingMessage> claimed =
      tx.messages().claim(1, static_cast<int64_t>(plan.urgentRoom()), work.now, skip, held);
  if (!work.promotionsPaused) {
    if (const size_t room = plan.promotionalRoom(claimed.size()); room > 0) {
      auto promos = tx.messages().claim(0, static_cast<int64_t>(room), work.now, skip, held);
      claimed.insert(claimed.end(), std::make_move_iterator(promos.begin()), std::make_move_iterator(promos.end()));
    }
  }
  prefetchRecipients(tx, claimed, work);
  for (const OutgoingMessage& m : claimed) {
    const Job* job = contents_.get(tx, m.job);
    if (!job) return Status::dataLoss("message " + std::to_string(m.id) + " belongs to no job");
    if (!admit(tx, m, *job, work)) continue;
    if (job->texts.empty() && !m.body) {
      MessageOutcome o{m.id, MessageState::kFailed, std::nullopt, std::nullopt, std::nullopt,
                       "its job's text is gone (scrubbed by retention)", std::nullopt, -1};
      tx.messages().record(o, work.now);
      continue;
    }
    const auto slot = plan.place(Candidate{m.id, m.job, m.rank, m.attempts, m.bearer, &job->bearers});
    if (!slot) {
      // No bearer may take it in this pass (a transactional message and only alert bearers with
      // room): back to the queue, no attempt counted.
      MessageOutcome o;
      o.id = m.id;
      o.state = MessageState::kQueued;
      o.attemptDelta = -1;
      tx.messages().record(o, work.now);
      continue;
    }
    OutboundMessage out;
    out.id = m.id;
    out.destination = m.destination;
    out.sender = job->sender.value_or("");
    out.text = m.body ? *m.body : textFor(job->texts, m.language).second;
    out.priority = m.rank;
    out.networkPriority = policy::smppPriority(job->messageClass);
    out.wantReceipt = true;
    out.expiresAt = job->expiresAt;
    out.label = job->label();
    work.handovers.push_back({*slot, std::move(out)});
  }
  if (!work.handovers.empty()) work.busy = true;
  return Status::okStatus();
}

void Dispatcher::publishStatus(StoreTx& tx, const PassWork& work) {
  const DispatcherStats& c = counters_;
  std::string b = "{\"pid\":" + std::to_string(::getpid()) + ",\"version\":\"" + tocsinVersion() + "\",\"promotions_paused\":" +
                  (work.promotionsPaused ? "true" : "false") + ",\"in_flight\":" + std::to_string(bearers_.inFlight()) +
                  ",\"submitted\":" + std::to_string(c.submitted) + ",\"sent\":" + std::to_string(c.sent) +
                  ",\"failed\":" + std::to_string(c.failed) + ",\"delivered\":" + std::to_string(c.delivered) +
                  ",\"recovered\":" + std::to_string(c.recovered) + ",\"passes\":" + std::to_string(c.passes);
  if (!options_.node.empty()) {
    b += ",\"reports_every_ms\":" + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(options_.lease / 3).count());
    b += ",\"clock_offset_ms\":" + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(storeOffset_).count());
  }
  b += "}";
  // Several nodes on one store publish side by side, each under its name.
  const std::string node = options_.node.empty() ? "" : "@" + options_.node;
  // Stamped in the store's time, so that any node tells how long ago another reported.
  const Timestamp at = work.now + storeOffset_;
  tx.runtime().put("broadcaster" + node, b, at);
  for (const SlotView& s : bearers_.view()) {
    std::string v = "{\"state\":";
    appendJsonString(v, bearerStateName(s.health.state));
    v += ",\"detail\":";
    appendJsonString(v, s.health.detail);
    v += ",\"carries\":" + std::to_string(s.minRank) + ",\"limit\":" + std::to_string(s.limit) +
         ",\"outstanding\":" + std::to_string(s.outstanding) + ",\"submitted\":" + std::to_string(s.submitted) +
         ",\"accepted\":" + std::to_string(s.accepted) + ",\"failed\":" + std::to_string(s.failed) + "}";
    tx.runtime().put("bearer:" + s.name + node, v, at);
  }
}

void Dispatcher::applyAfterCommit(PassWork& work) {
  const EventEffects& e = work.effects;
  for (const auto& f : e.finished) bearers_.finish(f.id, f.accepted, f.failed);
  counters_.sent += e.sent;
  counters_.failed += e.failed;
  counters_.retried += e.retried;
  counters_.delivered += e.delivered;
  counters_.receipts += e.receipts;
  counters_.incoming += e.incoming;
  counters_.resentParts += e.resentParts;
  counters_.refused += work.refused;
  counters_.waiting += work.waiting;
  counters_.expanded += work.lifecycle.expanded;
  promotionsPaused_ = work.promotionsPaused;
  if (work.checkedWaiting) {
    nextWaiting_ = work.nextWaiting;
    nextReleaseCheck_ = work.now + std::chrono::seconds(1);
  }
  if (work.checkedLeases) nextLeaseCheck_ = work.now + options_.lease / 3;
  counters_.reclaimed += static_cast<uint64_t>(work.reclaimed);
  for (const auto& w : {e.earliestRetry, work.newWaits})
    if (w && (!nextWaiting_ || *w < *nextWaiting_)) nextWaiting_ = w;
  nextStart_ = work.lifecycle.nextStart;
  for (JobId id : work.lifecycle.ended) contents_.forget(id);
  if (work.plan) bearers_.apply(*work.plan);
  counters_.submitted += work.handovers.size();
  ++counters_.passes;
  if (work.publish) {
    statusDirty_ = false;
    nextStatus_ = work.mono + options_.statusInterval;
  }
  if (work.busy || !work.notes.empty() || !e.finished.empty()) statusDirty_ = true;
  counters_.promotionsPaused = promotionsPaused_;
  counters_.bearers = bearers_.view();
  std::lock_guard lock(mutex_);
  published_ = counters_;
}

Result<bool> Dispatcher::pass() {
  PassWork work;
  work.now = clock_.now();
  work.mono = clock_.monotonic();
  {
    std::lock_guard lock(mutex_);
    for (auto& e : queued_) retained_.push_back(std::move(e));
    queued_.clear();
    work.external = externalChange_;
    externalChange_ = false;
  }
  for (const auto& [name, health] : bearers_.refreshHealth()) {
    work.notes.push_back({"bearer." + std::string(bearerStateName(health.state)), name + ": " + health.detail});
    statusDirty_ = true;
  }
  work.publish = statusDirty_ && work.mono >= nextStatus_;
  const size_t applied = retained_.size();
  const Status st = audit_.write(store_, kActor, [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    TOCSIN_RETURN_IF_ERROR(events_.applyAll(tx, rec, retained_, applied, bearers_, work.now, work.effects));
    if (applied) work.busy = true;
    if (work.external || (nextWaiting_ && *nextWaiting_ <= work.now) || work.now >= nextReleaseCheck_) {
      if (tx.messages().releaseWaiting(work.now) > 0) work.busy = true;
      work.nextWaiting = tx.messages().nextWaiting();
      work.checkedWaiting = true;
    }
    if (!options_.node.empty() && work.now >= nextLeaseCheck_) {
      // Several nodes: what this node holds stays its own; what a dead node held comes back.
      // The status goes out too, changed or not: the other nodes' `tocsinctl status` tells a
      // quiet node from a dead one by how long ago it last reported.
      work.checkedLeases = true;
      work.publish = true;
      readStoreClock(tx);
      if (bearers_.inFlight() > 0) tx.messages().renewLeases(lease(work.now), bearers_.inFlightIds());
      work.reclaimed = tx.messages().requeueExpired(
          "the node holding it stopped renewing its lease (it died or lost the store); sent again", work.now + storeOffset_);
      if (work.reclaimed > 0) {
        rec.record("broadcaster.reclaim", "store",
                   std::to_string(work.reclaimed) + " messages of a node whose lease ended put back in the queue "
                                                     "(possible duplicates)");
        work.busy = true;
      }
    }
    TOCSIN_ASSIGN_OR_RETURN(work.lifecycle, lifecycle_.advance(tx, rec, contents_, work.now));
    if (work.lifecycle.busy) work.busy = true;
    for (auto& n : work.lifecycle.notes) work.notes.push_back(std::move(n));
    TOCSIN_RETURN_IF_ERROR(claim(tx, rec, work));
    if (work.publish) publishStatus(tx, work);
    return Status::okStatus();
  });
  if (!st.ok()) {
    contents_.rollback();
    {
      std::lock_guard lock(mutex_);
      externalChange_ = externalChange_ || work.external;
    }
    if (observer_) observer_("store.error", st.message());
    return st;  // the events stay retained for the next pass
  }
  contents_.commit();
  retained_.erase(retained_.begin(), retained_.begin() + static_cast<std::ptrdiff_t>(applied));
  applyAfterCommit(work);
  if (observer_)
    for (const auto& n : work.notes) observer_(n.event, n.detail);
  if (outboxListener_ && (work.effects.receipts || work.effects.incoming)) outboxListener_();
  // Durable: now the bearers may have them.
  for (auto& h : work.handovers) {
    Bearer& bearer = bearers_.bearer(h.slot);
    const MessageId id = h.message.id;
    if (!bearer.submit(std::move(h.message)))
      push(Failed{bearer.name(), id, FailureKind::kRetryable, "the bearer refused it (queue full or stopping)", false});
  }
  return work.busy;
}

MonoTime Dispatcher::nextDeadline(MonoTime mono, Timestamp now) const {
  MonoTime next = MonoTime::max();
  auto at = [&](Timestamp t) { return mono + std::max(Micros(0), std::chrono::duration_cast<Micros>(t - now)); };
  if (nextWaiting_) next = std::min(next, at(*nextWaiting_));
  if (nextStart_) next = std::min(next, at(*nextStart_));
  if (statusDirty_) next = std::min(next, nextStatus_);
  if (!options_.node.empty()) next = std::min(next, at(nextLeaseCheck_));
  return next;
}

void Dispatcher::run(const std::atomic<bool>& stopping, Micros drain) {
  MonoTime nextPoll = clock_.monotonic() + options_.pollInterval;
  bool due = true;
  while (!stopping) {
    lastLoop_ = clock_.monotonic().time_since_epoch().count();
    if (due) {
      const auto busy = pass();
      if (!busy.ok()) {
        // A store error: try again shortly; the events are kept.
        clock_.sleepFor(std::chrono::milliseconds(100), wakeup_);
        continue;
      }
      if (*busy) continue;
    }
    const MonoTime deadline = std::min(nextPoll, nextDeadline(clock_.monotonic(), clock_.now()));
    const bool woken = !clock_.sleepUntil(deadline, wakeup_);
    const MonoTime mono = clock_.monotonic();
    due = woken || mono >= nextDeadline(mono, clock_.now());
    if (mono >= nextPoll) {
      // The fallback for writers that could not wake us: the store's change counter, read
      // without a transaction.
      nextPoll = mono + options_.pollInterval;
      if (auto changes = store_.changeCount(); changes.ok()) {
        if (lastChangeCount_ && *changes != *lastChangeCount_) {
          std::lock_guard lock(mutex_);
          externalChange_ = true;
          due = true;
        }
        lastChangeCount_ = *changes;
      }
    }
  }
  // Drain: no new claims; record what the bearers answer for what they hold.
  claiming_ = false;
  const MonoTime deadline = clock_.monotonic() + drain;
  (void)pass();
  while (bearers_.inFlight() > 0 && clock_.monotonic() < deadline) {
    clock_.sleepUntil(deadline, wakeup_);
    (void)pass();
  }
  for (size_t i = 0; i < bearers_.size(); ++i) bearers_.bearer(i).stop(std::chrono::seconds(0));
  (void)pass();
  statusDirty_ = true;
  nextStatus_ = MonoTime{};  // the last status shows what the bearers finally answered
  (void)pass();
}

}  // namespace tocsin::engine
