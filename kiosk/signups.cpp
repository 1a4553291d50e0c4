#include "kiosk/signups.h"

#include "common/consent/codes.h"
#include "common/consent/consent.h"
#include "common/jobs/transactional.h"
#include "kiosk/texts.h"

namespace tocsin::kiosk {

std::string maskPhone(const std::string& e164, const std::string& callingCode) {
  if (e164.size() < callingCode.size() + 4 || e164.compare(0, callingCode.size(), callingCode) != 0) return e164;
  const std::string national = e164.substr(callingCode.size());
  std::string out = callingCode + " " + national.substr(0, 1) + " ";
  for (size_t i = 1; i < national.size(); ++i) {
    const bool shown = i >= national.size() - 3;
    out += shown ? std::string(1, national[i]) : std::string("\u2022");
    if ((national.size() - 1 - i) % 2 == 0 && i + 1 < national.size()) out += " ";
  }
  return out;
}

Result<std::unique_ptr<StoreSignups>> StoreSignups::open(
    Store& store, AuditLog& audit, const ContactBook& book, KioskIdentity identity,
    const std::map<std::string, std::map<std::string, std::string>>& consentTexts) {
  std::unique_ptr<StoreSignups> s(new StoreSignups(store, audit, book, std::move(identity)));
  TOCSIN_RETURN_IF_ERROR(audit.write(store, s->actor(), [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    for (const char* kind : {"alerts", "promotions"}) {
      for (const auto& l : languages()) {
        std::string body;
        if (auto k = consentTexts.find(kind); k != consentTexts.end())
          if (auto t = k->second.find(l.code); t != k->second.end()) body = t->second;
        if (body.empty()) body = defaultConsentText(kind, l.code, s->id_.townName, s->id_.shopName);
        const std::string textId = std::string(kind) == "alerts" ? "kiosk-alerts" : "kiosk-promotions-" + s->id_.shop;
        TOCSIN_ASSIGN_OR_RETURN(ConsentText t, consent::registerText(tx, rec, textId, std::string(kind) == "alerts" ? kAlertsPurpose : s->promotionsPurpose(), l.code, body));
        s->texts_[{kind, l.code}] = t;
      }
    }
    return Status::okStatus();
  }));
  return s;
}

const ConsentText& StoreSignups::shownText(const std::string& kind, const std::string& language) const {
  auto it = texts_.find({kind, language});
  return it == texts_.end() ? texts_.at({kind, "en"}) : it->second;
}

Result<PhoneNumber> StoreSignups::checkPhone(const std::string& typed, const std::string& region) const {
  TOCSIN_ASSIGN_OR_RETURN(PhoneNumber number, PhoneNormalizer(region).normalize(typed));
  TOCSIN_RETURN_IF_ERROR(checkSmsCapable(number));
  return number;
}

Result<PendingSignup> StoreSignups::signUp(const SignupRequest& r) {
  if (!r.alerts && !r.promotions) return Status::invalid("nothing was chosen");
  if (r.promotions && r.ageConfirmed == 0) return Status::invalid("promotions need the age confirmation");
  TOCSIN_ASSIGN_OR_RETURN(const PhoneNumber number, checkPhone(r.phone, r.region));
  TOCSIN_ASSIGN_OR_RETURN(const std::string code, newConfirmationCode());
  PendingSignup pending;
  const std::string channel = actor();
  TOCSIN_RETURN_IF_ERROR(audit_.write(store_, actor(), [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    ContactDetails details;
    details.name = r.name;
    details.language = r.language;
    TOCSIN_ASSIGN_OR_RETURN(UpsertResult contact, book_.upsert(tx, rec, number, details, "kiosk", true));
    std::vector<std::string> purposes;
    auto grant = [&](const std::string& kind, const std::string& purpose) -> Status {
      const ConsentText& t = shownText(kind, r.language);
      GrantRequest g{purpose, t.textId, t.version, t.language, channel, "checkbox",
                     r.ageConfirmed ? std::optional<std::string>("age confirmed at least " + std::to_string(r.ageConfirmed))
                                    : std::nullopt};
      TOCSIN_RETURN_IF_ERROR(consent::grant(tx, rec, contact.id, g).status());
      purposes.push_back(purpose);
      return Status::okStatus();
    };
    if (r.alerts) TOCSIN_RETURN_IF_ERROR(grant("alerts", kAlertsPurpose));
    if (r.promotions) TOCSIN_RETURN_IF_ERROR(grant("promotions", promotionsPurpose()));
    ConfirmationCode c;
    c.contact = contact.id;
    c.purposes = purposes;
    c.codeHash = confirmationCodeHash(contact.id, code);
    c.channel = channel;
    c.language = r.language;
    c.createdAt = rec.now();
    c.expiresAt = rec.now() + std::chrono::hours(48);
    tx.inbox().addCode(c);
    const std::string sms = fill(uiText(r.language).smsCode, {{"code", code}});
    TOCSIN_RETURN_IF_ERROR(
        queueTransactional(tx, rec, {"kiosk sign-up code", number.e164, contact.id, sms, r.language, std::nullopt}).status());
    pending.contact = contact.id;
    return Status::okStatus();
  }));
  pending.maskedPhone = maskPhone(number.e164, callingCode(number.region));
  return pending;
}

Result<CodeOutcome> StoreSignups::confirm(ContactId contact, const std::string& code, int& triesLeft) {
  CodeOutcome outcome = CodeOutcome::kWrong;
  TOCSIN_RETURN_IF_ERROR(audit_.write(store_, actor(), [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    const auto codes = tx.inbox().openCodes(contact, rec.now());
    if (codes.empty()) {
      outcome = CodeOutcome::kBlocked;
      return Status::okStatus();
    }
    const std::string hash = confirmationCodeHash(contact, code);
    for (const auto& c : codes) {
      if (c.codeHash != hash) continue;
      for (const auto& purpose : c.purposes) {
        auto e = consent::confirm(tx, rec, contact, {purpose, c.language, actor(), "confirmation-code",
                                                     "code #" + std::to_string(c.id) + " typed at " + actor()});
        if (!e.ok() && e.status().code() != StatusCode::kFailedPrecondition) return e.status();
      }
      tx.inbox().markCodeUsed(c.id, rec.now());
      outcome = CodeOutcome::kConfirmed;
      return Status::okStatus();
    }
    const ConfirmationCode& latest = codes.front();
    tx.inbox().countCodeAttempt(latest.id);
    triesLeft = kCodeMaxAttempts - (latest.attempts + 1);
    if (triesLeft <= 0) {
      tx.inbox().markCodeUsed(latest.id, rec.now());
      outcome = CodeOutcome::kBlocked;
      rec.record("signup.code-blocked", "contact:" + std::to_string(contact), "too many wrong codes at " + actor());
    }
    return Status::okStatus();
  }));
  return outcome;
}

Status StoreSignups::withdraw(const std::string& typed, const std::string& region, const std::string& language) {
  TOCSIN_ASSIGN_OR_RETURN(const PhoneNumber number, checkPhone(typed, region));
  return audit_.write(store_, actor(), [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    auto contact = tx.contacts().findByPhone(number.e164);
    if (!contact) return Status::okStatus();
    bool any = false;
    for (const auto& purpose : {std::string(kAlertsPurpose), promotionsPurpose()}) {
      TOCSIN_ASSIGN_OR_RETURN(auto e, consent::withdraw(tx, rec, contact->id, {purpose, language, actor(), "kiosk-button", std::nullopt}));
      any = any || e.has_value();
    }
    if (any) {
      const std::string sms = fill(uiText(language).smsWithdrawn, {{"shop", id_.shopName}});
      TOCSIN_RETURN_IF_ERROR(
          queueTransactional(tx, rec, {"kiosk withdrawal", number.e164, contact->id, sms, language, std::nullopt}).status());
    }
    return Status::okStatus();
  });
}

}  // namespace tocsin::kiosk
