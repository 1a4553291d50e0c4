// Bearer scheduling: which bearer carries each claimed message, and what each bearer holds.
//
// In memory only, on the dispatcher's thread. A pass plans on a copy (Plan) of the room each
// bearer has, and the scheduler changes only when the dispatcher applies the plan after the
// pass's transaction committed; a pass that fails to commit leaves it as it was.
//
// Room: a bearer holds at most `limit` promotional messages not yet answered, and alerts and
// transactional messages may use as much again, so an alert's first submit never waits for more
// than what a bearer already holds. Messages spread over the bearers in turn (an alert fans out
// over every one of them); a reply leaves by the bearer it answers; a retry tries another
// bearer first; a job that chose its bearers goes out through those only.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/jobs/job.h"
#include "hardware/bearer/bearer.h"

namespace tocsin::engine {

// A message handed to a bearer and not yet answered.
struct Flight {
  size_t slot = 0;
  int attempts = 0;  // including this one
  int rank = 0;
  JobId job = 0;
};

// A claimed message as placement sees it.
struct Candidate {
  MessageId id = 0;
  JobId job = 0;
  int rank = 0;
  int attempts = 0;                            // before this one
  std::optional<std::string> lastBearer;       // a reply's bearer, or the one a retry failed on
  const std::vector<std::string>* chosen = nullptr;  // the job's bearers; null or empty: any
};

struct SlotView {
  std::string name;
  BearerHealth health;
  int minRank = 0;
  size_t limit = 0;
  size_t outstanding = 0;
  uint64_t submitted = 0, accepted = 0, failed = 0;
};

class BearerScheduler {
 public:
  // REQUIRES: before the first plan().
  void add(Bearer& bearer, int minRank, size_t limit);
  size_t size() const { return slots_.size(); }
  Bearer& bearer(size_t slot) { return *slots_[slot].bearer; }
  std::optional<size_t> slotNamed(const std::string& name) const;

  // Reads every bearer's health; returns those whose state changed since the last call.
  std::vector<std::pair<std::string, BearerHealth>> refreshHealth();

  class Plan {
   public:
    // Messages of rank >= 1 the bearers may take now, in all.
    size_t urgentRoom() const { return urgentRoom_; }
    // Promotions they may take once `urgentTaken` urgent messages are placed.
    size_t promotionalRoom(size_t urgentTaken) const;
    // Whether some usable bearer of `chosen` (any, when empty) has room for a message of `rank`.
    bool canServe(const std::vector<std::string>& chosen, int rank) const;
    // The bearer for `m`, taking its room; nullopt when none may take it now.
    std::optional<size_t> place(const Candidate& m);
    // What was placed, in order: (message, flight).
    const std::vector<std::pair<MessageId, Flight>>& placed() const { return placed_; }

   private:
    friend class BearerScheduler;
    const BearerScheduler* owner_ = nullptr;
    std::vector<size_t> room_, promoRoom_;
    size_t urgentRoom_ = 0;
    size_t nextSlot_ = 0;
    std::vector<std::pair<MessageId, Flight>> placed_;
    bool fits(size_t slot, const Candidate& m) const;
  };

  Plan plan() const;
  // After the pass committed: the plan's messages are in the bearers' hands.
  void apply(const Plan& plan);
  // After the pass committed: the bearer answered for `id` (accepted or failed) or gave it back.
  void finish(MessageId id, bool accepted, bool failed);
  // The flight of `id`, if a bearer holds it.
  const Flight* flight(MessageId id) const;
  size_t inFlight() const { return flights_.size(); }
  std::vector<MessageId> inFlightIds() const;
  bool alertsInFlight() const { return alertsInFlight_ > 0; }
  std::vector<SlotView> view() const;

 private:
  struct Slot {
    Bearer* bearer = nullptr;
    int minRank = 0;
    size_t limit = 0;
    size_t outstanding = 0;
    size_t promotional = 0;  // of which rank 0
    uint64_t submitted = 0, accepted = 0, failed = 0;
    BearerHealth health;
    bool usable() const { return health.state == BearerState::kUp || health.state == BearerState::kDegraded; }
  };

  std::vector<Slot> slots_;
  std::unordered_map<MessageId, Flight> flights_;
  size_t alertsInFlight_ = 0;
  size_t nextSlot_ = 0;  // where the round-robin starts
};

}  // namespace tocsin::engine
