// Retention: deleting what is older than its kind's period.
//
// The sweeper takes cutoffs (computed from the configured periods by policies/retention),
// deletes or scrubs what lies before them in one audited transaction, and records counts
// only: a retention entry never names a person.
#pragma once

#include <optional>

#include "common/audit/audit_log.h"
#include "common/privacy/suppression.h"
#include "common/store/store.h"

namespace tocsin {

// For each kind, everything recorded before the cutoff goes; nullopt keeps that kind forever.
struct RetentionCutoffs {
  std::optional<Timestamp> messageBodies;
  std::optional<Timestamp> deliveryReports;
  std::optional<Timestamp> contactsWithoutConsent;
  std::optional<Timestamp> unconfirmedSignups;
  std::optional<Timestamp> auditEntries;
  std::optional<Timestamp> suppressions;
  std::optional<Timestamp> links;  // tracked short links made before (their counts per campaign stay)
};

struct SweepReport {
  int64_t messageBodies = 0;
  int64_t deliveryReports = 0;
  int64_t unconfirmedSignups = 0;
  int64_t contactsWithoutConsent = 0;
  int64_t auditEntries = 0;
  int64_t suppressions = 0;
  int64_t suppressionsAdded = 0;  // for deleted contacts who had opted out
  int64_t links = 0;
  int64_t total() const {
    return messageBodies + deliveryReports + unconfirmedSignups + contactsWithoutConsent + auditEntries + suppressions + links;
  }
  std::string summary() const;  // "message_bodies=3 delivery_reports=0 ..."
};

class RetentionSweeper {
 public:
  RetentionSweeper(Store& store, AuditLog& audit, const Suppressor& suppressor)
      : store_(store), audit_(audit), suppressor_(suppressor) {}

  // One sweep; always leaves an audit entry (a sweep that found nothing is evidence too).
  Result<SweepReport> sweep(const RetentionCutoffs& cutoffs, const std::string& actor = "system:retention");

 private:
  Store& store_;
  AuditLog& audit_;
  const Suppressor& suppressor_;
};

}  // namespace tocsin
