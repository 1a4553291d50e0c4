// The contact book: adding and updating people, with the checks every path shares.
#pragma once

#include <string>

#include "common/audit/audit_log.h"
#include "common/phone/phone.h"
#include "common/privacy/suppression.h"
#include "common/store/store.h"

namespace tocsin {

// Checks the optional fields: language tag, IANA time zone name, zone code, name, coordinates.
Status validateDetails(const ContactDetails& details);

// Fields of `update` that are set replace those of `base`; unset ones keep `base`'s.
ContactDetails mergeDetails(const ContactDetails& base, const ContactDetails& update);

struct UpsertResult {
  enum class Outcome { kCreated, kUpdated, kUnchanged };
  ContactId id = 0;
  Outcome outcome = Outcome::kCreated;
};

class ContactBook {
 public:
  explicit ContactBook(const Suppressor& suppressor) : suppressor_(suppressor) {}

  // Creates the contact or merges `details` into the existing one; call inside an audited write.
  // A suppressed number is refused unless `personSignedUp` (the person's own explicit sign-up,
  // which lifts the suppression, audited); imports and staff entries never lift it.
  Result<UpsertResult> upsert(StoreTx& tx, AuditRecorder& audit, const PhoneNumber& phone,
                              const ContactDetails& details, const std::string& source, bool personSignedUp) const;

  // The same without auditing each contact: for bulk paths that audit once for the batch.
  // Suppressed numbers are always refused here. `fingerprint` is the number's suppression
  // fingerprint when the caller computed it already (see fingerprint()).
  Result<UpsertResult> applyUnaudited(StoreTx& tx, const PhoneNumber& phone, const ContactDetails& details,
                                      const std::string& source, Timestamp now,
                                      const Digest* fingerprint = nullptr) const;
  Digest fingerprint(const PhoneNumber& phone) const { return suppressor_.fingerprint(phone.e164); }

  bool isSuppressed(StoreTx& tx, const std::string& e164) const {
    return tx.suppressions().contains(suppressor_.fingerprint(e164));
  }

 private:
  const Suppressor& suppressor_;
};

}  // namespace tocsin
