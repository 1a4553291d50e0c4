#include "common/privacy/erasure.h"

namespace tocsin {

Result<ErasureReport> eraseNumber(Store& store, AuditLog& audit, const Suppressor& suppressor,
                                  const std::string& actor, const PhoneNumber& phone) {
  ErasureReport report;
  TOCSIN_RETURN_IF_ERROR(audit.write(store, actor, [&](StoreTx& tx, AuditRecorder& rec) {
    report = ErasureReport{};
    std::string object = "contact:none";
    std::optional<ContactId> contactId;
    if (auto contact = tx.contacts().findByPhone(phone.e164)) {
      report.contactFound = true;
      report.contactId = contact->id;
      contactId = contact->id;
      object = "contact:" + std::to_string(contact->id);
    }
    // Everywhere the number can be, with or without a contact.
    report.counts = tx.privacy().eraseNumber(contactId, phone.e164, "erasure");
    report.suppressionAdded =
        tx.suppressions().add({suppressor.fingerprint(phone.e164), suppressor.keyVersion(), "erased", rec.now()});
    rec.record("contact.erase", object,
               report.counts.summary() + " suppression=" + (report.suppressionAdded ? "added" : "already-present"));
    return Status::okStatus();
  }));
  // The deleted rows must not linger in the write-ahead log either: the erasure is done only
  // once the log is emptied (the rows are gone from the database whatever happens here).
  if (Status compacted = store.compact(); !compacted.ok())
    return compacted.withContext("the number was erased from the store, but the erasure is not complete yet");
  return report;
}

}  // namespace tocsin
