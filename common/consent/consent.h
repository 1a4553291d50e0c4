// The consent ledger: append-only history of who agreed to what, when, where and how.
//
// Every event names the purpose ("alerts", "promotions:<shop>"), the channel it came through
// ("kiosk:K-01", "api:shop-web", "sms:STOP", "import:file.csv", "cli:admin") and the method
// ("checkbox", "confirmation-code", "sms-reply", ...). A grant also records the exact text
// shown (id, version, SHA-256, language). Consent becomes valid only once confirmed, and a
// later withdrawal ends it. All operations run inside an audited write.
#pragma once

#include <optional>
#include <string>

#include "common/audit/audit_log.h"
#include "common/store/store.h"

namespace tocsin {

inline constexpr const char* kAlertsPurpose = "alerts";

Status validatePurpose(std::string_view purpose);
Status validateChannel(std::string_view channel);
Status validateMethod(std::string_view method);

struct GrantRequest {
  std::string purpose;
  std::string textId;
  std::optional<int64_t> textVersion;  // nullopt: the newest version in `language`
  std::string language;
  std::string channel;
  std::string method;
  std::optional<std::string> evidence;
  std::optional<Timestamp> givenAt;  // when the person ticked it, if earlier than now (a sign-up confirmed later)
};

struct ConsentChange {
  std::string purpose;
  std::string language;
  std::string channel;
  std::string method;
  std::optional<std::string> evidence;
};

namespace consent {

// Stores `body` as the next version of (textId, language), or returns the existing version
// when exactly this text was stored before. A text id belongs to the purpose it was first
// registered for; registering it for another is refused.
Result<ConsentText> registerText(StoreTx& tx, AuditRecorder& audit, const std::string& textId, const std::string& purpose,
                                 const std::string& language, const std::string& body);

// Refused unless the text cited belongs to the grant's purpose.
Result<ConsentEvent> grant(StoreTx& tx, AuditRecorder& audit, ContactId contact, const GrantRequest& request);

// Confirms the pending grant for the purpose; kFailedPrecondition when none is pending. The
// change's evidence must name the proof (kInvalidArgument without it).
Result<ConsentEvent> confirm(StoreTx& tx, AuditRecorder& audit, ContactId contact, const ConsentChange& change);

// Records a withdrawal; nullopt when there was nothing to withdraw (never granted, or already
// withdrawn), so repeated STOPs stay harmless.
Result<std::optional<ConsentEvent>> withdraw(StoreTx& tx, AuditRecorder& audit, ContactId contact,
                                             const ConsentChange& change);

}  // namespace consent
}  // namespace tocsin
