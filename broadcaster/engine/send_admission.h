// Send admission: whether a claimed message may leave now, decided from facts the caller read
// from the store. Pure: no store, no clock; the dispatcher gathers the facts in its pass and
// records the verdict. Every verdict but kSend carries the reason a status view shows.
#pragma once

#include <optional>
#include <string>

#include "common/jobs/job.h"
#include "common/store/store.h"
#include "policies/decision.h"
#include "policies/policy_config.h"

namespace tocsin::engine {

struct Admission {
  enum class Verdict {
    kSend,
    kCancel,  // its job was cancelled
    kHold,    // its campaign is paused: held, without a time, until it resumes
    kExpire,  // its validity ended before it could leave
    kRefuse,  // a policy refuses it for good (consent, suppression, sender ID)
    kWait,    // not now (sending hours, frequency cap): again at `until`
  };
  Verdict verdict = Verdict::kSend;
  std::string reason;
  std::optional<Timestamp> until;  // kWait

  bool send() const { return verdict == Verdict::kSend; }
};

// The message's job as it stands in this pass.
Admission admitForJob(const JobStatus& job, Timestamp now);

// What a promotional message's recipient allows, read in this pass.
struct RecipientFacts {
  bool exists = false;                      // still a contact (not erased)
  std::string region;                       // ISO 3166 region of the number
  std::optional<ConsentStanding> standing;  // on the campaign's purpose
  bool suppressed = false;
  policy::Decision hours;                   // the promotional sending hours where the recipient is, now
  int recentPromotions = 0;                 // within the frequency cap's window
  std::optional<Timestamp> oldestRecent;
};

// Every rule again at the moment of sending: a STOP may have come since the fan-out.
Admission admitPromotion(const RecipientFacts& recipient, const std::string& purpose, const std::string& sender,
                         const policy::PolicyConfig& policies, Timestamp now);

}  // namespace tocsin::engine
