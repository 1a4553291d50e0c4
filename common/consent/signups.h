// Sign-ups: how a person joins the town's alerts or a shop's promotions at a kiosk or on a
// shop's own page. It is the only way a credential other than an admin's adds a contact or
// records consent, and it proves that the phone's holder asked: a code goes to the number by
// SMS, and nothing about the person is written (no contact, no consent event) until the code
// comes back, typed where the sign-up was taken or replied by SMS. Then a new number becomes a
// contact with the sign-up's own source (never the town's register, so it gets alerts only
// with confirmed `alerts` consent), an existing contact's details stay exactly as they were,
// and each purpose gets its grant (the exact text shown, when it was ticked) and its
// confirmation. A suppressed (erased or opted-out) number comes back only this way.
//
// Nothing here tells the caller whether a number was known, new or erased.
// All functions run inside an audited write.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/audit/audit_log.h"
#include "common/consent/consent.h"
#include "common/contacts/contacts.h"
#include "common/phone/phone.h"
#include "common/store/store.h"

namespace tocsin {

struct NewSignup {
  PhoneNumber number;
  std::optional<std::string> name;      // used only if the number is new
  std::string language;
  std::vector<SignupText> texts;        // per purpose, the text shown and ticked
  std::string channel;                  // "kiosk:K-01", "api:bakery-web"
  std::string source;                   // a new contact's source: "kiosk", "shop:bakery"
  std::optional<std::string> evidence;  // e.g. "age confirmed at least 16"
  std::string codeSms;                  // the SMS to send, "{code}" where the code goes
  // A withdrawal of `texts`' purposes (text ids unused), done once the code comes back.
  bool withdrawal = false;
};

struct SignupLimits {
  int codesPerNumber = 3;                    // code SMS one number may get in `codeWindow`
  Micros codeWindow = std::chrono::hours(1);
  Micros validity = std::chrono::hours(48);
};

struct StartedSignup {
  int64_t id = 0;
  Timestamp expiresAt;
};

struct CodeCheck {
  enum class Verdict { kConfirmed, kWrong, kBlocked };
  Verdict verdict = Verdict::kWrong;
  int triesLeft = 0;                    // kWrong
  std::vector<std::string> confirmed;   // kConfirmed: the purposes now confirmed
  ContactId contact = 0;                // kConfirmed
  std::string language;                 // the sign-up's
  bool withdrawal = false;              // kConfirmed: a withdrawal, `confirmed` the purposes withdrawn
  std::string phone;                    // kConfirmed: the number, E.164
};

class SignupService {
 public:
  explicit SignupService(const ContactBook& book, SignupLimits limits = {}) : book_(book), limits_(limits) {}

  // Records the pending sign-up (or withdrawal) and queues the code SMS. Refused (kTooMany)
  // when the number had its share of codes in the window; refused (kInvalidArgument) when a
  // text is not registered or not one of its purpose's. Wrong codes are counted across all of
  // a number's open codes: the kCodeMaxAttempts-th wrong one burns them all.
  Result<StartedSignup> start(StoreTx& tx, AuditRecorder& rec, const NewSignup& request) const;
  const SignupLimits& limits() const { return limits_; }

  // The code typed where the sign-up was taken: `channel` must be the one that took it.
  // kBlocked when the sign-up is unknown, another channel's, used, expired, or burnt by too
  // many wrong codes.
  Result<CodeCheck> confirmTyped(StoreTx& tx, AuditRecorder& rec, int64_t signupId, const std::string& channel,
                                 const std::string& code) const;

  // A code replied by SMS from `phone` (E.164); `via` names the channel ("sms:modems").
  Result<CodeCheck> confirmReplied(StoreTx& tx, AuditRecorder& rec, const std::string& phone, const std::string& code,
                                   const std::string& via) const;

 private:
  Result<CodeCheck> complete(StoreTx& tx, AuditRecorder& rec, const SignupRecord& signup, const std::string& method,
                             const std::string& confirmedVia) const;

  const ContactBook& book_;
  SignupLimits limits_;
};

// Withdraws `purposes` for the number, if it is a contact; returns the purposes withdrawn
// (empty for an unknown number, or nothing to withdraw). Callers answer the same either way.
Result<std::vector<std::string>> withdrawNumber(StoreTx& tx, AuditRecorder& rec, const std::string& e164,
                                                const std::vector<std::string>& purposes, const ConsentChange& change);

}  // namespace tocsin
