#include "kiosk/signups.h"

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
  tocsin::NewSignup request;
  request.number = number;
  request.name = r.name;
  request.language = r.language;
  auto shown = [&](const std::string& kind, const std::string& purpose) {
    const ConsentText& t = shownText(kind, r.language);
    request.texts.push_back({purpose, t.textId, t.version});
  };
  if (r.alerts) shown("alerts", kAlertsPurpose);
  if (r.promotions) shown("promotions", promotionsPurpose());
  request.channel = actor();
  request.source = "kiosk";
  if (r.ageConfirmed) request.evidence = "age confirmed at least " + std::to_string(r.ageConfirmed);
  request.codeSms = uiText(r.language).smsCode;
  return start(request);
}

Result<PendingSignup> StoreSignups::start(const tocsin::NewSignup& request) {
  PendingSignup pending;
  TOCSIN_RETURN_IF_ERROR(audit_.write(store_, actor(), [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    TOCSIN_ASSIGN_OR_RETURN(const StartedSignup started, signups_.start(tx, rec, request));
    pending.signup = started.id;
    return Status::okStatus();
  }));
  pending.maskedPhone = maskPhone(request.number.e164, callingCode(request.number.region));
  return pending;
}

Result<CodeOutcome> StoreSignups::confirm(int64_t signup, const std::string& code, int& triesLeft) {
  CodeCheck check;
  TOCSIN_RETURN_IF_ERROR(audit_.write(store_, actor(), [&](StoreTx& tx, AuditRecorder& rec) -> Status {
    const auto pending = tx.signups().find(signup);
    TOCSIN_ASSIGN_OR_RETURN(check, signups_.confirmTyped(tx, rec, signup, actor(), code));
    // A withdrawal made: the person gets a receipt by SMS.
    if (check.verdict == CodeCheck::Verdict::kConfirmed && pending && pending->withdrawal && !check.confirmed.empty()) {
      const std::string sms = fill(uiText(check.language).smsWithdrawn, {{"shop", id_.shopName}});
      return queueTransactional(tx, rec, {"kiosk withdrawal", pending->phone, std::nullopt, sms, check.language, std::nullopt})
          .status();
    }
    return Status::okStatus();
  }));
  switch (check.verdict) {
    case CodeCheck::Verdict::kConfirmed: return CodeOutcome::kConfirmed;
    case CodeCheck::Verdict::kWrong: triesLeft = check.triesLeft; return CodeOutcome::kWrong;
    case CodeCheck::Verdict::kBlocked: break;
  }
  return CodeOutcome::kBlocked;
}

Result<PendingSignup> StoreSignups::withdraw(const std::string& typed, const std::string& region,
                                             const std::string& language) {
  TOCSIN_ASSIGN_OR_RETURN(const PhoneNumber number, checkPhone(typed, region));
  tocsin::NewSignup request;
  request.number = number;
  request.language = language;
  request.withdrawal = true;
  request.texts.push_back({promotionsPurpose(), "", 0});
  request.channel = actor();
  request.source = "kiosk";
  request.codeSms = uiText(language).smsCode;
  return start(request);
}

}  // namespace tocsin::kiosk
