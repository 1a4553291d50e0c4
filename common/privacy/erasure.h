// Erasure of one person (GDPR Art. 17): their contact, consent history and message
// recipients are removed everywhere; a keyed fingerprint of the number is kept so the number
// is never imported or messaged again; the audit entry names neither the number nor the person.
#pragma once

#include "common/audit/audit_log.h"
#include "common/phone/phone.h"
#include "common/privacy/suppression.h"
#include "common/store/store.h"

namespace tocsin {

struct ErasureReport {
  bool contactFound = false;
  ContactId contactId = 0;
  ErasureCounts counts;
  bool suppressionAdded = false;  // false when the number was already suppressed
};

Result<ErasureReport> eraseNumber(Store& store, AuditLog& audit, const Suppressor& suppressor,
                                  const std::string& actor, const PhoneNumber& phone);

}  // namespace tocsin
