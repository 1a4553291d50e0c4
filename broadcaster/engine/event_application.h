// Event application: what the bearers reported, recorded in the store inside the dispatcher's
// pass. It reads the scheduler (which bearer holds a message, its attempts) and changes only the
// store; what the dispatcher must change in memory once the pass commits is returned in
// EventEffects.
//
//   accepted  -> sent (with carrier ids and parts)
//   failed    -> queued again (never sent), waiting for a retry with backoff, or failed for good
//   receipt   -> stored (and a webhook); delivered once every part is, counted in the store
//   incoming  -> the inbound rules (STOP, HELP, codes) and stored
#pragma once

#include <deque>
#include <optional>
#include <vector>

#include "broadcaster/engine/bearer_events.h"
#include "broadcaster/engine/bearer_scheduler.h"
#include "broadcaster/engine/inbound.h"
#include "common/audit/audit_log.h"
#include "common/store/store.h"

namespace tocsin::engine {

struct RetryPolicy {
  int maxAttempts = 5;                        // per message, across bearers
  Micros first = std::chrono::seconds(2);     // backoff after a retryable failure, doubling
  Micros max = std::chrono::minutes(5);
  Micros backoff(int attempts) const;         // after the `attempts`-th attempt failed
};

struct EventEffects {
  struct Finished {
    MessageId id = 0;
    bool accepted = false;
    bool failed = false;  // the bearer refused or lost it (a retry may follow)
  };
  std::vector<Finished> finished;       // flights that ended
  uint64_t sent = 0, failed = 0, retried = 0, delivered = 0, receipts = 0, incoming = 0, resentParts = 0;
  std::optional<Timestamp> earliestRetry;
};

class EventApplier {
 public:
  EventApplier(const policy::PolicyConfig& policies, const PhoneNormalizer& phones, const Suppressor& suppressor,
               RetryPolicy retry)
      : inbound_(policies, phones, suppressor), retry_(retry) {}

  Status apply(StoreTx& tx, AuditRecorder& audit, const BearerEvent& event, const BearerScheduler& bearers, Timestamp now,
               EventEffects& effects) const;
  // The first `count` of `events`, in order, as apply() would; acceptances in a row (most of a
  // broadcast) are recorded together in a few statements, not one each.
  Status applyAll(StoreTx& tx, AuditRecorder& audit, const std::deque<BearerEvent>& events, size_t count,
                  const BearerScheduler& bearers, Timestamp now, EventEffects& effects) const;

 private:
  MessageOutcome accepted(const Accepted& a, EventEffects& effects) const;
  void failed(StoreTx& tx, const Failed& f, const BearerScheduler& bearers, Timestamp now, EventEffects& effects) const;
  void receipt(StoreTx& tx, const ReceiptEvent& r, Timestamp now, EventEffects& effects) const;

  InboundHandler inbound_;
  RetryPolicy retry_;
};

}  // namespace tocsin::engine
