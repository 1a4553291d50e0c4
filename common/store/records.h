// The values the store keeps, named for what they mean to an operator or an auditor.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/base/time.h"
#include "common/crypto/hash.h"

namespace tocsin {

using ContactId = int64_t;

// Personal fields of a contact besides the number; every one is optional.
struct ContactDetails {
  std::optional<std::string> name;
  std::optional<std::string> language;  // BCP 47 tag, e.g. "fr" or "en-GB"
  std::optional<std::string> timeZone;  // IANA name, e.g. "Europe/Paris"
  std::optional<std::string> zone;      // the municipality's zone code used for alert targeting
  std::optional<double> latitude;
  std::optional<double> longitude;
};

struct Contact {
  ContactId id = 0;
  std::string phone;       // E.164, e.g. "+33612345678"
  std::string numberType;  // libphonenumber's type: "mobile", "fixed_line", ...
  std::string region;      // ISO 3166 region of the number, e.g. "FR"
  ContactDetails details;
  std::string source;  // how the contact first arrived: "import", "kiosk", "api", "cli"
  Timestamp createdAt;
  Timestamp updatedAt;
};

enum class ConsentAction { kGranted, kConfirmed, kWithdrawn };
const char* consentActionName(ConsentAction a);
std::optional<ConsentAction> parseConsentAction(std::string_view s);

// One entry of a contact's consent history. Entries are only ever appended.
struct ConsentEvent {
  int64_t id = 0;
  ContactId contactId = 0;
  std::string purpose;  // "alerts" or "promotions:<shop>"
  ConsentAction action = ConsentAction::kGranted;
  // The exact text the person was shown (required for kGranted).
  std::optional<std::string> textId;
  std::optional<int64_t> textVersion;
  std::optional<std::string> textSha256;
  std::string language;  // language of the interaction
  std::string channel;   // "kiosk:<id>", "api:<client>", "sms:<keyword>", "import:<file>", "cli:<user>"
  std::string method;    // "checkbox", "confirmation-code", "sms-reply", "sms-keyword", "staff-entry", ...
  std::optional<std::string> evidence;  // e.g. the confirmation SMS's message id
  Timestamp recordedAt;
};

// A consent text exactly as shown, one version per (text id, language).
struct ConsentText {
  int64_t id = 0;
  std::string textId;
  std::string language;
  int64_t version = 0;
  std::string sha256;  // hex SHA-256 of body's UTF-8 bytes
  std::string body;
  Timestamp createdAt;
};

// One line of the tamper-evident audit log.
struct AuditEntry {
  int64_t seq = 0;
  Timestamp recordedAt;
  std::string actor;   // who: "cli:root", "kiosk:K-01", "token:alice", "system:retention"
  std::string action;  // what: "contact.import", "consent.grant", "contact.erase", ...
  std::string object;  // on what: "contact:42", "store", "file:residents.csv"
  std::string reason;  // why or details; never a phone number
  Digest prevMac{};
  Digest mac{};
};

// Where the audit chain starts once retention removed older entries.
struct AuditCheckpoint {
  int64_t seq = 0;  // the last removed entry's sequence number
  Digest mac{};     // that entry's MAC, which the next entry chains from
  Digest tag{};     // HMAC over (seq, mac) so the checkpoint itself cannot be forged
};

// A keyed fingerprint of an erased or opted-out number.
struct Suppression {
  Digest fingerprint{};
  int64_t keyVersion = 1;
  std::string reason;
  Timestamp createdAt;
};

}  // namespace tocsin
