#include "common/consent/consent.h"

#include "common/base/text.h"

namespace tocsin {
namespace {

bool isIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '@';
}

std::string describe(const ConsentEvent& e) {
  std::string out = "purpose=" + e.purpose;
  if (e.textId) out += " text=" + *e.textId + "@" + std::to_string(e.textVersion.value_or(0)) + "/" + e.language;
  out += " channel=" + e.channel + " method=" + e.method;
  return out;
}

ConsentEvent baseEvent(ContactId contact, ConsentAction action, const ConsentChange& c, Timestamp at) {
  ConsentEvent e;
  e.contactId = contact;
  e.purpose = c.purpose;
  e.action = action;
  e.language = c.language;
  e.channel = c.channel;
  e.method = c.method;
  e.evidence = c.evidence;
  e.recordedAt = at;
  return e;
}

Status validateChange(const ConsentChange& c) {
  TOCSIN_RETURN_IF_ERROR(validatePurpose(c.purpose));
  TOCSIN_RETURN_IF_ERROR(validateChannel(c.channel));
  TOCSIN_RETURN_IF_ERROR(validateMethod(c.method));
  if (c.language.empty() || c.language.size() > 35) return Status::invalid("consent language is missing");
  if (c.evidence && (!isValidUtf8(*c.evidence) || c.evidence->size() > 200 || hasControlCharacters(*c.evidence)))
    return Status::invalid("consent evidence must be at most 200 characters of plain text");
  return Status::okStatus();
}

}  // namespace

Status validatePurpose(std::string_view p) {
  if (p == kAlertsPurpose) return Status::okStatus();
  constexpr std::string_view kPromo = "promotions:";
  if (p.substr(0, kPromo.size()) == kPromo) {
    const auto shop = p.substr(kPromo.size());
    bool ok = !shop.empty() && shop.size() <= 32;
    for (char c : shop) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_');
    if (ok) return Status::okStatus();
    return Status::invalid("purpose '" + std::string(p) + "': the shop name must be 1-32 of a-z, 0-9, '-', '_'");
  }
  return Status::invalid("purpose '" + std::string(p) + "' is neither 'alerts' nor 'promotions:<shop>'");
}

Status validateChannel(std::string_view ch) {
  static const std::string_view kinds[] = {"kiosk", "api", "sms", "import", "cli", "web"};
  const auto colon = ch.find(':');
  if (colon != std::string_view::npos) {
    const auto kind = ch.substr(0, colon), id = ch.substr(colon + 1);
    bool known = false;
    for (auto k : kinds) known = known || k == kind;
    bool idOk = !id.empty() && id.size() <= 64;
    for (char c : id) idOk = idOk && isIdChar(c);
    if (known && idOk) return Status::okStatus();
  }
  return Status::invalid("channel '" + std::string(ch) +
                         "' must be <kind>:<id> with kind kiosk, api, sms, import, cli or web (e.g. kiosk:K-01)");
}

Status validateMethod(std::string_view m) {
  bool ok = !m.empty() && m.size() <= 32;
  for (char c : m) ok = ok && ((c >= 'a' && c <= 'z') || c == '-');
  if (ok) return Status::okStatus();
  return Status::invalid("consent method '" + std::string(m) + "' must be lower-case words joined by '-'");
}

namespace consent {

Result<ConsentText> registerText(StoreTx& tx, AuditRecorder& audit, const std::string& textId, const std::string& purpose,
                                 const std::string& language, const std::string& body) {
  if (textId.empty() || textId.size() > 64) return Status::invalid("consent text id must be 1-64 characters");
  TOCSIN_RETURN_IF_ERROR(validatePurpose(purpose));
  for (char c : textId)
    if (!isIdChar(c)) return Status::invalid("consent text id '" + textId + "' may use letters, digits, - _ . @");
  if (language.empty()) return Status::invalid("consent text language is missing");
  if (body.empty() || !isValidUtf8(body) || hasControlCharacters(body, /*allowNewlines=*/true))
    return Status::invalid("consent text must be non-empty UTF-8 without control characters");
  // A text id asks consent for one purpose, for good.
  if (const auto bound = tx.consent().textPurpose(textId)) {
    if (*bound != purpose)
      return Status::invalid("consent text '" + textId + "' asks consent for " + *bound + ", not " + purpose +
                             "; give this text another id");
  } else {
    tx.consent().bindTextPurpose(textId, purpose);
  }
  const std::string hash = toHex(sha256(body));
  if (auto same = tx.consent().findTextByHash(textId, language, hash)) return *same;
  const auto newest = tx.consent().findText(textId, language, std::nullopt);
  ConsentText text;
  text.textId = textId;
  text.language = language;
  text.version = newest ? newest->version + 1 : 1;
  text.sha256 = hash;
  text.body = body;
  text.createdAt = audit.now();
  text = tx.consent().insertText(text);
  audit.record("consent.text", "consent-text:" + textId + "@" + std::to_string(text.version) + "/" + language,
               "purpose=" + purpose + " sha256=" + hash);
  return text;
}

Result<ConsentEvent> grant(StoreTx& tx, AuditRecorder& audit, ContactId contact, const GrantRequest& r) {
  TOCSIN_RETURN_IF_ERROR(validateChange({r.purpose, r.language, r.channel, r.method, r.evidence}));
  const auto text = tx.consent().findText(r.textId, r.language, r.textVersion);
  if (!text)
    return Status::notFound("consent text '" + r.textId + "'" +
                            (r.textVersion ? " version " + std::to_string(*r.textVersion) : std::string()) +
                            " in language '" + r.language + "' is not registered");
  // The text shown must be the one for this purpose: a grant cannot borrow another's wording.
  const auto purpose = tx.consent().textPurpose(r.textId);
  if (!purpose || *purpose != r.purpose)
    return Status::invalid("consent text '" + r.textId + "' is not a text for " + r.purpose +
                           (purpose ? " (it asks consent for " + *purpose + ")" : " (it is bound to no purpose)"));
  if (r.givenAt && *r.givenAt > audit.now()) return Status::invalid("a consent cannot be given in the future");
  ConsentEvent e = baseEvent(contact, ConsentAction::kGranted, {r.purpose, r.language, r.channel, r.method, r.evidence},
                             r.givenAt.value_or(audit.now()));
  e.textId = text->textId;
  e.textVersion = text->version;
  e.textSha256 = text->sha256;
  e.id = tx.consent().append(e);
  audit.record("consent.grant", "contact:" + std::to_string(contact), describe(e));
  return e;
}

Result<ConsentEvent> confirm(StoreTx& tx, AuditRecorder& audit, ContactId contact, const ConsentChange& c) {
  TOCSIN_RETURN_IF_ERROR(validateChange(c));
  // A confirmation is worth what its proof is: the code typed or replied, the reply's message,
  // the signed paper form. Without one it is refused.
  if (!c.evidence || c.evidence->size() < 4)
    return Status::invalid("a confirmation names its proof (evidence): the code sent and returned, the reply received, "
                           "or the signed form");
  const auto latest = tx.consent().latest(contact, c.purpose);
  if (!latest || latest->action != ConsentAction::kGranted)
    return Status::failedPrecondition("there is no pending sign-up for '" + c.purpose + "' to confirm");
  ConsentEvent e = baseEvent(contact, ConsentAction::kConfirmed, c, audit.now());
  e.id = tx.consent().append(e);
  audit.record("consent.confirm", "contact:" + std::to_string(contact), describe(e));
  return e;
}

Result<std::optional<ConsentEvent>> withdraw(StoreTx& tx, AuditRecorder& audit, ContactId contact,
                                             const ConsentChange& c) {
  TOCSIN_RETURN_IF_ERROR(validateChange(c));
  const auto latest = tx.consent().latest(contact, c.purpose);
  if (!latest || latest->action == ConsentAction::kWithdrawn) return std::optional<ConsentEvent>();
  ConsentEvent e = baseEvent(contact, ConsentAction::kWithdrawn, c, audit.now());
  e.id = tx.consent().append(e);
  audit.record("consent.withdraw", "contact:" + std::to_string(contact), describe(e));
  return std::optional<ConsentEvent>(e);
}

}  // namespace consent
}  // namespace tocsin
