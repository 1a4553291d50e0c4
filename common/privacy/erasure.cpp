#include "common/privacy/erasure.h"

namespace tocsin {

Result<ErasureReport> eraseNumber(Store& store, AuditLog& audit, const Suppressor& suppressor,
                                  const std::string& actor, const PhoneNumber& phone) {
  ErasureReport report;
  TOCSIN_RETURN_IF_ERROR(audit.write(store, actor, [&](StoreTx& tx, AuditRecorder& rec) {
    report = ErasureReport{};
    std::string object = "contact:none";
    if (auto contact = tx.contacts().findByPhone(phone.e164)) {
      report.contactFound = true;
      report.contactId = contact->id;
      report.counts = tx.privacy().eraseContact(contact->id);
      object = "contact:" + std::to_string(contact->id);
    }
    report.suppressionAdded =
        tx.suppressions().add({suppressor.fingerprint(phone.e164), suppressor.keyVersion(), "erased", rec.now()});
    rec.record("contact.erase", object,
               "consent_events=" + std::to_string(report.counts.consentEvents) +
                   " messages_scrubbed=" + std::to_string(report.counts.messagesScrubbed) +
                   " suppression=" + (report.suppressionAdded ? "added" : "already-present"));
    return Status::okStatus();
  }));
  // The deleted rows must not linger in the write-ahead log either.
  TOCSIN_RETURN_IF_ERROR(store.compact());
  return report;
}

}  // namespace tocsin
