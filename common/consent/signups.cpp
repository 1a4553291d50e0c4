#include "common/consent/signups.h"

#include "common/base/time.h"
#include "common/consent/codes.h"
#include "common/jobs/transactional.h"

namespace tocsin {
namespace {

CodeCheck blocked() {
  CodeCheck c;
  c.verdict = CodeCheck::Verdict::kBlocked;
  return c;
}

std::string object(int64_t signup) { return "signup:" + std::to_string(signup); }

std::string fillCode(const std::string& sms, const std::string& code) {
  std::string out = sms;
  const auto at = out.find("{code}");
  if (at == std::string::npos) return out + " " + code;
  return out.replace(at, 6, code);
}

// The hash a sign-up's code is kept as: keyed by the sign-up (by the contact for codes made
// before sign-ups waited).
std::string hashFor(const SignupRecord& s, const std::string& code) {
  return confirmationCodeHash(s.legacyContact ? *s.legacyContact : s.id, code);
}

// A wrong code counts against the number: the attempts on all its open codes add up, and the
// last allowed one burns every one of them (so opening more sign-ups gives no more guesses).
CodeCheck wrongCode(StoreTx& tx, AuditRecorder& rec, const SignupRecord& s) {
  tx.signups().countAttempt(s.id);
  const auto open = tx.signups().open(s.phone, rec.now());
  int attempts = 0;
  for (const auto& o : open) attempts += o.attempts;
  CodeCheck out;
  out.triesLeft = kCodeMaxAttempts - attempts;
  if (out.triesLeft <= 0) {
    for (const auto& o : open) {
      tx.signups().markUsed(o.id, rec.now());
      rec.record("signup.code-blocked", object(o.id), "too many wrong codes for the number; its sign-ups are void");
    }
    out.triesLeft = 0;
    out.verdict = CodeCheck::Verdict::kBlocked;
  }
  return out;
}

}  // namespace

Result<StartedSignup> SignupService::start(StoreTx& tx, AuditRecorder& rec, const NewSignup& r) const {
  if (r.texts.empty()) return Status::invalid("a sign-up chooses at least one purpose");
  TOCSIN_RETURN_IF_ERROR(validateChannel(r.channel));
  TOCSIN_RETURN_IF_ERROR(checkSmsCapable(r.number));
  ContactDetails details;
  details.name = r.name;
  details.language = r.language;
  TOCSIN_RETURN_IF_ERROR(validateDetails(details));
  for (size_t i = 0; i < r.texts.size(); ++i) {
    const SignupText& t = r.texts[i];
    TOCSIN_RETURN_IF_ERROR(validatePurpose(t.purpose));
    for (size_t j = 0; j < i; ++j)
      if (r.texts[j].purpose == t.purpose) return Status::invalid("purpose " + t.purpose + " is chosen twice");
    if (r.withdrawal) continue;
    if (!tx.consent().findText(t.textId, r.language, t.textVersion))
      return Status::invalid("consent text '" + t.textId + "' version " + std::to_string(t.textVersion) + " in '" + r.language +
                             "' is not registered");
    const auto bound = tx.consent().textPurpose(t.textId);
    if (!bound || *bound != t.purpose) return Status::invalid("consent text '" + t.textId + "' is not a text for " + t.purpose);
  }
  const Timestamp now = rec.now();
  if (tx.signups().countSince(r.number.e164, now - limits_.codeWindow) >= limits_.codesPerNumber)
    return Status(StatusCode::kTooMany,
                  "this number was sent its " + std::to_string(limits_.codesPerNumber) +
                      " codes for now; use one of them, or try again later");
  TOCSIN_ASSIGN_OR_RETURN(const std::string code, newConfirmationCode());
  SignupRecord s;
  s.phone = r.number.e164;
  s.region = r.number.region;
  s.numberType = r.number.numberType;
  s.name = r.name;
  s.source = r.source;
  s.texts = r.texts;
  s.evidence = r.evidence;
  s.channel = r.channel;
  s.language = r.language;
  s.createdAt = now;
  s.expiresAt = now + limits_.validity;
  s.withdrawal = r.withdrawal;
  s.id = tx.signups().add(s);
  s.codeHash = hashFor(s, code);  // keyed by the id, known once inserted
  tx.signups().setCodeHash(s.id, s.codeHash);
  std::string purposes;
  for (const auto& t : r.texts) purposes += (purposes.empty() ? "" : ", ") + t.purpose;
  rec.record(r.withdrawal ? "signup.withdraw-start" : "signup.start", object(s.id),
             "through " + r.channel + " for " + purposes + "; code sent, valid until " + formatUtc(s.expiresAt));
  TOCSIN_RETURN_IF_ERROR(
      queueTransactional(tx, rec, {"sign-up code", r.number.e164, std::nullopt, fillCode(r.codeSms, code), r.language, std::nullopt, std::nullopt, std::nullopt})
          .status());
  return StartedSignup{s.id, s.expiresAt};
}

Result<CodeCheck> SignupService::confirmTyped(StoreTx& tx, AuditRecorder& rec, int64_t signupId, const std::string& channel,
                                              const std::string& code) const {
  const auto s = tx.signups().find(signupId);
  if (!s || s->channel != channel || s->usedAt || s->expiresAt <= rec.now()) return blocked();
  if (s->codeHash != hashFor(*s, code)) return wrongCode(tx, rec, *s);
  return complete(tx, rec, *s, "confirmation-code", "typed at " + channel);
}

Result<CodeCheck> SignupService::confirmReplied(StoreTx& tx, AuditRecorder& rec, const std::string& phone, const std::string& code,
                                                const std::string& via) const {
  const auto open = tx.signups().open(phone, rec.now());
  if (open.empty()) return blocked();
  for (const auto& s : open)
    if (s.codeHash == hashFor(s, code)) return complete(tx, rec, s, "sms-reply-code", "replied by SMS through " + via);
  return wrongCode(tx, rec, open.front());
}

Result<CodeCheck> SignupService::complete(StoreTx& tx, AuditRecorder& rec, const SignupRecord& s, const std::string& method,
                                          const std::string& confirmedVia) const {
  const std::string evidence = "code of sign-up #" + std::to_string(s.id) + " " + confirmedVia;
  if (s.withdrawal) {
    // Nothing is created: a number that is not a contact has nothing to withdraw.
    std::vector<std::string> purposes;
    for (const auto& t : s.texts) purposes.push_back(t.purpose);
    TOCSIN_ASSIGN_OR_RETURN(auto withdrawn,
                            withdrawNumber(tx, rec, s.phone, purposes, {"", s.language, s.channel, method, evidence}));
    tx.signups().markUsed(s.id, rec.now());
    rec.record("signup.withdraw-confirm", object(s.id), confirmedVia);
    CodeCheck out;
    out.verdict = CodeCheck::Verdict::kConfirmed;
    out.confirmed = withdrawn;
    out.language = s.language;
    out.withdrawal = true;
    out.phone = s.phone;
    return out;
  }
  ContactId contact = 0;
  if (s.legacyContact) {
    contact = *s.legacyContact;
  } else if (auto existing = tx.contacts().findByPhone(s.phone)) {
    contact = existing->id;  // its details stay as they are
  } else {
    ContactDetails details;
    details.name = s.name;
    details.language = s.language;
    TOCSIN_ASSIGN_OR_RETURN(const UpsertResult created,
                            book_.upsert(tx, rec, PhoneNumber{s.phone, s.numberType, s.region}, details, s.source, /*personSignedUp=*/true));
    contact = created.id;
  }
  CodeCheck out;
  out.verdict = CodeCheck::Verdict::kConfirmed;
  out.contact = contact;
  out.language = s.language;
  out.phone = s.phone;
  for (const auto& t : s.texts) {
    if (!s.legacyContact) {
      GrantRequest g{t.purpose, t.textId, t.textVersion, s.language, s.channel, "checkbox", s.evidence, s.createdAt};
      TOCSIN_RETURN_IF_ERROR(consent::grant(tx, rec, contact, g).status());
    }
    auto e = consent::confirm(tx, rec, contact, {t.purpose, s.language, s.channel, method, evidence});
    if (e.ok()) out.confirmed.push_back(t.purpose);
    else if (e.status().code() != StatusCode::kFailedPrecondition) return e.status();
  }
  tx.signups().markUsed(s.id, rec.now());
  rec.record("signup.confirm", object(s.id), "contact:" + std::to_string(contact) + " " + confirmedVia);
  return out;
}

Result<std::vector<std::string>> withdrawNumber(StoreTx& tx, AuditRecorder& rec, const std::string& e164,
                                                const std::vector<std::string>& purposes, const ConsentChange& change) {
  std::vector<std::string> withdrawn;
  const auto contact = tx.contacts().findByPhone(e164);
  if (!contact) return withdrawn;
  for (const auto& purpose : purposes) {
    ConsentChange c = change;
    c.purpose = purpose;
    TOCSIN_ASSIGN_OR_RETURN(auto e, consent::withdraw(tx, rec, contact->id, c));
    if (e) withdrawn.push_back(purpose);
  }
  return withdrawn;
}

}  // namespace tocsin
