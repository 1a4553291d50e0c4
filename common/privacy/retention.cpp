#include "common/privacy/retention.h"

namespace tocsin {

std::string SweepReport::summary() const {
  return "message_bodies=" + std::to_string(messageBodies) + " delivery_reports=" + std::to_string(deliveryReports) +
         " unconfirmed_signups=" + std::to_string(unconfirmedSignups) +
         " contacts_without_consent=" + std::to_string(contactsWithoutConsent) +
         " audit_entries=" + std::to_string(auditEntries) + " suppressions=" + std::to_string(suppressions) +
         " suppressions_added=" + std::to_string(suppressionsAdded) + " links=" + std::to_string(links);
}

Result<SweepReport> RetentionSweeper::sweep(const RetentionCutoffs& c, const std::string& actor) {
  SweepReport report;
  Status st = audit_.write(store_, actor, [&](StoreTx& tx, AuditRecorder& rec) {
    report = SweepReport{};
    PrivacyRepository& p = tx.privacy();
    if (c.messageBodies) report.messageBodies = p.scrubMessagesBefore(*c.messageBodies);
    if (c.deliveryReports) report.deliveryReports = p.deleteDeliveryReportsBefore(*c.deliveryReports);
    if (c.unconfirmedSignups)
      report.unconfirmedSignups =
          p.deleteUnconfirmedSignupsBefore(*c.unconfirmedSignups) + tx.signups().purge(*c.unconfirmedSignups);
    if (c.suppressions) report.suppressions = p.deleteSuppressionsBefore(*c.suppressions);
    if (c.contactsWithoutConsent) {
      std::vector<std::string> optedOut;
      report.contactsWithoutConsent = p.deleteContactsWithoutConsentBefore(*c.contactsWithoutConsent, optedOut);
      // Their objection outlives their record.
      for (const auto& phone : optedOut)
        if (tx.suppressions().add({suppressor_.fingerprint(phone), suppressor_.keyVersion(), "withdrawn", rec.now()}))
          ++report.suppressionsAdded;
    }
    if (c.links) report.links = tx.shops().purgeLinks(*c.links);
    if (c.auditEntries) report.auditEntries = audit_.trimBefore(tx, rec, *c.auditEntries);
    rec.record("retention.sweep", "store", report.summary());
    return Status::okStatus();
  });
  if (!st.ok()) return st;
  if (report.total() > 0) TOCSIN_RETURN_IF_ERROR(store_.compact());
  return report;
}

}  // namespace tocsin
