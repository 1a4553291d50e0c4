// The dispatcher: the broadcaster's one loop from the store to the bearers and back.
//
// Each pass is one store transaction (a group commit) that
//   1. records what the bearers reported since the last pass (accepted, failed, receipts,
//      incoming SMS, handled by the inbound rules),
//   2. releases waiting messages whose time has come,
//   3. starts approved jobs and expands one batch of recipients (fan-out streams),
//   4. claims the next messages for every healthy bearer, most urgent first, and applies the
//      sending policies to promotional ones (consent, suppression, hours, caps, sender ID),
//   5. finishes jobs with nothing left to send, and publishes its status;
// and only after that commit are the claimed messages handed to the bearers. So every state
// change is durable before it is acted on, and a crash at any instant leaves at most the
// messages handed over and not yet answered with an unknown outcome: recover() puts them back
// in the queue at the next start (a bounded number of possible duplicates, never a loss).
//
// Priority. Claims always take the highest class first. While any alert is queued or on its
// way, promotional messages are not claimed at all, on any bearer; they resume by themselves
// when the alerts are out. Promotional messages in a bearer's hands are bounded by its
// outstanding limit, and alerts may go beyond it, so an alert's first submit never waits for
// more than what a bearer already holds.
//
// Threads: pass() and run() on one thread; the BearerListener callbacks come from the bearers'
// threads and only queue the event and wake the loop.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <unordered_map>
#include <variant>

#include "broadcaster/engine/expander.h"
#include "broadcaster/engine/inbound.h"
#include "common/audit/audit_log.h"
#include "common/base/time_zones.h"
#include "common/phone/phone.h"
#include "common/privacy/suppression.h"
#include "common/store/store.h"
#include "hardware/bearer/bearer.h"
#include "policies/policy_config.h"

namespace tocsin::engine {

struct DispatcherOptions {
  Micros idlePoll = std::chrono::milliseconds(5);   // how often an idle loop looks for new work
  int64_t expansionBatch = 50000;                   // recipients per fan-out step of an alert
  int64_t campaignBatch = 1000;                     // of a campaign: small, so an alert never waits long
  int maxAttempts = 5;                              // per message, across bearers
  Micros retryMin = std::chrono::seconds(2);        // backoff after a retryable failure, doubling
  Micros retryMax = std::chrono::minutes(5);
  Micros statusInterval = std::chrono::seconds(1);  // runtime status published to the store
};

struct BearerStats {
  std::string name;
  BearerHealth health;
  int minRank = 0;
  size_t limit = 0;
  size_t outstanding = 0;
  uint64_t submitted = 0, accepted = 0, failed = 0;
};

struct DispatcherStats {
  uint64_t passes = 0;
  uint64_t submitted = 0;      // handed to bearers
  uint64_t sent = 0;           // accepted by the network
  uint64_t failed = 0;
  uint64_t retried = 0;
  uint64_t delivered = 0;
  uint64_t refused = 0;        // by a policy at send time
  uint64_t waiting = 0;        // deferred (hours, caps)
  uint64_t receipts = 0;
  uint64_t incoming = 0;
  uint64_t resentParts = 0;    // parts a bearer sent twice (unknown outcome)
  uint64_t recovered = 0;      // messages of unknown outcome requeued at start
  uint64_t expanded = 0;       // recipients added by fan-out
  bool promotionsPaused = false;
  std::vector<BearerStats> bearers;
};

class Dispatcher final : public BearerListener {
 public:
  Dispatcher(Store& store, AuditLog& audit, const policy::PolicyConfig& policies, const TimeZones& zones,
             const Suppressor& suppressor, const PhoneNormalizer& phones, Clock& clock, DispatcherOptions options = {});
  ~Dispatcher() override;

  // `minRank`: the lowest class the bearer carries (0 everything, 1 no promotions, 2 alerts only).
  // `limit`: messages handed to it and not yet answered, for promotional traffic; alerts and
  // transactional messages may use as much again. REQUIRES: before start().
  void addBearer(Bearer& bearer, int minRank, size_t limit);

  // Requeues what a previous run left with an unknown outcome, then starts the bearers.
  Status start();
  // One pass (see above). Returns true when there is more to do right away.
  Result<bool> pass();
  // Passes until `stopping`; then stops claiming, waits up to `drain` for the bearers to answer
  // what they hold, stops them and records what they hand back.
  void run(const std::atomic<bool>& stopping, Micros drain);
  // Wakes the loop early (new work in the store).
  void wake();
  // Told of notable events after they are durable ("promotions.pause", "alert.done", bearer
  // health changes, store errors), for logs. Called on the dispatcher's thread.
  using Observer = std::function<void(const std::string& event, const std::string& detail)>;
  void setObserver(Observer observer) { observer_ = std::move(observer); }
  DispatcherStats stats() const;

  void onAccepted(const std::string& bearer, MessageId id, const std::vector<std::string>& carrierIds,
                  int resentParts) override;
  void onFailed(const std::string& bearer, MessageId id, FailureKind kind, const std::string& reason) override;
  void onReceipt(const std::string& bearer, const Receipt& receipt) override;
  void onIncoming(const IncomingMessage& message) override;

 private:
  struct Accepted {
    std::string bearer;
    MessageId id;
    std::vector<std::string> carrierIds;
    int resent;
  };
  struct Failed {
    std::string bearer;
    MessageId id;
    FailureKind kind;
    std::string reason;
  };
  struct ReceiptEvent {
    std::string bearer;
    Receipt receipt;
  };
  using Event = std::variant<Accepted, Failed, ReceiptEvent, IncomingMessage>;

  struct Slot {
    Bearer* bearer = nullptr;
    int minRank = 0;
    size_t limit = 0;
    size_t outstanding = 0;
    size_t promotional = 0;  // of which rank 0
    uint64_t submitted = 0, accepted = 0, failed = 0;
    BearerHealth health;
  };
  struct InFlight {
    size_t slot = 0;
    int attempts = 0;
    int rank = 0;
    JobId job = 0;
  };
  struct Handover {
    size_t slot;
    OutboundMessage message;
    InFlight flight;
  };
  struct PassWork;

  void push(Event e);
  Status apply(StoreTx& tx, AuditRecorder& audit, const Event& e, PassWork& work);
  void finishFlight(MessageId id);
  Status advanceJobs(StoreTx& tx, AuditRecorder& audit, PassWork& work);
  Status claim(StoreTx& tx, AuditRecorder& audit, PassWork& work);
  // Policies at send time; false when the message must not leave now (recorded here).
  bool admit(StoreTx& tx, const OutgoingMessage& m, const Job& job, Timestamp now, PassWork& work);
  const Job* job(StoreTx& tx, JobId id, PassWork& work);
  void publishStatus(StoreTx& tx, Timestamp now);
  Micros backoff(int attempts) const;

  Store& store_;
  AuditLog& audit_;
  const policy::PolicyConfig& policies_;
  const TimeZones& zones_;
  const Suppressor& suppressor_;
  Clock& clock_;
  DispatcherOptions options_;
  Expander expander_;
  InboundHandler inbound_;

  Observer observer_;
  std::vector<Slot> slots_;
  std::map<std::string, size_t> slotByName_;
  std::unordered_map<MessageId, InFlight> inFlight_;
  std::unordered_map<MessageId, std::pair<int, int>> multipart_;  // id -> (parts, delivered)
  std::deque<Event> retained_;  // events of a pass that failed to commit, tried again
  bool claiming_ = true;
  size_t nextSlot_ = 0;  // where the round-robin over bearers starts
  bool promotionsPaused_ = false;
  size_t alertsInFlight_ = 0;
  std::optional<Timestamp> nextWaiting_;
  Timestamp nextReleaseCheck_{};
  MonoTime nextStatus_{};
  MonoTime startedAt_{};

  mutable std::mutex mutex_;
  std::condition_variable wakeup_;
  std::vector<Event> events_;
  bool woken_ = false;
  DispatcherStats counters_;   // the dispatcher thread's own
  DispatcherStats published_;  // a copy for other threads, under mutex_
};

}  // namespace tocsin::engine
