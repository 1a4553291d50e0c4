#include "broadcaster/engine/send_admission.h"

#include "policies/promotion.h"

namespace tocsin::engine {
namespace {

Admission verdict(Admission::Verdict v, std::string reason, std::optional<Timestamp> until = std::nullopt) {
  return Admission{v, std::move(reason), until};
}

Admission fromDecision(const policy::Decision& d) {
  if (d.refused()) return verdict(Admission::Verdict::kRefuse, d.reason);
  if (d.waits()) return verdict(Admission::Verdict::kWait, d.reason, d.waitUntil);
  return {};
}

}  // namespace

Admission admitForJob(const JobStatus& job, Timestamp now) {
  if (job.state == JobState::kCancelled)
    return verdict(Admission::Verdict::kCancel, std::string("the ") + jobKindName(job.kind) + " was cancelled");
  if (job.state == JobState::kPaused) return verdict(Admission::Verdict::kHold, "");
  if (job.expiresAt && *job.expiresAt <= now)
    return verdict(Admission::Verdict::kExpire,
                   "its validity ended at " + formatUtc(*job.expiresAt) + " before it could be sent");
  return {};
}

Admission admitPromotion(const RecipientFacts& r, const std::string& purpose, const std::string& sender,
                         const policy::PolicyConfig& policies, Timestamp now) {
  if (!r.exists) return verdict(Admission::Verdict::kRefuse, "the contact no longer exists (erased)");
  policy::ConsentView view;
  if (r.standing) {
    view.state = r.standing->state == ConsentAction::kConfirmed   ? policy::ConsentView::State::kConfirmed
                 : r.standing->state == ConsentAction::kWithdrawn ? policy::ConsentView::State::kWithdrawn
                                                                  : policy::ConsentView::State::kGranted;
    view.since = r.standing->since;
  }
  Admission a = fromDecision(policy::promotionalConsent(purpose, view, r.suppressed));
  if (!a.send()) return a;
  a = fromDecision(policy::senderAllowed(policies.senders, r.region, sender));
  if (!a.send()) return a;
  a = fromDecision(r.hours);
  if (!a.send()) return a;
  if (policies.frequencyCap.maxMessages > 0)
    return fromDecision(policy::frequencyCap(policies.frequencyCap, r.recentPromotions, r.oldestRecent, now));
  return a;
}

}  // namespace tocsin::engine
