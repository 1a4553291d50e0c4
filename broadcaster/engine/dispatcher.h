// The dispatcher: the broadcaster's one loop from the store to the bearers and back.
//
// Each pass is one store transaction (a group commit) made of the engine's parts:
//   1. event application (event_application.h): what the bearers reported since the last pass;
//   2. waiting messages whose time has come go back to the queue;
//   3. the job lifecycle (job_lifecycle.h): jobs start, one batch of recipients is expanded,
//      jobs with nothing left to send are done;
//   4. claims for the room the bearers have (bearer_scheduler.h), most urgent first, each
//      message through send admission (send_admission.h);
//   5. the status published, when it changed.
// Only after that commit does memory change (what the bearers hold, counters) and are the
// claimed messages handed to the bearers. So every state change is durable before it is acted
// on, a pass that fails to commit changes nothing but is tried again with the same events, and
// a crash at any instant leaves at most the messages handed over and not yet answered with an
// unknown outcome: start() puts them back in the queue (possible duplicates, never a loss).
//
// Priority. Claims always take the highest class first. While any alert is queued, waiting or
// on its way, promotional messages are not claimed at all, on any bearer; they resume by
// themselves when the alerts are out.
//
// Event-driven. run() passes while there is work and otherwise sleeps on the clock until the
// next thing it knows of (a retry or a sending-hours wait ending, a scheduled start, a status
// to publish), a bearer event, or wake() (a new job or approval in this process, or another
// process's write notified through the wake channel). A fallback poll at `pollInterval` reads
// the store's change counter, without a transaction. An idle dispatcher writes nothing.
//
// Threads: start(), pass() and run() on one thread; the BearerListener callbacks and wake()
// from any thread: they only queue and wake.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include "broadcaster/engine/bearer_events.h"
#include "broadcaster/engine/bearer_scheduler.h"
#include "broadcaster/engine/event_application.h"
#include "broadcaster/engine/job_lifecycle.h"
#include "common/audit/audit_log.h"
#include "common/base/clock.h"
#include "common/base/time_zones.h"
#include "common/phone/phone.h"
#include "common/privacy/suppression.h"
#include "common/store/store.h"
#include "hardware/bearer/bearer.h"
#include "policies/policy_config.h"

namespace tocsin::engine {

struct DispatcherOptions {
  int64_t expansionBatch = 50000;                   // recipients per fan-out step of an alert
  int64_t campaignBatch = 1000;                     // of a campaign: small, so an alert never waits long
  int maxAttempts = 5;                              // per message, across bearers
  Micros retryMin = std::chrono::seconds(2);        // backoff after a retryable failure, doubling
  Micros retryMax = std::chrono::minutes(5);
  Micros statusInterval = std::chrono::seconds(1);  // at most this often, and only when it changed
  Micros pollInterval = std::chrono::seconds(1);    // fallback look for other processes' writes
  // Several nodes on one store (PostgreSQL): this node's name, unique among them. Empty: the
  // only node, whose claims need no lease.
  std::string node;
  Micros lease = std::chrono::seconds(10);  // how long a claim outlives a node that stopped renewing it
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
  uint64_t reclaimed = 0;      // messages of a node whose lease ended, requeued
  uint64_t expanded = 0;       // recipients added by fan-out
  uint64_t writes = 0;         // write transactions committed
  bool promotionsPaused = false;
  std::vector<SlotView> bearers;
};

class Dispatcher final : public BearerListener {
 public:
  Dispatcher(Store& store, AuditLog& audit, const policy::PolicyConfig& policies, const TimeZones& zones,
             const Suppressor& suppressor, const PhoneNormalizer& phones, Clock& clock, DispatcherOptions options = {});
  ~Dispatcher() override;
  // Campaigns' short links and STOP reply numbers (see Expander::useShops). REQUIRES: before start().
  void useShops(const ShopSettings& settings, const std::vector<BearerEntry>& bearers) {
    expander_.useShops(settings, bearers);
  }

  // `minRank`: the lowest class the bearer carries (0 everything, 1 no promotions, 2 alerts only).
  // `limit`: messages handed to it and not yet answered, for promotional traffic; alerts and
  // transactional messages may use as much again. REQUIRES: before start().
  void addBearer(Bearer& bearer, int minRank, size_t limit);

  // Requeues what a previous run left with an unknown outcome, then starts the bearers.
  Status start();
  // One pass (see above). Returns true when there is more to do right away.
  Result<bool> pass();
  // Passes while there is work, sleeps otherwise (see above), until `stopping`; then stops
  // claiming, waits up to `drain` for the bearers to answer what they hold, stops them and
  // records what they hand back. Wake it with wake() after setting `stopping`.
  void run(const std::atomic<bool>& stopping, Micros drain);
  // New work in the store: the next pass comes at once.
  void wake();
  // Told of notable events after they are durable ("promotions.pause", "alert.done", bearer
  // health changes, store errors), for logs. Called on the dispatcher's thread.
  using Observer = std::function<void(const std::string& event, const std::string& detail)>;
  void setObserver(Observer observer) { observer_ = std::move(observer); }
  // Called after a pass put deliveries in the webhook outbox (receipts, incoming messages).
  void setOutboxListener(std::function<void()> listener) { outboxListener_ = std::move(listener); }
  DispatcherStats stats() const;
  // When run()'s loop last came round (it does at least every pollInterval while it lives):
  // the daemon's watchdog pings only while this is recent. Any thread.
  MonoTime lastLoop() const { return MonoTime(MonoTime::duration(lastLoop_.load())); }

  void onAccepted(const std::string& bearer, MessageId id, const std::vector<std::string>& carrierIds,
                  int resentParts) override;
  void onFailed(const std::string& bearer, MessageId id, FailureKind kind, const std::string& reason) override;
  void onReceipt(const std::string& bearer, const Receipt& receipt) override;
  void onIncoming(const IncomingMessage& message) override;
  void onHealthChanged(const std::string& bearer) override;

 private:
  struct PassWork;

  void push(BearerEvent e);
  Status claim(StoreTx& tx, AuditRecorder& audit, PassWork& work);
  // The lease a claim made now takes (none on a single node).
  Lease lease(Timestamp now) const;  // from `now` on this machine's clock, in the store's time
  void readStoreClock(StoreTx& tx);   // measures storeOffset_ (several nodes)
  // Send admission for one claimed message; false when it does not leave now (recorded here).
  bool admit(StoreTx& tx, const OutgoingMessage& m, const Job& job, PassWork& work);
  // Reads what admission needs of the claimed promotions' recipients, all at once.
  void prefetchRecipients(StoreTx& tx, const std::vector<OutgoingMessage>& claimed, PassWork& work);
  const JobStatus* jobStatus(StoreTx& tx, JobId id, PassWork& work);
  void publishStatus(StoreTx& tx, const PassWork& work);
  void applyAfterCommit(PassWork& work);
  // The next time a pass is due without any event, as a monotonic deadline.
  MonoTime nextDeadline(MonoTime nowMono, Timestamp now) const;

  Store& store_;
  AuditLog& audit_;
  const policy::PolicyConfig& policies_;
  const TimeZones& zones_;
  const Suppressor& suppressor_;
  Clock& clock_;
  DispatcherOptions options_;
  Expander expander_;
  EventApplier events_;
  JobLifecycle lifecycle_;
  BearerScheduler bearers_;
  JobContents contents_;

  Observer observer_;
  std::function<void()> outboxListener_;
  std::deque<BearerEvent> retained_;  // events of passes that failed to commit, tried again
  bool claiming_ = true;
  std::atomic<MonoTime::rep> lastLoop_{0};
  bool promotionsPaused_ = false;
  std::optional<Timestamp> nextWaiting_;
  std::optional<Timestamp> nextStart_;
  Timestamp nextReleaseCheck_{};
  Timestamp nextLeaseCheck_{};  // renew this node's leases, take back those of dead nodes
  // Several nodes: how far the database server's clock is ahead of this machine's, read at each
  // lease check. Leases are set and judged in the server's time, so that a node whose clock is
  // off neither takes back a live node's claims early nor loses its own.
  Micros storeOffset_{0};
  MonoTime nextStatus_{};
  bool statusDirty_ = true;
  std::optional<uint64_t> lastChangeCount_;

  mutable std::mutex mutex_;
  Wakeup wakeup_;
  std::vector<BearerEvent> queued_;  // from the bearers' threads, under mutex_
  bool externalChange_ = true;       // someone else wrote (wake() or the poll), under mutex_
  DispatcherStats counters_;         // the dispatcher thread's own
  DispatcherStats published_;        // a copy for other threads, under mutex_
};

}  // namespace tocsin::engine
