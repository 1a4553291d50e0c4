#include "policies/retention.h"

namespace tocsin::policy {
namespace {

std::optional<Timestamp> cutoff(const std::optional<Micros>& period, Timestamp now) {
  if (!period) return std::nullopt;
  return now - *period;
}

}  // namespace

RetentionCutoffs retentionCutoffs(const RetentionConfig& p, Timestamp now) {
  return RetentionCutoffs{cutoff(p.messageBodies, now),          cutoff(p.deliveryReports, now),
                          cutoff(p.contactsWithoutConsent, now), cutoff(p.unconfirmedSignups, now),
                          cutoff(p.auditEntries, now),           cutoff(p.suppressions, now),
                          cutoff(p.links, now)};
}

}  // namespace tocsin::policy
