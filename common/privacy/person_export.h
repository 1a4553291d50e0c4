// Right of access (GDPR art. 15): everything the store holds about one number, as a signed JSON
// document and a page a person can read.
//
// The copy holds the contact, every consent event with the exact text it cites, the current
// standing per purpose, the messages sent to the number (date, class, job, state), the
// messages it sent, pending sign-ups and whether the number is suppressed. Its audit entry
// names the contact id and the counts, never the number.
#pragma once

#include <string>

#include "common/audit/audit_log.h"
#include "common/crypto/signing.h"
#include "common/phone/phone.h"
#include "common/privacy/suppression.h"
#include "common/store/store.h"

namespace tocsin {

struct PersonExport {
  std::string json;       // the document
  std::string signature;  // its detached signature (the consent export's format)
  std::string html;       // the same, readable
  bool found = false;     // the store holds anything about the number
};

Result<PersonExport> exportPerson(Store& store, AuditLog& audit, const Ed25519KeyPair& key, const Suppressor& suppressor,
                                  const std::string& actor, const PhoneNumber& phone);

// Writes FILE (JSON), FILE.sig and FILE.html, each readable by its owner only.
Status writePersonExport(const PersonExport& e, const std::string& path);

}  // namespace tocsin
